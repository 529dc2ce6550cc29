"""The guest's fork server, driven directly: a child per job, labelled answers, and no child that
outlives its job, speaks past its limits or reaches another job's pipe."""

from __future__ import annotations

import faulthandler
import io
import json
import os
import signal
import stat
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from lab.channel import Channel
from lab.guest import server
from lab.guest.answer import send
from lab.guest.server import Server

Child = Callable[[Dict[str, Any], int, str], None]


def serve(child: Child, jobs: List[Dict[str, Any]], tmp_path: Path, parallel: int = 1,
          timeout_s: float = 30.0) -> Channel:
    """The server's whole output for these jobs, as the host reads it."""
    out = io.BytesIO()
    Server(child, out, str(tmp_path), parallel).serve(jobs, lambda spec: float(spec.get("timeout_s", timeout_s)))
    channel = Channel()
    channel.feed(out.getvalue())
    channel.close()
    return channel


def answers(channel: Channel) -> Dict[int, Dict[str, Any]]:
    return {a.index: {**a.header, "payload": a.payload} for a in channel.answers}


def test_every_job_is_answered_once_under_the_index_the_server_gave_it(tmp_path: Path) -> None:
    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        os.write(1, f"printed by {spec['name']}\n".encode())  # its own output, apart from its result
        send(fd, {"name": spec["name"], "claims_to_be_job": 99})
        os._exit(0)

    channel = serve(child, [{"name": "a"}, {"name": "b"}, {"name": "c"}], tmp_path)
    got = answers(channel)
    assert sorted(got) == [0, 1, 2] and channel.refused == 0
    assert [json.loads(got[i]["payload"])["name"] for i in range(3)] == ["a", "b", "c"]
    assert all(got[i]["ended"] == "exit" and got[i]["code"] == 0 for i in range(3))
    assert [i for i, _ in channel.started] == [0, 1, 2]


def test_a_child_that_dies_or_hangs_is_answered_with_how_it_ended(tmp_path: Path) -> None:
    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        if spec["how"] == "abort":
            os.write(2, b"fatal: on purpose\n")
            faulthandler.disable()  # pytest's would print this child's stack on the test's stderr
            os.kill(os.getpid(), signal.SIGABRT)
        if spec["how"] == "hang":
            time.sleep(600)
        os._exit(3)

    jobs = [{"how": "abort"}, {"how": "hang", "timeout_s": 1}, {"how": "exit"}]
    got = answers(serve(child, jobs, tmp_path))
    assert (got[0]["ended"], got[0]["code"]) == ("signal", signal.SIGABRT)
    assert "fatal: on purpose" in got[0]["tail"]
    assert got[1]["ended"] == "timeout" and got[1]["payload"] == b""
    assert (got[2]["ended"], got[2]["code"], got[2]["payload"]) == ("exit", 3, b"")


def test_a_result_past_the_limit_is_refused_and_its_child_stopped(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(server, "MAX_PAYLOAD", 1000)

    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        os.write(fd, b"[" * 5000)
        time.sleep(600)

    got = answers(serve(child, [{}], tmp_path))
    assert got[0]["ended"] == "oversized" and got[0]["payload"] == b""


def test_only_ascii_json_on_one_line_is_passed_on(tmp_path: Path) -> None:
    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        os.write(fd, spec["bytes"].encode("latin-1"))
        os._exit(0)

    got = answers(serve(child, [{"bytes": '{"a": 1}\n{"job": 1}'}, {"bytes": '{"a": "\xe9"}'}], tmp_path))
    assert got[0]["payload"] == b"" and got[1]["payload"] == b""


def test_a_process_a_job_left_in_a_session_of_its_own_is_ended_with_the_job(tmp_path: Path) -> None:
    marker = tmp_path / "stray.pid"

    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        if os.fork() == 0:  # the stray: a new session, and its parent gone at once
            os.setsid()
            if os.fork() == 0:
                marker.write_text(str(os.getpid()))
                time.sleep(600)
            os._exit(0)
        while not marker.exists():
            time.sleep(0.01)
        send(fd, {})
        os._exit(0)

    from lab.guest import system

    assert system.become_subreaper()  # as the guest's worker is: the stray becomes this process's child
    serve(child, [{}], tmp_path)
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_two_jobs_run_at_once_with_parallel_two(tmp_path: Path) -> None:
    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        (tmp_path / spec["me"]).touch()
        deadline = time.monotonic() + 20
        while not (tmp_path / spec["other"]).exists():  # only a job running beside it can make this
            if time.monotonic() > deadline:
                os._exit(9)
            time.sleep(0.01)
        send(fd, {"met": spec["other"]})
        os._exit(0)

    got = answers(serve(child, [{"me": "a", "other": "b"}, {"me": "b", "other": "a"}], tmp_path, parallel=2))
    assert [json.loads(got[i]["payload"]) for i in (0, 1)] == [{"met": "b"}, {"met": "a"}]


def test_a_child_holds_no_pipe_of_a_job_running_beside_it(tmp_path: Path) -> None:
    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        (tmp_path / spec["me"]).touch()
        while not (tmp_path / spec["other"]).exists():  # both run at once
            time.sleep(0.01)
        pipes = []
        for name in os.listdir("/proc/self/fd"):
            try:
                info = os.fstat(int(name))
            except OSError:
                continue
            if stat.S_ISFIFO(info.st_mode):
                pipes.append(info.st_ino)
        send(fd, {"pipes": pipes, "result_pipe": os.fstat(fd).st_ino})
        os._exit(0)

    got = answers(serve(child, [{"me": "a", "other": "b"}, {"me": "b", "other": "a"}], tmp_path, parallel=2))
    first, second = (json.loads(got[i]["payload"]) for i in (0, 1))
    assert first["result_pipe"] not in second["pipes"] and second["result_pipe"] not in first["pipes"]


def test_a_program_that_ran_and_printed_digits_runs_a_second_time(tmp_path: Path) -> None:
    def child(spec: Dict[str, Any], fd: int, folder: str) -> None:
        os.write(1, spec["prints"].encode() + b"\n")
        send(fd, {"status": "ran", "error": None, "duration_s": 0.0})
        os._exit(0)

    jobs = [{"kind": "program", "repeat": 2, "prints": "v: 1.5"}, {"kind": "program", "repeat": 2, "prints": "hi"}]
    channel = serve(child, jobs, tmp_path)
    assert sorted((a.index, a.attempt) for a in channel.answers) == [(0, 1), (0, 2), (1, 1)]
    assert channel.answers[0].header["stdout"] == {"text": "v: 1.5\n", "bytes": 7}
