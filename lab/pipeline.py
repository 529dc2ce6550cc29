"""The pipeline as plain functions over values: select -> plan -> execute -> judge, and one exit code.

Every command that runs or reads work (run, compare-all, verbatim, bisect, sweep, merge, check,
report) ends in a Result, and `exit_code(result, policy)` alone decides how it exits. In Jupyter a
Result shows as HTML: lab.api registers the reports' notebook view for it (a stage below the
reports does not import them).
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
from lab.errors import ExitCode, UsageError
from lab.execute import EnvOutcome, EventFn, Execution
from lab.guest.catalog import Mode, Scenario
from lab.judge import judge_all
from lab.plan import DEFAULT_SEED, MAX_SEED, Plan, Trial
from lab.record import Record, Status
from lab.scratch import remove_stale_scratch
from lab.selection import Names, Selection, choose
from lab.verbatim.outcome import Outcome
from lab.verbatim.runner import Documents
from lab.verdict import Judgement

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
    """What a run produced, as values: each environment's outcome and every claim judged; for
    documents, each block's outcome in each variant and environment."""

    plan: Plan
    outcomes: Tuple[EnvOutcome, ...]
    """One per environment, in plan order."""
    judgements: Tuple[Judgement, ...]
    """Every claim on every job's outcome, judged once: scenarios' claims, then block claims."""
    interrupted: bool = False
    """Ctrl-C (or SIGTERM) stopped the run; the outcomes hold what finished."""
    catalog: Mapping[str, Scenario] = field(default_factory=dict, repr=False, compare=False)
    """The scenarios judged, for the reports that show their claims (a notebook's HTML)."""
    documents: Optional[Documents] = field(default=None, repr=False, compare=False)
    """The documents run, their blocks' outcomes and what was no document (None: no documents)."""

    @property
    def records(self) -> List[Record]:
        """The trials' records, environment by environment."""
        return [r for o in self.outcomes for r in o.records]

    @property
    def blocks(self) -> List[Outcome]:
        """Each document block's outcome in each variant and environment, in document order."""
        return list(self.documents.blocks) if self.documents else []

    @property
    def scenario_judgements(self) -> List[Judgement]:
        return [j for j in self.judgements if not j.of_block]

    @property
    def block_judgements(self) -> List[Judgement]:
        return [j for j in self.judgements if j.of_block]

    @property
    def problems(self) -> Mapping[str, str]:
        return {o.name: o.problem for o in self.outcomes}

    @property
    def unavailable(self) -> Mapping[str, bool]:
        return {o.name: o.unavailable for o in self.outcomes}

    def failed(self) -> List[Outcome]:
        """The blocks whose programs did not run to the end (raised, syntax error, timeout, crashed, not run)."""
        return [o for o in self.blocks if o.failed]


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
           interrupted: bool = False, documents: Optional[Documents] = None) -> Result:
    """The Result of these outcomes, every claim judged on its job's outcome."""
    records = [r for o in outcomes for r in o.records]
    blocks = documents.blocks if documents else ()
    missing = documents.missing_seeds if documents else None
    judgements = judge_all(scenarios, records, blocks, missing)
    return Result(the_plan, tuple(outcomes), tuple(judgements), interrupted, scenarios, documents)


@dataclass(frozen=True)
class Policy:
    """What, besides the outcomes, decides a command's exit code."""

    baseline_changed: bool = False
    """The run differs from the baseline it was checked against."""
    bad_input: bool = False
    """Some of the inputs were no documents (they are named, the others ran)."""
    blocks_must_run: bool = False
    """A block that raised fails the command (by default it is a finding about the document)."""


def exit_code(result: Result, policy: Policy = Policy()) -> int:
    """The one mapping from outcomes to exit codes (lab/errors.py's table), whatever the command:
    interrupted; an environment could not be made ready; bad input; a job did not finish (a twin
    raised, a process crashed or timed out, a program was not run); the baseline differs; else 0."""
    if result.interrupted:
        return ExitCode.INTERRUPTED
    if any(o.unavailable for o in result.outcomes):
        return ExitCode.ENVIRONMENT
    if policy.bad_input:
        return ExitCode.USAGE
    blocks_failed = any(o.failed if policy.blocks_must_run else o.status is Status.NOT_RUN for o in result.blocks)
    if any(r.failed for r in result.records) or blocks_failed:
        return ExitCode.UNFINISHED
    if policy.baseline_changed:
        return ExitCode.BASELINE_CHANGED
    return ExitCode.OK
