"""lab/verbatim/work.py: documents planned into shared jobs per variant, and each slot's outcome from its result."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from lab.jobs.program import ProgramJob, ProgramResult
from lab.jobs.session import CellResult, SessionJob, SessionResult
from lab.status import Status
from lab.verbatim.documents import Document, read_document
from lab.verbatim.semantics import Semantics
from lab.verbatim.shown import Mode
from lab.verbatim.variants import SHIM_LINE, Text, Variant
from lab.verbatim.work import IMPORT_MARGIN_S, Settings, outcomes, plan_programs, session_texts
from tests.verbatim.test_outcome import POST

BOTH = [Variant.AS_WRITTEN, Variant.SHIM]


def _read(folder: Path, name: str, text: str) -> Document:
    (folder / name).write_text(text)
    return read_document(folder / name)


@pytest.fixture
def post(tmp_path: Path) -> Document:
    return _read(tmp_path, "post.md", POST)


def _ok(text: str) -> ProgramResult:
    return ProgramResult(Status.OK, stdout={"text": text, "bytes": len(text)})


def test_each_runnable_program_in_each_variant_gets_a_job(post: Document) -> None:
    work = plan_programs([post], BOTH, Settings(), "python3")
    assert work.slots == [(0, "as-written"), (0, "compat-shim"), (1, "as-written"), (1, "compat-shim"),
                          (2, "as-written"), (2, "compat-shim")]
    assert work.slot_job == {(0, "as-written"): (0, None), (0, "compat-shim"): (1, None),
                             (1, "as-written"): (2, None), (1, "compat-shim"): (3, None)}
    assert all(isinstance(j, ProgramJob) and (j.timeout_s, j.repeat) == (60.0, 2) for j in work.jobs)
    assert work.jobs[1].text.startswith(SHIM_LINE + "\n")
    assert work.semantics == [Semantics.EXAMPLES] * 3


def test_the_same_text_in_two_documents_runs_once(tmp_path: Path, post: Document) -> None:
    copy = _read(tmp_path, "copy.md", POST)
    work = plan_programs([post, copy], [Variant.AS_WRITTEN], Settings(), "python3")
    assert len(work.jobs) == 2
    assert work.slot_job[(0, "as-written")] == work.slot_job[(3, "as-written")] == (0, None)


def test_a_fragment_gets_no_job_and_its_outcome_says_what_it_misses(post: Document) -> None:
    work = plan_programs([post], [Variant.AS_WRITTEN], Settings(), "python3")
    found = outcomes(work, "local", [_ok("x: 2\n"), _ok("x: 2\n\x1e\n6\n")])
    assert [o.word for o in found] == ["ran", "ran", "fragment"]
    assert found[2].missing == ("y",) and (2, "as-written") not in work.slot_job


def test_outcomes_come_in_slot_order_with_their_cache_hits(post: Document) -> None:
    work = plan_programs([post], BOTH, Settings(), "python3")
    results = [_ok("x: 2\n"), _ok("x: 2\n"), _ok("x: 2\n\x1e\n6\n"), _ok("x: 2\n\x1e\n6\n")]
    found = outcomes(work, "tf2.15", results, cached=[True, False, False, True])
    assert [(o.block, o.variant, o.cached) for o in found] == [
        (1, "as-written", True), (1, "compat-shim", False), (2, "as-written", False), (2, "compat-shim", True),
        (3, "as-written", False), (3, "compat-shim", False)]
    assert found[0].match == "matches"
    assert found[2].values == (("", 6.0),)  # block 2's own output: not block 1's "x: 2" before the marker
    assert {o.env for o in found} == {"tf2.15"}


def test_the_shim_does_not_exist_for_a_document_that_does_not_import_tensorflow_as_tf(tmp_path: Path) -> None:
    document = _read(tmp_path, "plain.md", "```python\nimport numpy as np\nprint(np.ones(2))\n```\n")
    work = plan_programs([document], BOTH, Settings(), "python3")
    assert list(work.slot_job) == [(0, "as-written")]
    shimmed = outcomes(work, "local", [_ok("[1. 1.]\n")])[1]
    assert (shimmed.word, shimmed.why) == ("unavailable", "no `import tensorflow as tf` line to replace")


def test_an_environments_budget_is_every_run_of_every_job_and_the_start(post: Document) -> None:
    work = plan_programs([post], BOTH, Settings(timeout_s=10, repeat=3), "python3")
    assert work.budget_s() == 4 * (10 * 3 + 5) + IMPORT_MARGIN_S


def test_the_output_check_chooses_how_shown_output_is_compared(post: Document) -> None:
    assert plan_programs([post], BOTH, Settings(output_check="numbers"), "python3").mode is Mode.NUMBERS


def test_in_session_semantics_a_document_is_one_job_per_variant(post: Document) -> None:
    work = plan_programs([post], BOTH, Settings(semantics="session", timeout_s=30), "python3")
    assert len(work.jobs) == 2 and all(isinstance(j, SessionJob) for j in work.jobs)
    assert [c.text for c in work.jobs[0].cells] == [b.text for b in post.blocks]
    assert work.slot_job == {(i, v.value): (n, i) for n, v in enumerate(BOTH) for i in range(3)}
    assert work.blocks == {post.name: post.blocks}
    assert work.semantics == [Semantics.SESSION] * 3


def test_a_sessions_cells_get_their_outcomes_from_its_result(post: Document) -> None:
    work = plan_programs([post], [Variant.AS_WRITTEN], Settings(semantics="session"), "python3")
    cells = (CellResult(Status.OK, stdout={"text": "x: 2\n", "bytes": 5}),
             CellResult(Status.OK, stdout={"text": "6\n", "bytes": 2}),
             CellResult(Status.ERROR, error={"type": "NameError", "message": "name 'y' is not defined", "line": 1,
                                             "cell": 2}))
    found = outcomes(work, "local", [SessionResult(Status.OK, cells, facts={"python": "3.11"})])
    assert [(o.word, o.semantics, o.match) for o in found] == [("ran", "session", "matches"), ("ran", "session", ""),
                                                               ("raised", "session", "")]
    assert (found[2].error or {})["line"] == 1 and found[2].facts == {"python": "3.11"}


def test_a_session_without_the_import_has_no_shim_job(tmp_path: Path) -> None:
    document = _read(tmp_path, "plain.md", "```python\nx = 1\n```\n\n```python\nprint(x)\n```\n")
    work = plan_programs([document], BOTH, Settings(semantics="session"), "python3")
    assert len(work.jobs) == 1 and set(work.slot_job) == {(0, "as-written"), (1, "as-written")}
    assert work.texts[(1, "compat-shim")] == Text(None, "no cell has an `import tensorflow as tf` line to replace")


def test_session_texts_shim_only_the_cell_that_imports_tensorflow() -> None:
    cells = ["import tensorflow as tf", "print(tf.__version__)"]
    assert session_texts(cells, Variant.SHIM, {}) == [Text(SHIM_LINE), Text("print(tf.__version__)")]
    assert session_texts(cells, Variant.AS_WRITTEN, {}) == [Text(c) for c in cells]


def test_session_texts_upgrade_runs_a_cell_it_cannot_convert_as_it_is() -> None:
    cells = ["a = tf.log(1.0)", "print(a)"]
    upgrades = {"a = tf.log(1.0)": Text("a = tf.math.log(1.0)"), "print(a)": Text(None, "could not convert")}
    assert session_texts(cells, Variant.UPGRADE, upgrades) == [Text("a = tf.math.log(1.0)"), Text("print(a)")]


def test_session_texts_upgrade_that_converts_no_cell_does_not_exist() -> None:
    none: List[Text] = [Text(None, "tf_upgrade_v2 failed")] * 2
    assert session_texts(["a", "b"], Variant.UPGRADE, {"a": none[0], "b": none[1]}) == none


def _notebook(folder: Path, name: str, cells: List[str]) -> Document:
    import json

    source = [{"cell_type": "markdown", "metadata": {}, "source": c[3:]} if c.startswith("md:") else
              {"cell_type": "code", "metadata": {}, "execution_count": None, "source": c, "outputs": []} for c in cells]
    return _read(folder, name, json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": source}))


def test_documents_sharing_a_session_job_name_their_own_cells(tmp_path: Path) -> None:
    code = ["x = 1\n", "def f():\n    return y\n", "f()\n"]
    plain = _notebook(tmp_path, "plain.ipynb", code)
    spaced = _notebook(tmp_path, "spaced.ipynb", ["md:# one", code[0], "md:# two", code[1], "md:# three", code[2]])
    work = plan_programs([plain, spaced], [Variant.AS_WRITTEN], Settings(), "python3")
    assert len(work.jobs) == 1  # the same cells: one job for both documents
    raised = CellResult(Status.ERROR, error={"type": "NameError", "message": "name 'y' is not defined", "line": 2,
                                             "cell": 1})  # raised in f's cell, the second code cell
    ok = CellResult(Status.OK)
    found = outcomes(work, "local", [SessionResult(Status.OK, (ok, ok, raised))])
    errors = {o.document: o.error for o in found if o.error}
    assert (errors["plain.ipynb"]["cell"], errors["plain.ipynb"]["block_line"]) == (2, 2)
    assert (errors["spaced.ipynb"]["cell"], errors["spaced.ipynb"]["block_line"]) == (4, 2)
