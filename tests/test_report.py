"""The terminal report, checked against a golden file (refresh with --update-golden)."""

from __future__ import annotations

import json
from pathlib import Path

from lab.environments.fake import FakeEnvironment
from lab.pipeline import parse_modes, select
from lab.reports import terminal as report
from lab.reports.view import View
from tests.support import result_of, trials_of

GOLDEN = Path(__file__).parent / "golden"
VALUES = {"kind": "tensor", "dtype": "float32", "shape": [2], "values": [0.5, -1.25]}


def outcome(scenarios):
    canned = {
        ("fixture-assign", "graph"): {"after_assign": {"kind": "tensor", "dtype": "float32", "shape": [],
                                                       "values": 3.0},
                                      "bad_reshape": {"kind": "exception", "type": "InvalidArgumentError",
                                                      "message": "Input to reshape is a tensor with 2 values"}},
        ("fixture-assign", "eager"): {"after_assign": {"kind": "tensor", "dtype": "float32", "shape": [],
                                                       "values": 1.0},
                                      "eager_only": VALUES},
        ("fixture-raises", "graph"): RuntimeError("graph twin failed on purpose"),
        ("fixture-raises", "eager"): {"x": 1},
    }
    trials = trials_of(select(scenarios, ["fixture-assign", "fixture-raises"]), parse_modes([]))
    return result_of(FakeEnvironment(canned, facts={"tensorflow": "9.9", "keras": "9.8", "keras_package": "keras",
                                            "numpy": "1.0", "python": "3.x"}), scenarios, trials)


def check_golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden file {path}: run pytest --update-golden once and review it"
    assert text == path.read_text()


def test_the_terminal_report_matches_the_golden_file(fixture_scenarios, update_golden) -> None:
    result = outcome(fixture_scenarios)
    text = report.terminal(View.of(result))
    text += report.summary_line(View.of(result)) + "\n"
    check_golden("run-report.txt", text, update_golden)


def test_the_report_marks_differences_and_one_sided_keys(fixture_scenarios) -> None:
    result = outcome(fixture_scenarios)
    text = report.terminal(View.of(result))
    (differs,) = [line for line in text.splitlines() if line.strip().startswith("after_assign")]
    assert "3.0 float32" in differs and "1.0 float32" in differs and "<- differs" in differs
    assert "(not recorded)" in text
    assert "graph twin error: RuntimeError: graph twin failed on purpose" in text


def test_json_holds_records_and_verdicts_only(fixture_scenarios) -> None:
    result = outcome(fixture_scenarios)
    data = json.loads(report.as_json(View.of(result)))
    assert len(data["records"]) == 4 and len(data["verdicts"]) == 8
    assert {v["verdict"] for v in data["verdicts"]} == {"HOLDS", "REFUTED", "INCONCLUSIVE"}


def test_on_a_terminal_the_table_keeps_its_colours_and_guest_text_its_controls_shown(fixture_scenarios,
                                                                                      monkeypatch) -> None:
    import lab.values

    monkeypatch.setattr(lab.values, "on_terminal", lambda stream=None: True)
    canned = {("fixture-assign", "graph"): {"after_assign": {"kind": "exception", "type": "E",
                                                             "message": "\x1b]0;owned\x07 title"}},
              ("fixture-assign", "eager"): {"after_assign": VALUES}}
    trials = trials_of(select(fixture_scenarios, ["fixture-assign"]), parse_modes([]))
    text = report.terminal(View.of(result_of(FakeEnvironment(canned), fixture_scenarios, trials)))
    assert "\x1b[" in text and "\\x1b[" not in text  # rich's colour codes reach the terminal as codes
    assert "\x1b]0;" not in text and "\\x1b]0;owned\\x07" in text  # the guest's sequence is shown, not sent
