"""The Typer app: each command parses, calls the library, renders, and sets the exit code."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any, List, Optional, Type

import typer

from lab import __version__, sandbox, stopping
from lab.cli import bisect, cache, clean, display, envs, results, runs, scenarios, shards, verbatim
from lab.errors import ExitCode, LabError
from lab.text import printable

app = typer.Typer(
    name="lab",
    help="Settle claims about TensorFlow variables with evidence from graph and eager twins.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command("list")(scenarios.list_scenarios)
app.command("show")(scenarios.show)
app.command("run")(runs.run)
app.command("compare-all")(runs.compare_all)
app.add_typer(envs.envs_app, name="envs")
app.add_typer(cache.cache_app, name="cache")
app.command("merge")(results.merge)
app.command("check")(results.check)
app.command("report")(results.report)
app.command("clean")(clean.clean)
app.command("verbatim", help=verbatim.HELP)(verbatim.verbatim)
app.command("bisect")(bisect.bisect)
app.command("sweep")(bisect.sweep)
app.command("plan")(shards.plan)


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
    # A run that was interrupted ignores further Ctrl-C while it saves; a caller (a test) keeps its own.
    on_interrupt = signal.getsignal(signal.SIGINT) if _main_thread() else None
    display.forget_interruption()
    # Issue 26: SIGTERM and SIGHUP stop a command as Ctrl-C does; guests are sandboxed unless
    # the command's --no-sandbox says otherwise (its callback runs after this).
    restore_signals = stopping.install()
    sandbox.use(True)
    try:
        return stopping.exit_code(_main(command, argv))
    finally:
        restore_signals()
        if on_interrupt is not None:
            signal.signal(signal.SIGINT, on_interrupt)


def _main(command: Any, argv: Optional[List[str]]) -> int:
    try:
        result = command.main(args=argv, prog_name="lab", standalone_mode=False)
    except _USAGE_ERROR as exc:
        ctx = getattr(exc, "ctx", None)
        where = f"lab {ctx.info_name} --help" if ctx is not None and ctx.info_name != "lab" else "lab --help"
        typer.echo(f"lab: error: {exc.format_message()} (see '{where}')", err=True)  # type: ignore[attr-defined]  # click's UsageError has it
        return ExitCode.USAGE
    except typer.Abort:  # click's form of a Ctrl-C outside the wait for environments
        typer.echo("lab: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except LabError as exc:
        typer.echo(f"lab: error: {printable(str(exc), one_line=True)}", err=True)
        return exc.exit_code
    if result == ExitCode.INTERRUPTED and not display.interruption_said():
        # Typer turns a Ctrl-C outside a run's wait for environments (loading scenarios,
        # building an image) into a silent exit 130: say it.
        typer.echo("lab: interrupted", err=True)
    return result if isinstance(result, int) else 0


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def entry() -> None:
    code = main()
    if stopping.interrupted(code):
        # What finished is saved by now. An environment thread that Ctrl-C could not end (one
        # streaming an image build) must not keep the process alive, and exit joins those threads.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
