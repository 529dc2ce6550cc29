"""The session kind: a line per cell, taken only for the job's own cells; what the cells without
an answer came to; the cache and the chain of cell keys."""

from __future__ import annotations

import json
from typing import Any, List, Optional

from lab.channel import JobLine
from lab.environments.batch import Batch
from lab.jobs import Kinds
from lab.jobs.session import Cell, SessionJob, SessionKind
from lab.plan import Trial
from lab.scenario import Mode
from lab.status import Status

JOB = SessionJob((Cell("x = 1\n"), Cell("x\n", shows_value=True), Cell("print(x)\n"), Cell("pass\n", kind="shell")),
                 timeout_s=5.0)
NONE = {"text": "", "bytes": 0}
RAN = {"status": "ran", "value": None, "duration_s": 0.01, "forked": True, "stdout": NONE, "stderr": NONE}


def cell(index: int, result: Any) -> JobLine:
    payload = json.dumps(result).encode()
    return JobLine(0, 1, {"job": 0, "attempt": 1, "cell": index, "bytes": len(payload)}, payload, index)


def final(ended: str = "exit", code: int = 0) -> JobLine:
    return JobLine(0, 1, {"job": 0, "attempt": 1, "ended": ended, "code": code, "wall_s": 1.5, "bytes": 0, "tail": ""},
                   b"")


def accept(*answers: JobLine) -> Optional[Any]:
    return SessionKind({}).accept(JOB, "local", list(answers), {"tensorflow": "2.21.0"})


def statuses(result: Any) -> List[Status]:
    return [c.status for c in result.cells]


def test_every_cell_answered_is_kept_with_its_value_and_the_session_ended() -> None:
    printed = {**RAN, "stdout": {"text": "1\n", "bytes": 2}}
    result = accept(cell(0, RAN), cell(1, {**RAN, "value": "1"}), cell(2, printed),
                    cell(3, {"status": "shell", "duration_s": 0.0}), final())
    assert result is not None and result.status is Status.OK and not result.unfinished
    assert statuses(result) == [Status.OK, Status.OK, Status.OK, Status.SHELL]
    assert result.cells[1].value == "1" and result.cells[2].stdout == {"text": "1\n", "bytes": 2}


def test_a_cell_may_raise_from_an_earlier_cells_code_but_not_from_a_later_one() -> None:
    earlier = {"status": "raised", "error": {"type": "NameError", "message": "m", "line": 1, "cell": 0},
               "duration_s": 0.0, "stdout": NONE, "stderr": NONE}
    assert accept(cell(1, earlier), final()) is not None
    assert accept(cell(1, {**earlier, "error": {**earlier["error"], "cell": 2}}), final()) is None


def test_the_host_refuses_answers_that_are_not_a_cell_s_result() -> None:
    assert accept(cell(4, RAN), final()) is None  # the job has four cells
    assert accept(cell(0, {**RAN, "status": "owned"}), final()) is None
    assert accept(cell(0, {"status": "shell", "duration_s": 0.0}), final()) is None  # a code cell is not shell
    assert accept(cell(0, {**RAN, "error": {"type": "X", "message": "m"}}), final()) is None  # ran, and erred
    assert accept(cell(0, RAN), final(), final()) is None
    assert accept(cell(0, RAN), JobLine(0, 2, {"job": 0, "attempt": 2, "bytes": 0}, b"")) is None


def test_after_the_process_died_in_a_cell_the_cells_after_it_were_not_reached() -> None:
    died = {"status": "crashed", "signal": 11, "how": "ended", "duration_s": 0.0, "stdout": NONE, "stderr": NONE}
    result = accept(cell(0, RAN), cell(1, died), final())
    assert statuses(result) == [Status.OK, Status.CRASHED, Status.NOT_REACHED, Status.NOT_REACHED]
    assert "SIGSEGV" in result.cells[1].error["message"] and "ends the session" in result.cells[1].error["message"]
    assert result.cells[2].error["cell"] == 1 and "died in an earlier cell" in result.cells[2].error["message"]


