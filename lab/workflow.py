"""The pipeline as plain functions: select scenarios, plan trials, execute, judge."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, List, Mapping, Sequence

from lab.compare import Judgement, judge_all
from lab.errors import UsageError
from lab.observe import Record
from lab.runners.base import Runner, Trial
from lab.scenario import Mode, Scenario

DEFAULT_SEED = 1


def parse_modes(names: Iterable[str]) -> List[Mode]:
    """'graph'/'eager' names to modes (both when none given), with a one-line error otherwise."""
    modes = []
    for name in names:
        try:
            modes.append(Mode(name.lower()))
        except ValueError:
            raise UsageError(f"unknown mode {name!r}: use 'graph' or 'eager' (or omit --mode for both)") from None
    return modes or list(Mode)


def select(scenarios: Mapping[str, Scenario], ids: Sequence[str], everything: bool = False) -> List[Scenario]:
    """The scenarios named by `ids` (in the order given), or all of them."""
    if everything:
        return list(scenarios.values())
    if not ids:
        raise UsageError("name at least one scenario id, or pass --all (see 'lab list')")
    chosen = []
    for sid in ids:
        if sid not in scenarios:
            close = difflib.get_close_matches(sid, list(scenarios), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"unknown scenario {sid!r}{hint} ('lab list' shows them all)")
        if scenarios[sid] not in chosen:
            chosen.append(scenarios[sid])
    return chosen


def plan(selected: Sequence[Scenario], modes: Sequence[Mode], seed: int = DEFAULT_SEED) -> List[Trial]:
    """One trial per scenario and mode, graph before eager."""
    return [Trial(s.id, m, seed) for s in selected for m in modes]


@dataclass
class Outcome:
    """What a run produced: its records and every claim judged on them."""

    records: List[Record]
    judgements: List[Judgement]

    @property
    def all_finished(self) -> bool:
        return all(r.ok for r in self.records)


def execute(runner: Runner, scenarios: Mapping[str, Scenario], trials: Sequence[Trial]) -> Outcome:
    records = runner.run(trials)
    return Outcome(records, judge_all(scenarios, records))
