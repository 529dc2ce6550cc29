"""Shown vs printed: a document's shown output compared with what its block printed, and rewritten."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lab.scenario import ROOT
from lab.verbatim.documents import Block, read_document
from lab.verbatim.programs import build_programs, own_output
from lab.verbatim.shown import Match, Mode, compare, compare_text, parse_mode, shown, update

CORPUS = Path("/work/shared/corpus/tensorflow-examples")
for _parent in Path(__file__).resolve().parents:
    if (_parent / "shared" / "corpus" / "tensorflow-examples").is_dir():
        CORPUS = _parent / "shared" / "corpus" / "tensorflow-examples"
        break
BASIC = CORPUS / "tensorflow_v2" / "notebooks" / "1_Introduction" / "basic_operations.ipynb"
needs_corpus = pytest.mark.skipif(not BASIC.is_file(), reason="no corpus folder")

TEXTS = [
    # (id, shown, printed, strict, numbers)
    ("same", "value: 2.0\n", "value: 2.0\n", "matches", "matches"),
    ("whitespace-aside", "w: [[1. 2.]\n [3. 4.]]", "w: [[1.  2.]  [3.  4.]]\n\n", "matches", "matches"),
    ("within-the-tolerance", "loss: 0.3333333", "loss: 0.33333334\n", "matches", "matches"),
    ("a-number-differs", "value: 5.0\n", "value: 4.0\n", "differs", "differs"),
    ("words-differ-numbers-agree", "loss: 0.5\n", "loss = 0.5\n", "differs", "matches"),
    ("a-line-more", "a: 1\n", "a: 1\nb: 2\n", "differs", "differs"),
    ("an-address-is-not-compared", "<Status at 0x12cf965d0>", "<Status at 0x7f3a2b1c9d00>\n", "matches", "matches"),
    ("text-only", "done\n", "finished\n", "differs", "differs"),
]


@pytest.mark.parametrize(("shown_text", "printed", "strict", "numbers"), [t[1:] for t in TEXTS],
                         ids=[t[0] for t in TEXTS])
def test_shown_and_printed_text_compare_strictly_or_by_the_numbers(shown_text: str, printed: str, strict: str,
                                                                    numbers: str) -> None:
    assert compare_text(shown_text, printed).result.value == strict
    assert compare_text(shown_text, printed, Mode.NUMBERS).result.value == numbers


def test_a_difference_names_the_lines_in_one_line() -> None:
    found = compare_text("step: 1\nvalue: 5.0\n", "step: 1\nvalue: 4.0\n")
    assert found.result is Match.DIFFERS and found.detail == "shown 'value: 5.0', printed 'value: 4.0'"
    assert compare_text("a: 1\n", "a: 1\nb: 2\n").detail == "the document does not show 'b: 2'"


def test_markers_lax_mode_and_a_block_that_shows_nothing() -> None:
    plain = Block(1, "print('v:', 4.0)\n", 1, expected="v: 5.0\n")
    assert compare(plain, "v: 4.0\n").result is Match.DIFFERS
    assert compare(plain, "v: 4.0\n", Mode.LAX).result is Match.NOT_CHECKED
    checked = Block(1, "# NBVAL_CHECK_OUTPUT\nprint('v:', 4.0)\n", 1, expected="v: 5.0\n")
    assert compare(checked, "v: 4.0\n", Mode.LAX).result is Match.DIFFERS
    ignored = Block(1, "# NBVAL_IGNORE_OUTPUT\nprint(4.0)\n", 1, expected="5.0\n")
    assert compare(ignored, "4.0\n").result is Match.NOT_CHECKED
    tagged = Block(1, "print(4.0)\n", 1, expected="5.0\n", tags=("nbval-ignore-output",))
    assert compare(tagged, "4.0\n").result is Match.NOT_CHECKED
    assert compare(Block(1, "x = 1\n", 1), "").result is Match.NOT_SHOWN
    assert parse_mode(None) is Mode.STRICT and parse_mode("lax") is Mode.LAX
    with pytest.raises(Exception, match="use strict, numbers, lax"):
        parse_mode("loose")


def _run(text: str, folder: Path) -> str:
    """A program's own output, run as a script by this interpreter (real TensorFlow)."""
    done = subprocess.run([sys.executable, "-c", text], capture_output=True, text=True, timeout=300, cwd=folder,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    return own_output(done.stdout)


@needs_corpus
def test_a_real_notebook_s_shown_outputs_against_what_its_cells_print_now(tmp_path: Path) -> None:
    doc = read_document(BASIC)
    programs = {p.block.cell: p for p in build_programs(doc)}
    # cells 4 and 5 print; cell 8 only shows the value of `product.numpy()`, which a script does not print
    assert str(compare(programs[4].block, _run(programs[4].text, tmp_path))).startswith("matches")
    assert compare(programs[5].block, _run(programs[5].text, tmp_path)).result is Match.MATCHES
    last = compare(programs[8].block, _run(programs[8].text, tmp_path))
    assert (last.result, last.detail) == (Match.DIFFERS, "the document shows 'array([[19., 22.],'")


@needs_corpus
def test_update_rewrites_a_copy_of_a_real_notebook_cell_by_cell(tmp_path: Path) -> None:
    path = tmp_path / BASIC.name
    shutil.copy(BASIC, path)
    doc = read_document(path)
    again = {b.index: b.expected for b in doc.blocks if b.expected is not None}
    assert update(doc, again) == [] and path.read_bytes() == BASIC.read_bytes()  # the same outputs: untouched
    by_cell = {b.cell: b for b in doc.blocks}
    printed = _run(build_programs(doc)[by_cell[5].index - 1].text, tmp_path).replace("3", "4")
    assert update(doc, {by_cell[5].index: printed}, {by_cell[8].index: "array([[1.]], dtype=float32)"}) == [
        by_cell[5].index, by_cell[8].index]
    new = read_document(path)
    assert new.blocks[by_cell[5].index - 1].expected == "mean = 4\nsum = 10\n"
    assert new.blocks[by_cell[8].index - 1].shown_value == "array([[1.]], dtype=float32)"
    before, after = json.loads(BASIC.read_text())["cells"], json.loads(path.read_text())["cells"]
    assert [n for n, (a, b) in enumerate(zip(before, after), 1) if a != b] == [5, 8]
    assert shown(new.blocks[by_cell[5].index - 1]) == "mean = 4\nsum = 10\n"


def test_update_rewrites_the_output_fence_of_a_copy_of_a_real_markdown_post(tmp_path: Path) -> None:
    source = ROOT / "examples" / "post.md"
    path = tmp_path / "post.md"
    shutil.copy(source, path)
    doc = read_document(path)
    assert doc.blocks[0].expected == "value: 2.0"
    assert update(doc, {1: "value: 2.0\n"}) == [] and path.read_bytes() == source.read_bytes()
    assert update(doc, {1: "value: 1.0\n"}) == [1]
    old, new = source.read_text().splitlines(), path.read_text().splitlines()
    assert [(a, b) for a, b in zip(old, new) if a != b] == [("value: 2.0", "value: 1.0")] and len(old) == len(new)
    assert compare(read_document(path).blocks[0], "value: 1.0\n").result is Match.MATCHES
