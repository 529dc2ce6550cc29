"""The venvs under the cache (matrix interpreter envs and on-demand ones): list them, prune them."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from lab.environments.interpreter.environment import READY, SPEC_FILE, USED, venvs_dir
from lab.environments.interpreter.install import disk_use

DAY_S = 24 * 3600


@dataclass(frozen=True)
class CachedVenv:
    """One venv folder under cache_root()/venvs."""

    path: Path
    spec: str
    """The pin it was made from ('tf==2.17.1'), or '' for a matrix env's venv."""
    python: str
    ready: bool
    """False: cut short while being made (it is made again at next use)."""
    last_used: float
    """Seconds since the epoch: the last run that prepared it (else when it was made)."""
    size: int
    """Bytes of its files (those hardlinked from uv's cache included)."""
    own: int = 0
    """Bytes of the files only it has: what removing it frees."""

    @property
    def name(self) -> str:
        return self.path.name


def cached_venvs() -> List[CachedVenv]:
    """Every venv folder in the cache, oldest use first."""
    found = []
    for path in sorted(p for p in venvs_dir().glob("*") if p.is_dir()) if venvs_dir().is_dir() else []:
        info = {}
        try:
            info = json.loads((path / SPEC_FILE).read_text())
        except (OSError, ValueError):
            pass  # a matrix env's venv has no spec file
        stamp = next((p for p in (path / USED, path / READY) if p.exists()), path)
        ready = (path / READY).exists()
        # READY holds the base Python's full version; an on-demand venv's spec file its minor one.
        python = str(info.get("python") or "") or ((path / READY).read_text().strip() if ready else "")
        own, shared = disk_use(path)
        found.append(CachedVenv(path, str(info.get("spec") or ""), python, ready, stamp.stat().st_mtime, own + shared,
                                own))
    return sorted(found, key=lambda v: (v.last_used, v.name))


def prune(older_than_days: Optional[float] = None, now: Optional[float] = None) -> List[CachedVenv]:
    """Remove the venvs not used for more than `older_than_days` (all when None), except one that
    another lab process is making right now; returns those removed."""
    now = time.time() if now is None else now
    removed = []
    for venv in cached_venvs():
        if older_than_days is not None and now - venv.last_used <= older_than_days * DAY_S:
            continue
        if _busy(venv.path):
            continue
        shutil.rmtree(venv.path, ignore_errors=True)
        (venv.path.parent / f"{venv.name}.lock").unlink(missing_ok=True)  # its making lock, now unused
        removed.append(venv)
    return removed


def _busy(path: Path) -> bool:
    """Whether a lab process holds the venv's making lock (interpreter.prepare takes it)."""
    lock = path.parent / f"{path.name}.lock"
    if not lock.exists():
        return False
    try:
        import fcntl
    except ImportError:
        return False
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False
