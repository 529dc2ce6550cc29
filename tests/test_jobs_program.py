"""The program kind: what a program's run came to, its repeat, and what the host refuses."""

from __future__ import annotations

import json

from lab.channel import JobLine
from lab.jobs.program import ProgramJob, ProgramKind
from lab.status import Status

JOB = ProgramJob("print(1)", timeout_s=5.0, repeat=2)
OUT = {"text": "1\n", "bytes": 2}
NONE = {"text": "", "bytes": 0}


def run(result: object, attempt: int = 1, ended: str = "exit", code: int = 0, stdout: object = OUT) -> JobLine:
    payload = json.dumps(result).encode() if result is not None else b""
    return JobLine(0, attempt, {"job": 0, "attempt": attempt, "ended": ended, "code": code, "bytes": len(payload),
                                "stdout": stdout, "stderr": NONE}, payload)


GOOD = {"status": "ran", "error": None, "duration_s": 0.1}


def test_a_program_that_ran_twice_keeps_both_runs_output() -> None:
    result = ProgramKind({}).accept(JOB, "local", [run(GOOD, 2, stdout={"text": "2\n", "bytes": 2}), run(GOOD)],
                                    {"tensorflow": "2.21.0", "image": "x"})
    assert result is not None and result.status is Status.OK and result.stdout == OUT
    assert result.repeat == {"status": Status.OK, "stdout": {"text": "2\n", "bytes": 2}}
    assert result.facts == {"tensorflow": "2.21.0"}


def test_a_timeout_and_a_crash_are_what_the_program_did() -> None:
    kind = ProgramKind({})
    timed_out = kind.accept(JOB, "local", [run(None, ended="timeout")], {})
    crashed = kind.accept(JOB, "local", [run(None, ended="signal", code=11)], {})
    assert timed_out is not None and timed_out.status is Status.TIMEOUT and timed_out.error["message"] == "ran past 5s"
    assert crashed is not None and crashed.status is Status.CRASHED and "SIGSEGV" in crashed.error["message"]
    assert not crashed.failed  # a program's crash is a finding about the document, not the run's failure


def test_the_host_refuses_malformed_results() -> None:
    kind = ProgramKind({})
    assert kind.accept(JOB, "e", [run({**GOOD, "status": "owned"})], {}) is None
    assert kind.accept(JOB, "e", [run({**GOOD, "error": {"type": "X", "message": "m"}})], {}) is None  # ran, erred
    assert kind.accept(JOB, "e", [run(GOOD, stdout="1")], {}) is None
    assert kind.accept(JOB, "e", [run(GOOD), run(GOOD, 2), run(GOOD, 3)], {}) is None  # three runs of two


def test_a_cached_result_reads_back_as_it_was_and_a_not_run_one_is_not_kept() -> None:
    kind = ProgramKind({})
    result = kind.accept(JOB, "local", [run(GOOD)], {"python": "3.11.7"})
    assert result is not None
    assert kind.from_cache(JOB, "local", json.loads(json.dumps(kind.to_cache(result)))) == result
    assert kind.to_cache(kind.missing(JOB, "local", Status.CRASHED, "gone", {})) is None


def test_same_text_same_key_and_any_change_another() -> None:
    kind = ProgramKind({})
    key = kind.key(JOB, "local", "local:abc")
    assert key == kind.key(ProgramJob("print(1)", 5.0, 2), "local", "local:abc")
    assert len({key, kind.key(ProgramJob("print(2)", 5.0, 2), "local", "local:abc"),
                kind.key(ProgramJob("print(1)", 6.0, 2), "local", "local:abc"),
                kind.key(JOB, "local", "local:def")}) == 4


def test_a_program_that_closed_its_pipes_before_its_result_is_said_so() -> None:
    crashed = ProgramKind({}).accept(JOB, "local", [run(None, ended="closed")], {})
    assert crashed is not None and crashed.status is Status.CRASHED
    assert "closed its stdout, stderr and result pipes" in crashed.error["message"]


def test_a_duration_that_is_no_number_of_seconds_is_refused_and_a_death_is_worded_as_for_every_kind() -> None:
    for bad in (float("nan"), float("-inf"), -0.5, 1e308):
        assert ProgramKind({}).accept(JOB, "local", [run({**GOOD, "duration_s": bad})], {}) is None
    killed = ProgramKind({}).accept(JOB, "local", [run(None, ended="signal", code=9)], {})
    assert killed is not None and killed.error["message"].startswith("the program's process was killed by SIGKILL")
