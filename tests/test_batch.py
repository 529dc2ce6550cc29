"""A batch: the request the host writes, and only answers for jobs it asked for, once each."""

from __future__ import annotations

import json

from lab.environments.batch import Batch
from lab.jobs import Kinds
from lab.plan import Trial
from lab.record import Status
from lab.scenario import Mode

RESULT = {"scenario": "fixture-assign", "mode": "graph", "status": "ok", "observations": {"x": 1}, "error": None,
          "facts": {"tensorflow": "2.21.0"}, "duration_s": 0.5}
TRIALS = [Trial("fixture-assign", Mode.GRAPH, 7), Trial("fixture-assign", Mode.EAGER, 7),
          Trial("fixture-assign", Mode.GRAPH, 8)]


def answer(job: int, result: object, attempt: int = 1) -> bytes:
    payload = json.dumps(result).encode()
    head = {"job": job, "attempt": attempt, "ended": "exit", "code": 0, "bytes": len(payload), "tail": ""}
    return json.dumps(head).encode() + b"\n" + payload + b"\n"


def test_the_request_names_every_job_by_its_kind_and_nothing_else() -> None:
    request = Batch("local", TRIALS[:2], Kinds({})).request(["scenarios/0"], 60.0)
    assert request["jobs"] == [{"kind": "trial", "scenario": "fixture-assign", "mode": "graph", "seed": 7},
                               {"kind": "trial", "scenario": "fixture-assign", "mode": "eager", "seed": 7}]
    assert request["scenario_dirs"] == ["scenarios/0"] and request["job_timeout_s"] == 60.0


def test_the_host_keeps_only_valid_answers_for_jobs_it_asked_for() -> None:
    batch = Batch("tf2.15", TRIALS, Kinds({}))
    batch.feed(answer(5, RESULT)  # a job nobody asked for
               + answer(0, RESULT)  # the one valid answer
               + answer(0, {**RESULT, "observations": {"x": 2}})  # the same job twice
               + answer(1, RESULT)  # the eager job answered with a graph result
               + answer(2, {**RESULT, "env": "../../../../tmp/x"})  # a field the schema does not allow
               + b'"not an object"\n{"job": 0, "attempt": 1, "bytes": 9}\n{cut sho')
    ran = batch.result(Status.CRASHED, "the process died")
    graph, eager, other = ran.outcomes
    assert (graph.env, graph.seed, graph.status, dict(graph.observations)) == ("tf2.15", 7, Status.OK, {"x": 1})
    assert eager.status is Status.CRASHED and "refused" in eager.error["message"]
    assert other.status is Status.CRASHED and "refused" in other.error["message"]
    assert ran.refused == 6


def test_jobs_without_an_answer_name_the_one_that_was_running_and_the_guests_last_words() -> None:
    batch = Batch("local", TRIALS, Kinds({}))
    batch.feed(answer(0, RESULT) + b'{"start": 1, "attempt": 1}\n')
    ran = batch.result(Status.CRASHED, "the environment's process exited with code 1",
                       "W0000 a TensorFlow warning\nMemoryError: out of it\n")
    assert ran.outcomes[0].status is Status.OK and ran.refused == 0
    message = ran.outcomes[1].error["message"]
    assert "while running fixture-assign[eager]" in message and message.endswith("MemoryError: out of it")


def test_escape_sequences_in_the_guests_log_reach_no_message() -> None:
    batch = Batch("local", TRIALS[:1], Kinds({}))
    batch.feed(b'{"start": 0, "attempt": 1}\n')
    ran = batch.result(Status.CRASHED, "it died", "\x1b]0;owned\x07 boom\x00\n")
    assert "\x1b" not in ran.outcomes[0].error["message"] and "\x00" not in ran.outcomes[0].error["message"]
