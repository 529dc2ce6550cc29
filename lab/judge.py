"""The one place that turns outcomes into verdicts: every claim, of either kind, on every outcome it speaks of."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, List, Mapping, Optional, Sequence

from lab.guest.catalog import Claim, Instead, Premise, Scenario, Undecided
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
    """HOLDS if the predicate is truthy, REFUTED if falsy; INCONCLUSIVE when the claim's premise
    cannot occur in the record's mode or did not occur in its run (the reason names the premise
    and what the reader sees instead), the twin did not finish, a key is missing, the predicate
    returns None or Undecided, or the predicate itself fails."""
    obs = Observations(record.observations)

    def judged(verdict: Verdict, reason: str = "") -> Judgement:
        return Judgement(record.scenario, index, claim.text, record.mode, record.env, verdict,
                         {k: record.observations[k] for k in obs.read}, reason)

    if record.status is Status.NOT_APPLICABLE:
        missing = (record.error or {}).get("missing", "an API")
        version = record.facts.get("tensorflow", "?")
        return judged(Verdict.INCONCLUSIVE, f"not applicable in this environment: the {record.mode.value} twin "
                                            f"uses {missing}, which TensorFlow {version} does not have")
    if claim.not_applicable(record.mode.value):
        return judged(Verdict.INCONCLUSIVE, f"not applicable in this mode: {claim.why}"
                                            f"{_seen_instead(claim.instead, obs)}")
    if not record.ok:
        err = record.error or {}
        why = f"{err.get('type', '')}: {err.get('message', '')}"
        return judged(Verdict.INCONCLUSIVE, f"{record.mode.value} twin {record.status.value}: {why}")
    try:
        missing = _missing_premise(claim.premise, obs)
        if missing:
            return judged(Verdict.INCONCLUSIVE, missing)
        result = claim.check(obs)
    except MissingObservation as exc:
        return judged(Verdict.INCONCLUSIVE, f"no observation {exc.args[0]!r} in the {record.mode.value} twin")
    except Exception as exc:  # a predicate that cannot decide is reported, never crashes a report
        return judged(Verdict.INCONCLUSIVE, f"the claim's predicate raised {type(exc).__name__}: {exc}")
    if isinstance(result, Undecided):
        return judged(Verdict.INCONCLUSIVE, result.reason)
    if result is None:
        return judged(Verdict.INCONCLUSIVE, "the predicate could not decide from these observations")
    return judged(Verdict.HOLDS if result else Verdict.REFUTED)


def _missing_premise(premise: Optional[Premise], obs: Observations) -> str:
    """The INCONCLUSIVE reason when the claim's premise did not occur in this run, else ''."""
    if premise is None or premise.occurred(obs):
        return ""
    return f"premise not met: {premise.text}, which did not happen in this run{_seen_instead(premise.instead, obs)}"


def _seen_instead(instead: Instead, obs: Observations) -> str:
    """'; what the reader sees instead: ...' (read from the observations where it is a function)."""
    if callable(instead):
        try:
            instead = instead(obs)
        except (KeyError, ValueError, TypeError):  # a twin that stopped early: say so, never crash a report
            instead = "nothing recorded that shows it (the twin stopped before it)"
    return f"; what the reader sees instead: {instead}" if instead else ""


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
