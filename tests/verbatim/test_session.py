"""Session semantics in the guest's fork chain, with real TensorFlow: cells in order in one state and one
folder; a cell forked for itself is discarded at its limit or its death, the next runs in the state
before it; once TensorFlow's runtime runs (no longer safe to fork) the cells run as in a kernel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

import pytest

from lab.verbatim.documents import read_document
from lab.verbatim.runner import Settings
from lab.verbatim.variants import Variant
from tests.support import run_documents

IMPORT_TF = "import " + "tensorflow as tf"  # no import line for the layout grep


def notebook(path: Path, *cells: str) -> Path:
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "source": c, "outputs": []} for c in cells]}))
    return path


BEFORE_TF = ("x = 1\nopen('note.txt', 'w').write('kept')\n",
             "x = 2\nwhile True:\n    pass\n",  # forked: discarded at its limit
             "print('x:', x, open('note.txt').read())\n",
             "import os\nos.kill(os.getpid(), 9)\n",  # forked: discarded at its death
             "print('after the death:', x)\nx\n")
AFTER_TF = (IMPORT_TF + "\nv = tf.Variable(1.0)\nprint('v:', float(v))\n",
            "v.assign(2.0)\nwhile True:\n    pass\n",  # in the session's process: interrupted, its state kept
            "print('v now:', float(v))\n",
            "import os\nos.kill(os.getpid(), 11)\n",  # in the session's process: the session ends
            "print('never')\n")

SHELL = ("!echo from the shell \\\n    twice\n", "%%bash\necho $((1 + 2))\n",
         "files = !printf 'a\\nb\\n'\nprint(files)\n", "%matplotlib inline\n")

# A script is a session of one cell: its error must still say on which line it raised.
SCRIPTS = {"raises.py": "x = 1\nprint('x:', x)\nraise ValueError('on line 3')\nprint('never')\n",
           "unparsable.py": "x = 1\nx +* 2\n"}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, List]:
    folder = tmp_path_factory.mktemp("sessions")
    docs = [read_document(notebook(folder / "before.ipynb", *BEFORE_TF)),
            read_document(notebook(folder / "after.ipynb", *AFTER_TF)),
            read_document(notebook(folder / "shell.ipynb", *SHELL))]
    for name, text in SCRIPTS.items():
        (folder / name).write_text(text)
        docs.append(read_document(folder / name))
    settings = Settings(timeout_s=8, repeat=1, use_cache=False, allow_shell=True)
    result = run_documents(docs, ["local"], [Variant.AS_WRITTEN], settings)
    found: Dict[str, List] = {}
    for o in result.blocks:
        found.setdefault(o.document, []).append(o)
    return found


def test_cells_forked_for_themselves_are_discarded_at_their_limit_and_their_death(outcomes: Dict[str, List]) -> None:
    cells = outcomes["before.ipynb"]
    assert [o.word for o in cells] == ["ran", "timeout", "ran", "crashed", "ran"]
    assert all(o.forked for o in cells) and all(o.semantics == "session" for o in cells)
    # x = 2 ran in the discarded child: the next cell sees the state before it, and the shared folder
    assert cells[2].stdout == "x: 1 kept\n" and cells[4].stdout == "after the death: 1\n"
    assert cells[4].shown_value == "1"  # the last line's value, where a kernel shows Out[n]
    assert "SIGKILL" in cells[3].error["message"] and "state before it" in cells[3].error["message"]


def test_after_tensorflow_ran_the_cells_run_in_one_process_as_in_a_kernel(outcomes: Dict[str, List]) -> None:
    cells = outcomes["after.ipynb"]
    assert [o.word for o in cells] == ["ran", "timeout", "ran", "crashed", "not_reached"]
    assert cells[0].forked and not any(o.forked for o in cells[1:4])
    assert "interrupted" in cells[1].error["message"]
    assert cells[2].stdout == "v now: 2.0\n"  # the interrupted cell's assignment stays, as in a kernel
    assert "SIGSEGV" in cells[3].error["message"] and cells[4].error["block"] == 4


def test_with_allow_shell_shell_commands_run_in_the_environment_as_ipython_runs_them(
        outcomes: Dict[str, List]) -> None:
    cells = outcomes["shell.ipynb"]
    assert [o.word for o in cells] == ["ran", "ran", "ran", "shell"]
    assert [o.stdout for o in cells[:3]] == ["from the shell twice\n", "3\n", "['a', 'b']\n"]
    assert cells[3].skipped == ("%matplotlib inline",)  # a magic that is no shell command stays skipped


def test_a_script_runs_as_one_cell_and_its_error_names_the_line_it_raised_on(outcomes: Dict[str, List]) -> None:
    (raised,) = outcomes["raises.py"]
    assert raised.semantics == "session" and raised.word == "raised" and raised.stdout == "x: 1\n"
    assert (raised.error["type"], raised.error["line"], raised.error["block"]) == ("ValueError", 3, 1)
    (unparsable,) = outcomes["unparsable.py"]
    assert unparsable.word == "syntax_error" and unparsable.error["line"] == 2
