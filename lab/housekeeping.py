"""What lab keeps under its cache root, how big it is, and pruning it.

Everything there can be made again: records (and verbatim results), wheels, venvs, build locks.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional

from lab.cache import cache_root
from lab.errors import UsageError

DAY_S = 86400.0
# Folders whose immediate children are single entries (a venv is pruned whole, never file by file;
# uv's cache by its buckets: a venv hardlinked from it keeps its files when it goes).
WHOLE = {"venvs", "uv"}
WHAT = {"records": "trial records and verbatim results (the record cache)", "wheels": "downloaded wheels",
        "venvs": "the venvs of interpreter envs", "build-locks": "image build locks",
        "locks": "lock files", "uv": "uv's cache: the unpacked wheels venvs hardlink"}


@dataclass(frozen=True)
class Part:
    """One folder under the cache root."""

    name: str
    path: Path
    entries: int
    """Files (venvs: folders) in it."""
    bytes: int
    newest: Optional[float]
    """The newest entry's modification time (seconds since the epoch), None when empty."""

    @property
    def what(self) -> str:
        return WHAT.get(self.name, "")


def _entries(folder: Path) -> Iterator[Path]:
    if folder.name in WHOLE:
        yield from (p for p in folder.iterdir())
        return
    for base, _, files in os.walk(folder):
        yield from (Path(base) / f for f in files)


def _size(path: Path) -> int:
    if path.is_symlink() or not path.is_dir():
        return path.lstat().st_size
    return sum((Path(b) / f).lstat().st_size for b, _, fs in os.walk(path) for f in fs)


def info(root: Optional[Path] = None) -> List[Part]:
    """Each folder under the cache root with its entries, size and newest entry."""
    root = root or cache_root()
    if not root.is_dir():
        return []
    parts = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        found = list(_entries(folder))
        times = [p.lstat().st_mtime for p in found]
        parts.append(Part(folder.name, folder, len(found), sum(_size(p) for p in found), max(times, default=None)))
    return parts


def prune(older_than_days: Optional[float] = None, root: Optional[Path] = None,
          note: Callable[[Path], None] = lambda path: None) -> int:
    """Removes the cache entries not modified for `older_than_days` (all of them when None); the bytes freed."""
    if older_than_days is not None and not older_than_days >= 0:  # nan too
        raise UsageError(f"--older-than {older_than_days}: give a number of days, 0 or more")
    cutoff = time.time() - older_than_days * DAY_S if older_than_days is not None else float("inf")
    freed = 0
    for part in info(root):
        for entry in list(_entries(part.path)):
            if entry.lstat().st_mtime >= cutoff:
                continue
            size = _size(entry)
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            freed += size
            note(entry)
    return freed


def human(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"
