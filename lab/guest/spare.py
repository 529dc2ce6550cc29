"""The fork server's spare: the child for the next job, forked while the job before it runs.

Forking the warm worker (TensorFlow's pages: its page tables) costs tens of ms, so it is paid off
the critical path. The spare closes what is not its own, leaves the worker's session and its
privileges, then waits on a pipe for its order (the job and its folder) and becomes the job's child.
It holds only its own pipes: a job started after it was forked is not reachable from it. The job
that runs meanwhile (the same user) could signal it or change its limits, priority, scheduling or
CPUs without tracing it: before it takes its job it must be as it was forked (`Spare.fit`), else a
fresh child is forked for the job. Standard library only, Python 3.7 and up.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any, Callable, Dict, List, Tuple

from lab.guest import system

ChildFn = Callable[[Dict[str, Any], int, str], None]
"""(job spec, result fd, job folder): runs in the child and writes the result to the fd; never returns."""


class Spare:
    """A child forked before its job is known, waiting for its order (see the module's docstring)."""

    def __init__(self, pid: int, order: int, result: int, streams: List[int]) -> None:
        self.pid, self.order, self.result, self.streams = pid, order, result, streams
        self.as_forked = settings(os.getpid())

    def fit(self) -> bool:
        """Alive, not stopped, with the limits, priority, scheduling and CPUs this process has."""
        try:
            if os.waitpid(self.pid, os.WNOHANG | os.WUNTRACED)[0]:
                return False  # it died or was stopped
        except ChildProcessError:
            return False
        return settings(self.pid) == self.as_forked

    def discard(self) -> None:
        system.kill_group(self.pid)
        try:
            os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.end()

    def end(self) -> None:
        """No job for it: its order's pipe closes, and it exits."""
        os.close(self.order)
        for fd in [self.result, *self.streams]:
            os.close(fd)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass



def fork(child: ChildFn, close: List[int], worker: int) -> Spare:
    """A spare of this process: in the child, `close` (the server's own fds, other jobs' pipes) is closed
    first; nothing of the server's may stay reachable from the job's code."""
    order_read, order_write = os.pipe()
    read_fd, write_fd = pipe()
    streams = [pipe(), pipe()]
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in [*close, order_write, read_fd, *(r for r, _ in streams)]:
                os.close(fd)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.close(devnull)
            os.setsid()  # a group of its own, killed whole when the job ends
            system.die_with_parent(worker)
            system.drop_privileges()
            order = read_all(order_read)
            if order:
                _become(child, json.loads(order.decode()), write_fd, streams[0][1], streams[1][1])
            os._exit(0)  # no job came: the server ended
        finally:
            os._exit(70)
    os.close(order_read)
    os.close(write_fd)
    for _, writer in streams:
        os.close(writer)
    return Spare(pid, order_write, read_fd, [r for r, _ in streams])


def _become(child: ChildFn, order: Dict[str, Any], result: int, out: int, err: int) -> None:
    """In a spare: become the job's child. A program's stdout and stderr apart (the host reads what it
    printed); a trial's or a session's together."""
    spec = order["spec"]
    if spec.get("kind") != "program":
        os.close(err)
        err = out
    for source, target in ((out, 1), (err, 2)):
        os.dup2(source, target)
    for fd in {out, err}:
        os.close(fd)
    child(spec, result, order["folder"])


def pipe() -> Tuple[int, int]:
    """A pipe whose reading end does not block."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    return read_fd, write_fd


def settings(pid: int) -> Tuple[Any, ...]:
    """What another process of the same user can change of `pid` without tracing it: its limits,
    priority, scheduling and CPUs (each None where this system does not say)."""
    import resource

    def read(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (OSError, AttributeError, ValueError):
            return None

    def limit(name: str) -> Any:
        return read(lambda: resource.prlimit(pid, getattr(resource, name)))

    limits = tuple(limit(n) for n in sorted(dir(resource)) if n.startswith("RLIMIT_"))
    return (limits, read(lambda: os.getpriority(os.PRIO_PROCESS, pid)), read(lambda: os.sched_getscheduler(pid)),
            read(lambda: tuple(sorted(os.sched_getaffinity(pid)))))


def read_all(fd: int) -> bytes:
    """Everything a blocking pipe gives until its writer closes it."""
    data = bytearray()
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            os.close(fd)
            return bytes(data)
        data += chunk


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
