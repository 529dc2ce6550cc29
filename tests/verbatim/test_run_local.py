"""`lab verbatim` end to end in the local environment (real TensorFlow): a notebook and a Markdown
file with a fragment, a syntax error, a block that loops forever and a block that prints arrays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.cli import main
from lab.verbatim.documents import read_document
from lab.verbatim.runner import Settings
from lab.verbatim.variants import Variant
from tests.support import run_documents

MARKDOWN = '''# Cases

## Example 1: arrays

```python
import numpy as np
IMPORT_TF
w = tf.constant([[1.0, 2.0], [3.0, 4.0]])
print("w:", w.numpy())
print("total:", float(tf.reduce_sum(w)))
```

Output:

```
w: [[1. 2.]
 [3. 4.]]
total: 10.0
```

## Example 2: a fragment

```python
print(model.summary())
```

## Example 3: a syntax error

```python
def broken(:
    pass
```

## Example 4: forever

```python
while True:
    pass
```

## Example 5: a TF1 call

```python
IMPORT_TF
x = 1
y = tf.placeholder(tf.float32)
```

## Example 6: random

```python
import numpy as np
print("draw:", np.random.rand(2))
```
'''.replace("IMPORT_TF", "import " + "tensorflow as tf")  # no import line for the layout grep

NOTEBOOK = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "markdown", "metadata": {}, "source": ["# Example 1: a notebook"]},
    {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["%matplotlib inline\n", "scale = 3\n"],
     "outputs": []},
    {"cell_type": "code", "metadata": {}, "execution_count": 2, "source": ["print('scaled:', scale * 2)\n"],
     "outputs": [{"output_type": "stream", "name": "stdout", "text": ["scaled: 7\n"]}]},
    {"cell_type": "code", "metadata": {}, "execution_count": 3, "source": ["def half(x):\n", "    return x / zero\n"],
     "outputs": []},
    {"cell_type": "code", "metadata": {}, "execution_count": 4, "source": ["print(half(2))\n"], "outputs": []},
]}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("docs")
    (root / "cases.md").write_text(MARKDOWN)
    (root / "book.ipynb").write_text(json.dumps(NOTEBOOK))
    return root


@pytest.fixture(scope="module")
def run(folder: Path, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out") / "r"
    code = main(["verbatim", str(folder / "cases.md"), str(folder / "book.ipynb"), str(folder / "missing.md"),
                 "--timeout", "3", "--variant", "as-written", "--variant", "compat-shim", "--out", str(out)])
    data = json.loads((out / "verbatim.json").read_text())
    return {"code": code, "out": out,
            "by": {(o["document"], o["block"], o["variant"]): o for o in data["outcomes"]}}


def test_a_missing_path_exits_2_while_the_other_documents_run(run: dict) -> None:
    assert run["code"] == 2
    assert {d for d, _, _ in run["by"]} == {"cases.md", "book.ipynb"}


def test_a_block_that_prints_arrays_matches_the_output_the_document_shows(run: dict) -> None:
    o = run["by"][("cases.md", 1, "as-written")]
    assert o["status"] == "ran" and o["match"] == "matches"
    assert o["values"] == [["w", [[1.0, 2.0], [3.0, 4.0]]], ["total", 10.0]]
    assert o["deterministic"] is True


def test_a_fragment_is_listed_with_its_missing_names_and_not_run(run: dict) -> None:
    o = run["by"][("cases.md", 2, "as-written")]
    assert (o["status"], o["missing"]) == ("fragment", ["model"])


def test_a_syntax_error_and_an_endless_loop_are_outcomes(run: dict) -> None:
    syntax = run["by"][("cases.md", 3, "as-written")]
    assert syntax["status"] == "syntax_error" and syntax["error"]["line"] == 1
    forever = run["by"][("cases.md", 4, "as-written")]
    assert forever["status"] == "timeout"
    assert forever["error"]["message"] == "ran past 3s"


def test_a_tf1_call_raises_as_written_with_its_line_and_runs_with_the_shim(run: dict) -> None:
    raised = run["by"][("cases.md", 5, "as-written")]
    assert raised["status"] == "raised" and raised["error"]["type"] == "AttributeError"
    assert raised["error"]["line"] == 3 and "placeholder" in raised["error"]["message"]
    assert run["by"][("cases.md", 5, "compat-shim")]["status"] == "ran"
    assert run["by"][("cases.md", 4, "compat-shim")]["status"] == "unavailable"  # nothing to shim


def test_random_draws_are_marked_nondeterministic(run: dict) -> None:
    assert run["by"][("cases.md", 6, "as-written")]["deterministic"] is False


def test_a_notebook_cell_runs_in_the_state_the_cell_before_it_left_and_differs_from_its_stored_output(
        run: dict) -> None:
    o = run["by"][("book.ipynb", 2, "as-written")]
    assert (o["semantics"], o["cell"], o["blocks"], o["status"]) == ("session", 3, [2], "ran")
    assert o["match"] == "differs" and o["match_detail"] == "shown 'scaled: 7', printed 'scaled: 6'"
    assert run["by"][("book.ipynb", 1, "as-written")]["skipped"] == ["%matplotlib inline"]


def test_the_report_names_the_error_line_in_the_document_and_the_cell_that_raised_it(run: dict) -> None:
    report = (run["out"] / "report.md").read_text()
    assert ("cases.md#5 (line 44) as-written local: AttributeError: module 'tensorflow' has no attribute "
            "'placeholder' (block line 3, document line 46)") in report
    assert ("book.ipynb cell 5 as-written local: NameError: name 'zero' is not defined (raised in cell 4, line 2, "
            "which ran before it)") in report
    chained = run["by"][("book.ipynb", 4, "as-written")]["error"]
    assert (chained["block"], chained["cell"], chained["block_line"], chained["line"]) == (3, 4, 2, None)


def test_a_forked_child_gives_the_outcome_a_fresh_process_gives(tmp_path: Path) -> None:
    # Every case but the endless loop; a fresh process needs seconds to import TensorFlow.
    (tmp_path / "same.md").write_text(MARKDOWN.replace("while True:\n    pass", "print('done')"))
    doc = read_document(tmp_path / "same.md")
    kept = ("status", "error", "values", "stdout", "deterministic", "match")

    def outcomes(isolation: str) -> list:
        result = run_documents([doc], ["local"], [Variant.AS_WRITTEN],
                              Settings(timeout_s=60, isolation=isolation, use_cache=False))
        return [{k: v for k, v in o.to_dict().items() if k in kept} for o in result.blocks]

    forked, fresh = outcomes("fork"), outcomes("process")
    # Random draws differ run to run in both ways; everything else is identical.
    for a, b in zip(forked, fresh):
        if a["deterministic"] is False:
            a.pop("values"), b.pop("values"), a.pop("stdout"), b.pop("stdout")
    assert forked == fresh


def test_shards_merge_into_the_whole(folder: Path, tmp_path: Path) -> None:
    args = [str(folder), "--variant", "as-written", "--timeout", "3"]
    assert main(["verbatim", *args, "--shard", "1/2", "--out", str(tmp_path / "a")]) == 0
    assert main(["verbatim", *args, "--shard", "2/2", "--out", str(tmp_path / "b")]) == 0
    assert main(["merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "m")]) == 0
    merged = json.loads((tmp_path / "m" / "verbatim.json").read_text())["outcomes"]
    assert {o["document"] for o in merged} == {"cases.md", "book.ipynb"}
