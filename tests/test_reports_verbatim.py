"""lab/reports/verbatim.py: a block outcome's cell and place, its error's place, drift and rescues."""

from __future__ import annotations

import pytest

from lab.reports.verbatim import cell, drift, error_place, place, rescues, terminal
from lab.verbatim.outcome import Outcome


def _o(status: str = "ok", env: str = "tf2", variant: str = "as-written", block: int = 2, **rest) -> Outcome:
    return Outcome("post.md", block, variant, env, status, "d", line=10, **rest)


@pytest.mark.parametrize(("outcome", "text"), [
    (_o(), "ran"), (_o(match="matches"), "ran="), (_o(match="differs", deterministic=False), "ran~!="),
    (_o("error", error={"type": "NameError"}), "NameError"), (_o("error"), "raised"),
    (_o("syntax_error"), "SyntaxError"), (_o("not_applicable"), "n/a"), (_o("not_run"), "not run"),
    (_o("not_reached"), "not reached"), (_o("timeout"), "timeout"), (_o("fragment"), "fragment"),
])
def test_a_cell_says_what_the_block_did_in_a_few_characters(outcome: Outcome, text: str) -> None:
    assert cell(outcome) == text


def test_a_block_is_placed_by_its_notebook_cell_or_its_number_and_line() -> None:
    assert place(_o()) == "post.md#2 (line 10)"
    assert place(_o(cell=5)) == "post.md cell 5"


def test_an_error_in_a_texts_block_gives_the_block_line_and_the_document_line() -> None:
    assert error_place(_o("error", error={"line": 3, "block": 2})) == "block line 3, document line 12"


def test_an_error_in_a_notebook_cell_gives_the_cell_and_line() -> None:
    assert error_place(_o("error", cell=5, error={"line": 3, "block": 2})) == "cell 5, line 3"


def test_an_error_an_earlier_block_raised_names_that_block_and_its_line() -> None:
    outcome = _o("error", error={"line": None, "block": 1, "cell": None, "block_line": 4})
    assert error_place(outcome) == "raised in block #1, line 4, which ran before it"
    in_notebook = _o("error", cell=6, error={"line": None, "block": 1, "cell": 3})
    assert error_place(in_notebook) == "raised in cell 3, which ran before it"


def test_a_cell_not_reached_names_the_cell_the_session_died_in() -> None:
    outcome = _o("not_reached", cell=6, error={"block": 1, "cell": 3})
    assert error_place(outcome) == "the session's process died in cell 3"


def test_an_error_without_a_line_has_no_place() -> None:
    assert error_place(_o("error", error={"type": "E"})) == ""


def test_drift_names_each_outcome_with_its_envs_and_tensorflow_versions() -> None:
    outcomes = [_o(env="tf1", facts={"tensorflow": "1.15.5"}, match="differs"),
                _o("error", env="tf2", error={"type": "AttributeError"}, facts={"tensorflow": "2.15.1"}),
                _o(env="tf3", match="matches")]
    assert drift(outcomes) == ["post.md#2 as-written: ran in tf1 (TF 1.15.5), tf3; AttributeError in tf2 (TF 2.15.1)"]


def test_what_did_not_run_is_no_drift() -> None:
    assert drift([_o(env="tf1"), _o("not_run", env="tf2"), _o("not_applicable", env="tf3")]) == []


def test_a_rescue_is_a_block_that_raises_as_written_and_runs_in_another_variant() -> None:
    outcomes = [_o("error", error={"type": "AttributeError"}), _o(variant="compat-shim"),
                _o("error", variant="tf-upgrade-v2"), _o(env="tf1")]
    assert rescues(outcomes) == ["post.md#2 in tf2: AttributeError as written, runs with compat-shim"]


def test_the_terminal_report_lists_errors_with_where_to_find_them() -> None:
    outcomes = [_o("error", error={"type": "NameError", "message": "name 'y' is not defined", "line": 1, "block": 2}),
                _o(block=3, skipped=("!pip install x",))]
    text = terminal(outcomes, problems={"tf9": "the image could not start"})
    assert ("  post.md#2 (line 10) as-written tf2: NameError: name 'y' is not defined "
            "(block line 1, document line 10)") in text
    assert "environment tf9 FAILED: the image could not start" in text
    assert "post.md#3 (line 10): !pip install x (not run; --allow-shell runs `!` commands" in text
    assert "outcomes that change between environments: none" in text


def test_the_notebook_view_puts_shown_beside_printed_and_marks_a_block_that_prints_otherwise() -> None:
    from lab.reports.notebook import _block

    differs = _block(_o(match="differs", expected="value: 2.0\n", stdout="value: 1.0\n",
                        match_detail="shown 'value: 2.0', printed 'value: 1.0'"))
    assert (differs["place"], differs["shown"], differs["printed"]) == (
        "post.md#2 (line 10)", "value: 2.0", "value: 1.0")
    assert differs["verdict"] == "refuted" and differs["told"] == "shown 'value: 2.0', printed 'value: 1.0'"
    assert _block(_o(match="matches", expected="x\n", stdout="x\n"))["verdict"] == "holds"
