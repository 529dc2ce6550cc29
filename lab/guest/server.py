"""The fork server: every job in a child of its own, forked from this warm process, writing
through a pipe of its own; this process, which never runs a job's code, labels what came back.

A job's child cannot speak for another job: it holds only its own pipe, the channel to the
host (this process's stdout) is closed in it, and this process is non-dumpable, so the child
cannot open the channel through /proc either. What a child left behind (a process in a new
session) is ended when its job ends: this process is a subreaper.

The channel, one line each, ASCII JSON:
  {"start": I, "attempt": A}                  before job I's child starts
  {"job": I, "attempt": A, "ended": ..., "code": ..., "wall_s": ..., "bytes": N, ...}
  PAYLOAD                                     exactly N bytes: the child's own result, then a newline

A session (a document's cells in order, lab/guest/verbatim/session.py) answers as it goes: its
child writes a line `CELL RESULT` per cell, and this process writes each on at once, labelled
  {"job": I, "attempt": A, "cell": C, "bytes": N}
  RESULT
for a cell C the job has and not yet answered (a line of any other shape is dropped), then the
job's own header (`bytes` 0) when the chain has ended.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import sys
import time
from typing import IO, Any, Callable, Dict, List, Optional, Set, Tuple

from lab.guest import system
from lab.guest.output import HEAD, Output, chunks
from lab.guest.output import TAIL as OUT_TAIL
from lab.guest.spare import ChildFn, Spare, fork, write_all

MAX_PAYLOAD = 8 << 20
"""A child's result larger than this is refused (the child is killed): results are summaries."""
MAX_SMALL_PAYLOAD = 64 << 10
"""A program's result is three fields: this server reads no more of it to decide a repeat."""
TAIL = 2 << 10
"""What is kept of a child's log when it dies: the end, where the reason is."""
MAX_CELL_LINE = 1 << 20
"""A session's line for one cell longer than this stops the session: a cell's result is a summary."""
MAX_SESSION = 64 << 20
"""All a session's child may write through its pipe."""
_DIGIT = re.compile(r"\d")
EXIT_GRACE_S = 0.5
"""How long a child whose pipes closed without its result is given to show its exit status."""

def _descendants(pid: int) -> List[int]:
    """Every live process below `pid` (from /proc)."""
    found: List[int] = []
    todo = [pid]
    while todo:
        below = system.children(todo.pop())
        found += below
        todo += below
    return found


class Running:
    """A job's child while it runs: its result pipe and what came through it, its output, its time limit."""

    def __init__(self, index: int, attempt: int, spec: Dict[str, Any], pid: int, fd: int, outputs: List[Output],
                 folder: str, deadline: float) -> None:
        self.index, self.attempt, self.spec = index, attempt, spec
        self.pid, self.fd, self.outputs, self.folder, self.deadline = pid, fd, outputs, folder, deadline
        self.started = time.monotonic()
        self.payload = bytearray()
        self.received = 0
        self.closed = False
        """Its child closed all its pipes and was ended then (see Server._close)."""
        self.seen: set = set()
        """A session's cells answered so far."""
        self.lines = 0
        """A session's lines read so far (each cell's, and a death's: at most two per cell)."""
        self.oversized = False
        self.eof = False
        self.status: Optional[int] = None
        self.grace_until: Optional[float] = None
        """Set when its pipes all closed without a byte of its result (see Server.serve)."""

    @property
    def wake_at(self) -> float:
        """When the server must look at it even if nothing happens: its time limit, or its grace's end."""
        return self.deadline if self.grace_until is None else min(self.deadline, self.grace_until)

    @property
    def fds(self) -> List[int]:
        return [self.fd, *(o.fd for o in self.outputs)]


