"""`lab list` and `lab show`: the scenario catalog."""

from __future__ import annotations

import json

import typer
from typing_extensions import Annotated

from lab import listing
from lab.cli.options import ArticleOpt, IdsArg, KeywordOpt, TagOpt, chosen
from lab.pipeline import select
from lab.scenario import configured_scenario_dirs, load_scenarios

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON only (lab/schemas/scenarios.schema.json).")]


QuietOpt = Annotated[bool, typer.Option("-q", "--quiet", help="Print the ids only, one a line (as pytest --co -q).")]


def list_scenarios(ids: IdsArg = None, keyword: KeywordOpt = None, article: ArticleOpt = None, tag: TagOpt = None,
                   quiet: QuietOpt = False, as_json: JsonOpt = False) -> None:
    """Every scenario (or those named, or those -k, --article and --tag select): id, source, tags,
    summary and claims; with -q the ids only."""
    selected = select(load_scenarios(configured_scenario_dirs()), list(ids or []), not ids,
                      chosen(keyword, article, tag))
    if as_json:
        typer.echo(json.dumps(listing.scenarios_document(selected), indent=1))
        return
    if quiet:
        typer.echo("\n".join(s.id for s in selected))
        return
    for s in selected:
        typer.echo(f"{s.id}\n  source: {s.source}\n  tags: {', '.join(s.tags) or '-'}\n  {s.summary}")
        for i, c in enumerate(s.claims, 1):
            typer.echo(f"  claim {i}: {c.text}")
        typer.echo("")


def show(scenario_id: Annotated[str, typer.Argument(metavar="ID", help="A scenario id from 'lab list'.")],
         as_json: Annotated[bool, typer.Option("--json", help="Print JSON only (lab/schemas/scenario.schema.json).")]
         = False) -> None:
    """A scenario's source, its claims as the article states them, and both twins' code."""
    (s,) = select(load_scenarios(configured_scenario_dirs()), [scenario_id])
    if as_json:
        typer.echo(json.dumps(listing.scenario_document(s), indent=1))
        return
    typer.echo(f"{s.id}: {s.summary}\nsource: {s.source}\ntags: {', '.join(s.tags) or '-'}\n"
               f"defined in: {s.path}\n\nclaims:")
    for i, c in enumerate(s.claims, 1):
        typer.echo(f"  {i}. {c.text}")
        if c.quote:
            typer.echo(f'     article: "{c.quote}"')
        if c.not_in:
            typer.echo(f"     not applicable in {', '.join(c.not_in)}: {c.why}")
    for mode in s.twins:
        typer.echo(f"\n{mode.value} twin:\n")
        typer.echo("    " + s.code(mode).replace("\n", "\n    "))
