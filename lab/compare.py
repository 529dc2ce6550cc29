"""Pure comparison: claims -> verdicts per record, graph vs eager key by key, env vs env."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from lab.observe import Record
from lab.scenario import Claim, Scenario


class Verdict(str, enum.Enum):
    """A claim's outcome in one mode of one environment."""

    HOLDS = "HOLDS"
    REFUTED = "REFUTED"
    INCONCLUSIVE = "INCONCLUSIVE"

    def __str__(self) -> str:
        return self.value


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


@dataclass
class Judgement:
    """One claim judged on one record."""

    scenario: str
    claim: int
    """1-based index of the claim in its scenario."""
    text: str
    mode: str
    env: str
    verdict: Verdict
    evidence: Dict[str, Any] = field(default_factory=dict)
    """The observations the predicate read, key -> value."""
    reason: str = ""
    """Why INCONCLUSIVE, when it is."""

    def to_dict(self) -> Dict[str, Any]:
        return {"scenario": self.scenario, "claim": self.claim, "text": self.text, "mode": self.mode,
                "env": self.env, "verdict": self.verdict.value, "evidence": self.evidence, "reason": self.reason}


def judge_claim(index: int, claim: Claim, record: Record) -> Judgement:
    """HOLDS if the predicate is truthy, REFUTED if falsy; INCONCLUSIVE when the twin did not
    finish, a key is missing, the predicate returns None or the predicate itself fails."""
    j = Judgement(record.scenario, index, claim.text, record.mode, record.env, Verdict.INCONCLUSIVE)
    if not record.ok:
        err = record.error or {}
        j.reason = f"{record.mode} twin {record.status}: {err.get('type', '')}: {err.get('message', '')}"
        return j
    obs = Observations(record.observations)
    try:
        result = claim.check(obs)
    except MissingObservation as exc:
        j.reason = f"no observation {exc.args[0]!r} in the {record.mode} twin"
    except Exception as exc:  # a predicate that cannot decide is reported, never crashes a report
        j.reason = f"the claim's predicate raised {type(exc).__name__}: {exc}"
    else:
        if result is None:
            j.reason = "the predicate could not decide from these observations"
        else:
            j.verdict = Verdict.HOLDS if result else Verdict.REFUTED
    j.evidence = {k: record.observations[k] for k in obs.read}
    return j


def judge(scenario: Scenario, record: Record) -> List[Judgement]:
    """Every claim of the scenario on one record."""
    return [judge_claim(i, c, record) for i, c in enumerate(scenario.claims, 1)]


def judge_all(scenarios: Mapping[str, Scenario], records: Iterable[Record]) -> List[Judgement]:
    return [j for r in records for j in judge(scenarios[r.scenario], r)]


@dataclass(frozen=True)
class KeyDiff:
    """One observation key side by side in the graph and eager twins."""

    key: str
    graph: Any
    eager: Any
    in_graph: bool
    in_eager: bool

    @property
    def same(self) -> bool:
        return self.in_graph and self.in_eager and self.graph == self.eager


def mode_diff(graph: Optional[Record], eager: Optional[Record]) -> List[KeyDiff]:
    """Graph and eager observations key by key, in recording order, graph's keys first."""
    g = graph.observations if graph else {}
    e = eager.observations if eager else {}
    keys = list(g) + [k for k in e if k not in g]
    return [KeyDiff(k, g.get(k), e.get(k), k in g, k in e) for k in keys]


def pair_by_mode(records: Sequence[Record]) -> Dict[Tuple[str, str], Dict[str, Record]]:
    """(env, scenario) -> {mode: record}, in first-seen order."""
    pairs: Dict[Tuple[str, str], Dict[str, Record]] = {}
    for r in records:
        pairs.setdefault((r.env, r.scenario), {})[r.mode] = r
    return pairs
