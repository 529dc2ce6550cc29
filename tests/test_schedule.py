"""The schedule: longest first, an environment split only when that shortens the run, records in plan order."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.environments.fake import FakeEnvironment
from lab.execute import Execution
from lab.guest.catalog import Mode
from lab.plan import Plan, Trial
from lab.schedule import JOB_S, History, Work, makespan, schedule, split

SCENARIOS = ("a", "b", "c", "d")


def work(env: str, start: float, durations) -> Work:
    return Work(env, tuple(durations), start)


def test_makespan_starts_the_longest_jobs_first() -> None:
    assert makespan([3, 3, 2, 2, 2], 2) == 7  # 3+2+2 beside 3+2
    assert makespan([5], 2) == 5 and makespan([], 2) == 0


def test_one_environment_whose_twins_outweigh_a_start_is_split_over_the_idle_core() -> None:
    parts = schedule([work("e", 3.0, [4, 1, 1, 4])], workers=2)
    assert len(parts) == 2
    assert sorted(i for p in parts for i in p.indices) == [0, 1, 2, 3]
    assert all(list(p.indices) == sorted(p.indices) for p in parts)  # plan order within a part


def test_an_environment_whose_start_dominates_is_not_split() -> None:
    assert len(schedule([work("e", 5.0, [0.2, 0.2, 0.2, 0.2])], workers=2)) == 1


def test_with_as_many_environments_as_cores_nothing_is_split_and_the_longest_goes_first() -> None:
    parts = schedule([work("short", 3.0, [1, 1]), work("long", 3.0, [5, 5])], workers=2)
    assert [p.env for p in parts] == ["long", "short"]


def test_the_last_environment_does_not_run_alone_while_a_core_idles() -> None:
    works = [work(f"e{i}", 4.0, [2, 2, 2, 2]) for i in range(3)]  # 12 s each: 24 + 12 unsplit
    parts = schedule(works, workers=2)
    assert makespan([p.cost_s for p in parts], 2) < 24
    assert max(sum(p.env == w.env for p in parts) for w in works) == 2


def test_a_split_keeps_each_part_in_plan_order_and_balances_their_durations() -> None:
    w = work("e", 5.0, [4, 1, 1, 4])
    assert split(w, 2) == [(0, 1), (2, 3)]  # 4+1 beside 1+4
    assert sorted(split(w, 9)) == [(0,), (1,), (2,), (3,)]  # never more parts than jobs


def test_history_remembers_durations_and_the_start_of_a_process(tmp_path: Path) -> None:
    history = History(tmp_path / "durations.json")
    history.learn("e", [(f"{s}[graph]", 1.5) for s in SCENARIOS], [(3.0, 7.0), (3.0, 5.0)])
    history.save()
    again = History(tmp_path / "durations.json")
    w = again.work("e", ["a[graph]", "zz[eager]"])
    # A job it has not seen gets the guess; the start is learned: parts of 7 s and 5 s, each
    # with 3 s of jobs, started in (4 + 2) / 2 s.
    assert w.durations == (1.5, JOB_S) and w.start_s == 3.0


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_split_batches_give_the_records_of_one_batch_in_plan_order(tmp_path: Path, workers: int) -> None:
    canned = {(s, m.value): {"value": f"{s}-{m.value}"} for s in SCENARIOS for m in Mode}
    trials = tuple(Trial(s, m, 1) for s in SCENARIOS for m in Mode)
    history = History(tmp_path / "durations.json")
    history.envs["fake"] = {"start_s": 0.1, "jobs": {f"{s}[{m.value}]": 5.0 for s in SCENARIOS for m in Mode}}
    env = FakeEnvironment(canned)
    execution = Execution(Plan(trials, ("fake",), 1, tuple(Mode)), [env], {}, None, 60, workers=workers,
                          history=history)
    (outcome,), interrupted = execution.run()
    assert not interrupted and outcome.problem == ""
    assert len(env.batches) == workers  # 40 s of twins against 0.1 s starts: one part per core
    assert [(r.scenario, r.mode) for r in outcome.records] == [(t.scenario, t.mode) for t in trials]
    assert [r.observations["value"] for r in outcome.records] == [f"{t.scenario}-{t.mode.value}" for t in trials]
