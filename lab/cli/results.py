"""`lab merge`, `lab check` and `lab report`: commands over saved results folders, through lab.api."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated

from lab import api, atomic, pipeline, results
from lab.baseline import check_results
from lab.cli import display
from lab.cli.options import HtmlOpt, JsonOpt, check_html_path, check_out_folder
from lab.reports import append_step_summary, matrix, terminal
from lab.reports import verbatim as verbatim_report
from lab.reports.view import View


def _show(view: View, as_json: bool) -> None:
    if as_json:
        typer.echo(terminal.as_json(view))
        return
    if view.records or not view.blocks:
        typer.echo(matrix.terminal(view), nl=False)
    if view.blocks:
        typer.echo(verbatim_report.for_terminal(view), nl=False)


def merge(
    folders: Annotated[List[Path], typer.Argument(metavar="FOLDER...", help="Results folders (one env each, say).")],
    out: Annotated[Path, typer.Option(help="The merged results folder (must not hold results yet).")],
    allow_mixed_versions: Annotated[bool, typer.Option(
        "--allow-mixed-versions", help="Merge folders made by different lab versions (with a warning).")] = False,
    html: HtmlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Join results folders made on different machines into one, with its reports regenerated
    (compare-all folders, `lab verbatim --out` folders, shards of one plan)."""
    check_out_folder(out)
    check_html_path(html)
    result = api.merge(folders, out, warn=lambda line: typer.echo(f"lab: warning: {line}", err=True),
                       allow_mixed_versions=allow_mixed_versions)
    view = View.of(result, results.read_manifest(out))
    display.html_report(html, view)
    _show(view, as_json)
    if not as_json:
        typer.echo(f"merged {len(folders)} folders: {out} (report.md, manifest.json, records/ or verbatim.json)")
    raise typer.Exit(pipeline.exit_code(result))


def check(
    folder: Annotated[Path, typer.Argument(metavar="RESULTS", help="A results folder (compare-all --out).")],
    baseline: Annotated[Path, typer.Option(help="The committed baseline file (JSON).")],
    update: Annotated[bool, typer.Option("--update", help="Rewrite the baseline from RESULTS.")] = False,
    require_all_envs: Annotated[
        bool, typer.Option("--require-all-envs", help="A baseline env missing from RESULTS is a change too.")
    ] = False,
    as_json: JsonOpt = False,  # reports helper: --json on every command that prints a result
) -> None:
    """Compare a results folder with the baseline: exit 0 when nothing changed, 5 with the changes."""
    # Verdicts are judged again with the current claims, as `lab merge` does: the baseline is
    # committed beside the scenarios, so it speaks of today's claims.
    if update:
        atomic.probe(baseline, "--baseline", example="baseline.json")  # issue 26: before any work
    result = api.read(folder)
    checked = check_results(result.records, result.scenario_judgements, baseline, update, require_all_envs)
    if not update:  # CI reads junit.xml: a case fails where the results differ from the baseline
        results.write_text(folder, "junit.xml", matrix.junit(View.of(result), checked.changes))
        append_step_summary(f"## lab check\n\n```\n{checked.text}```\n")
    if as_json:  # reports helper: the changes as JSON, one object per change
        typer.echo(json.dumps({"baseline": str(baseline), "updated": update,
                               "changes": [dataclasses.asdict(c) for c in checked.changes]}, indent=1))
    else:
        typer.echo(checked.text, nl=False)
    raise typer.Exit(pipeline.exit_code(result, pipeline.Policy(baseline_changed=checked.code != 0)))


def report(
    folder: Annotated[Path, typer.Argument(metavar="RESULTS", help="A results folder (compare-all --out, merge).")],
    html: Annotated[Optional[Path], typer.Option(help="Write the HTML report (one self-contained file) here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The reports of a saved results folder: the verdict matrix (or the documents' outcomes), and
    with --html the HTML report."""
    check_html_path(html)
    result = api.read(folder)
    view = View.of(result, results.read_manifest(folder))
    _show(view, as_json)
    display.html_report(html, view, err=as_json)
    raise typer.Exit(pipeline.exit_code(result))
