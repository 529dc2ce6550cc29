"""The lab as a library: one function runs what any command asks for, and returns a Result.

`execute(Work(...))` loads the scenarios, selects, plans the trials and the documents' programs,
runs them all through the one execute stage, and judges every claim; `save(result, folder)`
writes a results folder; `read(folder)` gives a saved folder back as a Result. Every command
(run, compare-all, verbatim, bisect, sweep, merge, check, report), the benchmark, the pytest
plugin and a notebook call these. `lab.run`, `lab.compare` and `lab.verbatim` are short forms.
Anticipated errors raise `lab.errors.LabError` (a `UsageError` for bad input) with the CLI's message.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from lab import pipeline
from lab.errors import UsageError
from lab.guest.catalog import Mode, Scenario
from lab.pipeline import DEFAULT_TIMEOUT_S, Result
from lab.plan import DEFAULT_SEED, Plan
from lab.selection import Selection
from lab.selection import of as selection_of
from lab.verbatim.runner import Documents, Settings, plan_programs, with_outcomes
from lab.verdict import Judgement

Names = Union[str, Sequence[str], None]


@dataclass(frozen=True)
class Work:
    """What to run: scenarios (named, or all, narrowed by a selection) and documents, in environments."""

    ids: Tuple[str, ...] = ()
    everything: bool = False
    """Every scenario (narrowed by `selection`)."""
    selection: Selection = field(default_factory=Selection)
    modes: Tuple[str, ...] = ()
    """'graph', 'eager'; both when empty."""
    seed: int = DEFAULT_SEED
    envs: Tuple[str, ...] = ("local",)
    """'local', matrix envs, pins (tf==2.17.1), or 'all'."""
    plan: Optional[Plan] = None
    """A shard's plan (from a plan file): it fixes the scenarios, envs, modes and seed."""
    documents: Tuple[Path, ...] = ()
    """Documents or folders to run as written (and in `variants`)."""
    articles: bool = False
    """Add the source articles (and judge their block claims)."""
    variants: Tuple[str, ...] = ()
    """as-written, compat-shim, tf-upgrade-v2; all three when empty."""
    document_shard: Optional[str] = None
    """I/N: only the documents of that shard."""
    twins: bool = False
    """With documents: also the scenarios whose twins model their blocks."""
    of_documents: bool = False
    """The selection chooses documents (`lab verbatim`), not scenarios."""
    read: Tuple[Any, ...] = ()
    """Documents already read (lab.verbatim.documents.Document: a benchmark's copies), run after those
    under `documents`."""


@dataclass(frozen=True)
class Options:
    """How to run it."""

    python: Optional[str] = None
    """The interpreter for 'local' (or the base Python of interpreter envs); LAB_PYTHON otherwise."""
    timeout_s: float = DEFAULT_TIMEOUT_S
    """One environment's batch of trials."""
    use_cache: bool = True
    workers: Optional[int] = None
    programs: Settings = field(default_factory=Settings)
    """A document program's time limit, runs and isolation."""


Progress = Callable[[str, str], None]
"""(environment, progress line)."""
Answers = Callable[[str, int, int], None]
"""(environment, jobs answered, jobs in all)."""


def _show_results_in_notebooks() -> None:
    """In a Jupyter kernel, a Result displays as the HTML report does (the verdict heat map, each
    scenario's plots and claims; for documents each block's outcome and the block claims)."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", {})
    if "text/html" in formatters:
        from lab.reports.notebook import result_html

        formatters["text/html"].for_type(Result, result_html)


def _scenarios() -> Tuple[Mapping[str, Scenario], List[Path]]:
    from lab.scenario import configured_scenario_dirs, load_scenarios

    dirs = configured_scenario_dirs()
    return load_scenarios(dirs), dirs


def _trials(work: Work, scenarios: Mapping[str, Scenario]) -> Optional[Plan]:
    """The plan's trials, or None when the work names no scenario."""
    from lab.environments import resolve_names

    if work.plan is not None:
        pipeline.select(scenarios, list(dict.fromkeys(t.scenario for t in work.plan.trials)))  # each still exists
        resolve_names(work.plan.envs)
        return work.plan
    if not (work.ids or work.everything or (work.selection and not work.of_documents)):
        return None
    selected = pipeline.select(scenarios, list(work.ids), work.everything, work.selection)
    return pipeline.plan(selected, pipeline.parse_modes(work.modes), work.seed, resolve_names(work.envs))


def _python(options: Options) -> str:
    """The interpreter that converts programs with tf_upgrade_v2 (the local one's TensorFlow)."""
    return options.python or os.environ.get("LAB_PYTHON") or sys.executable


