"""Records side by side: graph beside eager, key by key, for the reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from lab.record import Record


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
        pairs.setdefault((r.env, r.scenario), {})[r.mode.value] = r
    return pairs
