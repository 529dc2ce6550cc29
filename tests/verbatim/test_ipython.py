"""IPython's conventions, checked against IPython itself: what it hands to the shell or a magic is
skipped (one command per `!cmd \\` with its continuation lines), and `%%writefile` writes what it writes."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from IPython.core.inputtransformer2 import TransformerManager

from lab.verbatim.ipython import PASS, convert

CELLS = {
    "continued-shell": "!pip install tensorflow-datasets \\\n    --quiet \\\n    --upgrade\nimport os\n",
    "magics-and-code": "%matplotlib inline\n%load_ext tensorboard\nimport numpy as np\nx = np.ones(3)\n",
    "indented-shell": "for f in ['a', 'b']:\n    !echo {f}\nprint('done')\n",
    "escape-in-a-string": "s = '''\n!not a command\n%not a magic\n'''\nprint(s)\n",
    "escape-in-brackets": "y = (10\n% 3)\nz = 10 \\\n% 4\nprint(y, z)\n",
    "shell-assignment": "files = !ls\nn = 1\n",
    "help": "len?\nprint(1)\n",
    "double-bang": "!!date\nx = 2\n",
}


def _ipython_commands(cell: str) -> int:
    """How many lines IPython turns into a call of its shell, magics or help."""
    return TransformerManager().transform_cell(cell).count("get_ipython()")


@pytest.mark.parametrize("cell", CELLS.values(), ids=CELLS.keys())
def test_what_ipython_hands_to_the_shell_or_a_magic_is_skipped_and_the_rest_is_python(cell: str) -> None:
    converted = convert(cell)
    assert len(converted.skipped) == _ipython_commands(cell)
    compile(converted.text, "<cell>", "exec")
    assert len(converted.text.splitlines()) <= len(cell.splitlines())  # a line of the text is a line of the cell


def test_a_shell_command_with_continuation_lines_is_one_command_and_keeps_the_line_numbers() -> None:
    converted = convert(CELLS["continued-shell"])
    assert converted.skipped == ("!pip install tensorflow-datasets --quiet --upgrade",)
    assert converted.text.splitlines() == [PASS, "", "", "import os"]
    assert converted.kind == "code"


def test_a_cell_of_shell_commands_and_magics_only_is_kind_shell() -> None:
    assert convert("# set up\n!pip install x\n%matplotlib inline\n").kind == "shell"
    assert convert("%%bash\necho hi\nls\n").kind == "shell"
    assert convert("%%bash\necho hi\n").skipped == ("%%bash",)


def test_a_cell_magic_with_a_python_body_runs_the_body() -> None:
    converted = convert("%%time\nx = sum(range(10))\n!ls\n")
    assert converted.text.splitlines() == [PASS, "x = sum(range(10))", PASS]
    assert converted.skipped == ("%%time", "!ls") and converted.kind == "code"


def test_dollar_prompt_lines_are_shell_only_where_asked() -> None:
    assert convert("$ pip install x\n", dollar=True).skipped == ("$ pip install x",)
    assert convert("x = 1\n").skipped == ()


@pytest.mark.parametrize(("magic_line", "exists"), [
    ("%%writefile mod.py", False),
    ("%%writefile mod.py", True),
    ("%%writefile -a mod.py", True),
    ("%%writefile 'my mod.py'", False),
])
def test_writefile_writes_and_prints_what_ipython_writes_and_prints(tmp_path: Path, magic_line: str, exists: bool,
                                                                     ipython_shell: Any) -> None:
    body = "def f():\n    return 'it\\'s %d' % 3\n\n"
    cell = f"{magic_line}\n{body}"
    shell = ipython_shell

    def run(folder: Path, action) -> tuple:
        folder.mkdir()
        name = "my mod.py" if "my mod" in magic_line else "mod.py"
        if exists:
            (folder / name).write_text("old = 1\n")
        here = os.getcwd()
        os.chdir(folder)
        try:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                action()
        finally:
            os.chdir(here)
        return out.getvalue(), (folder / name).read_bytes()

    converted = convert(cell)
    assert converted.kind == "code" and converted.skipped == () and len(converted.text.splitlines()) == 1
    ours = run(tmp_path / "lab", lambda: exec(compile(converted.text, "<cell>", "exec"), {}))
    theirs = run(tmp_path / "ipython", lambda: shell.run_cell(cell))
    assert ours == theirs
