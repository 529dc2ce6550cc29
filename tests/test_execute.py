"""The execute stage over fake environments: each env's own trials, what a failed part keeps,
and what Ctrl-C lets start."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any, Sequence

import pytest

from lab.environments.batch import Batch, GuestRun
from lab.environments.fake import FakeEnvironment
from lab.errors import EnvironmentUnavailable
from lab.execute import Execution
from lab.guest.catalog import Mode
from lab.plan import Plan, Trial
from lab.record import Status
from lab.schedule import History, Part, Work

SCENARIOS = ("a", "b", "c", "d")
CANNED = {(s, m.value): {"value": f"{s}-{m.value}"} for s in SCENARIOS for m in Mode}
TRIALS = tuple(Trial(s, m, 1) for s in SCENARIOS for m in Mode)


def split_history(tmp_path: Path, *names: str) -> History:
    """Durations that make the schedule split each env's batch over the cores (long twins, short starts)."""
    history = History(tmp_path / "durations.json")
    for name in names:
        history.envs[name] = {"start_s": 0.1, "trials": {f"{s}.{m.value}": 5.0 for s in SCENARIOS for m in Mode}}
    return history


def in_three_parts(works: Sequence[Work], workers: int) -> list:
    """A schedule that splits every env's batch in three parts, whatever the cores."""
    return [Part(w.env, tuple(range(len(w.durations)))[k::3], 1.0) for w in works for k in range(3)]


def test_each_env_of_a_shard_plan_gets_its_own_trials_in_plan_order_across_split_parts(tmp_path: Path) -> None:
    mine = {"one": TRIALS[:5], "two": TRIALS[3:]}
    plan = Plan(TRIALS, ("one", "two"), 1, tuple(Mode), per_env=tuple(mine.items()))
    envs = [FakeEnvironment(CANNED, name=name) for name in mine]
    outcomes, interrupted = Execution(plan, envs, {}, None, 60, workers=2,
                                      history=split_history(tmp_path, "one", "two")).run()
    assert not interrupted
    for outcome, env in zip(outcomes, envs):
        assert [(r.scenario, r.mode) for r in outcome.records] == [(t.scenario, t.mode) for t in mine[env.name]]
        assert [r.status for r in outcome.records] == [Status.OK] * len(mine[env.name])
        ran = [t for batch in env.batches for t in batch]
        assert sorted(ran, key=repr) == sorted(mine[env.name], key=repr)


class BrokenPrepare(FakeEnvironment):
    def prepare(self, note: Any) -> None:
        raise RuntimeError("the daemon answered nonsense")


def test_an_env_whose_preparing_raises_has_every_trial_not_run_and_none_from_the_cache(tmp_path: Path) -> None:
    plan = Plan(TRIALS, ("fake",), 1, tuple(Mode))
    (outcome,), _ = Execution(plan, [BrokenPrepare(CANNED)], {}, None, 60, history=split_history(tmp_path)).run()
    assert outcome.cached == 0
    assert outcome.problem == "RuntimeError: the daemon answered nonsense"
    assert {r.status for r in outcome.records} == {Status.NOT_RUN} and len(outcome.records) == len(TRIALS)


class GoneAfterOnePart(FakeEnvironment):
    """Runs its first batch, then finds itself gone, as an env whose daemon died mid-run."""

    def run(self, batch: Batch, shipment: Any, timeout_s: float) -> GuestRun:
        if self.batches:
            self.batches.append(list(batch.jobs))
            raise EnvironmentUnavailable("Docker went away")
        return super().run(batch, shipment, timeout_s)


def test_records_of_parts_that_finished_are_kept_when_a_later_part_finds_the_env_gone(tmp_path: Path,
                                                                                     monkeypatch) -> None:
    monkeypatch.setattr("lab.execute.schedule", in_three_parts)
    plan = Plan(TRIALS, ("fake",), 1, tuple(Mode))
    env = GoneAfterOnePart(CANNED)
    # One worker: the parts run one after another, so the first finishes before the second fails.
    (outcome,), _ = Execution(plan, [env], {}, None, 60, workers=1, history=split_history(tmp_path)).run()
    first = {(t.scenario, t.mode) for t in env.batches[0]}
    assert 0 < len(first) < len(TRIALS)
    assert not outcome.unavailable and outcome.problem == "Docker went away"
    for record in outcome.records:
        expected = Status.OK if (record.scenario, record.mode) in first else Status.NOT_RUN
        assert record.status is expected, record
    assert len(env.batches) == 2  # the third part does not start


class InterruptedDuringFirstPart(FakeEnvironment):
    """Ctrl-C arrives while its first batch runs, which ends only once the lab has called `stop`
    (as a killed container's batch would)."""

    def __init__(self, canned: Any) -> None:
        super().__init__(canned)
        self.stopped = threading.Event()

    def run(self, batch: Batch, shipment: Any, timeout_s: float) -> GuestRun:
        if not self.batches:  # a real SIGINT: it wakes the main thread waiting on the parts
            os.kill(os.getpid(), signal.SIGINT)
            assert self.stopped.wait(timeout=30)
        return super().run(batch, shipment, timeout_s)


def test_after_ctrl_c_no_queued_part_starts_and_the_finished_one_keeps_its_records(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("lab.execute._ignore_further_interrupts", lambda: None)  # keep pytest's SIGINT handler
    monkeypatch.setattr("lab.execute.schedule", in_three_parts)
    plan = Plan(TRIALS, ("fake",), 1, tuple(Mode))
    env = InterruptedDuringFirstPart(CANNED)
    execution = Execution(plan, [env], {}, None, 60, workers=1, history=split_history(tmp_path))
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # whatever an earlier test left
    try:
        (outcome,), interrupted = execution.run(stop=env.stopped.set)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert interrupted
    assert len(env.batches) == 1  # the two queued parts never started
    first = {(t.scenario, t.mode) for t in env.batches[0]}
    assert {r.status for r in outcome.records if (r.scenario, r.mode) in first} == {Status.OK}
    rest = [r for r in outcome.records if (r.scenario, r.mode) not in first]
    assert rest and {r.status for r in rest} == {Status.NOT_RUN}
    assert {r.error["message"] for r in rest} == {"interrupted"}


@pytest.mark.parametrize("workers", [1, 3])
def test_an_env_with_everything_cached_or_nothing_to_run_starts_no_process(tmp_path: Path, workers: int) -> None:
    plan = Plan((), ("fake",), 1, tuple(Mode))
    env = FakeEnvironment(CANNED)
    (outcome,), _ = Execution(plan, [env], {}, None, 60, workers=workers, history=split_history(tmp_path)).run()
    assert outcome.records == () and env.batches == [] and outcome.problem == ""
