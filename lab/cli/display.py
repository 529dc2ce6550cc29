"""What the commands show while they work and after: progress per environment, one-line
problems, the HTML report, and the one line an interrupted run prints."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Tuple

import typer

from lab import atomic
from lab.pipeline import Result
from lab.reports.view import View
from lab.text import printable

Note = Callable[[str, str], None]
Answers = Callable[[str, int, int], None]


@contextmanager
def progress(names: List[str]) -> Iterator[Tuple[Note, Answers]]:
    """A live line per environment on a terminal (with a count of the jobs answered); plain
    `[env] message` lines otherwise (CI logs)."""
    if not sys.stderr.isatty():
        yield (lambda env, message: typer.echo(f"[{env}] {message}", err=True)), (lambda env, done, total: None)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.fields[env]:<22}"), BarColumn(bar_width=20),
                  MofNCompleteColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=False) as bar:
        tasks = {n: bar.add_task("waiting", env=n, total=None) for n in names}

        def note(env: str, message: str) -> None:
            if env in tasks:
                bar.update(tasks[env], description=message[:90])

        def answered(env: str, done: int, total: int) -> None:
            if env in tasks:
                bar.update(tasks[env], completed=done, total=total)

        yield note, answered


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


def problems(result: Result) -> None:
    """An environment that could not be made ready: one line each, on stderr."""
    for o in result.outcomes:
        if o.unavailable:
            typer.echo(f"lab: error: {printable(o.problem, one_line=True)}", err=True)
    if result.documents is not None:
        for line in result.documents.found.errors:
            typer.echo(f"lab: error: {printable(line, one_line=True)}", err=True)
        for line in result.documents.found.skipped:
            typer.echo(f"lab: skipped {printable(line, one_line=True)}", err=True)


def html_report(path: Optional[Path], view: View, err: bool = True) -> None:
    """The HTML report at `path` (when asked for), and its size (on stderr, or stdout with `err=False`)."""
    if path is None:
        return
    from lab.reports import html

    atomic.write_text(path, html.page(view))
    typer.echo(f"html report: {path} ({path.stat().st_size / 1e6:.1f} MB)", err=err)


def interrupted(result: Result, out: Optional[Path]) -> None:
    if result.interrupted:
        saved = f"; the finished environments' records are in {out}" if out is not None else ""
        say_interrupted(f"lab: interrupted{saved}")
