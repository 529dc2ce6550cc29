"""`lab merge` and `lab check`: commands over saved results folders."""

from __future__ import annotations

from pathlib import Path
from typing import List

import typer
from typing_extensions import Annotated

from lab import pipeline
from lab.baseline import check_results
from lab.errors import UsageError
from lab.merge import merge_results, read_folder, saved_result
from lab.reports import matrix as matrix_report
from lab.scenario import configured_scenario_dirs, load_scenarios


def merge(
    folders: Annotated[List[Path], typer.Argument(metavar="FOLDER...", help="Results folders (one env each, say).")],
    out: Annotated[Path, typer.Option(help="The merged results folder (must not hold results yet).")],
) -> None:
    """Join results folders made on different machines into one, with its reports regenerated
    (compare-all folders, or `lab verbatim --out` folders: shards)."""
    from lab.verbatim.results import is_verbatim

    if folders and all(is_verbatim(f) for f in folders):
        from lab.cli.verbatim import merge as merge_verbatim

        raise typer.Exit(merge_verbatim(folders, out))
    scenarios = load_scenarios(configured_scenario_dirs())
    result = merge_results(folders, out, scenarios)
    typer.echo(matrix_report.terminal(result.records, result.judgements, result.problems), nl=False)
    typer.echo(f"merged {len(folders)} folders: {out} (report.md, junit.xml, manifest.json, records/)")
    raise typer.Exit(pipeline.exit_code(result))


def check(
    results: Annotated[Path, typer.Argument(metavar="RESULTS", help="A results folder (compare-all --out).")],
    baseline: Annotated[Path, typer.Option(help="The committed baseline file (JSON).")],
    update: Annotated[bool, typer.Option("--update", help="Rewrite the baseline from RESULTS.")] = False,
    require_all_envs: Annotated[
        bool, typer.Option("--require-all-envs", help="A baseline env missing from RESULTS is a change too.")
    ] = False,
) -> None:
    """Compare a results folder with the baseline: exit 0 when nothing changed, 5 with the changes."""
    records, manifest = read_folder(results)
    # Verdicts are judged again with the current claims, as `lab merge` does: the baseline is
    # committed beside the scenarios, so it speaks of today's claims.
    scenarios = load_scenarios(configured_scenario_dirs())
    missing = sorted({r.scenario for r in records} - set(scenarios))
    if missing:
        raise UsageError(f"{results} has records of scenarios that no longer exist: {', '.join(missing)}")
    result = saved_result(records, manifest.get("envs", {}), scenarios)
    text, code = check_results(result.records, result.judgements, baseline, update, require_all_envs)
    typer.echo(text, nl=False)
    raise typer.Exit(pipeline.exit_code(result, code != 0))
