"""Test helpers over the real library: a batch in one environment, a Result from a fake one."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence

from lab.environments.batch import Batch
from lab.environments.local import LocalEnvironment
from lab.execute import EnvOutcome, problem_of, run_batch
from lab.guest.catalog import Mode, Scenario
from lab.jobs import Kinds
from lab.pipeline import Result, judged
from lab.plan import Plan, Trial
from lab.record import Record
from lab.scenario import DEFAULT_SCENARIO_DIR


class LocalBatch:
    """Runs trials in the real `local` environment (this interpreter's TensorFlow)."""

    def __init__(self, scenario_dirs: Sequence[Path] = (DEFAULT_SCENARIO_DIR,), timeout_s: float = 900,
                 python: Optional[str] = None) -> None:
        self.env = LocalEnvironment(python)
        self.scenario_dirs = list(scenario_dirs)
        self.timeout_s = timeout_s

    def run(self, trials: Sequence[Trial]) -> List[Record]:
        return run_batch(self.env, trials, self.scenario_dirs, self.timeout_s)


def result_of(env: Any, scenarios: Mapping[str, Scenario], trials: Sequence[Trial]) -> Result:
    """Every trial run in `env` (a FakeEnvironment or LocalBatch-like), judged as the pipeline does."""
    run = env.run(trials) if isinstance(env, LocalBatch) else env.run(Batch(env.name, trials, Kinds(scenarios)),
                                                                        None, 900).outcomes
    records = tuple(run)
    name = records[0].env if records else "local"
    the_plan = Plan(tuple(trials), (name,), trials[0].seed if trials else 1,
                    tuple(m for m in Mode if any(t.mode is m for t in trials)))
    return judged(scenarios, the_plan, [EnvOutcome(name, records, problem=problem_of(records))])


def trials_of(selected: Sequence[Scenario], modes: Sequence[Mode], seed: int = 1) -> List[Trial]:
    """The plan's trials for one environment, as a list."""
    from lab.pipeline import plan

    return list(plan(selected, modes, seed).trials)


def run_documents(documents: Sequence[Any], envs: Sequence[str], variants: Sequence[Any], settings: Any,
                  python: Optional[str] = None) -> Result:
    """Documents (Document values, or paths) through lab.api as `lab verbatim` runs them."""
    from lab import api

    read = tuple(d for d in documents if not isinstance(d, (str, Path)))
    paths = tuple(Path(d) for d in documents if isinstance(d, (str, Path)))
    work = api.Work(envs=tuple(envs), documents=paths, variants=tuple(str(v) for v in variants), of_documents=True,
                    read=read)
    return api.execute(work, api.Options(python, use_cache=settings.use_cache, programs=settings))


def save_run(out: Path, records: Sequence[Record], scenarios: Mapping[str, Scenario],
             envs: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Result:
    """A results folder of these records (judged, with a manifest naming `envs`), as `lab compare-all --out`."""
    from lab import api
    from lab.merge import saved_result

    result = saved_result(records, envs or {r.env: {} for r in records}, scenarios)
    api.save(result, out)
    return result


def view_of(records: Sequence[Record], judgements: Sequence[Any], problems: Optional[Mapping[str, str]] = None,
            scenarios: Optional[Mapping[str, Scenario]] = None) -> Any:
    """The View the reports read, of these records and judgements."""
    from lab.reports.view import View

    return View(records, judgements, problems or {}, scenarios or {})
