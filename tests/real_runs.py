"""Helpers for scenario tests: run real scenarios locally, then read records and verdicts."""

from __future__ import annotations

from typing import Any, Dict, Sequence

from lab.pipeline import Result, select
from lab.scenario import Mode, load_scenarios
from lab.verdict import Verdict
from tests.support import LocalBatch, result_of, trials_of


def run_real(ids: Sequence[str], seed: int = 1) -> Result:
    """Both twins of each scenario, in one TensorFlow process."""
    scenarios = load_scenarios()
    return result_of(LocalBatch(timeout_s=600), scenarios, trials_of(select(scenarios, ids), list(Mode), seed=seed))


def finished_record(outcome: Result, sid: str, mode: str) -> Any:
    (record,) = [r for r in outcome.records if r.scenario == sid and r.mode == mode]
    assert record.ok, record.error
    return record


def observations(outcome: Result, sid: str, mode: str) -> Dict[str, Any]:
    """A finished twin's observations (the assertion names the error when it did not finish)."""
    return finished_record(outcome, sid, mode).observations


def verdicts(outcome: Result, sid: str, claim: int) -> Dict[str, Verdict]:
    """{mode: verdict} for the 1-based claim of a scenario."""
    return {j.mode: j.verdict for j in outcome.judgements if j.scenario == sid and j.claim == claim}


def both(verdict: Verdict) -> Dict[str, Verdict]:
    """The same verdict in both modes, as `verdicts()` returns it."""
    return {"graph": verdict, "eager": verdict}
