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
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Tuple

from lab.guest import system

MAX_PAYLOAD = 8 << 20
"""A child's result larger than this is refused (the child is killed): results are summaries."""
MAX_SMALL_PAYLOAD = 64 << 10
"""A program's result is three fields: this server reads no more of it to decide a repeat."""
TAIL = 2 << 10
"""What is kept of a child's log when it dies: the end, where the reason is."""
HEAD, OUT_TAIL = 12 << 10, 4 << 10
"""What is kept of a program's stdout and stderr: the start, and the end (a traceback)."""
_DIGIT = re.compile(r"\d")

ChildFn = Callable[[Dict[str, Any], int, str], None]
"""(job spec, result fd, job folder): runs in the child and writes the result to the fd; never returns."""


class Output:
    """What a child printed on one stream, read from its pipe as it comes: the first `head` bytes,
    the last `tail`, and how many in all. A child printing hundreds of MB costs no memory and no
    disk; what it printed survives its crash."""

    def __init__(self, fd: int, head: int, tail: int) -> None:
        self.fd, self.head_limit, self.tail_limit = fd, head, tail
        self.head = bytearray()
        self.tail = bytearray()
        self.size = 0
        self.eof = False

    def read(self) -> None:
        for data in _chunks(self.fd, self.eof):
            if not data:
                self.eof = True
                return
            self.size += len(data)
            room = self.head_limit - len(self.head)
            if room > 0:
                self.head += data[:room]
                data = data[room:]
            self.tail += data
            if len(self.tail) > self.tail_limit:
                del self.tail[:len(self.tail) - self.tail_limit]

    def value(self) -> Dict[str, Any]:
        """The text kept (with a note of what was left out between its start and end) and the size."""
        left_out = self.size - len(self.head) - len(self.tail)
        gap = b"\n[... %d bytes left out ...]\n" % left_out if left_out else b""
        data = bytes(self.head) + gap + bytes(self.tail)
        return {"text": data.decode("utf-8", errors="replace"), "bytes": self.size}


def _chunks(fd: int, eof: bool) -> Iterator[bytes]:
    """What a non-blocking pipe holds now, a chunk at a time; b"" once at its end."""
    while not eof:
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        yield data
        eof = not data


def _pipe() -> Tuple[int, int]:
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    return read_fd, write_fd


class Running:
    """A job's child while it runs: its result pipe and what came through it, its output, its time limit."""

    def __init__(self, index: int, attempt: int, spec: Dict[str, Any], pid: int, fd: int, outputs: List[Output],
                 folder: str, deadline: float) -> None:
        self.index, self.attempt, self.spec = index, attempt, spec
        self.pid, self.fd, self.outputs, self.folder, self.deadline = pid, fd, outputs, folder, deadline
        self.started = time.monotonic()
        self.payload = bytearray()
        self.oversized = False
        self.eof = False
        self.status: Optional[int] = None

    @property
    def fds(self) -> List[int]:
        return [self.fd, *(o.fd for o in self.outputs)]


