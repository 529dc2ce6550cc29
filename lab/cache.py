"""The record cache: a job is not rerun while its code, the shipped guest and the environment are unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional, Sequence, TypeVar

from lab import atomic

T = TypeVar("T")


def cache_root() -> Path:
    """Where lab keeps what it can rebuild (records, wheels, build locks): $LAB_CACHE_DIR, else
    $XDG_CACHE_HOME/lab, else ~/.cache/lab. Written out rather than `platformdirs.user_cache_dir`:
    on Linux, where envs run, that is the same path, and the shard image and CI set these variables
    by name; on macOS platformdirs would move the cache to ~/Library/Caches."""
    base = os.environ.get("LAB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "lab")
    return Path(base)


def default_cache_dir() -> Path:
    """$LAB_RECORD_CACHE, else records/ under the cache root, which also holds the wheel cache:
    the override lets tests and the benchmark start empty without losing the wheels."""
    if os.environ.get("LAB_RECORD_CACHE"):
        return Path(os.environ["LAB_RECORD_CACHE"])
    return cache_root() / "records"


class RecordCache:
    """Outcomes on disk, one JSON file per job key (each job kind makes its keys, lab/jobs)."""

    def __init__(self, directory: Optional[Path] = None) -> None:
        self.directory = Path(directory) if directory else default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str, read: Callable[[Any], Optional[T]]) -> Optional[T]:
        """What `read` makes of the cached data; None when absent, cut short or unreadable."""
        try:
            data = json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None
        return read(data)

    def put(self, key: str, data: Mapping[str, Any]) -> None:
        """Keep `data` under `key`; a cache that cannot be written (a full disk) only costs a rerun."""
        try:  # atomic: a parallel reader never sees half a record, a full disk leaves no empty one
            atomic.write_text(self._path(key), json.dumps(dict(data)))
        except atomic.OutputError:
            pass

    def get_freeze(self, identity: str) -> List[str]:
        path = self.directory / "freeze" / identity.replace(":", "_")
        return path.read_text().split() if path.exists() else []

    def put_freeze(self, identity: str, freeze: Sequence[str]) -> None:
        if freeze:
            try:
                atomic.write_text(self.directory / "freeze" / identity.replace(":", "_"), "\n".join(freeze) + "\n")
            except atomic.OutputError:
                pass
