"""The emulation report: compat.v1 graph twins on TF 2 beside the same twins on real TF 1."""

from __future__ import annotations

from lab.judge import judge_all
from lab.reports import matrix as matrix_report
from lab.reports.emulation import emulation_diffs, real_tf1_envs
from tests.support import view_of
from tests.test_drift import T1, T3, record


def test_no_real_tf1_environment_means_no_emulation_section(fixture_scenarios) -> None:
    records = [record("tf2.21", "2.21.0", "graph", T3), record("tf2.15", "2.15.1", "graph", T1)]
    judgements = judge_all(fixture_scenarios, records)
    assert real_tf1_envs(records) == [] and emulation_diffs(records, judgements) == []
    assert "real TF1" not in matrix_report.terminal(view_of(records, judgements))


def test_every_tf2_graph_twin_is_compared_with_real_tf1_and_the_eager_twins_are_not(fixture_scenarios) -> None:
    records = [record("tf1.15", "1.15.5", "graph", T3), record("tf1.15", "1.15.5", "eager", T1),
               record("tf2.21", "2.21.0", "graph", T1), record("tf2.21", "2.21.0", "eager", T3),
               record("tf2.15", "2.15.1", "graph", T3), record("tf2.15", "2.15.1", "eager", T3)]
    judgements = judge_all(fixture_scenarios, records)
    diffs = emulation_diffs(records, judgements)
    # Only tf2.21's graph twin differs: its value, and so claims 1 and 2 (3 is INCONCLUSIVE everywhere).
    assert [(d.env, d.kind, d.key, d.real, d.emulated) for d in diffs] == [
        ("tf2.21", "observation", "after_assign", "3.0 float32", "1.0 float32"),
        ("tf2.21", "verdict", "#1", "HOLDS", "REFUTED"),
        ("tf2.21", "verdict", "#2", "REFUTED", "HOLDS"),
    ]
    text = matrix_report.terminal(view_of(records, judgements))
    assert "compat.v1 graph twins that judge otherwise than real TF1 (tf1.15):" in text
    assert "  fixture-assign verdict #1: TF1 HOLDS; tf2.21 REFUTED" in text
    assert "fixture-assign: 1 observation differs in tf2.21; first after_assign: TF1 3.0 float32 / tf2.21 1.0" in text
    markdown = matrix_report.markdown(view_of(records, judgements))
    assert "## The compat.v1 emulation against real TF1 (tf1.15)" in markdown


def test_a_twin_that_cannot_apply_in_tf1_is_a_status_difference(fixture_scenarios) -> None:
    records = [record("tf1.15", "1.15.5", "graph", T3, "not_applicable"), record("tf2.21", "2.21.0", "graph", T3)]
    diffs = emulation_diffs(records, judge_all(fixture_scenarios, records))
    assert (diffs[0].kind, diffs[0].real, diffs[0].emulated) == ("status", "not_applicable", "ok")
