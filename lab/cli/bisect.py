"""`lab bisect` and `lab sweep`: a claim (or an observation), or a document block's outcome (or a
printed value), across TensorFlow releases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional, Tuple

import typer
from typing_extensions import Annotated

from lab import bisect as lab_bisect
from lab import pipeline, probes, results
from lab.cli.display import progress
from lab.cli.options import JsonOpt, ModeOpt, NoCacheOpt, NoSandboxOpt, SeedOpt, TimeoutOpt, check_out_folder
from lab.environments import kinds
from lab.environments.ondemand import DEFAULT_KIND
from lab.errors import ExitCode, LabError, UsageError
from lab.pipeline import DEFAULT_TIMEOUT_S
from lab.plan import DEFAULT_SEED
from lab.releases import Release
from lab.reports import bisection
from lab.scenario import configured_scenario_dirs, load_scenarios

TargetArg = Annotated[str, typer.Argument(
    metavar="SCENARIO[#CLAIM] | DOCUMENT#BLOCK",
    help="A scenario or one of its claims; or a block of a document (post.md#3), as `lab verbatim` numbers them.")]
ObservationOpt = Annotated[Optional[str], typer.Option(
    help="Compare this observation (a block: the values it prints after this label), within the baseline's "
         "tolerances, instead of the verdicts (a block: how it ended).")]
ReleasePythonOpt = Annotated[Optional[str], typer.Option(
    "--python", help="Make every release's env from this CPython (3.9); default: the newest its kind can use.")]
KindOpt = Annotated[str, typer.Option(
    "--kind", help="Make each release's env as this kind: interpreter (a venv) or image (a container).")]


def _prober(text: str, modes: List[str], observation: Optional[str], settings: probes.Settings,
            ) -> Tuple[probes.Prober, lab_bisect.AnyTarget]:
    if settings.kind not in kinds.on_demand_kinds():
        raise UsageError(f"--kind {settings.kind}: use {' or '.join(kinds.on_demand_kinds())}")
    if lab_bisect.is_document(text):
        if modes:
            raise UsageError(f"--mode is for scenarios: {text} runs as its document writes it")
        block = lab_bisect.parse_block_target(text, observation)
        return probes.BlockProber(block, settings, progress), block
    scenarios = load_scenarios(configured_scenario_dirs())
    target = lab_bisect.parse_target(text, scenarios, pipeline.parse_modes(modes), observation)
    return probes.ScenarioProber(target, settings, progress), target


def _say(line: str) -> None:
    typer.echo(line, err=True)


def _work(target: str, first: str, last: str, modes: List[str], observation: Optional[str],
          settings: probes.Settings) -> Tuple[probes.Prober, lab_bisect.AnyTarget, List[Release]]:
    """What bisect and sweep both start from: the prober of the target, and the releases from
    `first` to `last` (with a line for each release left out)."""
    prober, what = _prober(target, modes, observation, settings)
    span, notes = probes.span(first, last, settings.python)
    for note in notes:
        _say(f"lab: {note}")
    return prober, what, span


def bisect(
    target: TargetArg,
    good: Annotated[str, typer.Option(help="A release where it is as before (2.12.1; 2.12: the newest 2.12.x).")],
    bad: Annotated[str, typer.Option(help="A release where it has changed (2.15.1; 2.15: the newest 2.15.x).")],
    mode: ModeOpt = None,
    observation: ObservationOpt = None,
    python: ReleasePythonOpt = None,
    kind: KindOpt = DEFAULT_KIND,
    seed: SeedOpt = DEFAULT_SEED,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT_S,
    no_cache: NoCacheOpt = False,
    as_json: JsonOpt = False,
    out: Annotated[Optional[Path], typer.Option(help="Write bisect.json and bisect.svg (verdicts by release) here.")]
    = None,
    no_sandbox: NoSandboxOpt = False,  # issue 26: the probes' interpreter guests are sandboxed like any
) -> None:
    """The first TensorFlow release between --good and --bad where the claim's verdict (or the
    observation, or the block's outcome) changes, making only the releases' envs the bisection visits."""
    check_out_folder(out)
    settings = probes.Settings(python, kind, seed, timeout, not no_cache)
    prober, what, span = _work(target, good, bad, mode or [], observation, settings)
    if len(span) >= 2:
        _say(f"bisect {what}: {len(span)} releases from {span[0].version} to {span[-1].version}, "
             f"at most {lab_bisect.Bisection(span).bound} probes ({kind} envs)")
    try:
        found = lab_bisect.bisect(span, prober, what, lambda event: _say(bisection.progress_line(what, event)))
    except probes.Interrupted:
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    if out is not None:  # reports: the data and the verdict-by-release strip
        results.write_text(out, "bisect.json", json.dumps(bisection.bisection_json(found), indent=1) + "\n")
        results.write_text(out, "bisect.svg", bisection.strip_svg(
            what, [r.version for r in span], found.visited, f"bisect {what}"))
    if as_json:
        typer.echo(json.dumps(bisection.bisection_json(found), indent=1))
    else:
        typer.echo(bisection.bisection_text(what, found), nl=False)
        if out is not None:
            typer.echo(f"results: {out} (bisect.json, bisect.svg)")
    if found.first is None:
        raise LabError(f"{good} and {bad} agree on {what}: nothing to bisect; widen the range "
                       "or compare another claim or observation")


def sweep(
    target: TargetArg,
    start: Annotated[str, typer.Option("--from", help="The first release (2.12.1; 2.12: the newest 2.12.x).")],
    end: Annotated[str, typer.Option("--to", help="The last release (2.15.1; 2.15: the newest 2.15.x).")],
    mode: ModeOpt = None,
    observation: ObservationOpt = None,
    python: ReleasePythonOpt = None,
    kind: KindOpt = DEFAULT_KIND,
    seed: SeedOpt = DEFAULT_SEED,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT_S,
    no_cache: NoCacheOpt = False,
    as_json: JsonOpt = False,
    out: Annotated[Optional[Path], typer.Option(help="Write sweep.md, sweep.json and sweep.svg (verdicts by "
                                                    "release) here.")] = None,
    no_sandbox: NoSandboxOpt = False,  # issue 26: the probes' interpreter guests are sandboxed like any
) -> None:
    """The claim's verdicts (or the observation, or the block's outcome) in every release from --from
    to --to: a drift table."""
    check_out_folder(out)
    settings = probes.Settings(python, kind, seed, timeout, not no_cache)
    prober, what, span = _work(target, start, end, mode or [], observation, settings)
    if not span:
        raise UsageError(f"no release from {start} to {end} has wheels for Python {python}")
    try:
        points = prober(span)
    except probes.Interrupted:
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    data = bisection.sweep_json(what, points)
    if out is not None:
        results.write_text(out, "sweep.md", bisection.sweep_markdown(what, points))
        results.write_text(out, "sweep.json", json.dumps(data, indent=1) + "\n")
        results.write_text(out, "sweep.svg", bisection.strip_svg(what, [p.version for p in points], points,
                                                                 f"sweep {what}"))
    if as_json:
        typer.echo(json.dumps(data, indent=1))
    else:
        typer.echo(bisection.sweep_text(what, points), nl=False)
        if out is not None:
            typer.echo(f"results: {out} (sweep.md, sweep.json, sweep.svg)")
    failed = [p for p in points if p.problem]
    raise typer.Exit(ExitCode.ENVIRONMENT if failed else ExitCode.OK)
