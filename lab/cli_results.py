"""CLI commands over saved results folders: `lab merge` and `lab check`."""

from __future__ import annotations

from pathlib import Path
from typing import List

import typer
from typing_extensions import Annotated

from lab import matrix_report
from lab.baseline import check_results
from lab.compare import judge_all
from lab.errors import UsageError
from lab.merge import merge_results, read_folder
from lab.scenario import configured_scenario_dirs, load_scenarios


def merge(
    folders: Annotated[List[Path], typer.Argument(metavar="FOLDER...", help="Results folders (one env each, say).")],
    out: Annotated[Path, typer.Option(help="The merged results folder (must not hold results yet).")],
) -> None:
    """Join results folders made on different machines into one, with its reports regenerated."""
    scenarios = load_scenarios(configured_scenario_dirs())
    merged = merge_results(folders, out, scenarios)
    typer.echo(matrix_report.terminal(merged.records, merged.judgements, merged.problems), nl=False)
    typer.echo(f"merged {len(folders)} folders: {out} (report.md, junit.xml, manifest.json, records/)")
    # Exit 0 even when an env failed: the per-env job already failed for it, and CI's next
    # step, `lab check`, must still run to say what differs (a failed env shows as changes).


def check(
    results: Annotated[Path, typer.Argument(metavar="RESULTS", help="A results folder (compare-all --out).")],
    baseline: Annotated[Path, typer.Option(help="The committed baseline file (JSON).")],
    update: Annotated[bool, typer.Option("--update", help="Rewrite the baseline from RESULTS.")] = False,
    require_all_envs: Annotated[
        bool, typer.Option("--require-all-envs", help="A baseline env missing from RESULTS is a change too.")
    ] = False,
) -> None:
    """Compare a results folder with the baseline: exit 0 when nothing changed, 5 with the changes."""
    records, _ = read_folder(results)
    # Verdicts are judged again with the current claims, as `lab merge` does: the baseline is
    # committed beside the scenarios, so it speaks of today's claims.
    scenarios = load_scenarios(configured_scenario_dirs())
    missing = sorted({r.scenario for r in records} - set(scenarios))
    if missing:
        raise UsageError(f"{results} has records of scenarios that no longer exist: {', '.join(missing)}")
    text, code = check_results(records, judge_all(scenarios, records), baseline, update, require_all_envs)
    typer.echo(text, nl=False)
    if code:
        raise typer.Exit(code)
