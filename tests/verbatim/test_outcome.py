"""lab/verbatim/outcome.py: a block's outcome from its program's or cell's result, and its file form."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.jobs.program import ProgramResult
from lab.jobs.session import CellResult
from lab.status import Status
from lab.verbatim.documents import Document, read_document
from lab.verbatim.outcome import Outcome, from_cell, from_result, not_running
from lab.verbatim.programs import MARKER, build_programs

POST = """# Title

```python
IMPORT_TF
x = 2
print("x:", x)
```

Output:

```
x: 2
```

## Second

```python
print(x * 3)
```

## Third

```python
print(y)
```
""".replace("IMPORT_TF", "import " + "tensorflow as tf")  # no import line for the layout grep


@pytest.fixture
def post(tmp_path: Path) -> Document:
    (tmp_path / "post.md").write_text(POST)
    return read_document(tmp_path / "post.md")


def _out(text: str) -> dict:
    return {"text": text, "bytes": len(text.encode())}


def _outcome(status: str = "ok", **rest) -> Outcome:
    return Outcome("post.md", 2, "as-written", "local", status, "d1g35t", line=18, **rest)


def test_an_outcome_survives_its_file_form_with_the_readers_words() -> None:
    outcome = _outcome("error", blocks=(1, 2), error={"type": "ValueError", "message": "m", "line": 1},
                       values=(("loss", 0.5), ("acc", [1, 2])), skipped=("!pip install x",), deterministic=False)
    data = outcome.to_dict()
    assert (data["status"], data["values"], data["blocks"]) == ("raised", [["loss", 0.5], ["acc", [1, 2]]], [1, 2])
    assert Outcome.from_dict(data) == outcome


@pytest.mark.parametrize(("status", "word", "ended", "failed"), [
    ("ok", "ran", True, False), ("error", "raised", True, True),
    ("timeout", "timeout", True, True), ("crashed", "crashed", True, True), ("fragment", "fragment", False, False),
    ("not_run", "not_run", False, True), ("not_reached", "not_reached", False, True), ("shell", "shell", False, False),
])
def test_each_status_has_its_word_and_says_whether_the_program_ended_or_failed(status, word, ended, failed) -> None:
    outcome = _outcome(status)
    assert (outcome.word, outcome.ended, outcome.failed, outcome.ran) == (word, ended, failed, status == "ok")


def test_an_unavailable_variant_never_started_so_it_has_not_ended() -> None:
    outcome = _outcome("not_applicable", why="no `import tensorflow as tf` line to replace")
    assert (outcome.word, outcome.failed, outcome.ran) == ("unavailable", False, False)
    assert outcome.ended is False


def test_a_block_is_found_by_its_cell_in_a_notebook_and_by_its_line_in_a_text() -> None:
    assert _outcome().where == "line 18"
    assert _outcome(cell=7).where == "cell 7"


def test_only_an_error_an_earlier_block_raised_names_that_block() -> None:
    assert _outcome("error", error={"block": 1}).raised_by == 1
    assert _outcome("error", error={"block": 2}).raised_by is None
    assert _outcome("error", error={"block": None}).raised_by is None


def test_every_value_printed_under_a_label_in_order() -> None:
    assert _outcome(values=(("loss", 0.5), ("acc", 1.0), ("loss", 0.25))).value("loss") == [0.5, 0.25]


def test_printed_is_the_blocks_own_output_then_the_value_a_kernel_shows() -> None:
    earlier = f"from block 1\n{MARKER}\n"
    assert _outcome(stdout=earlier + "mine", shown_value="42").printed == "mine\n42\n"
    assert _outcome(stdout=earlier + "mine\n").printed == "mine\n"
    assert _outcome(stdout="", shown_value="'a'").printed == "'a'\n"


def test_a_program_that_ran_and_printed_the_shown_output_matches(post: Document) -> None:
    program = build_programs(post)[0]
    outcome = from_result(program, "as-written", "local", ProgramResult(Status.OK, stdout=_out("x: 2\n"),
                                                                       facts={"tensorflow": "2.15.1"}))
    assert (outcome.status, outcome.match, outcome.expected, outcome.heading, outcome.line) == (
        Status.OK, "matches", "x: 2", "Title", 4)
    assert outcome.values == (("x", 2),) and outcome.facts == {"tensorflow": "2.15.1"}


def test_output_that_differs_from_the_shown_says_where(post: Document) -> None:
    program = build_programs(post)[0]
    outcome = from_result(program, "as-written", "local", ProgramResult(Status.OK, stdout=_out("x: 3\n")))
    assert (outcome.match, outcome.match_detail) == ("differs", "shown 'x: 2', printed 'x: 3'")


def test_a_second_run_that_printed_other_numbers_marks_the_block_random(post: Document) -> None:
    program = build_programs(post)[0]
    result = ProgramResult(Status.OK, stdout=_out("x: 3\n"), repeat={"status": Status.OK, "stdout": _out("x: 4\n")})
    outcome = from_result(program, "as-written", "local", result)
    assert outcome.deterministic is False
    assert outcome.match_detail == ("shown 'x: 2', printed 'x: 3' (the block prints other numbers on every run: "
                                    "random draws)")


def test_an_error_in_the_blocks_own_code_has_its_line_in_the_block(post: Document) -> None:
    program = build_programs(post)[1]  # block 1's code, the marker, then block 2's
    error = {"type": "NameError", "message": "boom", "line": 5}
    outcome = from_result(program, "as-written", "local", ProgramResult(Status.ERROR, error=error))
    assert outcome.error == {"type": "NameError", "message": "boom", "line": 1, "block": 2, "cell": None,
                             "program_line": 5}
    assert outcome.raised_by is None and outcome.blocks == (1, 2)


def test_an_error_in_an_earlier_blocks_code_names_that_block_and_its_line(post: Document) -> None:
    program = build_programs(post)[1]
    error = {"type": "ImportError", "message": "no tf", "line": 1}
    outcome = from_result(program, "as-written", "local", ProgramResult(Status.ERROR, error=error))
    assert (outcome.error or {})["block"] == 1 and (outcome.error or {})["block_line"] == 1
    assert (outcome.error or {})["line"] is None and outcome.raised_by == 1


def test_a_program_the_environment_did_not_run_says_why(post: Document) -> None:
    result = ProgramResult(Status.NOT_RUN, error={"message": "the image could not start"})
    outcome = from_result(build_programs(post)[0], "compat-shim", "tf1", result)
    assert (outcome.status, outcome.why, outcome.variant, outcome.env) == (
        Status.NOT_RUN, "the image could not start", "compat-shim", "tf1")


def test_a_fragment_names_what_nothing_before_it_defines(post: Document) -> None:
    outcome = not_running(build_programs(post)[2], "as-written", "local", Status.FRAGMENT)
    assert (outcome.word, outcome.missing, outcome.block) == ("fragment", ("y",), 3)
    assert not_running(build_programs(post)[2], "as-written", "local", Status.NOT_APPLICABLE).missing == ()


def test_a_session_cell_with_a_shown_value_compares_it_with_the_shown_output(post: Document) -> None:
    program = build_programs(post)[0]
    cell = CellResult(Status.OK, stdout=_out("x: 2\n"), forked=True)
    outcome = from_cell(program, "as-written", "local", cell, post.blocks, {"python": "3.11"})
    assert (outcome.semantics, outcome.match, outcome.forked, outcome.facts) == (
        "session", "matches", True, {"python": "3.11"})


def test_a_session_error_raised_in_an_earlier_cell_names_that_cell(post: Document) -> None:
    program = build_programs(post)[1]
    cell = CellResult(Status.ERROR, error={"type": "ValueError", "message": "m", "line": 2, "cell": 0})
    outcome = from_cell(program, "as-written", "local", cell, post.blocks, {})
    assert outcome.error == {"type": "ValueError", "message": "m", "line": None, "block": 1, "cell": None,
                             "block_line": 2}


def test_a_cell_after_the_session_died_names_the_cell_it_died_in(post: Document) -> None:
    cell = CellResult(Status.NOT_REACHED, error={"type": "crashed", "message": "killed", "cell": 0})
    outcome = from_cell(build_programs(post)[2], "as-written", "local", cell, post.blocks, {})
    assert (outcome.word, (outcome.error or {})["block"], outcome.raised_by) == ("not_reached", 1, 1)


def test_a_shell_cell_says_it_was_not_run_and_how_to_run_it(post: Document) -> None:
    outcome = from_cell(build_programs(post)[0], "as-written", "local", CellResult(Status.SHELL), post.blocks, {})
    assert outcome.why == "shell commands and magics: not run (--allow-shell runs them in the environment)"
