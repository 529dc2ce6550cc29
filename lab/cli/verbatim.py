"""`lab verbatim PATH...`: the articles' own code, as written, in every environment."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import typer
from typing_extensions import Annotated

from lab.cli.options import ArticleOpt, KeywordOpt, TagOpt, chosen
from lab.environments import resolve_names
from lab.errors import UsageError
from lab.reports import verbatim as report
from lab.status import Status
from lab.verbatim import judged
from lab.verbatim import results as saved
from lab.verbatim.articles import CLAIMS
from lab.verbatim.claims import judge_blocks
from lab.verbatim.runner import Settings, VerbatimResult
from lab.verbatim.variants import parse_variants

BAD_INPUT, ENV_UNAVAILABLE, NOT_RUN, INTERRUPTED = 2, 3, 4, 130

HELP = """Run every Python block of the documents (Markdown, text, .py, .ipynb; files or folders) as
written, with the compat shim and after tf_upgrade_v2, in each environment; report what each
block did (ran, raised, fragment, syntax error, timeout, crashed), the numbers it printed, whether
they match the output the document shows, and judge the articles' block claims.

SAFETY: document code is untrusted. In image envs it runs in the locked-down container (no network,
non-root, read-only, memory and process limits). With --env local (the default) and interpreter envs
it runs AS THE CURRENT USER on this machine, in a temporary folder, with a time limit per run: it can
read and write whatever you can. Run untrusted documents in an image env."""


@contextmanager
def progress(names: List[str]) -> Iterator[Callable[[str, int, int], None]]:
    """A bar per environment on a terminal; nothing per run otherwise (CI logs stay short)."""
    if not sys.stderr.isatty():
        yield lambda env, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.fields[env]:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True)) as bar:
        tasks = {n: bar.add_task("", env=n, total=None) for n in names}

        def note(env: str, done: int, total: int) -> None:
            bar.update(tasks[env], completed=done, total=total)

        yield note


def verbatim(
    paths: Annotated[Optional[List[Path]], typer.Argument(metavar="PATH...", help="Documents or folders.")] = None,
    env: Annotated[Optional[List[str]], typer.Option(help="'local' (default), a matrix env, or 'all'; repeatable.")]
    = None,
    variant: Annotated[Optional[List[str]], typer.Option(
        help="as-written, compat-shim, tf-upgrade-v2 (repeatable; default all three).")] = None,
    articles: Annotated[bool, typer.Option("--articles", help="Add the source articles (shared/seeds, or $LAB_SEEDS) "
                                                              "and judge their block claims.")] = False,
    timeout: Annotated[float, typer.Option(min=1, max=3600, help="Seconds one program may run.")] = 60.0,
    repeat: Annotated[int, typer.Option(min=1, max=2, help="Runs of a program that printed numbers (2 tells "
                                                           "nondeterministic blocks).")] = 2,
    isolation: Annotated[str, typer.Option(help="fork (a child of a warm TensorFlow process per run) or process "
                                                "(a new interpreter per run).")] = "fork",
    shard: Annotated[Optional[str], typer.Option(help="I/N: only the documents of shard I of N (by path).")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Results folder: verbatim.json and report.md.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes and verdicts as JSON only.")] = False,
    twins: Annotated[bool, typer.Option("--twins", help="Also run the scenario twins that model the blocks, and "
                                                        "show the verdicts side by side.")] = False,
    python: Annotated[Optional[str], typer.Option(help="Interpreter with TensorFlow for 'local' [env: LAB_PYTHON].")]
    = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Run every program, ignoring cached results.")]
    = False,
    keyword: KeywordOpt = None,
    article: ArticleOpt = None,
    tag: TagOpt = None,
) -> None:
    if isolation not in ("fork", "process"):
        raise UsageError(f"--isolation {isolation!r}: use 'fork' or 'process'")
    variants = parse_variants(variant or [])
    names = resolve_names(env or ["local"])
    settings = Settings(timeout, repeat, isolation, not no_cache)
    try:
        with progress(names) as note:
            done = judged.run(paths or [], names, variants, settings, articles, shard,
                              chosen(keyword, article, tag), python, note)
    except KeyboardInterrupt:
        typer.echo("lab: interrupted", err=True)
        raise typer.Exit(INTERRUPTED) from None
    found, result, judgements, meta = done.found, done.result, done.judgements, done.meta
    for line in found.errors:
        typer.echo(f"lab: error: {line}", err=True)
    for line in found.skipped:
        typer.echo(f"lab: skipped {line}", err=True)
    beside: Any = {}
    twin_judgements: List[Any] = []
    if twins or out is not None:
        from lab.scenario import configured_scenario_dirs, load_scenarios
        from lab.verbatim.twins import beside as match

        scenarios = load_scenarios(configured_scenario_dirs())
        beside = match(found.documents, scenarios)
        if twins:
            twin_judgements = _twin_verdicts(scenarios, beside, names, python)
    if out is not None:
        saved.write(out, result.outcomes, judgements, meta,
                    report.markdown(result.outcomes, judgements, result.problems, beside))
    if as_json:
        typer.echo(report.as_json(result.outcomes, judgements, meta))
    else:
        typer.echo(report.terminal(result.outcomes, judgements, result.problems), nl=False)
        if twin_judgements:
            typer.echo("\n".join(report.beside_twins(judgements, twin_judgements, beside)))
        if out is not None:
            typer.echo(f"results: {out} (verbatim.json, report.md)")
    raise typer.Exit(exit_code(result, bool(found.errors)))


def _twin_verdicts(scenarios: Any, beside: Any, names: List[str], python: Optional[str]) -> List[Any]:
    from lab import pipeline
    from lab.guest.catalog import Mode
    from lab.scenario import configured_scenario_dirs

    ids = list(dict.fromkeys(sid for found in beside.values() for sid in found))
    if not ids:
        return []
    the_plan = pipeline.plan(pipeline.select(scenarios, ids), list(Mode), envs=names)
    return list(pipeline.run(scenarios, the_plan, configured_scenario_dirs(), python).judgements)


def exit_code(result: VerbatimResult, bad_input: bool) -> int:
    """3 an environment could not be made ready; 2 some input was not a document; 4 an environment
    did not run some programs (its process crashed); else 0: a block that raises is a finding."""
    if any(result.unavailable.values()):
        return ENV_UNAVAILABLE
    if bad_input:
        return BAD_INPUT
    if any(o.status is Status.NOT_RUN for o in result.outcomes):
        return NOT_RUN
    return 0


def merge(folders: List[Path], out: Path) -> int:
    """`lab merge` over verbatim results folders (shards): one folder and report."""
    outcomes, meta = saved.merge(folders)
    judgements = judge_blocks(CLAIMS, outcomes)
    saved.write(out, outcomes, judgements, meta, report.markdown(outcomes, judgements, meta["problems"]))
    typer.echo(report.terminal(outcomes, judgements, meta["problems"]), nl=False)
    typer.echo(f"merged {len(folders)} folders: {out} (verbatim.json, report.md)")
    return NOT_RUN if any(o.status is Status.NOT_RUN for o in outcomes) else 0
