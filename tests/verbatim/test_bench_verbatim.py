"""The bench's verbatim section without running it: the copies it times are distinct programs, and its table
shows the cost of one more run in each isolation and their ratio, the whole workloads, the corpus's pace."""

from __future__ import annotations

from pathlib import Path

from bench.verbatim import copies, render
from lab.verbatim.documents import read_document
from lab.verbatim.runner import Settings, plan_programs
from lab.verbatim.variants import Variant


def test_copies_are_distinct_programs_so_none_is_shared_or_cached(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("```python\nx = 1\nprint('x:', x)\n```\n\n```python\nprint(x + 1)\n```\n")
    documents = copies([read_document(tmp_path / "a.md")], 3)
    work = plan_programs(documents, [Variant.AS_WRITTEN], Settings(), "python")
    assert [d.name for d in documents] == ["a.md (copy 1)", "a.md (copy 2)", "a.md (copy 3)"]
    assert len(work.jobs) == 6 and len({j.text for j in work.jobs}) == 6


def test_the_table_shows_one_more_run_in_each_isolation_and_the_corpus_pace() -> None:
    row = {"fork": {"per_run_s": 0.045}, "process": {"per_run_s": 3.1}, "per_run_ratio": 68.9, "same_outcomes": True,
           "articles": {"fork_s": 9.5, "process_s": 120.4, "ratio": 12.7, "same_outcomes": True},
           "corpus": {"shard": "1/16", "runs": 40, "fork_s": 12.0, "process_s": 130.0, "ratio": 10.8,
                      "same_outcomes": False,
                      "session": {"notebooks": 6, "cells": 50, "wall_s": 10.0, "notebooks_per_min": 36.0}}}
    text = render({"local": row})
    assert "45 ms" in text and "3100 ms" in text and "68.9x" in text and "12.7x" in text
    assert "same outcomes NO" in text and "6 notebooks, 50 cells in 10.0 s (36 notebooks/min)" in text
