"""`lab run` and `lab compare-all`: two views of one pipeline run, with one exit code."""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

import typer
from typing_extensions import Annotated

from lab import pipeline, results
from lab.baseline import check_results, load_baseline
from lab.cli.options import ArticleOpt, KeywordOpt, TagOpt
from lab.cli.options import chosen as selection_of
from lab.errors import UsageError
from lab.pipeline import DEFAULT_TIMEOUT_S, Result
from lab.plan import DEFAULT_SEED, Plan
from lab.reports import matrix as matrix_report
from lab.reports import terminal
from lab.scenario import configured_scenario_dirs, load_scenarios
from lab.selection import Selection


@contextmanager
def progress(names: List[str]) -> Iterator[Callable[[str, str], None]]:
    """A live line per environment on a terminal; plain `[env] message` lines otherwise (CI logs)."""
    if not sys.stderr.isatty():
        yield lambda env, message: typer.echo(f"[{env}] {message}", err=True)
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.fields[env]:<22}"), TextColumn("{task.description}"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=False) as bar:
        tasks = {n: bar.add_task("waiting", env=n, total=1) for n in names}

        def note(env: str, message: str) -> None:
            finished = message == "done" or message.startswith("failed")
            bar.update(tasks[env], description=message[:90], completed=1 if finished else 0)

        yield note


_said: List[str] = []


def say_interrupted(line: str) -> None:
    """The one line a run that Ctrl-C stopped prints (main prints a plain one for other commands)."""
    _said.append(line)
    typer.echo(line, err=True)


def interruption_said() -> bool:
    return bool(_said)


def forget_interruption() -> None:
    """A new command starts with nothing said (tests call main more than once per process)."""
    _said.clear()


