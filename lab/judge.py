"""The one place that turns outcomes into verdicts: every claim, of either kind, on every outcome it speaks of."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, List, Mapping, Optional, Sequence

from lab.guest.catalog import Claim, Scenario, Undecided
from lab.record import Record, Status
from lab.verbatim.articles import CLAIMS
from lab.verbatim.claims import judge_blocks
from lab.verbatim.outcome import Outcome
from lab.verdict import Judgement, Verdict


class MissingObservation(KeyError):
    """A claim asked for a key the twin did not record."""


class Observations(Mapping[str, Any]):
    """A record's observations as a claim sees them; remembers which keys the claim read,
    so a verdict can show exactly the evidence that decided it."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values
        self.read: List[str] = []

    def __getitem__(self, key: str) -> Any:
        if key not in self._values:
            raise MissingObservation(key)
        if key not in self.read:
            self.read.append(key)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def judge_claim(index: int, claim: Claim, record: Record) -> Judgement:
    """HOLDS if the predicate is truthy, REFUTED if falsy; INCONCLUSIVE when the claim does not
    apply in the record's mode, the twin did not finish, a key is missing, the predicate returns
    None or Undecided, or the predicate itself fails."""
    def judged(verdict: Verdict, reason: str = "", evidence: Mapping[str, Any] = {}) -> Judgement:
        return Judgement(record.scenario, index, claim.text, record.mode, record.env, verdict, dict(evidence),
                         reason)

    if claim.not_applicable(record.mode.value):
        return judged(Verdict.INCONCLUSIVE, f"not applicable in this mode: {claim.why}")
    if record.status is Status.NOT_APPLICABLE:
        missing = (record.error or {}).get("missing", "an API")
        version = record.facts.get("tensorflow", "?")
        return judged(Verdict.INCONCLUSIVE, f"not applicable in this environment: the {record.mode.value} twin "
                                            f"uses {missing}, which TensorFlow {version} does not have")
    if not record.ok:
        err = record.error or {}
        why = f"{err.get('type', '')}: {err.get('message', '')}"
        return judged(Verdict.INCONCLUSIVE, f"{record.mode.value} twin {record.status.value}: {why}")
    obs = Observations(record.observations)
    verdict, reason = Verdict.INCONCLUSIVE, ""
    try:
        result = claim.check(obs)
    except MissingObservation as exc:
        reason = f"no observation {exc.args[0]!r} in the {record.mode.value} twin"
    except Exception as exc:  # a predicate that cannot decide is reported, never crashes a report
        reason = f"the claim's predicate raised {type(exc).__name__}: {exc}"
    else:
        if isinstance(result, Undecided):
            reason = result.reason
        elif result is None:
            reason = "the predicate could not decide from these observations"
        else:
            verdict = Verdict.HOLDS if result else Verdict.REFUTED
    return judged(verdict, reason, {k: record.observations[k] for k in obs.read})


def judge(scenario: Scenario, record: Record) -> List[Judgement]:
    """Every claim of the scenario on one record."""
    return [judge_claim(i, c, record) for i, c in enumerate(scenario.claims, 1)]


def judge_all(scenarios: Mapping[str, Scenario], records: Iterable[Record], blocks: Sequence[Outcome] = (),
              missing_seeds: Optional[str] = None) -> List[Judgement]:
    """Every claim on every job's outcome, dispatched on the claim's kind: a scenario's claims on
    each of its trials' records (in record order), then the articles' block claims on each
    outcome of their blocks (lab/verbatim/claims.py)."""
    judgements = [j for r in records for j in judge(scenarios[r.scenario], r)]
    if blocks or missing_seeds:
        judgements += judge_blocks(CLAIMS, blocks, missing_seeds)
    return judgements
