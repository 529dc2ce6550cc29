"""Documents -> blocks: code told from output and shell lines, expected output kept, bad input in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.errors import UsageError
from lab.verbatim.documents import MAX_BYTES, DocumentError, read_document
from lab.verbatim.sources import gather, in_shard, parse_shard

MARKDOWN = '''# Title

## Example 1: values

```python
import numpy as np
print("a:", np.arange(3))
```

Output:

```
a: [0 1 2]
```

Install it first:

```bash
$ pip install numpy
```

    x = 1
    print(x)

```
[1 2 3]
```

```pycon
>>> 1 + 1
2
```

## Example 2: magic

```python
%matplotlib inline
!pip install foo
print(2)
```
'''


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_markdown_blocks_keep_headings_lines_and_the_output_shown_after_them(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "doc.md", MARKDOWN))
    texts = [b.text for b in doc.blocks]
    assert texts[0].startswith("import numpy as np") and doc.blocks[0].first_line == 6
    assert doc.blocks[0].heading == "Example 1: values"
    assert doc.blocks[0].expected == "a: [0 1 2]"
    assert texts[1] == "x = 1\nprint(x)\n"  # indented code
    assert texts[2] == "1 + 1\n" and doc.blocks[2].expected == "2"  # a >>> session
    # Shell and magic lines are shown, not run: a `pass` keeps the line numbers.
    assert texts[3].splitlines()[:2] == ["pass  # lab: shell line not run"] * 2
    assert "$ pip install numpy" in doc.shell and "!pip install foo" in doc.shell
    assert len(doc.blocks) == 4  # the bare `[1 2 3]` is shown output, not code


def test_a_notebook_gives_a_block_per_code_cell_numbered_as_jupyter_lists_its_cells(tmp_path: Path) -> None:
    # Issue 22: a shell-only cell is a block too (kind 'shell'), and `cell` is the 1-based position
    # among every cell, markdown ones included (it was 0-based and shell cells were left out).
    cells = [{"cell_type": "markdown", "source": ["# Example 1: nb\n"]},
             {"cell_type": "code", "source": ["!pip install x\n"], "outputs": []},
             {"cell_type": "code", "source": ["print('v:', 1.5)\n"],
              "outputs": [{"output_type": "stream", "name": "stdout", "text": ["v: 1.5\n"]}]}]
    doc = read_document(write(tmp_path, "n.ipynb", json.dumps({"cells": cells, "nbformat": 4})))
    assert [(b.index, b.cell, b.kind, b.heading, b.expected) for b in doc.blocks] == [
        (1, 2, "shell", "Example 1: nb", None), (2, 3, "code", "Example 1: nb", "v: 1.5\n")]
    assert doc.blocks[0].skipped == ("!pip install x",) and doc.shell == ("!pip install x",)


def test_a_script_is_one_block_or_one_per_cell_marker(tmp_path: Path) -> None:
    assert len(read_document(write(tmp_path, "a.py", "x = 1\nprint(x)\n")).blocks) == 1
    doc = read_document(write(tmp_path, "b.py", "# %%\nx = 1\n# %%\nprint(x)\n"))
    assert [b.first_line for b in doc.blocks] == [1, 3]


@pytest.mark.parametrize(("name", "content", "words"), [
    ("missing.md", None, "no such file"),
    ("bin.md", b"\x00\x01PNG", "binary file"),
    ("bad.ipynb", b"{not json", "not a readable notebook"),
    ("prose.md", b"Only words here.\n", "no Python code"),
])
def test_bad_input_is_one_line(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DocumentError, match=words):
        read_document(path)


def test_a_file_over_5_mb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_text("x = 1\n" * (MAX_BYTES // 6 + 10))
    with pytest.raises(DocumentError, match="over the 5 MB limit"):
        read_document(path)


def test_gather_keeps_the_good_documents_beside_the_bad(tmp_path: Path) -> None:
    good = write(tmp_path, "good.md", "```python\nprint(1)\n```\n")
    found = gather([good, tmp_path / "nope.md", write(tmp_path, "empty.md", "words\n")])
    assert [d.name for d in found.documents] == ["good.md"]
    assert len(found.errors) == 2


def test_shards_split_by_path_deterministically_and_cover_everything() -> None:
    names = [f"doc{i}.md" for i in range(50)]
    shards = [[n for n in names if in_shard(n, (i, 3))] for i in (1, 2, 3)]
    assert sorted(n for shard in shards for n in shard) == sorted(names) and all(shards)
    assert parse_shard("2/3") == (2, 3)
    with pytest.raises(UsageError):
        parse_shard("4/3")


CORPUS = Path(__file__).resolve().parents[2].parent.parent / "shared" / "corpus" / "tensorflow-examples"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus/tensorflow-examples")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus folder")
def test_a_real_notebook_numbers_its_blocks_by_the_cell_position_jupyter_shows() -> None:
    path = CORPUS / "tensorflow_v2" / "notebooks" / "1_Introduction" / "basic_operations.ipynb"
    cells = json.loads(path.read_text())["cells"]
    doc = read_document(path)
    code_cells = [n for n, c in enumerate(cells, 1) if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert [b.cell for b in doc.blocks] == code_cells and code_cells[0] == 2  # cell 1 is markdown
    assert [b.index for b in doc.blocks] == list(range(1, len(code_cells) + 1))
    assert all(b.first_line == 1 and b.kind == "code" for b in doc.blocks)
    product = doc.blocks[-1]  # `product.numpy()`: no stdout, a shown value
    assert product.expected is None and product.shown_value.startswith("array([[19., 22.],")
    assert doc.blocks[2].expected.startswith("add = 5\n")


def test_markdown_output_shown_after_code_is_kept_with_its_lines(tmp_path: Path) -> None:
    text = ("```python\nprint('a:', 1)\n```\n```\na: 1\n```\n\n"  # a fence right after the code
            "```python\nprint('b:', 2)\n```\n\n**Output:**\n\n```\nb: 2\n```\n\n"  # bold label
            "```python\nprint('c:', 3)\n```\n\nWe then go on.\n\n```\nc = 3\n```\n")  # prose: code, not output
    doc = read_document(write(tmp_path, "o.md", text))
    assert [(b.expected, b.expected_lines) for b in doc.blocks] == [
        ("a: 1", (5, 5)), ("b: 2", (15, 15)), (None, None), (None, None)]
    assert text.splitlines()[14] == "b: 2"


def test_a_notebook_cell_keeps_its_tags_and_a_script_its_cell_numbers(tmp_path: Path) -> None:
    cells = [{"cell_type": "code", "metadata": {"tags": ["nbval-ignore-output"]}, "source": "print(1)", "outputs": []}]
    doc = read_document(write(tmp_path, "t.ipynb", json.dumps({"cells": cells, "nbformat": 4})))
    assert doc.blocks[0].tags == ("nbval-ignore-output",)
    script = read_document(write(tmp_path, "s.py", "# %% [markdown]\n# words\n# %%\nx = 1\n# %%\nprint(x)\n"))
    assert [(b.cell, b.first_line) for b in script.blocks] == [(2, 3), (3, 5)]