def _documents(work: Work, options: Options, scenarios: Mapping[str, Scenario]) -> Optional[Documents]:
    from lab.verbatim.inputs import find
    from lab.verbatim.sources import Found
    from lab.verbatim.twins import beside
    from lab.verbatim.variants import parse_variants

    if not work.of_documents:
        return None
    if work.read and not (work.documents or work.articles):
        found, missing = Found(list(work.read)), None
    else:
        found, missing = find(work.documents, work.articles, work.document_shard, work.selection, scenarios)
        found.documents += work.read
    if found.errors and not found.documents:  # nothing to run: the bad input alone, in one line
        more = f" (and {len(found.errors) - 1} more)" if len(found.errors) > 1 else ""
        raise UsageError(found.errors[0] + more)
    programs = plan_programs(found.documents, parse_variants(list(work.variants)), options.programs, _python(options))
    return Documents(found, programs, tuple(programs.variants), missing_seeds=missing,
                     beside=beside(found.documents, scenarios), shard=work.document_shard)


def execute(work: Work, options: Options = Options(), progress: Optional[Progress] = None,
            answers: Optional[Answers] = None) -> Result:
    """Load, select, plan (trials and document programs), run them in every environment through
    the one execute stage, and judge every claim."""
    # After a Ctrl-C the execute stage makes further ones only say that it is stopping, while it
    # keeps what finished; a caller that goes on (a notebook's kernel, a test) gets its own back.
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    try:
        return _execute(work, options, progress, answers)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _execute(work: Work, options: Options, progress: Optional[Progress], answers: Optional[Answers]) -> Result:
    from lab.environments import resolve_names

    scenarios, dirs = _scenarios()
    documents = _documents(work, options, scenarios)
    the_plan = _trials(work, scenarios)
    if documents is not None and work.twins:
        ids = list(dict.fromkeys(sid for found in documents.beside.values() for sid in found))
        if ids:
            the_plan = pipeline.plan(pipeline.select(scenarios, ids), list(Mode), work.seed, resolve_names(work.envs))
    if the_plan is None and documents is None:
        raise UsageError("name at least one scenario id, or pass --all, -k, --article or --tag (see 'lab list')")
    if the_plan is None:
        the_plan = Plan((), tuple(resolve_names(work.envs)), work.seed, ())
    timeout_s = options.timeout_s
    if documents is not None and documents.work is not None:
        the_plan = replace(the_plan, programs=tuple(documents.work.jobs))
        budget = documents.work.budget_s()
        timeout_s = max(timeout_s, budget) if the_plan.trials else budget
    result = pipeline.run(scenarios, the_plan, dirs, options.python, timeout_s, options.use_cache, options.workers,
                          progress, options.programs.isolation, answers)
    if documents is None:
        return result
    ready = [o.name for o in result.outcomes if not o.unavailable]

    def again(jobs: Sequence[object], env_names: List[str], budget_s: float) -> Result:
        """The failed-definer loop's programs, in the envs that could run (the others' are not_run)."""
        plan = Plan((), tuple(n for n in env_names if n in ready), work.seed, (), programs=tuple(jobs))
        return pipeline.run({}, plan, dirs, options.python, budget_s, options.use_cache, options.workers, progress,
                            options.programs.isolation, answers)

    documents = with_outcomes(documents, [(o.name, o.programs, o.from_cache) for o in result.outcomes],
                              None if result.interrupted else again, _python(options))
    return pipeline.judged(scenarios, the_plan, result.outcomes, result.interrupted, documents)


def save(result: Result, folder: Path, extra: Optional[Mapping[str, object]] = None) -> None:
    """A results folder: the records and verdicts, the manifest (with `extra`, a shard's entries),
    verbatim.json for documents, and every report of lab/reports' table."""
    from lab import results
    from lab.reports import write_reports

    results.save(result, folder, extra)
    write_reports(result, folder, results.read_manifest(folder))


def merge(folders: Sequence[Path], out: Path, warn: Callable[[str], None] = lambda line: None,
          allow_mixed_versions: bool = False) -> Result:
    """One results folder at `out` from folders made apart (one env each, or the shards of one
    plan): records and block outcomes joined, every claim judged again, every report written."""
    from lab.merge import merge_results

    result, extra = merge_results(list(folders), out, _scenarios()[0], warn, allow_mixed_versions)
    save(result, out, extra)
    return result


def read(folder: Path) -> Result:
    """A saved results folder as a Result, every claim judged again with today's claims."""
    from lab.merge import read_saved

    return read_saved(folder, _scenarios()[0])


