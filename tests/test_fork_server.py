"""The fork server (lab/guest/server.py) with real forked children of a plain Python process (no
TensorFlow): what a session's child may write (each cell's line labelled as it comes, only for a cell
the job has, once; a line too long stops the session); a child that closed its pipes is ended with
what it started before the next job runs; the child forked ahead for the next job takes it only as
it was forked, whatever the job before it did to it."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

from lab.channel import Channel
from lab.guest import system
from lab.guest.answer import end, send
from lab.guest.server import MAX_CELL_LINE, Server
from lab.guest.system import children


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def serve(lines: List[bytes], cells: int = 3) -> Channel:
    """One session job whose child writes `lines` to its pipe and exits; what the host reads of it."""

    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        for line in lines:
            _write(fd, line)
        os._exit(0)

    return worker(child, [{"kind": "session", "cell_timeout_s": 10, "cells": [{"text": "", "kind": "code"}] * cells}])


def jobs(*bodies: Callable[[int], Dict[str, Any]]) -> List[Any]:
    """Program jobs whose children run `bodies` (each given its job index) and send what they return."""

    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        send(fd, bodies[spec["n"]](spec["n"]))
        end()

    channel = worker(child, [{"kind": "program", "n": n} for n in range(len(bodies))])
    return sorted(channel.answers, key=lambda a: a.index)


def worker(child: Callable[[Dict[str, Any], int, str], None], specs: List[Dict[str, Any]]) -> Channel:
    """The jobs served by a worker of its own, as the guest's (a subreaper, not dumpable); what it wrote."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            system.become_subreaper()
            system.not_dumpable()
            with tempfile.TemporaryDirectory() as work, os.fdopen(write_fd, "wb") as out:
                Server(child, out, work).serve(specs, lambda spec: 20.0)
        finally:
            os._exit(0)
    os.close(write_fd)
    channel = Channel()
    with os.fdopen(read_fd, "rb") as given:
        channel.feed(given.read())
    os.waitpid(pid, 0)
    channel.close()
    return channel


def siblings() -> List[int]:
    """The other children of this child's worker: the child forked ahead for the next job."""
    return [p for p in children(os.getppid()) if p != os.getpid()]


def test_the_child_forked_ahead_is_replaced_when_the_job_before_it_changed_or_stopped_it() -> None:
    def meddle(n: int) -> Dict[str, Any]:
        # The worker forks the next job's child right after starting this one: wait for it.
        deadline = time.monotonic() + 10
        while not siblings() and time.monotonic() < deadline:
            time.sleep(0.01)
        for pid in siblings():
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (16, 16))
            os.kill(pid, signal.SIGSTOP)
        return {"meddled": len(siblings())}

    def limits(n: int) -> Dict[str, Any]:
        return {"nofile": list(resource.getrlimit(resource.RLIMIT_NOFILE))}

    first, second = jobs(meddle, limits)
    assert json.loads(first.payload) == {"meddled": 1}  # there was one, and it was changed and stopped
    assert json.loads(second.payload) == {"nofile": list(resource.getrlimit(resource.RLIMIT_NOFILE))}


def running(pid: int) -> bool:
    """The process exists and is no zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def test_a_child_that_closed_its_pipes_is_ended_with_what_it_started_before_the_next_job(tmp_path: Path) -> None:
    note = tmp_path / "helper.pid"

    def leave(n: int) -> Dict[str, Any]:
        helper = subprocess.Popen(["sleep", "60"], start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)  # outside its group, not holding its pipes
        note.write_text(str(helper.pid))
        for fd in (1, 2):
            os.close(fd)
        os.closerange(3, 256)  # its result pipe too, and it goes on: its place is free, its job over
        time.sleep(60)
        return {}

    def look(n: int) -> Dict[str, Any]:
        return {"helper running": running(int(note.read_text()))}

    left, looked = jobs(leave, look)
    assert (left.header["ended"], left.payload) == ("closed", b"")
    assert json.loads(looked.payload) == {"helper running": False}


def test_a_child_killed_as_its_pipes_close_is_reported_killed_not_closed() -> None:
    # The OOM killer's SIGKILL: the dying child's pipes close as it goes, a moment before its status can
    # be read. Its line must say how it ended (a CI run reported a container's OOM as "closed").
    def killed(n: int) -> Dict[str, Any]:
        for fd in (1, 2):
            os.close(fd)
        os.closerange(3, 256)
        time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGKILL)
        return {}

    (answer,) = jobs(killed)
    assert (answer.header["ended"], answer.header["code"], answer.payload) == ("signal", signal.SIGKILL, b"")


def test_each_cell_line_is_labelled_with_the_job_and_its_cell_as_it_comes() -> None:
    channel = serve([b'0 {"status": "ran"}\n', b'2 {"status": "raised"}\n'])
    assert [(a.index, a.cell, a.payload) for a in channel.answers] == [
        (0, 0, b'{"status": "ran"}'), (0, 2, b'{"status": "raised"}'), (0, None, b"")]
    final = channel.answers[-1].header
    assert (final["ended"], final["code"], final["cells"]) == ("exit", 0, 2) and channel.refused == 0


def test_lines_for_a_cell_the_job_lacks_or_answered_or_of_another_shape_are_dropped() -> None:
    channel = serve([b'5 {"status": "ran"}\n',  # the job has three cells
                     b'1 {"status": "ran"}\n', b'1 {"status": "crashed"}\n',  # cell 1 twice: the first stands
                     b'x {"status": "ran"}\n', b"-1 {}\n", b'2 {"caf\xc3\xa9": 1}\n',  # no cell number; not ASCII
                     b'0 {"cut short'])  # no newline before the end
    assert [(a.cell, a.payload) for a in channel.answers] == [(1, b'{"status": "ran"}'), (None, b"")]
    assert channel.refused == 0


def test_a_session_that_writes_a_line_past_the_limit_is_stopped_and_keeps_what_it_said_before() -> None:
    channel = serve([b'0 {"status": "ran"}\n', b"1 " + b"x" * (MAX_CELL_LINE + 10)])
    assert [a.cell for a in channel.answers] == [0, None]
    assert channel.answers[-1].header["ended"] == "oversized"
    assert json.loads(channel.answers[0].payload) == {"status": "ran"}


def _pipes() -> int:
    """How many pipes this process holds open."""
    found = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            found += os.readlink(f"/proc/self/fd/{name}").startswith("pipe:")
        except OSError:
            pass
    return found


def test_no_later_job_holds_the_pipes_of_a_job_whose_child_is_still_exiting() -> None:
    import mmap

    def large(n: int) -> Dict[str, Any]:
        pages = mmap.mmap(-1, 1 << 30)  # 1 GiB touched: its exit, after its pipes closed, takes a while
        for at in range(0, len(pages), mmap.PAGESIZE):
            pages[at] = 1
        return {"pipes": _pipes()}

    def count(n: int) -> Dict[str, Any]:
        return {"pipes": _pipes()}

    answers = jobs(large, count, count, count)
    # Every job's child holds its own pipes only, forked while the large child still exited or not.
    assert len({json.loads(a.payload)["pipes"] for a in answers}) == 1


def test_a_session_that_floods_its_pipe_with_lines_is_stopped_not_parsed_line_by_line() -> None:
    channel = serve([b"\n" * (8 << 20), b'0 {"status": "ran"}\n'])
    (answer,) = channel.answers  # the cell's line after the flood was never taken
    assert answer.header["ended"] == "oversized" and answer.cell is None
