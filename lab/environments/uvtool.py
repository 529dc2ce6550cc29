"""Where the host's uv is (it locks on-demand envs, makes venvs, installs locks into offline images),
and its cache: beside the venvs, so that installs hardlink from it instead of copying."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Optional

from lab.cache import cache_root


def find_uv() -> Optional[str]:
    """uv on PATH, else the one installed beside this Python (a venv's bin/ not on PATH); None when absent."""
    return shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))


def uv_cache_dir() -> Path:
    """uv's cache for lab's venvs: $UV_CACHE_DIR when set, else uv/ under lab's cache root (on
    the venvs' filesystem: a hardlink cannot cross filesystems)."""
    return Path(os.environ.get("UV_CACHE_DIR") or cache_root() / "uv")
