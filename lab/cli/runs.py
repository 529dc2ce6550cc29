"""`lab run` and `lab compare-all`: two views of one run of lab.api, with one exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import typer
from typing_extensions import Annotated

from lab import api, atomic, pipeline, results, shards
from lab.baseline import check_results, load_baseline
from lab.cli import display
from lab.cli.options import (
    DEFAULT_SEED,
    DEFAULT_TIMEOUT_S,
    ArticleOpt,
    EnvOpt,
    HtmlOpt,
    IdsArg,
    JsonOpt,
    KeywordOpt,
    ModeOpt,
    NoCacheOpt,
    NoSandboxOpt,
    PlanOpt,
    PythonOpt,
    SeedOpt,
    TagOpt,
    TimeoutOpt,
    WorkersOpt,
    check_html_path,
    check_out_folder,
    chosen,
)
from lab.errors import UsageError
from lab.plan import Plan
from lab.reports import matrix, terminal
from lab.reports.view import View


def read_plan(path: Optional[Path], chosen_: bool, seed: int) -> Tuple[Optional[Plan], Optional[Dict[str, Any]]]:
    """A shard's plan and its manifest entries, or (None, None) without --plan."""
    if path is not None and (chosen_ or seed != DEFAULT_SEED):
        raise UsageError("--plan fixes the scenarios, environments, modes and seed: leave out the ids, --all, "
                         "--env, --mode and --seed")
    return shards.plan_file(path) if path is not None else (None, None)


def execute(work: api.Work, options: api.Options) -> pipeline.Result:
    """The work through lab.api, with progress per environment on stderr."""
    from lab.environments import resolve_names

    names = list(work.plan.envs) if work.plan is not None else resolve_names(list(work.envs))
    with display.progress(names) as (note, answered):
        return api.execute(work, options, note, answered)


def run(
    ids: IdsArg = None,
    everything: Annotated[bool, typer.Option("--all", help="Run every scenario.")] = False,
    mode: ModeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the records and verdicts as JSON only.")] = False,
    out: Annotated[Optional[Path], typer.Option(help="Save every record and the verdicts in this folder.")] = None,
    seed: SeedOpt = DEFAULT_SEED,
    python: PythonOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT_S,
    env: EnvOpt = None,
    no_cache: NoCacheOpt = False,
    workers: WorkersOpt = None,
    html: HtmlOpt = None,
    plan: PlanOpt = None,
    keyword: KeywordOpt = None,
    article: ArticleOpt = None,
    tag: TagOpt = None,
    no_sandbox: NoSandboxOpt = False,  # issue 26: its callback sets lab.sandbox for this process
) -> None:
    """Run scenarios' twins, show graph beside eager, and judge every claim per mode."""
    if plan is not None and out is None:
        raise UsageError("--plan needs --out DIR: a shard's results folder is what 'lab merge' joins")
    selection = chosen(keyword, article, tag)
    the_plan, extra = read_plan(plan, bool(ids or everything or env or mode or selection), seed)
    check_out_folder(out)
    check_html_path(html)
    work = api.Work(tuple(ids or ()), everything, selection, tuple(mode or ()), seed, tuple(env or ["local"]),
                    the_plan)
    result = execute(work, api.Options(python, timeout, not no_cache, workers))
    if out is not None:
        api.save(result, out, extra)
    view = View.of(result)
    display.html_report(html, view)
    display.problems(result)
    if as_json:
        typer.echo(terminal.as_json(view))
    else:
        typer.echo(terminal.terminal(view), nl=False)
        typer.echo(terminal.summary_line(view))
        if len(result.outcomes) > 1:
            typer.echo("")
            typer.echo(matrix.terminal(view), nl=False)
    display.interrupted(result, out)
    raise typer.Exit(pipeline.exit_code(result))


def compare_all(
    ids: Annotated[Optional[List[str]], typer.Argument(metavar="[ID]...", help="Scenario ids; default all.")] = None,
    env: Annotated[Optional[List[str]], typer.Option(
        "--env", help="Environments (repeatable); default: every matrix env.")] = None,
    mode: ModeOpt = None,
    seed: SeedOpt = DEFAULT_SEED,
    out: Annotated[Optional[Path], typer.Option(help="Results folder; default results/<UTC time>.")] = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT_S,
    workers: WorkersOpt = None,
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
    as_json: JsonOpt = False,
    keyword: KeywordOpt = None,
    article: ArticleOpt = None,
    tag: TagOpt = None,
    no_sandbox: NoSandboxOpt = False,  # issue 26: its callback sets lab.sandbox for this process
) -> None:
    """Every scenario x both modes x every environment; the verdict matrix and what differs."""
    selection = chosen(keyword, article, tag)
    the_plan, extra = read_plan(plan, bool(ids or env or mode or selection), seed)
    if check is not None:
        load_baseline(check)  # a missing or malformed baseline fails before any work, in one line
    check_out_folder(out)
    check_html_path(html)
    if update_baseline is not None:
        # issue 26: before the run, not after it
        atomic.probe(update_baseline, "--update-baseline", example="baseline.json")
    work = api.Work(tuple(ids or ()), not ids, selection, tuple(mode or ()), seed, tuple(env or ["all"]), the_plan)
    result = execute(work, api.Options(python, timeout, not no_cache, workers))
    folder = out or results.default_results_dir()
    api.save(result, folder, extra)
    view = View.of(result, results.read_manifest(folder))
    display.html_report(html, view)
    display.problems(result)
    changed = False
    baseline = update_baseline or check
    checked = None
    if baseline is not None and not result.interrupted:
        # A run over the whole matrix must cover every env of the baseline; a run over some
        # envs (a per-env CI job) checks its own slice.
        checked = check_results(result.records, result.scenario_judgements, baseline,
                                update=update_baseline is not None, require_all_envs=env is None)
        if update_baseline is None:  # CI reads junit.xml: a case fails where the run differs from the baseline
            results.write_text(folder, "junit.xml", matrix.junit(view, checked.changes))
        changed = checked.code != 0
    if as_json:
        typer.echo(terminal.as_json(view))
    else:
        typer.echo(matrix.terminal(view), nl=False)
        typer.echo(f"results: {folder} (report.md, junit.xml, manifest.json, records/)")
        if checked is not None:
            typer.echo(checked.text, nl=not checked.text.endswith("\n"))
    display.interrupted(result, folder if result.interrupted else None)
    raise typer.Exit(pipeline.exit_code(result, pipeline.Policy(baseline_changed=changed)))
