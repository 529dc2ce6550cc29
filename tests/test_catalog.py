"""Every real scenario, both modes, real TensorFlow: judged, and isolated from the others."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from lab.judge import judge
from lab.pipeline import parse_modes
from lab.scenario import DEFAULT_SCENARIO_DIR
from lab.verdict import Verdict
from tests.claim_reasons import says_why
from tests.support import LocalBatch, trials_of

runner = LocalBatch(scenario_dirs=[DEFAULT_SCENARIO_DIR], timeout_s=900)


@pytest.fixture(scope="module")
def trials(real_scenarios):
    return trials_of(list(real_scenarios.values()), parse_modes([]))


@pytest.fixture(scope="module")
def batch(trials):
    return {(r.scenario, r.mode): r for r in runner.run(trials)}


def test_every_twin_of_every_scenario_runs_to_completion(batch) -> None:
    failed = {key: r.error for key, r in batch.items() if not r.ok}
    assert not failed


def _raised_something(record) -> bool:
    return any(isinstance(v, dict) and v.get("kind") == "exception" for v in record.observations.values())


def test_both_twins_record_the_same_keys_unless_a_caught_exception_cut_one_short(batch, real_scenarios) -> None:
    unexplained = {}
    for sid in real_scenarios:
        graph, eager = batch[(sid, "graph")], batch[(sid, "eager")]
        for short, other in ((graph, eager), (eager, graph)):
            missing = set(other.observations) - set(short.observations)
            if missing and not _raised_something(short):
                unexplained[f"{sid}[{short.mode}]"] = sorted(missing)
    assert not unexplained


def test_every_claim_gets_a_verdict_in_both_modes_or_names_its_premise_and_what_is_seen_instead(
        batch, real_scenarios) -> None:
    # Nothing the lab itself causes (a missing observation, a predicate that raised) is left:
    # only a premise that cannot occur in the mode, or did not occur in the run (docs/claims.md).
    undecided = [f"{sid}[{mode}] claim {j.claim}: {j.reason}"
                 for (sid, mode), record in batch.items() for j in judge(real_scenarios[sid], record)
                 if j.verdict is Verdict.INCONCLUSIVE and not says_why(real_scenarios[sid].claims[j.claim - 1], j)]
    assert not undecided


def test_a_trial_gives_the_same_record_alone_in_batch_and_in_reverse_order(trials, batch) -> None:
    backwards = {(r.scenario, r.mode): r for r in runner.run(list(reversed(trials)))}
    with ThreadPoolExecutor(max_workers=2) as pool:
        singles = pool.map(lambda t: runner.run([t])[0], trials)
        alone = {(t.scenario, t.mode.value): record for t, record in zip(trials, singles)}
    differing = [key for key in batch
                 if not (batch[key].comparable() == backwards[key].comparable() == alone[key].comparable())]
    assert not differing
