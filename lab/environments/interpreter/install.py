"""Making a venv from a base Python and a hashed lock: uv, linking every file from one shared cache
of unpacked wheels (hardlinks: a second venv of the same wheels costs seconds and about a
megabyte of disk), else pip (a full copy, about a minute)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

from lab.environments.base import Note
from lab.environments.uvtool import find_uv, uv_cache_dir
from lab.errors import EnvironmentUnavailable


@dataclass(frozen=True)
class Made:
    """How a venv was made, and what it costs on disk."""

    seconds: float
    installer: str
    """'uv (hardlinks from its cache)', 'uv (copies: ...)', 'pip'."""
    own_bytes: int
    """Bytes of the files only this venv has (a hardlinked file is shared with the cache)."""
    shared_bytes: int
    """Bytes of the files it shares with uv's cache (and every other venv linked from it)."""


def disk_use(folder: Path) -> Tuple[int, int]:
    """(own, shared) bytes of the regular files under `folder`: a file with one link is its own."""
    own = shared = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                info = os.lstat(os.path.join(root, name))
            except OSError:
                continue  # removed meanwhile
            if info.st_nlink > 1:
                shared += info.st_size
            else:
                own += info.st_size
    return own, shared


def link_mode(cache: Path, venv: Path) -> str:
    """uv's --link-mode: hardlink where the cache and the venv share a filesystem, else copy."""
    cache.mkdir(parents=True, exist_ok=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    return "hardlink" if cache.stat().st_dev == venv.parent.stat().st_dev else "copy"


def steps(base: str, venv: Path, lock: Path) -> Tuple[List[List[str]], str]:
    """The commands that make `venv` from `base` and install `lock` into it, and the installer's name."""
    uv = find_uv()
    python = str(venv / "bin" / "python")
    if uv is None:
        return ([[base, "-m", "venv", str(venv)],
                 [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                  "--require-hashes", "-r", str(lock)]], "pip")
    cache = uv_cache_dir()
    mode = link_mode(cache, venv)
    installer = "uv (hardlinks from its cache)" if mode == "hardlink" else (
        f"uv (copies: its cache {cache} is on another filesystem than {venv.parent})")
    return ([[uv, "venv", "--quiet", "--no-config", "--no-python-downloads", "--python", base, str(venv)],
             # No --compile-bytecode: compiling every module took a venv from 2 s to 8 s and 1 MB to
             # 50 MB of its own, more than its one or two guests save by not compiling what they
             # import (`make bench`'s bisect: 69 s without, 78 s with).
             [uv, "pip", "sync", "--quiet", "--no-config", "--python", python, "--require-hashes",
              "--link-mode", mode, "--cache-dir", str(cache), str(lock)]], installer)


def make_venv(name: str, base: str, venv: Path, lock: Path, note: Note) -> Made:
    """Make `venv` anew from `base` and `lock`; EnvironmentUnavailable (one line) when a step fails."""
    shutil.rmtree(venv, ignore_errors=True)
    commands, installer = steps(base, venv, lock)
    note(f"making {venv} from {base} and {lock.name} with {installer}")
    started = time.monotonic()
    for step in commands:
        done = subprocess.run(step, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            last = ((done.stderr or done.stdout).strip().splitlines() or ["no output"])[-1]
            shown = " ".join(Path(step[0]).name if i == 0 else part for i, part in enumerate(step[:4]))
            raise EnvironmentUnavailable(f"making the venv of {name} failed at `{shown}`: {last[:200]}")
    seconds = time.monotonic() - started
    own, shared = disk_use(venv)
    return Made(seconds, installer, own, shared)
