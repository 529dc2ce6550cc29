"""The Typer app: parse, call one library function, render, set the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Optional, Type

import typer
from typing_extensions import Annotated

from lab import __version__, cli_matrix, cli_results, matrix_report, report, results
from lab.errors import TRIALS_FAILED_EXIT_CODE, LabError
from lab.multi_env import LOCAL, resolve_envs
from lab.runners.local import DEFAULT_TIMEOUT_S, LocalRunner
from lab.scenario import Scenario, configured_scenario_dirs, load_scenarios
from lab.workflow import DEFAULT_SEED, execute, parse_modes, plan, select

app = typer.Typer(
    name="lab",
    help="Settle claims about TensorFlow variables with evidence from graph and eager twins.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _scenarios() -> Dict[str, Scenario]:
    return load_scenarios(configured_scenario_dirs())


@app.command("list")
def list_scenarios() -> None:
    """Every scenario: id, source, summary and claims."""
    for s in _scenarios().values():
        typer.echo(f"{s.id}\n  source: {s.source}\n  {s.summary}")
        for i, c in enumerate(s.claims, 1):
            typer.echo(f"  claim {i}: {c.text}")
        typer.echo("")


@app.command()
def show(scenario_id: Annotated[str, typer.Argument(metavar="ID", help="A scenario id from 'lab list'.")]) -> None:
    """A scenario's source, its claims as the article states them, and both twins' code."""
    (s,) = select(_scenarios(), [scenario_id])
    typer.echo(f"{s.id}: {s.summary}\nsource: {s.source}\ndefined in: {s.path}\n\nclaims:")
    for i, c in enumerate(s.claims, 1):
        typer.echo(f"  {i}. {c.text}")
        if c.quote:
            typer.echo(f'     article: "{c.quote}"')
    for mode, _ in s.twins.items():
        typer.echo(f"\n{mode.value} twin:\n")
        typer.echo("    " + s.code(mode).replace("\n", "\n    "))


@app.command()
def run(
    ids: Annotated[Optional[List[str]], typer.Argument(metavar="[ID]...", help="Scenario ids.")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Run every scenario.")] = False,
    mode: Annotated[Optional[List[str]], typer.Option(help="graph or eager; repeat for both (default).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the records and verdicts as JSON only.")] = False,
    out: Annotated[Optional[Path], typer.Option(help="Save every record and the verdicts in this folder.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for Python, numpy and TensorFlow before each twin.")] = DEFAULT_SEED,
    python: Annotated[
        Optional[str], typer.Option(help="Interpreter with TensorFlow for 'local' [env: LAB_PYTHON].")
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=1, help="Seconds allowed for one environment's batch.")
    ] = DEFAULT_TIMEOUT_S,
    env: Annotated[
        Optional[List[str]], typer.Option(help="Where to run: 'local' (default), a matrix env, or 'all'; repeatable.")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Rerun container trials whose records are cached.")
    ] = False,
) -> None:
    """Run scenarios' twins, show graph beside eager, and judge every claim per mode."""
    scenarios = _scenarios()
    modes = parse_modes(mode or [])
    trials = plan(select(scenarios, ids or [], everything), modes, seed)
    names = resolve_envs(env or [LOCAL])
    if names == [LOCAL]:
        dirs = configured_scenario_dirs()
        runner = LocalRunner(python=python, timeout_s=timeout, scenario_dirs=dirs)
        outcome = execute(runner, scenarios, trials)
        records, judgements, problems = outcome.records, outcome.judgements, {}
        if out is not None:
            results.save(out, records, judgements)
    else:
        env_results, interrupted = cli_matrix.run_matrix(names, trials, python, timeout, None, scenarios,
                                                         not no_cache)
        records, judgements, problems = cli_matrix.gather(scenarios, env_results)
        if out is not None:
            cli_matrix.save_results(out, env_results, records, judgements, seed, [m.value for m in modes])
        if interrupted:
            saved = f"; the finished environments' records are in {out}" if out is not None else ""
            typer.echo(f"lab: interrupted{saved}", err=True)
            raise typer.Exit(cli_matrix.INTERRUPTED_EXIT_CODE)
    if as_json:
        typer.echo(report.as_json(records, judgements))
    else:
        typer.echo(report.terminal(scenarios, records, judgements), nl=False)
        typer.echo(report.summary_line(records, judgements))
        if len(names) > 1:
            typer.echo("")
            typer.echo(matrix_report.terminal(records, judgements, problems), nl=False)
    if not all(r.ok for r in records):
        raise typer.Exit(TRIALS_FAILED_EXIT_CODE)


app.command("compare-all")(cli_matrix.compare_all)
app.add_typer(cli_matrix.envs_app, name="envs")
app.command("merge")(cli_results.merge)
app.command("check")(cli_results.check)


@app.command()
def version() -> None:
    """Print lab's version."""
    typer.echo(__version__)


# Typer vendors click from 0.2x on and older releases depend on it; either way BadParameter's
# base class is click's UsageError, which is how we reach it without importing click.
_USAGE_ERROR: Type[Exception] = typer.BadParameter.__mro__[1]


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point: anticipated errors print one line; anything else keeps its traceback."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="lab", standalone_mode=False)
    except _USAGE_ERROR as exc:
        ctx = getattr(exc, "ctx", None)
        where = f"lab {ctx.info_name} --help" if ctx is not None and ctx.info_name != "lab" else "lab --help"
        typer.echo(f"lab: error: {exc.format_message()} (see '{where}')", err=True)  # type: ignore[attr-defined]
        return 2
    except typer.Abort:
        typer.echo("lab: interrupted", err=True)
        return 130
    except LabError as exc:
        typer.echo(f"lab: error: {exc}", err=True)
        return exc.exit_code
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())
