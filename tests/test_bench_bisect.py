"""The bench's bisect rows, from a canned `lab bisect --json`: targets, the release named, disk per venv."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bench.bisection import rows
from bench.report import table


def point(version: str, made_s: Optional[float], disk: Optional[int]) -> Dict[str, Any]:
    return {"version": version, "env": f"tf{version}", "made_s": made_s, "disk_bytes": disk}


def found(first: str = "2.11.0", before: str = "2.10.1",
          made: Optional[List[Optional[float]]] = None) -> Dict[str, Any]:
    made = [4.0, 6.0, 5.0] if made is None else made
    visited = [point(v, m, 40_000_000) for v, m in zip(["2.5.3", "2.15.1", "2.8.4"], made)]
    return {"releases": [f"2.{i}.0" for i in range(33)], "visited": visited, "first": {"version": first},
            "before": {"version": before}}


def test_the_bisect_row_meets_its_target_only_in_time_and_naming_the_release() -> None:
    fast, _ = rows(found(), 80.0)
    assert (fast.target, fast.met, fast.trials) == ("< 90 s", True, 6)
    assert "names 2.11.0 (last that agrees 2.10.1)" in fast.note and "probed 3 of 33 releases" in fast.note
    assert rows(found(), 95.0)[0].met is False
    wrong = rows(found(first="2.12.0"), 60.0)[0]
    assert wrong.met is False and "expected 2.11.0" in wrong.note


def test_the_venv_row_is_the_slowest_probe_venv_with_the_disk_each_extra_venv_adds() -> None:
    _, venv = rows(found(made=[4.0, 12.0, 5.0]), 80.0)
    assert (venv.wall_s, venv.met, venv.target) == (12.0, False, "< 10 s")
    assert "median 5.0 s over 3 venvs" in venv.note and "40 MB of its own" in venv.note
    assert "one probe's venv (slowest)" in table([venv])


def test_venvs_made_before_leave_only_the_bisect_row() -> None:
    assert len(rows(found(made=[None, None, None]), 30.0)) == 1
