"""Verdicts: a claim's outcome in one mode of one environment, with the evidence that decided it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping

from lab.guest.catalog import Mode


class Verdict(str, enum.Enum):
    """A claim's outcome in one mode of one environment."""

    HOLDS = "HOLDS"
    REFUTED = "REFUTED"
    INCONCLUSIVE = "INCONCLUSIVE"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Judgement:
    """One claim judged on one record."""

    scenario: str
    claim: int
    """1-based index of the claim in its scenario."""
    text: str
    mode: Mode
    env: str
    verdict: Verdict
    evidence: Mapping[str, Any] = field(default_factory=dict)
    """The observations the predicate read, key -> value."""
    reason: str = ""
    """Why INCONCLUSIVE, when it is."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", Mode(self.mode))
        object.__setattr__(self, "verdict", Verdict(self.verdict))

    def to_dict(self) -> Dict[str, Any]:
        return {"scenario": self.scenario, "claim": self.claim, "text": self.text, "mode": self.mode.value,
                "env": self.env, "verdict": self.verdict.value, "evidence": dict(self.evidence),
                "reason": self.reason}
