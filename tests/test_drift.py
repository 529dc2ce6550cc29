"""Cross-environment analysis and the matrix reports, on fake records from three versions."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lab.judge import judge_all
from lab.record import Record, env_order
from lab.reports import matrix as matrix_report
from lab.reports.drift import (
    columns,
    describe_sequence,
    mode_gaps,
    observation_drift,
    verdict_drift,
    verdict_rows,
)
from tests.support import view_of
from tests.test_report import check_golden

T1 = {"kind": "tensor", "dtype": "float32", "shape": [], "values": 1.0}
T3 = {"kind": "tensor", "dtype": "float32", "shape": [], "values": 3.0}


def record(env: str, tf: str, mode: str, after: dict, status: str = "ok") -> Record:
    facts = {"tensorflow": tf, "keras": "k", "keras_package": "keras", "numpy": "n", "python": "p"}
    error = None if status == "ok" else {"type": status, "message": f"{status} on purpose"}
    return Record("fixture-assign", mode, env, 1, status, {"after_assign": after} if status == "ok" else {},
                  error, facts)


def matrix(fixture_scenarios):
    # The graph twin's value changes from tf2.15 on; the eager twin of tf2.21 crashed.
    records = [record("tf2.21", "2.21.0", "graph", T3), record("tf2.21", "2.21.0", "eager", T3, "crashed"),
               record("tf2.5", "2.5.3", "graph", T1), record("tf2.5", "2.5.3", "eager", T3),
               record("tf2.15", "2.15.1", "graph", T3), record("tf2.15", "2.15.1", "eager", T3)]
    return records, judge_all(fixture_scenarios, records)


def test_environments_are_ordered_by_tensorflow_version_not_by_name() -> None:
    records = [record("tf2.21", "2.21.0", "graph", T1), record("tf2.5", "2.5.3", "graph", T1),
               record("tf2.15", "2.15.1", "graph", T1)]
    assert env_order(records) == ["tf2.5", "tf2.15", "tf2.21"]


def test_a_change_is_described_as_up_to_and_from() -> None:
    assert describe_sequence(["a", "b", "c"], ["H", "R", "R"]) == "H up to a, R from b"
    assert describe_sequence(["a", "b", "c"], ["H", "R", "H"]) == "H in a; R in b; H in c"


def test_verdict_drift_names_the_claim_mode_and_versions(fixture_scenarios) -> None:
    records, judgements = matrix(fixture_scenarios)
    lines = verdict_drift(verdict_rows(records, judgements), columns(records))
    assert "fixture-assign #1 [graph] assign sets the value: REFUTED up to tf2.5, HOLDS from tf2.15" in lines
    assert any(line.startswith("fixture-assign #1 [eager]") and "(crashed) from tf2.21" in line for line in lines)


def test_observation_drift_and_mode_gaps(fixture_scenarios) -> None:
    records, _ = matrix(fixture_scenarios)
    assert observation_drift(records) == [
        "fixture-assign [graph] after_assign: 1.0 float32 up to tf2.5, 3.0 float32 from tf2.15"]
    (gap,) = mode_gaps(records)
    assert str(gap) == "fixture-assign after_assign: graph 1.0 float32 / eager 3.0 float32 (in tf2.5)"


def test_the_matrix_report_matches_its_golden_file(fixture_scenarios, update_golden) -> None:
    records, judgements = matrix(fixture_scenarios)
    text = matrix_report.terminal(view_of(records, judgements, {"tf2.21": "1 of 2 trials crashed: crashed on purpose"}))
    check_golden("matrix-report.txt", text, update_golden)


def test_junit_counts_unfinished_twins_as_errors_and_verdicts_as_findings(fixture_scenarios) -> None:
    records, judgements = matrix(fixture_scenarios)
    suites = {s.get("name"): s for s in ET.fromstring(matrix_report.junit(view_of(records, judgements)))}
    # tf2.21's crashed eager twin: its trial case and its three claim cases
    assert suites["tf2.21"].get("errors") == "4" and suites["tf2.5"].get("failures") == "0"
    assert suites["tf2.15"].get("tests") == "9"  # the environment, 2 trials, 3 claims x 2 modes
