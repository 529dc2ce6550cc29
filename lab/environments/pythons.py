"""Where a CPython of a version is on this machine, and what version an interpreter is."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from typing import List


def candidate_pythons(version: str) -> List[str]:
    """Where a CPython `version` (e.g. '3.7') may be: pyenv's versions, then pythonX.Y on PATH."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found = sorted(glob.glob(os.path.join(root, "versions", f"{version}.*", "bin", "python")), reverse=True)
    on_path = shutil.which(f"python{version}")
    return found + ([on_path] if on_path else [])


def python_version(python: str) -> str:
    """'3.7.16' for an interpreter, or '' when it does not answer like a Python."""
    try:
        done = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
