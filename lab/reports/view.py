"""One Result as every report reads it: its parts, and what the reports share, computed once.

A renderer takes a View and returns text; the columns, verdict rows, drift, graph/eager gaps and
the emulation's differences are worked out here once, not by each renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.record import Record, env_order
from lab.reports import emulation
from lab.reports.drift import (
    Column,
    Gap,
    Row,
    columns,
    env_facts,
    matrix_cells,
    mode_gaps,
    observation_drift,
    verdict_drift,
    verdict_rows,
)
from lab.verbatim.outcome import Outcome
from lab.verdict import Judgement


@dataclass
class View:
    """What the reports read of one Result (or of a saved results folder)."""

    records: Sequence[Record]
    judgements: Sequence[Judgement]
    """The scenarios' claims, judged on the records."""
    problems: Mapping[str, str] = field(default_factory=dict)
    """Each environment's problem ('' when it finished everything)."""
    catalog: Mapping[str, Any] = field(default_factory=dict)
    """The scenarios, in catalog order (for claims' quotes and predicates)."""
    manifest: Mapping[str, Any] = field(default_factory=dict)
    blocks: Sequence[Outcome] = ()
    """Each document block's outcome in each variant and environment."""
    block_judgements: Sequence[Judgement] = ()
    beside: Mapping[Tuple[str, int], List[str]] = field(default_factory=dict)
    """Each block's modelling scenarios."""
    interrupted: bool = False

    @classmethod
    def of(cls, result: Any, manifest: Optional[Mapping[str, Any]] = None) -> View:
        documents = result.documents
        return cls(result.records, result.scenario_judgements, dict(result.problems), result.catalog,
                   dict(manifest or {}), result.blocks, result.block_judgements,
                   dict(documents.beside) if documents else {}, result.interrupted)

    @cached_property
    def order(self) -> List[str]:
        """The environments, by TensorFlow version."""
        return env_order(self.records)

    @cached_property
    def cols(self) -> List[Column]:
        return columns(self.records)

    @cached_property
    def rank(self) -> Dict[str, int]:
        """Each scenario's place in the catalog: every report lists scenarios in catalog order."""
        return {sid: n for n, sid in enumerate(self.catalog)}

    def _ranked(self, scenario: str) -> int:
        return self.rank.get(scenario, len(self.rank))

    @cached_property
    def rows(self) -> List[Row]:
        """A row per claim, in catalog order (a saved folder's records come back by file name)."""
        return sorted(verdict_rows(self.records, self.judgements), key=lambda r: (self._ranked(r.scenario), r.claim))

    @cached_property
    def cells(self) -> List[List[str]]:
        return matrix_cells(self.rows, self.cols)

    @cached_property
    def gaps(self) -> List[Gap]:
        return mode_gaps(self.records)

    @cached_property
    def verdict_drift(self) -> List[str]:
        return verdict_drift(self.rows, self.cols)

    @cached_property
    def observation_drift(self) -> List[str]:
        return observation_drift(self.records)

    @cached_property
    def emulation(self) -> List[emulation.EmulationDiff]:
        return sorted(emulation.emulation_diffs(self.records, self.judgements), key=lambda d: self._ranked(d.scenario))

    @cached_property
    def facts(self) -> Mapping[str, Mapping[str, Any]]:
        return env_facts(self.records)

    @cached_property
    def problems_by_env(self) -> Dict[str, str]:
        return {env: problem for env, problem in self.problems.items() if problem}
