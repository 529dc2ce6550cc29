"""The bench's side-by-side row: compare-all of this lab and of another lab (an older checkout's
venv), both through the CLI, cache off, on the same envs, one after the other."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence, Tuple

from bench.report import Measurement

ENTRY = "from lab.cli import entry; entry()"


def _compare_all(python: str, names: Sequence[str], label: str) -> Tuple[float, int]:
    """Wall seconds of `python`'s lab running compare-all over `names` (exit 0 or 4), and its trials."""
    with tempfile.TemporaryDirectory(prefix="lab-bench-side-") as tmp:
        environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LAB_SCENARIOS")}
        environ["LAB_RECORD_CACHE"] = str(Path(tmp) / "cache")
        out = Path(tmp) / "out"
        argv = [python, "-c", ENTRY, "compare-all", "--no-cache", "--out", str(out),
                *[arg for n in names for arg in ("--env", n)]]
        started = time.monotonic()
        done = subprocess.run(argv, env=environ, capture_output=True, text=True, cwd=tmp)
        seconds = time.monotonic() - started
        if done.returncode not in (0, 4):
            raise RuntimeError(f"{label}'s compare-all exited {done.returncode}: {done.stderr.strip()[-300:]}")
        trials = len(list((out / "records").rglob("*.json")))
        return seconds, trials


def _revision(python: str) -> str:
    probe = "import lab, pathlib; print(pathlib.Path(lab.__file__).resolve().parents[1])"
    # From a folder with no lab in it: `python -c` puts the working folder first on the path.
    root = subprocess.run([python, "-c", probe], capture_output=True, text=True, cwd=tempfile.gettempdir(),
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}).stdout.strip()
    rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return f"{root} @ {rev.stdout.strip() or '?'}"


def measure(other_python: str, names: Sequence[str], this_python: Optional[str] = None) -> Tuple[Measurement, ...]:
    """(other lab's row, this lab's row with its ratio to the other's and the <= 1.25 target)."""
    other_s, other_trials = _compare_all(other_python, names, "the other lab")
    this_s, this_trials = _compare_all(this_python or sys.executable, names, "this lab")
    other = Measurement("compare-all CLI, other lab", other_s, list(names), other_trials,
                        note=_revision(other_python))
    this = Measurement("compare-all CLI, this lab", this_s, list(names), this_trials, ratio=this_s / other_s,
                       ratio_of="this lab / other lab (compare-all CLI, cache off)", target="<= 1.25",
                       met=this_s / other_s <= 1.25, note=_revision(this_python or sys.executable))
    return other, this
