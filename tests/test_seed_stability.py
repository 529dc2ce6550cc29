"""Verdicts do not hinge on the seed: every claim, statistical ones included, keeps its verdict
under other seeds (the catalog test runs seed 1)."""

from __future__ import annotations

import pytest

from lab.judge import judge_all
from lab.scenario import Mode
from tests.support import LocalBatch, trials_of

SEEDS = (2, 3, 4)


def verdicts_for(scenarios, seed: int) -> dict:
    records = LocalBatch(timeout_s=900).run(trials_of(list(scenarios.values()), list(Mode), seed))
    assert all(r.ok for r in records), [(r.scenario, r.mode, r.error) for r in records if not r.ok]
    return {(j.scenario, j.claim, j.mode): j.verdict for j in judge_all(scenarios, records)}


@pytest.fixture(scope="module")
def reference(real_scenarios) -> dict:
    return verdicts_for(real_scenarios, 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_verdict_is_the_same_under_another_seed(real_scenarios, reference, seed) -> None:
    changed = {key: (reference[key].value, verdict.value)
               for key, verdict in verdicts_for(real_scenarios, seed).items() if verdict != reference[key]}
    assert not changed