def check_out_folder(out: Optional[Path]) -> None:
    """An --out that cannot be written is found before any work, not after it: a file is
    written there (permission bits do not tell: root may not write in /proc), and the folders
    made for it are removed again, so a run that stops early leaves nothing."""
    if out is None:
        return
    made = [p for p in [out, *out.parents] if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=out, prefix=".lab-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(f"--out {out} cannot be written ({exc.strerror}); choose another --out") from None
    finally:
        for folder in made:  # deepest first
            try:
                folder.rmdir()
            except OSError:
                break


def execute(ids: Optional[List[str]], everything: bool, envs: List[str], mode: Optional[List[str]], seed: int,
            python: Optional[str], timeout: float, workers: Optional[int], use_cache: bool,
            the_plan: Optional[Plan] = None, chosen: Optional[Selection] = None) -> Tuple[Result, dict]:
    """select -> plan -> execute -> judge, with progress on stderr; returns the result and the scenarios.
    `the_plan` (a shard's, from a plan file) replaces the selection."""
    from lab.environments import resolve_names

    scenarios = load_scenarios(configured_scenario_dirs())
    if the_plan is None:
        modes = pipeline.parse_modes(mode or [])
        selected = pipeline.select(scenarios, ids or [], everything, chosen)
        the_plan = pipeline.plan(selected, modes, seed, resolve_names(envs))
    else:
        pipeline.select(scenarios, list(dict.fromkeys(t.scenario for t in the_plan.trials)))  # each still exists
        resolve_names(the_plan.envs)
    with progress(list(the_plan.envs)) as note:
        result = pipeline.run(scenarios, the_plan, configured_scenario_dirs(), python, timeout, use_cache, workers,
                              note)
    return result, scenarios


def env_info(result: Result) -> Dict[str, Dict[str, Any]]:
    """Each env's manifest entry."""
    return {o.name: {**o.description, "problem": o.problem, "unavailable": o.unavailable, "cached_trials": o.cached,
                     "pip_freeze": list(o.freeze)} for o in result.outcomes}


def save(out: Path, result: Result, extra: Optional[Mapping[str, Any]] = None) -> None:
    """Records, verdicts, manifest, Markdown and JUnit in `out`, and any env's traceback;
    `extra` adds manifest entries (a shard's)."""
    results.write_run(out, result.records, result.judgements, env_info(result), result.plan.seed,
                      [m.value for m in result.plan.modes], extra)
    for o in result.outcomes:
        if o.traceback:
            results.write_text(out, f"{o.name}.traceback.txt", o.traceback)


def html_report(path: Optional[Path], result: Result, scenarios: Mapping[str, Any]) -> None:
    if path is None:
        return
    manifest = results.manifest(env_info(result), result.plan.seed, [m.value for m in result.plan.modes],
                                [t.scenario for t in result.plan.trials])
    size = results.write_html(path, result.records, result.judgements, scenarios, result.problems, manifest)
    typer.echo(f"html report: {path} ({size / 1e6:.1f} MB)", err=True)


def unavailable_lines(result: Result) -> None:
    for o in result.outcomes:
        if o.unavailable:
            typer.echo(f"lab: error: {o.problem}", err=True)


IdsArg = Annotated[Optional[List[str]], typer.Argument(metavar="[ID]...", help="Scenario ids.")]
ModeOpt = Annotated[Optional[List[str]], typer.Option(help="graph or eager; repeat for both (default).")]
SeedOpt = Annotated[int, typer.Option(help="Seed for Python, numpy and TensorFlow before each twin (0 to 2**32-1).")]
MAX_TIMEOUT_S = 7 * 24 * 3600


def _seconds(value: float) -> float:
    # Not typer's min/max: its message does not say that inf and nan are what is wrong.
    if not 1 <= value <= MAX_TIMEOUT_S:  # False for nan too
        raise typer.BadParameter(f"{value:g} is not a number of seconds from 1 to {MAX_TIMEOUT_S} (7 days)")
    return value


TimeoutOpt = Annotated[float, typer.Option(callback=_seconds, help="Seconds allowed for one environment's batch.")]
PythonOpt = Annotated[Optional[str], typer.Option(
    help="Interpreter with TensorFlow for 'local' (or, without local, the base Python of an interpreter env) "
         "[env: LAB_PYTHON].")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Run every trial, ignoring cached records.")]
HtmlOpt = Annotated[Optional[Path], typer.Option(help="Also write the HTML report (one self-contained file) here.")]
PlanOpt = Annotated[Optional[Path], typer.Option(
    "--plan", help="Run one shard: a plan file written by 'lab plan --shard I/N' (it fixes ids, envs, modes, seed).")]


def read_plan(path: Optional[Path], chosen: bool, seed: int) -> Tuple[Optional[Plan], Optional[Dict[str, Any]]]:
    """A shard's plan and its manifest entries, or (None, None) without --plan."""
    if path is None:
        return None, None
    from lab import shards

    if chosen or seed != DEFAULT_SEED:
        raise UsageError("--plan fixes the scenarios, environments, modes and seed: leave out the ids, --all, "
                         "--env, --mode and --seed")
    the_plan, data = shards.read(path)
    return the_plan, {"shard": shards.manifest_entry(data), "scenarios": data["scenarios"], "modes": data["modes"]}


def run(
    ids: IdsArg = None,
    everything: Annotated[bool, typer.Option("--all", help="Run every scenario.")] = False,
    mode: ModeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the records and verdicts as JSON only.")] = False,
    out: Annotated[Optional[Path], typer.Option(help="Save every record and the verdicts in this folder.")] = None,
    seed: SeedOpt = DEFAULT_SEED,
    python: PythonOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT_S,
    env: Annotated[
        Optional[List[str]], typer.Option(help="Where to run: 'local' (default), a matrix env, or 'all'; repeatable.")
    ] = None,
    no_cache: NoCacheOpt = False,
    html: HtmlOpt = None,
    plan: PlanOpt = None,
    keyword: KeywordOpt = None,
    article: ArticleOpt = None,
    tag: TagOpt = None,
) -> None:
    """Run scenarios' twins, show graph beside eager, and judge every claim per mode."""
    if plan is not None and out is None:
        raise UsageError("--plan needs --out DIR: a shard's results folder is what 'lab merge' joins")
    chosen = selection_of(keyword, article, tag)
    the_plan, extra = read_plan(plan, bool(ids or everything or env or mode or chosen), seed)
    check_out_folder(out)
    results.check_html_path(html)
    result, scenarios = execute(ids, everything, env or ["local"], mode, seed, python, timeout, None, not no_cache,
                                the_plan, chosen)
    if out is not None:
        save(out, result, extra)
    html_report(html, result, scenarios)
    unavailable_lines(result)
    if as_json:
        typer.echo(terminal.as_json(result.records, result.judgements))
    else:
        typer.echo(terminal.terminal(scenarios, result.records, result.judgements), nl=False)
        typer.echo(terminal.summary_line(result.records, result.judgements))
        if len(result.outcomes) > 1:
            typer.echo("")
            typer.echo(matrix_report.terminal(result.records, result.judgements, result.problems), nl=False)
    if result.interrupted:
        saved = f"; the finished environments' records are in {out}" if out is not None else ""
        say_interrupted(f"lab: interrupted{saved}")
    raise typer.Exit(pipeline.exit_code(result))


def compare_all(
    ids: Annotated[Optional[List[str]], typer.Argument(metavar="[ID]...", help="Scenario ids; default all.")] = None,
    env: Annotated[
        Optional[List[str]], typer.Option(help="Environments (repeatable); default: every matrix env.")
    ] = None,
    mode: ModeOpt = None,
    seed: SeedOpt = DEFAULT_SEED,
    out: Annotated[Optional[Path], typer.Option(help="Results folder; default results/<UTC time>.")] = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT_S,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Guest processes at once; default: the cores.")] = None,
    python: PythonOpt = None,
    no_cache: NoCacheOpt = False,
    check: Annotated[
        Optional[Path], typer.Option(help="Fail (exit 5) when a verdict or observation differs from this baseline.")
    ] = None,
    update_baseline: Annotated[
        Optional[Path], typer.Option(help="Rewrite this baseline file from the run's results.")
    ] = None,
    html: HtmlOpt = None,
    plan: PlanOpt = None,
    keyword: KeywordOpt = None,
    article: ArticleOpt = None,
    tag: TagOpt = None,
) -> None:
    """Every scenario x both modes x every environment; the verdict matrix and what differs."""
    chosen = selection_of(keyword, article, tag)
    the_plan, extra = read_plan(plan, bool(ids or env or mode or chosen), seed)
    if check is not None:
        load_baseline(check)  # a missing or malformed baseline fails before any work, in one line
    check_out_folder(out)
    results.check_html_path(html)
    result, scenarios = execute(ids, not ids, env or ["all"], mode, seed, python, timeout, workers, not no_cache,
                                the_plan, chosen)
    folder = out or results.default_results_dir()
    save(folder, result, extra)
    html_report(html, result, scenarios)
    unavailable_lines(result)
    typer.echo(matrix_report.terminal(result.records, result.judgements, result.problems), nl=False)
    typer.echo(f"results: {folder} (report.md, junit.xml, manifest.json, records/)")
    changed = False
    baseline = update_baseline or check
    if baseline is not None and not result.interrupted:
        # A run over the whole matrix must cover every env of the baseline; a run over some
        # envs (a per-env CI job) checks its own slice.
        checked = check_results(result.records, result.judgements, baseline, update=update_baseline is not None,
                                require_all_envs=env is None)
        if update_baseline is None:  # CI reads junit.xml: a case fails where the run differs from the baseline
            results.write_text(folder, "junit.xml", matrix_report.junit(result.records, result.judgements,
                                                                        checked.changes))
        typer.echo(checked.text, nl=not checked.text.endswith("\n"))
        changed = checked.code != 0
    if result.interrupted:
        say_interrupted("lab: interrupted; the finished environments' records are saved")
    raise typer.Exit(pipeline.exit_code(result, changed))