class Server:
    """Runs jobs in forked children, at most `parallel` at once, and writes their lines to `out`."""

    def __init__(self, child: ChildFn, out: IO[bytes], work: str, parallel: int = 1) -> None:
        self.child, self.out, self.work = child, out, work
        self.parallel = max(1, parallel)
        self.running: Dict[int, Running] = {}
        self.pid = os.getpid()
        self._wake_write = -1

    def _write(self, data: Dict[str, Any], payload: Optional[bytes] = None) -> None:
        self.out.write(json.dumps(data).encode() + b"\n")
        if payload is not None:
            self.out.write(payload + b"\n")
        self.out.flush()

    def _start(self, index: int, attempt: int, spec: Dict[str, Any], timeout_s: float, wake: int) -> Running:
        folder = os.path.join(self.work, f"job{index}-{attempt}")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        self._write({"start": index, "attempt": attempt})
        read_fd, write_fd = _pipe()
        # A program's stdout and stderr apart (the host reads what it printed); a trial's together.
        program = spec.get("kind") == "program"
        streams = [_pipe(), _pipe()] if program else [_pipe()]
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: nothing of the server's may stay reachable from the job's code
            try:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                for fd in [wake, self._wake_write, read_fd, *(r for r, _ in streams)]:
                    os.close(fd)
                for other in self.running.values():
                    for fd in other.fds:
                        os.close(fd)  # another job's pipes: the child could read its result
                out, err = streams[0][1], streams[-1][1]
                devnull = os.open(os.devnull, os.O_RDONLY)
                for source, target in ((devnull, 0), (out, 1), (err, 2)):
                    os.dup2(source, target)
                for fd in {devnull, out, err}:
                    os.close(fd)
                os.setsid()  # a group of its own, killed whole when the job ends
                system.die_with_parent(self.pid)
                system.drop_privileges()
                self.child(spec, write_fd, folder)
            finally:
                os._exit(70)
        os.close(write_fd)
        for _, writer in streams:
            os.close(writer)
        heads = [(HEAD, OUT_TAIL), (HEAD, OUT_TAIL)] if program else [(0, TAIL)]
        outputs = [Output(r, head, tail) for (r, _), (head, tail) in zip(streams, heads)]
        job = Running(index, attempt, spec, pid, read_fd, outputs, folder, time.monotonic() + timeout_s)
        self.running[read_fd] = job
        return job

    def _read(self, job: Running) -> None:
        """What the child wrote since the last read (all of it, once the child has exited)."""
        for data in _chunks(job.fd, job.eof):
            if not data:
                job.eof = True
                return
            if len(job.payload) + len(data) > MAX_PAYLOAD:
                job.oversized = True
                system.kill_group(job.pid)
                job.eof = True
                return
            job.payload += data

    def _finish(self, job: Running, timed_out: bool) -> Dict[str, Any]:
        """The job's line, written; its child, its group and any stray are gone."""
        if timed_out or job.oversized:
            system.kill_group(job.pid)
        if job.status is None:
            _, job.status = os.waitpid(job.pid, 0)  # killed above: it ends now
        system.kill_group(job.pid)  # what the job started and left in its group
        for output in job.outputs:
            output.read()  # what it printed before it ended (a process it left holding the pipe is gone)
        for fd in job.fds:
            os.close(fd)
        del self.running[job.fd]
        system.end_strays(keep=frozenset(r.pid for r in self.running.values()))
        status = job.status
        if timed_out:
            ended, code = "timeout", 0
        elif job.oversized:
            ended, code = "oversized", 0
        elif os.WIFSIGNALED(status):
            ended, code = "signal", os.WTERMSIG(status)
        else:
            ended, code = "exit", os.WEXITSTATUS(status)
        payload = bytes(job.payload)
        if ended in ("timeout", "oversized") or not payload.isascii() or b"\n" in payload:
            payload = b""  # only a child that ended by itself speaks, and only in ASCII JSON on one line
        line: Dict[str, Any] = {"job": job.index, "attempt": job.attempt, "ended": ended, "code": code,
                                "wall_s": round(time.monotonic() - job.started, 6), "bytes": len(payload)}
        if job.spec.get("kind") == "program":
            line["stdout"], line["stderr"] = (o.value() for o in job.outputs)
        else:
            line["tail"] = job.outputs[0].value()["text"]
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
        if done["ended"] != "exit" or len(done["payload"]) > MAX_SMALL_PAYLOAD:
            return False
        try:
            result = json.loads(done["payload"].decode())
        except Exception:  # the child's bytes: anything it wrote is only a reason not to repeat
            return False
        return isinstance(result, dict) and result.get("status") == "ran" and bool(
            _DIGIT.search((done["stdout"] or {}).get("text", "")))

    def _exited(self, job: Running) -> bool:
        if job.status is None:
            pid, status = os.waitpid(job.pid, os.WNOHANG)
            if pid:
                job.status = status
        return job.status is not None

    def serve(self, jobs: List[Dict[str, Any]], timeout_s: Callable[[Dict[str, Any]], float]) -> None:
        """Every job in order of index (at most `parallel` at once), each answered by one line.
        A job is over when its child exits (what it wrote to its pipe by then is its result; a
        process it left holding the pipe does not keep the job open) or at its time limit."""
        queue = [(i, 1, spec) for i, spec in enumerate(jobs)]
        poller = select.poll()
        streams: Dict[int, Running] = {}
        wake, self._wake_write = _child_exits(poller)
        try:
            while queue or self.running:
                while queue and len(self.running) < self.parallel:
                    index, attempt, spec = queue.pop(0)
                    started = self._start(index, attempt, spec, timeout_s(spec), wake)
                    for fd in started.fds:
                        poller.register(fd, select.POLLIN | select.POLLHUP)
                        streams[fd] = started
                wait_s = min(j.deadline for j in self.running.values()) - time.monotonic()
                for fd, _ in poller.poll(max(1, min(1000, int(1000 * wait_s) + 1))):
                    if fd == wake:
                        _drain(wake)
                    elif fd in self.running:
                        self._read(self.running[fd])
                    elif fd in streams:
                        next(o for o in streams[fd].outputs if o.fd == fd).read()
                for job in list(self.running.values()):
                    exited = self._exited(job)
                    timed_out = not exited and time.monotonic() >= job.deadline
                    if not (exited or timed_out or job.oversized):
                        continue
                    if exited:
                        self._read(job)
                    for fd in job.fds:
                        poller.unregister(fd)
                        streams.pop(fd, None)
                    done = self._finish(job, timed_out)
                    if self._again(job, done):
                        queue.insert(0, (job.index, 2, job.spec))
        finally:
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
