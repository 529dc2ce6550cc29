"""The lab's temporary folders, named after the process that owns them.

A lab killed with `kill -9` runs no cleanup: its shipment, its records folders and its build
contexts stay in the temporary directory. The owner's pid in each name lets a later run (and
`lab clean`) remove exactly those whose owner is gone, and never another live lab's.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import List, Optional

_OWNED = re.compile(r"^lab-(\d+)-")


def scratch_dir(kind: str) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder lab-<pid>-<kind>-XXXX, removed when its `with` block ends."""
    return tempfile.TemporaryDirectory(prefix=f"lab-{os.getpid()}-{kind}-")


def alive(pid: int) -> bool:
    """Whether process `pid` exists (one of another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_scratch_dirs(root: Optional[Path] = None) -> List[Path]:
    """This user's lab-<pid>-* folders under `root` (the temporary directory) whose pid is dead."""
    root = Path(root or tempfile.gettempdir())
    stale = []
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _OWNED.match(entry.name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        # Only real folders of our own: a link or another user's folder is not ours to remove.
        if entry.is_symlink() or not entry.is_dir() or info.st_uid != os.getuid():
            continue
        if not alive(int(match.group(1))):
            stale.append(entry)
    return stale


def remove_stale_scratch(root: Optional[Path] = None) -> List[Path]:
    """Remove the folders stale_scratch_dirs finds; return those removed. A guest still running
    in one, provably the dead lab's, is ended first (lab/orphans.py)."""
    from lab.orphans import end_guest

    removed = []
    for path in stale_scratch_dirs(root):
        end_guest(path)
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed
