"""`lab bisect` and `lab sweep`: a claim (or an observation) across TensorFlow releases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional

import typer
from typing_extensions import Annotated

from lab import bisect as lab_bisect
from lab import pipeline, releases, results
from lab.cli.display import progress
from lab.cli.options import SeedOpt, TimeoutOpt, check_out_folder
from lab.environments import resolve_names
from lab.environments.declared import matrix_settings
from lab.errors import ExitCode, LabError, UsageError
from lab.pipeline import DEFAULT_TIMEOUT_S
from lab.plan import DEFAULT_SEED
from lab.reports import bisection
from lab.scenario import configured_scenario_dirs, load_scenarios

TargetArg = Annotated[str, typer.Argument(metavar="SCENARIO[#CLAIM]", help="A scenario, or one of its claims.")]
ObservationOpt = Annotated[Optional[str], typer.Option(
    help="Compare this observation (within the baseline's tolerances) instead of the verdicts.")]
ModeOpt = Annotated[Optional[List[str]], typer.Option(help="graph or eager; repeat for both (default).")]
ReleasePythonOpt = Annotated[Optional[str], typer.Option(
    "--python", help="Make every release's env from this CPython (3.9); default: the newest with wheels.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Run every trial, ignoring cached records.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only.")]


class Prober:
    """Runs the target's scenario in on-demand envs, one pipeline run per probe (envs in parallel)."""

    def __init__(self, target_text: str, modes: List[str], observation: Optional[str], python: Optional[str],
                 seed: int, timeout: float, use_cache: bool) -> None:
        self.scenarios = load_scenarios(configured_scenario_dirs())
        parsed = pipeline.parse_modes(modes)
        self.target = lab_bisect.parse_target(target_text, self.scenarios, parsed, observation)
        self.python, self.seed, self.timeout, self.use_cache = python, seed, timeout, use_cache
        self.exclude_newer = matrix_settings()[1]

    def span(self, good: str, bad: str) -> List[releases.Release]:
        return releases.between(good, bad, self.python, self.exclude_newer)

    def __call__(self, chosen: List[releases.Release]) -> List[lab_bisect.Point]:
        specs = [lab_bisect.spec_of(r.version, self.python) for r in chosen]
        names = resolve_names(specs)
        versions: Dict[str, str] = {n: r.version for n, r in zip(names, chosen)}
        selected = [self.scenarios[self.target.scenario]]
        the_plan = pipeline.plan(selected, self.target.modes, self.seed, names)
        with progress(names) as (note, _):
            result = pipeline.run(self.scenarios, the_plan, configured_scenario_dirs(), None, self.timeout,
                                  self.use_cache, None, note)
        if result.interrupted:
            raise typer.Exit(ExitCode.INTERRUPTED)
        return lab_bisect.points_of(result, self.target, versions)


def bisect(
    target: TargetArg,
    good: Annotated[str, typer.Option(help="A release where it is as before (2.12.1).")],
    bad: Annotated[str, typer.Option(help="A release where it has changed (2.15.1).")],
    mode: ModeOpt = None,
    observation: ObservationOpt = None,
    python: ReleasePythonOpt = None,
    seed: SeedOpt = DEFAULT_SEED,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT_S,
    no_cache: NoCacheOpt = False,
    as_json: JsonOpt = False,
    out: Annotated[Optional[Path], typer.Option(help="Write bisect.json and bisect.svg (verdicts by release) here.")]
    = None,
) -> None:
    """The first TensorFlow release between --good and --bad where the claim's verdict (or the
    observation) changes, building only the releases' envs the bisection visits."""
    check_out_folder(out)
    prober = Prober(target, mode or [], observation, python, seed, timeout, not no_cache)
    span = prober.span(good, bad)
    found = lab_bisect.bisect(span, prober, prober.target)
    if out is not None:  # reports: the data and the verdict-by-release strip
        results.write_text(out, "bisect.json", json.dumps(_as_dict(found), indent=1) + "\n")
        results.write_text(out, "bisect.svg", bisection.strip_svg(
            prober.target, [r.version for r in span], found.visited, f"bisect {prober.target}"))
    if as_json:
        typer.echo(json.dumps(_as_dict(found), indent=1))
    else:
        typer.echo(bisection.bisection_text(prober.target, found), nl=False)
        if out is not None:
            typer.echo(f"results: {out} (bisect.json, bisect.svg)")
    if found.first is None:
        raise LabError(f"{good} and {bad} agree on {prober.target}: nothing to bisect; widen the range "
                       "or compare another claim or observation")


def _as_dict(found: lab_bisect.Bisection) -> Dict[str, object]:
    def point(p: Optional[lab_bisect.Point]) -> Optional[Dict[str, object]]:
        return None if p is None else {"version": p.version, "env": p.env, "spec": p.spec, "python": p.python,
                                       "outcome": list(p.outcome), "values": list(p.values), "problem": p.problem}

    return {"releases": [r.version for r in found.span], "visited": [point(p) for p in found.visited],
            "built": len(found.visited), "bound": found.bound, "first": point(found.first),
            "before": point(found.before), "untestable": [p.version for p in found.untestable]}


def sweep(
    target: TargetArg,
    start: Annotated[str, typer.Option("--from", help="The first release (2.12.1).")],
    end: Annotated[str, typer.Option("--to", help="The last release (2.15.1).")],
    mode: ModeOpt = None,
    observation: ObservationOpt = None,
    python: ReleasePythonOpt = None,
    seed: SeedOpt = DEFAULT_SEED,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT_S,
    no_cache: NoCacheOpt = False,
    as_json: JsonOpt = False,
    out: Annotated[Optional[Path], typer.Option(help="Write sweep.md, sweep.json and sweep.svg (verdicts by "
                                                    "release) here.")] = None,
) -> None:
    """The claim's verdicts (or the observation) in every release from --from to --to: a drift table."""
    check_out_folder(out)
    prober = Prober(target, mode or [], observation, python, seed, timeout, not no_cache)
    span = prober.span(start, end)
    if not span:
        raise UsageError(f"no release from {start} to {end} has wheels for Python {python}")
    points = prober(span)
    data = bisection.sweep_json(prober.target, points)
    if out is not None:
        results.write_text(out, "sweep.md", bisection.sweep_markdown(prober.target, points))
        results.write_text(out, "sweep.json", json.dumps(data, indent=1) + "\n")
        results.write_text(out, "sweep.svg", bisection.strip_svg(prober.target, [p.version for p in points], points,
                                                                 f"sweep {prober.target}"))
    if as_json:
        typer.echo(json.dumps(data, indent=1))
    else:
        typer.echo(bisection.sweep_text(prober.target, points), nl=False)
        if out is not None:
            typer.echo(f"results: {out} (sweep.md, sweep.json, sweep.svg)")
    failed = [p for p in points if p.problem]
    raise typer.Exit(ExitCode.ENVIRONMENT if failed else ExitCode.OK)
