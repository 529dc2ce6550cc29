"""Claims over verbatim runs: a block (document, index, hash of its text) and a predicate over its outcome.

Judged per environment and variant, like a scenario's claims per mode: HOLDS, REFUTED or
INCONCLUSIVE with the reason (the block did not run, its text changed, the seeds are missing).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from lab.verbatim.outcome import Outcome
from lab.verdict import Judgement, Verdict


@dataclass(frozen=True)
class BlockClaim:
    """A statement an article makes about one of its code blocks."""

    document: str
    block: int
    digest: str
    """The hash of the block's text the claim was written for (Block.digest)."""
    text: str
    """The statement, as the article makes it."""
    check: Callable[[Outcome], Any]
    """Predicate over the outcome: truthy HOLDS, falsy REFUTED, None INCONCLUSIVE."""
    quote: str = ""
    needs_run: bool = True
    """The predicate reads printed values, so only a block that ran can decide it."""


def seeds_dir() -> Path:
    """Where the source articles are: $LAB_SEEDS, else shared/seeds beside the repository."""
    from lab.scenario import ROOT

    return Path(os.environ.get("LAB_SEEDS") or ROOT.parent / "shared" / "seeds")


def _evidence(outcome: Outcome) -> Dict[str, Any]:
    evidence: Dict[str, Any] = {"status": outcome.word}
    if outcome.error:
        evidence["error"] = f"{outcome.error.get('type')}: {outcome.error.get('message', '')}"[:200]
    if outcome.values:
        evidence["printed"] = [f"{k}: {v}"[:80] for k, v in outcome.values[:6]]
    return evidence


def judge_one(number: int, claim: BlockClaim, outcome: Outcome) -> Judgement:
    def judged(verdict: Verdict, reason: str = "") -> Judgement:
        return Judgement(claim.document, number, claim.text, None, outcome.env, verdict, _evidence(outcome), reason,
                         claim.block, outcome.variant)

    if outcome.digest != claim.digest:
        return judged(Verdict.INCONCLUSIVE, f"the block's text changed (hash {outcome.digest}, the claim was "
                                            f"written for {claim.digest}): review the claim")
    if not outcome.ended:
        detail = ", ".join(outcome.missing) if outcome.missing else outcome.why
        return judged(Verdict.INCONCLUSIVE, f"the block is {outcome.word}" + (f": {detail}" if detail else ""))
    if claim.needs_run and not outcome.ran:
        err = outcome.error or {}
        return judged(Verdict.INCONCLUSIVE, f"the block {outcome.word}: {err.get('type', '')}: "
                                            f"{err.get('message', '')}"[:200])
    try:
        result = claim.check(outcome)
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        return judged(Verdict.INCONCLUSIVE, f"the predicate could not read the printed values ({type(exc).__name__})")
    if result is None:
        return judged(Verdict.INCONCLUSIVE, "the predicate could not decide from this output")
    return judged(Verdict.HOLDS if result else Verdict.REFUTED)


def judge_blocks(claims: Sequence[BlockClaim], outcomes: Sequence[Outcome],
                 missing_reason: Optional[str] = None) -> List[Judgement]:
    """Every claim on every outcome of its block. A claim whose document did not run is one
    INCONCLUSIVE row with `missing_reason` (the seeds folder is missing), or skipped without one."""
    numbers: Dict[str, int] = {}
    judgements: List[Judgement] = []
    for claim in claims:
        numbers[claim.document] = numbers.get(claim.document, 0) + 1
        mine = [o for o in outcomes if o.document == claim.document and o.block == claim.block]
        if not mine and missing_reason:
            judgements.append(Judgement(claim.document, numbers[claim.document], claim.text, None, "-",
                                        Verdict.INCONCLUSIVE, {}, missing_reason, claim.block, "-"))
        judgements += [judge_one(numbers[claim.document], claim, o) for o in mine]
    return judgements