def _many(value: Names) -> Tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def run(*ids: str, k: Optional[str] = None, article: Names = None, tag: Names = None, env: Names = "local",
        mode: Names = None, seed: int = DEFAULT_SEED, python: Optional[str] = None,
        timeout_s: float = DEFAULT_TIMEOUT_S, use_cache: bool = True,
        scenario_dirs: Optional[Iterable[Path]] = None) -> Result:
    """`lab run`: the scenarios named (or selected by `k`, `article`, `tag`) in `env` ('local', a
    matrix env, 'all', or a list), both modes unless `mode` says; every claim judged."""
    work = Work(tuple(ids), False, selection_of(k, list(_many(article)), list(_many(tag))), _many(mode), seed,
                _many(env) or ("local",))
    return _with_scenario_dirs(scenario_dirs, lambda: execute(work, Options(python, timeout_s, use_cache)))


def compare(*ids: str, k: Optional[str] = None, article: Names = None, tag: Names = None, envs: Names = "all",
            mode: Names = None, seed: int = DEFAULT_SEED, python: Optional[str] = None,
            timeout_s: float = DEFAULT_TIMEOUT_S, use_cache: bool = True, workers: Optional[int] = None,
            scenario_dirs: Optional[Iterable[Path]] = None) -> Result:
    """`lab compare-all`: every scenario (or those named or selected) in every matrix env (or `envs`)."""
    work = Work(tuple(ids), not ids, selection_of(k, list(_many(article)), list(_many(tag))), _many(mode), seed,
                _many(envs) or ("all",))
    return _with_scenario_dirs(scenario_dirs, lambda: execute(work, Options(python, timeout_s, use_cache, workers)))


def verbatim(*paths: Union[str, Path], env: Names = "local", variants: Names = None, articles: bool = False,
             k: Optional[str] = None, article: Names = None, tag: Names = None, timeout_s: float = 60.0,
             repeat: int = 2, isolation: str = "fork", use_cache: bool = True, python: Optional[str] = None,
             semantics: Optional[str] = None, allow_shell: bool = False, output_check: str = "strict") -> Result:
    """`lab verbatim`: every Python block of the documents, as written (and shimmed, upgraded: `variants`),
    in each env, under their semantics (`semantics`: 'session' or 'examples'; by default a notebook's or
    script's cells run in order as in a kernel, Markdown blocks as examples); the outcomes and the
    articles' block claims judged. Locally, document code runs in the sandbox where bwrap works."""
    from lab.verbatim.semantics import parse_semantics
    from lab.verbatim.shown import parse_mode

    if isolation not in ("fork", "process"):
        raise UsageError(f"isolation {isolation!r}: use 'fork' or 'process'")
    chosen = parse_semantics(semantics)
    parse_mode(output_check)
    work = Work(selection=selection_of(k, list(_many(article)), list(_many(tag))), envs=_many(env) or ("local",),
                documents=tuple(Path(p) for p in paths), articles=articles, variants=_many(variants),
                of_documents=True)
    settings = Settings(timeout_s, repeat, isolation, semantics=chosen.value if chosen else None,
                        allow_shell=allow_shell, output_check=output_check)
    return execute(work, Options(python, use_cache=use_cache, programs=settings))


def _with_scenario_dirs(dirs: Optional[Iterable[Path]], call: Callable[[], Result]) -> Result:
    """`call` with LAB_SCENARIOS set to `dirs` for its length (a notebook's or a test's own folder)."""
    if dirs is None:
        return call()
    before = os.environ.get("LAB_SCENARIOS")
    os.environ["LAB_SCENARIOS"] = os.pathsep.join(str(d) for d in dirs)
    try:
        return call()
    finally:
        if before is None:
            os.environ.pop("LAB_SCENARIOS", None)
        else:
            os.environ["LAB_SCENARIOS"] = before


def judgement(scenario: str, claim: int, mode: str = "graph", env: str = "local", seed: int = DEFAULT_SEED,
              result: Optional[Result] = None, **options: object) -> Judgement:
    """One claim's judgement in one mode and env (what the pytest plugin's `lab_verdict` asserts on);
    from `result` when given, else from a run of that scenario and mode."""
    if mode not in ("graph", "eager"):
        raise UsageError(f"unknown mode {mode!r}: use 'graph' or 'eager'")
    if result is None:
        result = run(scenario, env=env, mode=mode, seed=seed, **options)  # type: ignore[arg-type]  # the caller's
    found = [j for j in result.scenario_judgements if j.scenario == scenario and j.claim == claim and j.env == env
             and j.mode is Mode(mode)]
    if found:
        return found[0]
    if any(o.unavailable or o.problem for o in result.outcomes if o.name == env):
        raise UsageError(f"{env} could not run {scenario}: {result.problems.get(env)}")
    count = len(result.catalog[scenario].claims) if scenario in result.catalog else 0
    raise UsageError(f"{scenario} has no claim {claim} judged in {mode} on {env} (it has {count} claims)")


_show_results_in_notebooks()
