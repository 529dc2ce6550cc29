"""Which semantics a document runs under, and its cells as a kernel executes them."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from lab.errors import UsageError
from lab.verbatim.documents import read_document
from lab.verbatim.semantics import Semantics, parse_semantics, semantics_of, session_cells, shows_last_value


def test_notebooks_and_scripts_run_as_a_session_and_markdown_as_examples_unless_told(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("```python\nx = 1\n```\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    (tmp_path / "c.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": "x = 1"}]}))
    (tmp_path / "d.txt").write_text("```python\nx = 1\n```\n")
    kinds = {p: semantics_of(read_document(tmp_path / p)) for p in ("a.md", "b.py", "c.ipynb", "d.txt")}
    assert kinds == {"a.md": Semantics.EXAMPLES, "b.py": Semantics.SESSION, "c.ipynb": Semantics.SESSION,
                     "d.txt": Semantics.EXAMPLES}
    assert semantics_of(read_document(tmp_path / "c.ipynb"), "examples") is Semantics.EXAMPLES
    assert semantics_of(read_document(tmp_path / "a.md"), Semantics.SESSION) is Semantics.SESSION


def test_an_unknown_semantics_is_one_line_that_names_the_choices() -> None:
    assert parse_semantics(None) is None and parse_semantics("Session") is Semantics.SESSION
    with pytest.raises(UsageError, match="use session or examples"):
        parse_semantics("kernel")


def test_session_cells_are_every_code_cell_in_order_with_its_cell_number(tmp_path: Path) -> None:
    cells = [{"cell_type": "markdown", "source": "# Title"},
             {"cell_type": "code", "source": "!pip install foo \\\n  bar"},
             {"cell_type": "code", "source": ""},
             {"cell_type": "code", "source": "%%writefile helper.py\nVALUE = 3\n"},
             {"cell_type": "raw", "source": "raw"},
             {"cell_type": "code", "source": "import helper\nhelper.VALUE"}]
    (tmp_path / "n.ipynb").write_text(json.dumps({"cells": cells, "nbformat": 4}))
    found = session_cells(read_document(tmp_path / "n.ipynb"))
    assert [(c.cell, c.kind, c.skipped, c.shows_value) for c in found] == [
        (2, "shell", ("!pip install foo bar",), False), (4, "code", (), False), (6, "code", (), True)]
    assert found[2].text == "import helper\nhelper.VALUE\n"


@pytest.mark.parametrize("cell", ["x", "x  # shown", "x;", "x; # quiet", "y = x", "if True:\n    x",
                                  "x\ny = 2", "(x +\n 1)", "x\n# the end", "x\n\n"])
def test_the_last_value_is_shown_where_ipython_shows_it(cell: str, ipython_shell: Any) -> None:
    shell = ipython_shell
    shell.user_ns["x"] = 41
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        shell.run_cell(cell, store_history=True)  # as a kernel runs a cell
    assert shows_last_value(cell) == ("Out[" in out.getvalue())
