"""Where the host's uv is: it locks on-demand envs, and installs locks into offline images."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Optional


def find_uv() -> Optional[str]:
    """uv on PATH, else the one installed beside this Python (a venv's bin/ not on PATH); None when absent."""
    return shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
