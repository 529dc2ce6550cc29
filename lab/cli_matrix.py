"""CLI commands over the container matrix: `lab envs list|build` and `lab compare-all`."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import typer
from typing_extensions import Annotated

from lab import matrix_report, results
from lab.baseline import check_results, load_baseline
from lab.cache import RecordCache
from lab.compare import judge_all
from lab.envs import load_matrix
from lab.errors import TRIALS_FAILED_EXIT_CODE, LabError
from lab.multi_env import EnvResult, MultiEnvRun, resolve_envs
from lab.render_values import table
from lab.runners.local import DEFAULT_TIMEOUT_S
from lab.scenario import Scenario, configured_scenario_dirs, load_scenarios
from lab.workflow import DEFAULT_SEED, parse_modes, plan, select

envs_app = typer.Typer(help="The pinned container environments.", no_args_is_help=True)
INTERRUPTED_EXIT_CODE = 130


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


def run_matrix(names: List[str], trials: list, python: Optional[str], timeout: float,
               workers: Optional[int], scenarios: Dict[str, Scenario], use_cache: bool) -> tuple:
    """Run the trials in every env with progress; on Ctrl-C return what finished, flagged."""
    cache = RecordCache() if use_cache else None
    with progress(names) as note:
        runner = MultiEnvRun(names, configured_scenario_dirs(), timeout, python, workers, note,
                             scenarios=scenarios, cache=cache)
        try:
            return runner.run(trials), False
        except KeyboardInterrupt as exc:
            partial: List[EnvResult] = exc.args[0] if exc.args else []
            return partial, True


def gather(scenarios: Dict[str, Scenario], env_results: List[EnvResult]) -> tuple:
    """Every env's records, every claim judged on them, and each env's problem ('' if none)."""
    records = [r for e in env_results for r in e.records]
    return records, judge_all(scenarios, records), {e.name: e.problem for e in env_results}


def save_results(out: Path, env_results: List[EnvResult], records: list, judgements: list, seed: int,
                 modes: List[str]) -> None:
    """Records, verdicts, manifest, Markdown and JUnit in `out`, and any env's traceback."""
    info = {e.name: {"image": e.image, "image_id": e.image_id, "problem": e.problem, "cached_trials": e.cached,
                     "pip_freeze": e.freeze} for e in env_results}
    results.write_run(out, records, judgements, info, seed, modes)
    for e in env_results:
        if e.traceback:
            results.write_text(out, f"{e.name}.traceback.txt", e.traceback)


def compare_all(
    ids: Annotated[Optional[List[str]], typer.Argument(metavar="[ID]...", help="Scenario ids; default all.")] = None,
    env: Annotated[
        Optional[List[str]], typer.Option(help="Environments (repeatable); default: every matrix env.")
    ] = None,
    mode: Annotated[Optional[List[str]], typer.Option(help="graph or eager; default both.")] = None,
    seed: Annotated[int, typer.Option(help="Seed set before each twin.")] = DEFAULT_SEED,
    out: Annotated[Optional[Path], typer.Option(help="Results folder; default results/<UTC time>.")] = None,
    timeout: Annotated[
        float, typer.Option(min=1, help="Seconds allowed for one environment's batch.")
    ] = DEFAULT_TIMEOUT_S,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Environments run at once; default: the cores.")] = None,
    python: Annotated[Optional[str], typer.Option(help="Interpreter for 'local', if listed.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Run every trial, ignoring cached records.")] = False,
    check: Annotated[
        Optional[Path], typer.Option(help="Fail (exit 5) when a verdict or observation differs from this baseline.")
    ] = None,
    update_baseline: Annotated[
        Optional[Path], typer.Option(help="Rewrite this baseline file from the run's results.")
    ] = None,
) -> None:
    """Every scenario x both modes x every environment; the verdict matrix and what differs."""
    if check is not None:
        load_baseline(check)  # a missing or malformed baseline fails before any work, in one line
    scenarios = load_scenarios(configured_scenario_dirs())
    names = resolve_envs(env or ["all"])
    modes = parse_modes(mode or [])
    trials = plan(select(scenarios, ids or [], everything=not ids), modes, seed)
    env_results, interrupted = run_matrix(names, trials, python, timeout, workers, scenarios, not no_cache)
    folder = out or results.default_results_dir()
    records, judgements, problems = gather(scenarios, env_results)
    save_results(folder, env_results, records, judgements, seed, [m.value for m in modes])
    typer.echo(matrix_report.terminal(records, judgements, problems), nl=False)
    typer.echo(f"results: {folder} (report.md, junit.xml, manifest.json, records/)")
    baseline_code = 0
    baseline = update_baseline or check
    if baseline is not None and not interrupted:
        # A run over the whole matrix must cover every env of the baseline; a run over some
        # envs (a per-env CI job) checks its own slice.
        text, baseline_code = check_results(records, judgements, baseline, update=update_baseline is not None,
                                            require_all_envs=env is None)
        typer.echo(text, nl=not text.endswith("\n"))
    if interrupted:
        typer.echo("lab: interrupted; the finished environments' records are saved", err=True)
        raise typer.Exit(INTERRUPTED_EXIT_CODE)
    if any(problems.values()):
        raise typer.Exit(TRIALS_FAILED_EXIT_CODE)
    if baseline_code:
        raise typer.Exit(baseline_code)


@envs_app.command("list")
def envs_list() -> None:
    """Name, TensorFlow, Keras, Python, whether the image is built, and its id."""
    matrix = load_matrix()
    client, why = None, ""
    try:
        from lab.images import docker_client

        client = docker_client(timeout=10)
    except LabError as exc:
        why = str(exc)
    rows = []
    for e in matrix:
        built, image = "?", ""
        if client is not None:
            from lab.images import image_status

            status = image_status(e, client)
            built, image = ("yes", (status.image_id or "")[:19]) if status.built else ("no", status.tag)
        rows.append([e.name, e.tensorflow, e.keras, e.python, built, image])
    typer.echo("\n".join(table(["env", "tensorflow", "keras", "python", "built", "image"], rows)))
    if why:
        typer.echo(f"(image status unknown: {why})", err=True)


@envs_app.command("build")
def envs_build(
    names: Annotated[Optional[List[str]], typer.Argument(metavar="[NAME]...", help="Envs; default all.")] = None,
) -> None:
    """Build the envs' images (skipped when the recipe is unchanged), showing progress."""
    from lab.envs import get_env
    from lab.images import ImageBuildFailed, build_image, docker_client

    chosen = [get_env(n) for n in resolve_envs(names or ["all"]) if n != "local"]
    client = docker_client()
    failed = []
    for e in chosen:
        def note(line: str, name: str = e.name) -> None:
            typer.echo(f"[{name}] {line}", err=True)

        try:
            status = build_image(e, client, on_progress=note)
            typer.echo(f"{e.name}: {status.tag} {(status.image_id or '')[:19]}")
        except ImageBuildFailed as exc:
            typer.echo(f"{e.name}: FAILED: {exc}", err=True)
            failed.append(e.name)
    if failed:
        typer.echo(f"lab: error: could not build {', '.join(failed)}", err=True)
        raise typer.Exit(3)
