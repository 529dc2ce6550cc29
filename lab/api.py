"""The lab as a library: `from lab import run, compare, verbatim`, in a script, a notebook or a test.

Each call goes through the same pipeline as the command of its name and returns the value that
command renders: a pipeline `Result` (records, judgements, outcomes per environment) or a
`VerbatimRun`. In Jupyter both show as HTML: the verdict heat map, the plots, the claims.
Anticipated errors raise `lab.errors.LabError` (a `UsageError` for bad input) with the CLI's message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Union

from lab import pipeline
from lab.errors import UsageError
from lab.guest.catalog import Mode
from lab.pipeline import DEFAULT_TIMEOUT_S, Result
from lab.plan import DEFAULT_SEED
from lab.selection import of as selection_of
from lab.verbatim.judged import VerbatimRun
from lab.verdict import Judgement

Names = Union[str, Sequence[str], None]


def _many(value: Names) -> List[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _execute(ids: Sequence[str], everything: bool, k: Optional[str], article: Names, tag: Names, env: Names,
             mode: Names, seed: int, python: Optional[str], timeout_s: float, use_cache: bool,
             scenario_dirs: Optional[Iterable[Path]], workers: Optional[int] = None) -> Result:
    from lab.environments import resolve_names
    from lab.scenario import configured_scenario_dirs, load_scenarios

    dirs = list(scenario_dirs) if scenario_dirs is not None else configured_scenario_dirs()
    scenarios = load_scenarios(dirs)
    selected = pipeline.select(scenarios, list(ids), everything, selection_of(k, _many(article), _many(tag)))
    the_plan = pipeline.plan(selected, pipeline.parse_modes(_many(mode)), seed, resolve_names(_many(env)))
    return pipeline.run(scenarios, the_plan, dirs, python, timeout_s, use_cache, workers)


def run(*ids: str, k: Optional[str] = None, article: Names = None, tag: Names = None, env: Names = "local",
        mode: Names = None, seed: int = DEFAULT_SEED, python: Optional[str] = None,
        timeout_s: float = DEFAULT_TIMEOUT_S, use_cache: bool = True,
        scenario_dirs: Optional[Iterable[Path]] = None) -> Result:
    """`lab run`: the scenarios named (or selected by `k`, `article`, `tag`) in `env` ('local', a
    matrix env, 'all', or a list), both modes unless `mode` says; every claim judged."""
    return _execute(ids, False, k, article, tag, env, mode, seed, python, timeout_s, use_cache, scenario_dirs)


def compare(*ids: str, k: Optional[str] = None, article: Names = None, tag: Names = None, envs: Names = "all",
            mode: Names = None, seed: int = DEFAULT_SEED, python: Optional[str] = None,
            timeout_s: float = DEFAULT_TIMEOUT_S, use_cache: bool = True, workers: Optional[int] = None,
            scenario_dirs: Optional[Iterable[Path]] = None) -> Result:
    """`lab compare-all`: every scenario (or those named or selected) in every matrix env (or `envs`)."""
    return _execute(ids, not ids, k, article, tag, envs, mode, seed, python, timeout_s, use_cache, scenario_dirs,
                    workers)


def verbatim(*paths: Union[str, Path], env: Names = "local", variants: Names = None, articles: bool = False,
             k: Optional[str] = None, article: Names = None, tag: Names = None, timeout_s: float = 60.0,
             repeat: int = 2, isolation: str = "fork", use_cache: bool = True,
             python: Optional[str] = None) -> VerbatimRun:
    """`lab verbatim`: every Python block of the documents, as written (and shimmed, upgraded: `variants`),
    in each env; the outcomes and the articles' block claims judged. Document code runs as you, locally."""
    from lab.environments import resolve_names
    from lab.verbatim import judged
    from lab.verbatim.runner import Settings
    from lab.verbatim.variants import parse_variants

    if isolation not in ("fork", "process"):
        raise UsageError(f"isolation {isolation!r}: use 'fork' or 'process'")
    settings = Settings(timeout_s, repeat, isolation, use_cache)
    return judged.run([Path(p) for p in paths], resolve_names(_many(env)), parse_variants(_many(variants)),
                      settings, articles, None, selection_of(k, _many(article), _many(tag)), python)


def judgement(scenario: str, claim: int, mode: str = "graph", env: str = "local", seed: int = DEFAULT_SEED,
              result: Optional[Result] = None, **options: object) -> Judgement:
    """One claim's judgement in one mode and env (what the pytest plugin's `lab_verdict` asserts on);
    from `result` when given, else from a run of that scenario and mode."""
    if result is None:
        result = run(scenario, env=env, mode=mode, seed=seed, **options)  # type: ignore[arg-type]
    wanted = Mode(mode) if mode in ("graph", "eager") else None
    found = [j for j in result.judgements if j.scenario == scenario and j.claim == claim and j.env == env
             and j.mode is wanted]
    if found:
        return found[0]
    if any(o.unavailable or o.problem for o in result.outcomes if o.name == env):
        raise UsageError(f"{env} could not run {scenario}: {result.problems.get(env)}")
    count = len(result.catalog[scenario].claims) if scenario in result.catalog else 0
    raise UsageError(f"{scenario} has no claim {claim} judged in {mode} on {env} (it has {count} claims)")
