"""Reruns only what changed: results are cached by program text, variant and environment identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.environments.pythons import candidate_pythons, python_version
from lab.verbatim.documents import read_document
from lab.verbatim.runner import Settings
from lab.verbatim.variants import Variant
from tests.support import run_documents

pytestmark = pytest.mark.skipif(not any(python_version(p).startswith("3.7.") for p in candidate_pythons("3.7")),
                                reason="no CPython 3.7 for the tf1.15 venv (an env with an identity)")


def test_a_second_run_takes_every_result_from_the_cache_and_an_edit_reruns_one_block(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text("```python\nprint('a:', 1)\n```\n\n```python\nprint('b:', 2)\n```\n")

    def run() -> dict:
        result = run_documents([read_document(path)], ["tf1.15"], [Variant.AS_WRITTEN], Settings(timeout_s=30))
        return {o.block: o for o in result.blocks}

    first = run()
    assert [o.cached for o in first.values()] == [False, False]
    again = run()
    assert [o.cached for o in again.values()] == [True, True]
    assert [o.values for o in again.values()] == [o.values for o in first.values()]
    path.write_text(path.read_text().replace("'b:', 2", "'b:', 3"))
    edited = run()
    assert (edited[1].cached, edited[2].cached, edited[2].values) == (True, False, (("b", 3.0),))
