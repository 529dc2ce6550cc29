"""Verdicts: a claim's outcome in one mode of one environment, with the evidence that decided it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional

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
    """One claim judged on one job's outcome: a scenario's claim on a trial's record (per mode),
    or an article's block claim on a program's outcome (per variant)."""

    scenario: str
    """The scenario id; for a block claim, the document's file name."""
    claim: int
    """1-based index of the claim in its scenario (or among its document's block claims)."""
    text: str
    mode: Optional[Mode]
    """The twin's mode; None for a block claim."""
    env: str
    verdict: Verdict
    evidence: Mapping[str, Any] = field(default_factory=dict)
    """The observations the predicate read, key -> value (for a block: status, error, printed values)."""
    reason: str = ""
    """Why INCONCLUSIVE, when it is."""
    block: int = 0
    """A block claim's block (1-based); 0 for a scenario's claim."""
    variant: str = ""
    """A block claim's variant (as-written, compat-shim, tf-upgrade-v2)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", Mode(self.mode) if self.mode is not None else None)
        object.__setattr__(self, "verdict", Verdict(self.verdict))

    @property
    def twin(self) -> Mode:
        """The mode of a scenario claim's twin (a block claim has none: ValueError)."""
        if self.mode is None:
            raise ValueError(f"{self.scenario}#{self.block}.{self.claim} is a block claim: it has no twin")
        return self.mode

    @property
    def of_block(self) -> bool:
        return self.block > 0

    @property
    def document(self) -> str:
        return self.scenario if self.of_block else ""

    def to_dict(self) -> Dict[str, Any]:
        if self.of_block:
            return {"document": self.scenario, "block": self.block, "claim": self.claim, "text": self.text,
                    "env": self.env, "variant": self.variant, "verdict": self.verdict.value,
                    "evidence": dict(self.evidence), "reason": self.reason}
        return {"scenario": self.scenario, "claim": self.claim, "text": self.text,
                "mode": self.mode.value if self.mode else None, "env": self.env, "verdict": self.verdict.value,
                "evidence": dict(self.evidence), "reason": self.reason}

    @classmethod
    def of_block_dict(cls, data: Mapping[str, Any]) -> Judgement:
        """A block claim's judgement as verbatim.json holds it."""
        return cls(str(data["document"]), int(data["claim"]), str(data["text"]), None, str(data["env"]),
                   Verdict(data["verdict"]), dict(data.get("evidence") or {}), str(data.get("reason") or ""),
                   int(data["block"]), str(data["variant"]))
