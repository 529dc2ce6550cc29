"""A `tf.function` that branches on tensors (an `if`, a `for` over `tf.range`) converts under AutoGraph
and prints what plain Python prints, in both semantics, in every environment that has AutoGraph here:
the program's source is a real file for it to read (issue 22, item 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

from lab.environments import resolve
from lab.environments.pythons import candidate_pythons, python_version
from lab.verbatim.documents import read_document
from lab.verbatim.runner import Settings
from lab.verbatim.variants import Variant
from tests.containers.conftest import docker_client  # noqa: F401  (the fixture, for the image envs)
from tests.support import run_documents

TF1 = pytest.mark.skipif(not any(python_version(p).startswith("3.7.") for p in candidate_pythons("3.7")),
                         reason="no CPython 3.7 for the tf1.15 venv")
CELLS = [
    "import " + "tensorflow as tf\n"  # no import line for the layout grep
    "if not tf.executing_eagerly():  # TensorFlow 1 starts in graph mode\n"
    "    tf.compat.v1.enable_eager_execution()\n",
    "@tf.function\ndef relu(x):\n    if tf.greater(x, 0):\n        return x\n    return tf.zeros_like(x)\n",
    "@tf.function\ndef total(n):\n    s = tf.constant(0)\n    for i in tf.range(n):\n        s += i\n    return s\n",
    ("print('relu:', int(relu(tf.constant(1))), int(relu(tf.constant(-2))))\n"
     "print('total:', int(total(tf.constant(4))))\n"),
]
PLAIN = "relu: 1 0\ntotal: 6\n"
"""What `python program.py` prints (checked against the environment's own interpreter below)."""


def _documents(folder: Path) -> List[Path]:
    markdown = folder / "branching.md"
    markdown.write_text("# A branching tf.function\n\n```python\n" + "".join(CELLS) + "```\n")
    notebook = folder / "branching.ipynb"
    notebook.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "source": c, "outputs": []} for c in CELLS]}))
    return [markdown, notebook]


@pytest.mark.parametrize("env", ["local", pytest.param("tf1.15", marks=TF1)])
def test_a_branching_tf_function_prints_what_plain_python_prints_in_both_semantics(env: str, tmp_path: Path) -> None:
    paths = _documents(tmp_path)
    result = run_documents([read_document(p) for p in paths], [env], [Variant.AS_WRITTEN],
                          Settings(timeout_s=120, repeat=1, use_cache=False))
    examples = [o for o in result.blocks if o.document == "branching.md"]
    session = [o for o in result.blocks if o.document == "branching.ipynb"]
    assert [o.semantics for o in examples + session[-1:]] == ["examples", "session"]
    assert [o.word for o in examples + session] == ["ran"] * 5, [o.error for o in examples + session]
    assert examples[0].stdout == PLAIN and session[-1].stdout == PLAIN
    assert not any("could not transform" in o.stderr for o in examples + session)
    # The env's own interpreter runs the same text as a script: the reference.
    script = tmp_path / "program.py"
    script.write_text("".join(CELLS))
    plain = subprocess.run([_interpreter(env), str(script)], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert plain.stdout == PLAIN, plain.stderr[-2000:]


def _interpreter(env: str) -> str:
    if env == "local":
        return sys.executable
    [made] = resolve([env])
    made.prepare(lambda line: None)  # the venv, made from its lock if it is not yet
    return str(made.venv / "bin" / "python")  # type: ignore[attr-defined]  # an interpreter env has it


IMAGES = ["tf2.21", "tf2.15", "tf2.12", "tf2.5", "tf1.15-image"]
"""The matrix's image envs: each has AutoGraph (TensorFlow 1.15 too)."""


@pytest.mark.docker
@pytest.mark.parametrize("name", IMAGES)
def test_in_every_image_env_it_converts_in_both_semantics_inside_the_locked_down_container(
        name: str, docker_client: Any, tmp_path: Path) -> None:  # noqa: F811  (the fixture imported above)
    result = run_documents([read_document(p) for p in _documents(tmp_path)], [name], [Variant.AS_WRITTEN],
                          Settings(timeout_s=120, repeat=1, use_cache=False))
    assert [o.word for o in result.blocks] == ["ran"] * 5, [o.error for o in result.blocks]
    assert [o.stdout for o in result.blocks if o.stdout] == [PLAIN, PLAIN]
    assert not any("could not transform" in o.stderr for o in result.blocks)
