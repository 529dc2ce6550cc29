"""The Linux process controls the guest relies on: prctl flags, a process's children, killing a tree.

Standard library only (ctypes for prctl), Python 3.7 and up. Off Linux every control is a no-op
that says so, so the guest still runs (without the guarantees) where a test fakes an environment.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
from typing import List, Optional

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

_libc: Optional[ctypes.CDLL] = None


def _prctl(option: int, value: int) -> bool:
    """One prctl call; False where the system has none (not Linux) or refuses it."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        return int(_libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def not_dumpable() -> bool:
    """Make this process non-dumpable: a process of the same user can then neither open its
    /proc/PID/fd nor read its memory (without CAP_SYS_PTRACE), so a job's child cannot reach the
    channel this process writes results to, nor the requests it has not read yet."""
    return _prctl(PR_SET_DUMPABLE, 0)


def drop_privileges() -> bool:
    """No capabilities, and no way to gain any (no setuid binary either), for this process and
    what it starts. A job's child run as root then cannot open its worker's /proc/PID/fd (ptrace
    needs a superset of the worker's capabilities), nor signal or trace past its own user."""
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        header, data = _CapHeader(_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
        return int(_libc.capset(ctypes.byref(header), data)) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Orphaned descendants (a job's grandchild in a session of its own) become this process's
    children instead of init's, so they can be found and ended."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(expected_parent: int = 0) -> bool:
    """SIGKILL this process when its parent dies; also at once when the parent is already gone
    (`expected_parent` differs from the current parent: it died before the flag was set)."""
    done = _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if expected_parent and os.getppid() != expected_parent:
        os._exit(137)
    return done


def children(pid: int = 0) -> List[int]:
    """The direct children of `pid` (default this process), from /proc."""
    pid = pid or os.getpid()
    found: List[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(p) for p in handle.read().split())
        except (OSError, ValueError):
            return _children_by_scan(pid)
    return found


def _children_by_scan(pid: int) -> List[int]:
    """children() where the kernel has no /proc/PID/task/TID/children: every process's parent."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(name))
    return found


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by `pid` (a job's child leads its own)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def end_strays(keep: frozenset = frozenset()) -> int:
    """Kill every child of this process but `keep`, with its group, and reap them: as a subreaper
    those are the orphans of finished jobs (a process started in a new session and left behind).
    Returns how many were ended."""
    ended = 0
    for _ in range(100):  # a stray may fork while it is being killed: repeat until none is left
        strays = [p for p in children() if p not in keep]
        if not strays:
            break
        for pid in strays:
            kill_group(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            _reap(pid)
            ended += 1
    return ended


def _reap(pid: int, within_s: float = 5.0) -> None:
    """Collect one killed child (so it stays no zombie); gives up after `within_s` rather than
    hang on a process that SIGKILL cannot end at once (one in uninterruptible sleep)."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] or time.monotonic() > deadline:
                return
        except ChildProcessError:
            return
        time.sleep(0.001)