def test_a_discarded_timeout_lets_the_next_cell_run_in_the_state_before_it() -> None:
    late = {"status": "timeout", "how": "discarded", "duration_s": 0.0, "stdout": NONE, "stderr": NONE}
    result = accept(cell(0, late), cell(1, RAN), cell(2, RAN), cell(3, {"status": "shell", "duration_s": 0}), final())
    assert statuses(result)[:2] == [Status.TIMEOUT, Status.OK]
    assert "ran past 5s" in result.cells[0].error["message"] and "state before it" in result.cells[0].error["message"]


def test_a_session_past_its_time_times_out_in_the_cell_it_was_in() -> None:
    result = accept(cell(0, RAN), final("timeout"))
    assert statuses(result) == [Status.OK, Status.TIMEOUT, Status.NOT_REACHED, Status.NOT_REACHED]
    assert result.status is Status.OK  # the guest answered for the session: a finding about the document


def test_a_guest_that_stopped_in_the_middle_leaves_the_rest_not_run() -> None:
    result = accept(cell(0, RAN))
    assert result.status is Status.NOT_RUN and result.unfinished
    assert statuses(result) == [Status.OK, Status.NOT_RUN, Status.NOT_RUN, Status.NOT_RUN]


def test_a_cached_session_reads_back_as_it_was_and_one_not_run_is_not_kept() -> None:
    kind = SessionKind({})
    result = accept(cell(0, RAN), cell(1, {**RAN, "value": "1"}), cell(2, RAN),
                    cell(3, {"status": "shell", "duration_s": 0.0}), final())
    assert kind.from_cache(JOB, "local", json.loads(json.dumps(kind.to_cache(result)))) == result
    assert kind.to_cache(kind.missing(JOB, "local", Status.CRASHED, "gone", {})) is None


def test_a_cell_s_key_hashes_every_cell_up_to_it_and_an_edit_changes_the_keys_from_there_on() -> None:
    edited = SessionJob((JOB.cells[0], Cell("x + 1\n", shows_value=True), *JOB.cells[2:]), JOB.timeout_s)
    before, after = JOB.cell_keys("base"), edited.cell_keys("base")
    assert before[0] == after[0] and all(a != b for a, b in zip(before[1:], after[1:]))
    assert JOB.cell_keys("other")[0] != before[0]
    kind = SessionKind({})
    assert kind.key(JOB, "local", "local:abc") != kind.key(edited, "local", "local:abc")


def test_a_batch_takes_answers_per_cell_for_a_session_only() -> None:
    trial = Trial("fixture-assign", Mode.GRAPH, 7)
    batch = Batch("local", [JOB, trial], Kinds({}))
    payload = json.dumps(RAN).encode()
    lines = [({"job": 0, "attempt": 1, "cell": 0, "bytes": len(payload)}, payload),
             ({"job": 0, "attempt": 1, "cell": 0, "bytes": len(payload)}, payload),  # the same cell twice
             ({"job": 1, "attempt": 1, "cell": 0, "bytes": len(payload)}, payload),  # a trial has no cells
             ({"job": 0, "attempt": 1, "ended": "exit", "code": 0, "wall_s": 1.0, "bytes": 0}, b"")]
    for header, data in lines:
        batch.feed(json.dumps(header).encode() + b"\n" + data + b"\n")
    ran = batch.result(Status.CRASHED, "the process died")
    assert ran.refused == 2
    assert [c.status for c in ran.outcomes[0].cells][:2] == [Status.OK, Status.NOT_REACHED]


def test_the_host_refuses_a_duration_that_is_no_number_of_seconds_and_a_death_that_does_not_say_how() -> None:
    for bad in (float("nan"), float("inf"), -1.0, 1e308):  # JSON from a guest may hold NaN and Infinity
        assert accept(cell(0, {**RAN, "duration_s": bad}), final()) is None
    died = {"status": "crashed", "signal": 11, "duration_s": 0.0, "stdout": NONE, "stderr": NONE}
    assert accept(cell(0, died), final()) is None  # whether the session goes on is the guest's to say
    assert accept(cell(0, {**died, "how": "ended"}), final()) is not None
    wall = JobLine(0, 1, {"job": 0, "attempt": 1, "ended": "exit", "code": 0, "wall_s": float("nan"), "bytes": 0,
                          "tail": ""}, b"")
    assert accept(cell(0, RAN), wall).duration_s == 0.0
