"""`lab merge`, `lab check` and `lab report`: commands over saved results folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import typer
from typing_extensions import Annotated

from lab import pipeline
from lab import results as lab_results
from lab.baseline import check_results
from lab.errors import UsageError
from lab.merge import merge_results, read_any_version, saved_result
from lab.pipeline import Result
from lab.reports import matrix as matrix_report
from lab.scenario import Scenario, configured_scenario_dirs, load_scenarios


def merge(
    folders: Annotated[List[Path], typer.Argument(metavar="FOLDER...", help="Results folders (one env each, say).")],
    out: Annotated[Path, typer.Option(help="The merged results folder (must not hold results yet).")],
    allow_mixed_versions: Annotated[bool, typer.Option(
        "--allow-mixed-versions", help="Merge folders made by different lab versions (with a warning).")] = False,
) -> None:
    """Join results folders made on different machines into one, with its reports regenerated
    (compare-all folders, or `lab verbatim --out` folders: shards)."""
    from lab.verbatim.results import is_verbatim

    if folders and all(is_verbatim(f) for f in folders):
        from lab.cli.verbatim import merge as merge_verbatim

        raise typer.Exit(merge_verbatim(folders, out))
    scenarios = load_scenarios(configured_scenario_dirs())
    result = merge_results(folders, out, scenarios, warn=lambda line: typer.echo(f"lab: warning: {line}", err=True),
                           allow_mixed_versions=allow_mixed_versions)
    typer.echo(matrix_report.terminal(result.records, result.judgements, result.problems), nl=False)
    typer.echo(f"merged {len(folders)} folders: {out} (report.md, junit.xml, manifest.json, records/)")
    raise typer.Exit(pipeline.exit_code(result))


def judged_again(results: Path) -> Tuple[Result, Dict[str, Scenario], Dict[str, Any]]:
    """A saved results folder as a Result, every claim judged with the current scenarios."""
    records, manifest = read_any_version(results)
    scenarios = load_scenarios(configured_scenario_dirs())
    missing = sorted({r.scenario for r in records} - set(scenarios))
    if missing:
        raise UsageError(f"{results} has records of scenarios that no longer exist: {', '.join(missing)}")
    return saved_result(records, manifest.get("envs", {}), scenarios), scenarios, manifest


def check(
    results: Annotated[Path, typer.Argument(metavar="RESULTS", help="A results folder (compare-all --out).")],
    baseline: Annotated[Path, typer.Option(help="The committed baseline file (JSON).")],
    update: Annotated[bool, typer.Option("--update", help="Rewrite the baseline from RESULTS.")] = False,
    require_all_envs: Annotated[
        bool, typer.Option("--require-all-envs", help="A baseline env missing from RESULTS is a change too.")
    ] = False,
) -> None:
    """Compare a results folder with the baseline: exit 0 when nothing changed, 5 with the changes."""
    # Verdicts are judged again with the current claims, as `lab merge` does: the baseline is
    # committed beside the scenarios, so it speaks of today's claims.
    result, _, _ = judged_again(results)
    checked = check_results(result.records, result.judgements, baseline, update, require_all_envs)
    if not update:  # CI reads junit.xml: a case fails where the results differ from the baseline
        lab_results.write_text(results, "junit.xml", matrix_report.junit(result.records, result.judgements,
                                                                          checked.changes))
        lab_results.append_step_summary(f"## lab check\n\n```\n{checked.text}```\n")
    typer.echo(checked.text, nl=False)
    raise typer.Exit(pipeline.exit_code(result, checked.code != 0))


def report(
    results: Annotated[Path, typer.Argument(metavar="RESULTS", help="A results folder (compare-all --out, merge).")],
    html: Annotated[Optional[Path], typer.Option(help="Write the HTML report (one self-contained file) here.")] = None,
) -> None:
    """The reports of a saved results folder: the verdict matrix, and with --html the HTML report."""
    lab_results.check_html_path(html)
    result, scenarios, manifest = judged_again(results)
    typer.echo(matrix_report.terminal(result.records, result.judgements, result.problems), nl=False)
    if html is not None:
        size = lab_results.write_html(html, result.records, result.judgements, scenarios, result.problems, manifest)
        typer.echo(f"html report: {html} ({size / 1e6:.1f} MB)")
    raise typer.Exit(pipeline.exit_code(result))
