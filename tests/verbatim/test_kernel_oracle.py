"""The kernel oracle (tests/kernel_oracle.py) on small notebooks and a real one, and lab's reading of the
same notebooks beside it: the same cells, numbered alike, the same shell cells, `%%writefile` alike."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from lab.verbatim.documents import read_document
from lab.verbatim.semantics import session_cells
from lab.verbatim.shown import Match, compare, shown
from tests.kernel_oracle import KernelCell, run_notebook

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notebooks"
CORPUS = Path("/work/shared/corpus/tensorflow-examples")
for _parent in Path(__file__).resolve().parents:
    if (_parent / "shared" / "corpus" / "tensorflow-examples").is_dir():
        CORPUS = _parent / "shared" / "corpus" / "tensorflow-examples"
        break


def _classes(found: list) -> list:
    return [(c.cell, c.outcome, c.exception) for c in found]


def _agrees_with_lab(path: Path, found: list) -> None:
    """lab's blocks are the kernel's cells, by the same numbers, with the same shell cells."""
    blocks = read_document(path).blocks
    assert [b.cell for b in blocks] == [c.cell for c in found]
    assert [b.kind == "shell" for b in blocks] == [c.outcome == "shell" for c in found]


@pytest.fixture(scope="module")
def state() -> list:
    return run_notebook(FIXTURES / "state.ipynb", timeout_s=30)


def test_a_raising_cell_does_not_stop_the_notebook_and_files_and_names_carry_over(state: list) -> None:
    assert _classes(state) == [(2, "ran", ""), (3, "ran", ""), (4, "raised", "ZeroDivisionError"), (5, "ran", ""),
                               (7, "shell", ""), (8, "shell", ""), (9, "ran", "")]
    assert state[1].stdout == "value: 42\n" and state[3].stdout == "still here: 41\n"
    assert state[-1] == KernelCell(9, "ran", "", "", "41")  # the last line's value, shown as Out[n]


def test_lab_reads_the_same_cells_and_shows_the_last_value_where_the_kernel_does(state: list) -> None:
    path = FIXTURES / "state.ipynb"
    _agrees_with_lab(path, state)
    cells = session_cells(read_document(path))
    # a kernel shows a value only for a cell whose last line lab says shows one (print(...) shows None: nothing)
    assert [c.shows_value for c in cells] == [False, True, False, True, False, False, True]
    assert [k.cell for c, k in zip(cells, state) if k.value is not None] == [9] and cells[-1].shows_value
    assert cells[4].skipped == ("!echo hello world",)


def test_writefile_a_timeout_and_a_missing_module(tmp_path: Path) -> None:
    path = FIXTURES / "writefile.ipynb"
    kernel_folder = tmp_path / "kernel"
    kernel_folder.mkdir()
    found = run_notebook(path, timeout_s=5, folder=kernel_folder)
    assert _classes(found) == [(2, "ran", ""), (3, "ran", ""), (4, "ran", ""), (5, "timeout", ""), (6, "ran", ""),
                               (7, "raised", "ModuleNotFoundError")]
    assert [c.stdout for c in found[:4]] + [found[4].stdout] == [
        "Writing helper.py\n", "Appending to helper.py\n", "twice: 42\n", "", "after the limit: 8\n"]
    _agrees_with_lab(path, found)
    # lab's two %%writefile cells, run as Python in a folder of their own: the same file, the same words
    lab_folder = tmp_path / "lab"
    lab_folder.mkdir()
    printed = io.StringIO()
    here = os.getcwd()
    os.chdir(lab_folder)
    try:
        with contextlib.redirect_stdout(printed):
            for cell in session_cells(read_document(path))[:2]:
                exec(compile(cell.text, "<cell>", "exec"), {})
    finally:
        os.chdir(here)
    assert printed.getvalue() == found[0].stdout + found[1].stdout
    assert (lab_folder / "helper.py").read_bytes() == (kernel_folder / "helper.py").read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus folder")
@pytest.mark.parametrize("name, classes", [
    ("tensorflow_v1/notebooks/1_Introduction/basic_operations.ipynb",
     # TF 1 code under TF 2.21: Python 2 prints, and tf.Session is gone
     [(1, "ran", ""), (2, "ran", ""), (3, "ran", ""), (4, "raised", "SyntaxError"), (5, "raised", "AttributeError"),
      (6, "ran", ""), (7, "raised", "SyntaxError"), (8, "ran", ""), (9, "ran", ""), (10, "ran", ""),
      (11, "raised", "SyntaxError")]),
    ("tensorflow_v2/notebooks/1_Introduction/basic_operations.ipynb",
     [(n, "ran", "") for n in range(2, 9)]),
])
def test_real_corpus_notebooks_in_the_kernel(name: str, classes: list) -> None:
    path = CORPUS / name
    found = run_notebook(path, timeout_s=120)
    assert _classes(found) == classes
    _agrees_with_lab(path, found)
    if name.startswith("tensorflow_v2"):
        blocks = {b.cell: b for b in read_document(path).blocks}
        printed = {c.cell: c.stdout + (c.value + "\n" if c.value is not None else "") for c in found}
        assert compare(blocks[4], printed[4]).result is Match.MATCHES
        # TF 2.0 showed the tensor's id; TF 2.21 does not: the notebook's shown output is out of date
        drift = compare(blocks[7], printed[7])
        assert drift.result is Match.DIFFERS and "id=31" in drift.detail and shown(blocks[7]) is not None
