"""Guests whose lab is gone: found by what proves them the lab's own, and ended.

A local or interpreter guest ends with its lab (a parent-death signal, its own deadline, the
sandbox's PID namespace). One that did not (its launcher stopped or traced when the lab died)
is ended by `lab clean` and by the next run: when the lab starts a guest it writes `guest.json`
(the process's pid and start time) into the guest's scratch folder (lab-<pid>-*, see
lab/scratch.py), the guest's working folder. A process is ended only when all three agree: the
pid lives, it started at the time written, and its working folder is that scratch folder. A
pid reused by any other process fails the start time or the folder, and is left alone.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Iterable, List, Optional, Tuple

GUEST_FILE = "guest.json"
MAX_FILE = 4096


def start_time(pid: int) -> Optional[int]:
    """When `pid` started, in clock ticks since boot (/proc/PID/stat field 22); None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    fields = stat[stat.rfind(b")") + 2:].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def note_guest(folder: Path, pid: int) -> None:
    """Write what proves `pid` (a guest this process just started in `folder`) the lab's own."""
    started = start_time(pid)
    if started is None:
        return
    # Best effort: without the note `lab clean` cannot prove the guest its own and leaves it, which is
    # safe; a full disk must not stop the run. Never through a link the guest put in its folder.
    try:
        handle = os.open(folder / GUEST_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        return
    try:
        os.write(handle, json.dumps({"pid": pid, "start": started}).encode())
    except OSError:
        pass
    finally:
        os.close(handle)


def proven(folder: Path) -> Optional[int]:
    """The pid of the guest started in `folder` when it still runs and is provably that guest."""
    try:
        with open(folder / GUEST_FILE, "rb") as handle:
            data = json.loads(handle.read(MAX_FILE))
        pid, started = int(data["pid"]), int(data["start"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid <= 1 or start_time(pid) != started:
        return None
    try:
        if os.readlink(f"/proc/{pid}/cwd") != str(folder.resolve()):
            return None
    except OSError:
        return None
    return pid


def _tree(pid: int) -> List[int]:
    """`pid` and its descendants, parents before children."""
    from lab.guest.system import children

    found, queue = [], [pid]
    while queue:
        current = queue.pop(0)
        if current not in found:
            found.append(current)
            queue += children(current)
    return found


def end_tree(pid: int) -> int:
    """Stop `pid` and every descendant (a stopped process cannot fork another), then kill them
    all; the number ended. New sessions are included: they stay descendants until their parent dies."""
    stopped: List[int] = []
    for _ in range(100):
        fresh = [p for p in _tree(pid) if p not in stopped]
        if not fresh:
            break
        for p in fresh:
            _signal(p, signal.SIGSTOP)
            stopped.append(p)
    for p in stopped:
        _signal(p, signal.SIGKILL)
    return len(stopped)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def end_guest(folder: Path) -> Optional[Tuple[int, int]]:
    """End the guest of a dead lab's scratch `folder` when it provably runs still: (its pid, the
    processes ended), else None."""
    pid = proven(folder)
    if pid is None:
        return None
    return pid, end_tree(pid)


def end_guests(folders: Iterable[Path]) -> List[Tuple[Path, int, int]]:
    """end_guest for each folder: (folder, pid, processes ended) of each guest ended."""
    ended = []
    for folder in folders:
        found = end_guest(folder)
        if found is not None:
            ended.append((folder, *found))
    return ended