class Server:
    """Runs jobs in forked children, at most `parallel` at once, and writes their lines to `out`."""

    def __init__(self, child: ChildFn, out: IO[bytes], work: str, parallel: int = 1) -> None:
        self.child, self.out, self.work = child, out, work
        self.parallel = max(1, parallel)
        self.running: Dict[int, Running] = {}
        self.spare: Optional[Spare] = None
        self.closing: List[Running] = []
        """Jobs whose child closed its pipes and is exiting: their place is free, their line waits for its status."""
        self.pid = os.getpid()
        self._wake_write = -1

    def _write(self, data: Dict[str, Any], payload: Optional[bytes] = None) -> None:
        self.out.write(json.dumps(data).encode() + b"\n")
        if payload is not None:
            self.out.write(payload + b"\n")
        self.out.flush()

    def _fork(self, wake: int) -> Spare:
        """A spare for the next job; in it, this server's fds and every running job's pipes are closed."""
        return fork(self.child, [wake, self._wake_write, *(fd for r in self.running.values() for fd in r.fds)],
                    self.pid)

    def _start(self, index: int, attempt: int, spec: Dict[str, Any], timeout_s: float, wake: int) -> Running:
        spare, self.spare = self.spare, None
        if spare is None or not spare.fit():
            if spare is not None:
                spare.discard()
            spare = self._fork(wake)
        folder = os.path.join(self.work, f"job{index}-{attempt}")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        self._write({"start": index, "attempt": attempt})
        try:
            write_all(spare.order, json.dumps({"spec": spec, "folder": folder}).encode())
        except OSError:
            pass  # the spare is gone: its job ends as its child did
        os.close(spare.order)
        program = spec.get("kind") == "program"
        if not program:
            os.close(spare.streams.pop())
        heads = [(HEAD, OUT_TAIL), (HEAD, OUT_TAIL)] if program else [(0, TAIL)]
        outputs = [Output(r, head, tail) for r, (head, tail) in zip(spare.streams, heads)]
        job = Running(index, attempt, spec, spare.pid, spare.result, outputs, folder, time.monotonic() + timeout_s)
        self.running[spare.result] = job
        return job

    def _read(self, job: Running) -> None:
        """What the child wrote since the last read (all of it, once the child has exited)."""
        session = job.spec.get("kind") == "session"
        for data in chunks(job.fd, job.eof):
            if not data:
                job.eof = True
                return
            job.received += len(data)
            if job.received > (MAX_SESSION if session else MAX_PAYLOAD):
                self._oversized(job)
                return
            job.payload += data
            if session:
                self._cells(job)
                if job.oversized:
                    return

    def _oversized(self, job: Running) -> None:
        job.oversized = True
        system.kill_group(job.pid)
        job.eof = True

    def _cells(self, job: Running) -> None:
        """A session's complete lines, each written on labelled with its job and its cell."""
        count = len(job.spec.get("cells") or ())
        while True:
            end = job.payload.find(b"\n")
            if end < 0:
                if len(job.payload) > MAX_CELL_LINE:
                    self._oversized(job)
                return
            line = bytes(job.payload[:end])
            del job.payload[:end + 1]
            job.lines += 1
            if job.lines > 2 * count + 2:  # a flood of lines: the event loop is not the session's to hold
                self._oversized(job)
                return
            number, _, result = line.partition(b" ")
            if not (number.isdigit() and len(number) < 7 and result.isascii()):
                continue
            cell = int(number)
            if cell < count and cell not in job.seen:
                job.seen.add(cell)
                self._write({"job": job.index, "attempt": job.attempt, "cell": cell, "bytes": len(result)}, result)

    def _finish(self, job: Running, timed_out: bool) -> Dict[str, Any]:
        """The job's line, written; its child, its group and any stray are gone."""
        session = job.spec.get("kind") == "session"
        if timed_out or job.oversized:
            system.kill_group(job.pid)
        if session and not job.oversized:
            self._read(job)  # the cells answered before the end
        if job.status is None:
            _, job.status = os.waitpid(job.pid, 0)  # killed above: it ends now
        system.kill_group(job.pid)  # what the job started and left in its group
        if not job.closed:  # a closed job's pipes were read to their end and closed by _close
            for output in job.outputs:
                output.read()  # what it printed before it ended (a process it left holding the pipe is gone)
            for fd in job.fds:
                os.close(fd)
            self.running.pop(job.fd, None)
        system.end_strays(keep=self._ours())
        status = job.status
        if timed_out:
            ended, code = "timeout", 0
        elif job.oversized:
            ended, code = "oversized", 0
        elif job.closed and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            ended, code = "closed", 0  # ended by this process once it had closed its pipes (_close)
        elif os.WIFSIGNALED(status):
            ended, code = "signal", os.WTERMSIG(status)
        else:
            ended, code = "exit", os.WEXITSTATUS(status)
        payload = bytes(job.payload)
        if session or ended in ("timeout", "oversized") or not payload.isascii() or b"\n" in payload:
            payload = b""  # only a child that ended by itself speaks, and only in ASCII JSON on one line
        line: Dict[str, Any] = {"job": job.index, "attempt": job.attempt, "ended": ended, "code": code,
                                "wall_s": round(time.monotonic() - job.started, 6), "bytes": len(payload)}
        if job.spec.get("kind") == "program":
            line["stdout"], line["stderr"] = (o.value() for o in job.outputs)
        else:
            line["tail"] = job.outputs[0].value()["text"]
        if session:
            line["cells"] = len(job.seen)
        self._write(line, payload)
        # For whoever reads the guest's log (the host names a dead guest's job from it; tests wait on it).
        print(f"lab-guest: job {job.index} attempt {job.attempt} ended: {ended} {code}", file=sys.stderr, flush=True)
        shutil.rmtree(job.folder, ignore_errors=True)
        return {"ended": ended, "payload": payload, "stdout": line.get("stdout")}

    def _again(self, job: Running, done: Dict[str, Any]) -> bool:
        """A program that ran and printed digits runs a second time, so the host can tell a
        block that draws new numbers on every run from a deterministic one."""
        if job.spec.get("kind") != "program" or job.attempt > 1 or int(job.spec.get("repeat", 1)) < 2:
            return False
        if done["ended"] not in ("exit", "closed") or len(done["payload"]) > MAX_SMALL_PAYLOAD:
            return False
        try:
            result = json.loads(done["payload"].decode())
        except Exception:  # the child's bytes: anything it wrote is only a reason not to repeat
            return False
        return isinstance(result, dict) and result.get("status") == "ran" and bool(
            _DIGIT.search((done["stdout"] or {}).get("text", "")))

    def _close(self, job: Running) -> None:
        """A child that closed all its pipes (answer.end, its result sent) is ended now with what it started
        (its group, its descendants, orphans), so nothing of its job runs beside the next one; its exit
        (tearing down TensorFlow's pages) is reaped later, and its line written then."""
        job.closed = True
        del self.running[job.fd]
        for fd in job.fds:  # read to their end: closed now, so no child forked from here holds them
            os.close(fd)
        self.closing.append(job)
        system.kill_group(job.pid)
        # Until none is left below it: a descendant may fork while it is being killed, and walking
        # again is also how this waits for the killed to be gone before the next job looks around
        # (stopping at the first walk that finds no new pid let a killed one still run then).
        for _ in range(100):
            found = _descendants(job.pid)
            if not found:
                break
            for pid in found:
                system.kill_group(pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        system.end_strays(keep=self._ours())

    def _ours(self) -> frozenset:
        """This process's children that are jobs' (running, or exiting) or the spare."""
        return frozenset([*(r.pid for r in self.running.values()), *(c.pid for c in self.closing),
                          *([self.spare.pid] if self.spare else [])])

    def _over(self, job: Running, timed_out: bool, queue: List[Tuple[int, int, Dict[str, Any]]]) -> None:
        done = self._finish(job, timed_out)
        if self._again(job, done):
            queue.insert(0, (job.index, 2, job.spec))

    def _exited(self, job: Running) -> bool:
        if job.status is None:
            pid, status = os.waitpid(job.pid, os.WNOHANG)
            if pid:
                job.status = status
        return job.status is not None

    def serve(self, jobs: List[Dict[str, Any]], timeout_s: Callable[[Dict[str, Any]], float]) -> None:
        """Every job in order of index (at most `parallel` at once), each answered by one line.
        A job is over when its child exits (what it wrote to its pipe by then is its result; a
        process it left holding the pipe does not keep the job open) or at its time limit. Its
        place is free as soon as its child closed all its pipes (answer.end: its result sent): the
        exit of a process this large (TensorFlow's pages torn down) then overlaps the next job."""
        queue = [(i, 1, spec) for i, spec in enumerate(jobs)]
        poller = select.poll()
        streams: Dict[int, Running] = {}
        ended: Set[int] = set()
        """Pipes at their end, no longer polled."""
        wake, self._wake_write = _child_exits(poller)
        try:
            while queue or self.running or self.closing:
                while queue and len(self.running) < self.parallel:
                    index, attempt, spec = queue.pop(0)
                    started = self._start(index, attempt, spec, timeout_s(spec), wake)
                    for fd in started.fds:
                        poller.register(fd, select.POLLIN | select.POLLHUP)
                        streams[fd] = started
                if queue and self.spare is None:
                    self.spare = self._fork(wake)  # while the jobs just started run
                wait_s = min([j.wake_at for j in self.running.values()] or [time.monotonic() + 1]) - time.monotonic()
                for fd, _ in poller.poll(max(1, min(1000, int(1000 * wait_s) + 1))):
                    at_end = False
                    if fd == wake:
                        _drain(wake)
                    elif fd in self.running:
                        self._read(self.running[fd])
                        at_end = self.running[fd].eof
                    elif fd in streams:
                        output = next(o for o in streams[fd].outputs if o.fd == fd)
                        output.read()
                        at_end = output.eof
                    # A pipe at its end polls readable at once, every time: left registered, it
                    # would spin this loop (a core's worth) while the child's exit is under way,
                    # which the SIGCHLD wake-up reports anyway.
                    if fd != wake and at_end and fd not in ended:
                        poller.unregister(fd)
                        ended.add(fd)
                for job in list(self.running.values()):
                    exited = self._exited(job)
                    timed_out = not exited and time.monotonic() >= job.deadline
                    closed = job.eof and all(o.eof for o in job.outputs)
                    if closed and not (exited or timed_out or job.oversized or job.received):
                        # Not a word of its result: a dying child's pipes close as it goes (the OOM
                        # killer's SIGKILL), a moment before its status can be read, which then says
                        # how it ended. The SIGCHLD wake-up brings it here again; a child that closed
                        # them itself and goes on is ended, as any that closed them, after the grace.
                        if job.grace_until is None:
                            job.grace_until = time.monotonic() + EXIT_GRACE_S
                        if time.monotonic() < job.grace_until:
                            continue
                    if not (exited or timed_out or job.oversized or closed):
                        continue
                    if exited:
                        self._read(job)
                    for fd in job.fds:
                        if fd not in ended:
                            poller.unregister(fd)
                        ended.discard(fd)
                        streams.pop(fd, None)
                    if closed and not (exited or timed_out or job.oversized):
                        self._close(job)
                        continue
                    self._over(job, timed_out, queue)
                for job in list(self.closing):
                    if self._exited(job):
                        self.closing.remove(job)
                        self._over(job, False, queue)
        finally:
            if self.spare is not None:
                self.spare.end()
                self.spare = None
            signal.set_wakeup_fd(-1)
            os.close(wake)
            os.close(self._wake_write)


def _child_exits(poller: Any) -> Tuple[int, int]:
    """A pipe that becomes readable whenever a child exits (SIGCHLD), registered with `poller`."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # a handler, so the wakeup fd is written
    signal.set_wakeup_fd(write_fd)
    poller.register(read_fd, select.POLLIN)
    return read_fd, write_fd


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass
