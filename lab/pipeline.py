"""The pipeline as plain functions over values: select -> plan -> execute -> judge, and one exit code.

`lab run`, `lab compare-all`, `lab check` and `lab merge` all end in a Result, and
`exit_code(result)` alone decides how the command exits.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, List, Mapping, Optional, Sequence, Tuple

from lab.cache import RecordCache
from lab.environments import resolve
from lab.environments.base import Environment
from lab.environments.shipment import Staged
from lab.errors import BASELINE_CHANGED_EXIT_CODE, TRIALS_FAILED_EXIT_CODE, UsageError
from lab.execute import EnvOutcome, EventFn, Execution
from lab.guest.catalog import Mode, Scenario
from lab.judge import judge_all
from lab.plan import DEFAULT_SEED, MAX_SEED, Plan, Trial
from lab.record import Record
from lab.scratch import remove_stale_scratch
from lab.selection import Names, Selection, choose
from lab.verdict import Judgement

ENVIRONMENT_EXIT_CODE = 3
INTERRUPTED_EXIT_CODE = 130
DEFAULT_TIMEOUT_S = 900.0


def parse_modes(names: Iterable[str]) -> List[Mode]:
    """'graph'/'eager' names to modes (both when none given), with a one-line error otherwise."""
    modes: List[Mode] = []
    for name in names:
        try:
            mode = Mode(name.lower())
        except ValueError:
            raise UsageError(f"unknown mode {name!r}: use 'graph' or 'eager' (or omit --mode for both)") from None
        if mode not in modes:
            modes.append(mode)
    return modes or list(Mode)


def select(scenarios: Mapping[str, Scenario], ids: Sequence[str], everything: bool = False,
           selection: Optional[Selection] = None) -> List[Scenario]:
    """The scenarios named by `ids` (in the order given), or all of them, narrowed by -k, --article, --tag."""
    chosen = _named(scenarios, ids, everything or (bool(selection) and not ids))
    return choose([(s, names_of(s)) for s in chosen], selection or Selection())


def names_of(s: Scenario) -> Names:
    """What a scenario is selected by: its id, its article's file name, its tags."""
    return Names(s.id, s.source.article, s.tags)


def _named(scenarios: Mapping[str, Scenario], ids: Sequence[str], everything: bool) -> List[Scenario]:
    if everything:
        return list(scenarios.values())
    if not ids:
        raise UsageError("name at least one scenario id, or pass --all, -k, --article or --tag (see 'lab list')")
    chosen: List[Scenario] = []
    for sid in ids:
        if sid not in scenarios:
            close = difflib.get_close_matches(sid, list(scenarios), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"unknown scenario {sid!r}{hint} ('lab list' shows them all)")
        if scenarios[sid] not in chosen:
            chosen.append(scenarios[sid])
    return chosen


def plan(selected: Sequence[Scenario], modes: Sequence[Mode], seed: int = DEFAULT_SEED,
         envs: Sequence[str] = ("local",)) -> Plan:
    """One trial per scenario and mode, graph before eager, in each environment."""
    if not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed {seed} is out of range: use an integer from 0 to {MAX_SEED}")
    ordered = [m for m in Mode if m in modes]
    trials = tuple(Trial(s.id, m, seed) for s in selected for m in ordered)
    if not trials:
        raise UsageError("nothing to run: select at least one scenario and mode")
    return Plan(trials, tuple(envs), seed, tuple(ordered))


@dataclass(frozen=True)
class Result:
    """What a run produced, as values: each environment's outcome and every claim judged."""

    plan: Plan
    outcomes: Tuple[EnvOutcome, ...]
    """One per environment, in plan order."""
    judgements: Tuple[Judgement, ...]
    """Every claim on every record, judged once."""
    interrupted: bool = False
    """Ctrl-C stopped the run; the outcomes hold what finished."""
    catalog: Mapping[str, Scenario] = field(default_factory=dict, repr=False, compare=False)
    """The scenarios judged, for the reports that show their claims (a notebook's HTML)."""

    @property
    def records(self) -> List[Record]:
        return [r for o in self.outcomes for r in o.records]

    @property
    def problems(self) -> Mapping[str, str]:
        return {o.name: o.problem for o in self.outcomes}

    def _repr_html_(self) -> str:
        """Jupyter's view: the verdict heat map and each scenario's plots and claims, as the HTML report."""
        from lab.reports.notebook import result_html

        return result_html(self, self.catalog)


def run(scenarios: Mapping[str, Scenario], the_plan: Plan, scenario_dirs: Sequence[Path],
        python: Optional[str] = None, timeout_s: float = DEFAULT_TIMEOUT_S, use_cache: bool = True,
        workers: Optional[int] = None, on_event: Optional[EventFn] = None, isolation: str = "fork",
        on_answer: Optional[Callable[[str, int, int], None]] = None,
        envs: Optional[Sequence[Environment]] = None) -> Result:
    """Execute the plan in its environments and judge every record once."""
    remove_stale_scratch()  # what a lab killed with -9 left in the temporary directory
    envs = list(envs) if envs is not None else resolve(the_plan.envs, python)
    for env in envs:
        env.check()  # a wrong --python is one line before any work, not a failed environment after it
    with Staged(scenario_dirs) as shipment:
        execution = Execution(the_plan, envs, scenarios, shipment, timeout_s,
                              RecordCache() if use_cache else None, workers, on_event, isolation=isolation,
                              on_answer=on_answer)

        def stop() -> None:
            for env in envs:
                env.stop()

        outcomes, interrupted = execution.run(stop)
    return judged(scenarios, the_plan, outcomes, interrupted)


def judged(scenarios: Mapping[str, Scenario], the_plan: Plan, outcomes: Sequence[EnvOutcome],
           interrupted: bool = False) -> Result:
    """The Result of these outcomes, every claim judged on their records."""
    records = [r for o in outcomes for r in o.records]
    return Result(the_plan, tuple(outcomes), tuple(judge_all(scenarios, records)), interrupted, scenarios)


def exit_code(result: Result, baseline_changed: bool = False) -> int:
    """The one mapping from outcomes to exit codes, whatever the command: 130 interrupted;
    3 an environment could not be made ready; 4 a trial did not finish (a twin raised, a
    process crashed or timed out); 5 the baseline differs; else 0."""
    if result.interrupted:
        return INTERRUPTED_EXIT_CODE
    if any(o.unavailable for o in result.outcomes):
        return ENVIRONMENT_EXIT_CODE
    if any(r.failed for r in result.records):
        return TRIALS_FAILED_EXIT_CODE
    if baseline_changed:
        return BASELINE_CHANGED_EXIT_CODE
    return 0
