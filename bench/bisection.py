"""The bench's bisect rows: `lab bisect keras-optimizer-graph#1 --good 2.5.3 --bad 2.15.1` with the
wheels already downloaded, every probe's venv made anew.

An untimed run first fills lab's caches as a user's first bisect would (the release index, each
visited release's lock, uv's cache of unpacked wheels). The timed run then gets a cache root of
its own beside lab's (so on the same filesystem: hardlinks), holding copies of the index and the
locks, with uv's cache shared: no venv and no record is there, so every probe makes its venv
and runs its trials. Rows: the bisection end to end, the slowest probe's venv, and the disk each
extra venv adds (its files not hardlinked from uv's cache).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from bench.report import Measurement
from lab.cache import cache_root
from lab.environments.uvtool import uv_cache_dir
from lab.errors import LabError

TARGET = "keras-optimizer-graph#1"
GOOD, BAD = "2.5.3", "2.15.1"
EXPECTED = ("2.11.0", "2.10.1")
"""The first release that differs and the last that agrees (issue 25: Keras's SGD in a graph)."""
BISECT_TARGET_S = 90.0
VENV_TARGET_S = 10.0


class BisectBenchError(LabError):
    """The bisection did not run to its end: its rows would mean nothing."""


def _bisect(lab: Sequence[str], environ: Dict[str, str]) -> Tuple[float, Dict[str, Any]]:
    """The bisection's wall seconds, end to end, and its --json output."""
    argv = [*lab, "bisect", TARGET, "--good", GOOD, "--bad", BAD, "--json"]
    start = time.monotonic()
    done = subprocess.run(argv, env=environ, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        raise BisectBenchError(f"lab bisect exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return seconds, json.loads(done.stdout)


def rows(found: Dict[str, Any], seconds: float) -> List[Measurement]:
    """The rows of one timed bisection's --json output: the bisection, one probe's venv, disk per venv."""
    visited = [p for p in found["visited"] if p]
    envs = [p["env"] for p in visited]
    first = (found.get("first") or {}).get("version")
    before = (found.get("before") or {}).get("version")
    named = (first, before) == EXPECTED
    made = [p for p in visited if p.get("made_s") is not None]
    bisect_row = Measurement(
        f"bisect {GOOD}..{BAD} {TARGET}", seconds, envs, 2 * len(visited), target=f"< {BISECT_TARGET_S:.0f} s",
        met=seconds < BISECT_TARGET_S and named,
        note=f"names {first} (last that agrees {before}){'' if named else f'; expected {EXPECTED[0]}'}; "
             f"probed {len(visited)} of {len(found['releases'])} releases, wheels downloaded before")
    if not made:
        return [bisect_row]
    times = [float(p["made_s"]) for p in made]
    own = [int(p.get("disk_bytes") or 0) for p in made]
    venv_row = Measurement(
        "one probe's venv (slowest)", max(times), [p["env"] for p in made], 0, target=f"< {VENV_TARGET_S:.0f} s",
        met=max(times) < VENV_TARGET_S,
        note=f"median {statistics.median(times):.1f} s over {len(times)} venvs; disk per extra venv "
             f"{statistics.median(own) / 1e6:.0f} MB of its own (median; the rest hardlinked from uv's cache)")
    return [bisect_row, venv_row]


def measure() -> List[Measurement]:
    """The untimed fill, then the timed bisection on fresh venvs; its rows."""
    from bench.run_bench import _lab_command

    lab = _lab_command()
    _bisect(lab, dict(os.environ))  # fills the index, the locks and uv's cache; its venvs are not used below
    root = cache_root()
    fresh = Path(tempfile.mkdtemp(prefix="lab-bench-bisect-", dir=root.parent))
    try:
        for part in ("index", "locks"):
            if (root / part).is_dir():
                shutil.copytree(root / part, fresh / part)
        environ = {**os.environ, "LAB_CACHE_DIR": str(fresh), "UV_CACHE_DIR": str(uv_cache_dir())}
        seconds, found = _bisect(lab, environ)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return rows(found, seconds)
