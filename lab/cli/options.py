"""Every option more than one command takes, defined once, with the checks Typer cannot make."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated

from lab import atomic, sandbox, selection
from lab.pipeline import DEFAULT_TIMEOUT_S
from lab.plan import DEFAULT_SEED
from lab.selection import Selection

__all__ = ["DEFAULT_SEED", "DEFAULT_TIMEOUT_S"]

MAX_TIMEOUT_S = 7 * 24 * 3600


def _seconds(value: float) -> float:
    # Not typer's min/max: its message does not say that inf and nan are what is wrong.
    if not 1 <= value <= MAX_TIMEOUT_S:  # False for nan too
        raise typer.BadParameter(f"{value:g} is not a number of seconds from 1 to {MAX_TIMEOUT_S} (7 days)")
    return value


KeywordOpt = Annotated[Optional[str], typer.Option(
    "-k", "--keyword", metavar="EXPR",
    help="Only what matches EXPR, as pytest's -k: words matched as substrings of ids, article file names and "
         "tags, with and, or, not and parentheses.")]
ArticleOpt = Annotated[Optional[List[str]], typer.Option(
    "--article", metavar="NAME", help="Only the article with this file name or prefix (002); repeatable.")]
TagOpt = Annotated[Optional[List[str]], typer.Option(
    "--tag", metavar="TAG", help="Only scenarios with this tag (initializer, reinit, seeding, ...); repeatable.")]
IdsArg = Annotated[Optional[List[str]], typer.Argument(metavar="[ID]...", help="Scenario ids.")]
EnvOpt = Annotated[Optional[List[str]], typer.Option(
    "--env", help="Where to run: 'local', a matrix env, a pin like tf==2.17.1, or 'all'; repeatable.")]
ModeOpt = Annotated[Optional[List[str]], typer.Option("--mode", help="graph or eager; repeat for both (default).")]
SeedOpt = Annotated[int, typer.Option(help="Seed for Python, numpy and TensorFlow before each twin (0 to 2**32-1).")]
TimeoutOpt = Annotated[float, typer.Option(callback=_seconds, help="Seconds allowed for one environment's batch.")]
PythonOpt = Annotated[Optional[str], typer.Option(
    help="Interpreter with TensorFlow for 'local' (or, without local, the base Python of an interpreter env) "
         "[env: LAB_PYTHON].")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Run every job, ignoring cached outcomes.")]
HtmlOpt = Annotated[Optional[Path], typer.Option(help="Also write the HTML report (one self-contained file) here.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
WorkersOpt = Annotated[Optional[int], typer.Option(min=1, help="Guest processes at once; default: the cores.")]
PlanOpt = Annotated[Optional[Path], typer.Option(
    "--plan", help="Run one shard: a plan file written by 'lab plan --shard I/N' (it fixes ids, envs, modes, seed).")]


def chosen(keyword: Optional[str], article: Optional[List[str]], tag: Optional[List[str]]) -> Selection:
    return selection.of(keyword, article, tag)


def check_out_folder(out: Optional[Path], option: str = "--out") -> None:
    """An output folder that cannot be written is found before any work, not after it (issue 26)."""
    if out is not None:
        atomic.probe(out, option, folder=True)


def check_html_path(path: Optional[Path]) -> None:
    """An --html that cannot be written is found before any work, not after it."""
    if path is not None:
        atomic.probe(path, "--html", example="report.html")


# --- the sandbox switch (issue 26): a shared option whose callback sets it for the guests this
# process starts; a command takes it by adding `no_sandbox: NoSandboxOpt = False`.
def _sandbox(value: bool) -> bool:
    sandbox.use(not value)
    return value


NoSandboxOpt = Annotated[bool, typer.Option(
    "--no-sandbox", callback=_sandbox,
    help="Run local and interpreter guests without the bubblewrap sandbox (no network, a read-only view of the "
         "files but their own folder and /tmp, a cleared environment): as you, with your files.")]
