"""`lab list` and `lab show`: the scenario catalog."""

from __future__ import annotations

import typer
from typing_extensions import Annotated

from lab.pipeline import select
from lab.scenario import configured_scenario_dirs, load_scenarios


def list_scenarios() -> None:
    """Every scenario: id, source, summary and claims."""
    for s in load_scenarios(configured_scenario_dirs()).values():
        typer.echo(f"{s.id}\n  source: {s.source}\n  {s.summary}")
        for i, c in enumerate(s.claims, 1):
            typer.echo(f"  claim {i}: {c.text}")
        typer.echo("")


def show(scenario_id: Annotated[str, typer.Argument(metavar="ID", help="A scenario id from 'lab list'.")]) -> None:
    """A scenario's source, its claims as the article states them, and both twins' code."""
    (s,) = select(load_scenarios(configured_scenario_dirs()), [scenario_id])
    typer.echo(f"{s.id}: {s.summary}\nsource: {s.source}\ndefined in: {s.path}\n\nclaims:")
    for i, c in enumerate(s.claims, 1):
        typer.echo(f"  {i}. {c.text}")
        if c.quote:
            typer.echo(f'     article: "{c.quote}"')
        if c.not_in:
            typer.echo(f"     not applicable in {', '.join(c.not_in)}: {c.why}")
    for mode in s.twins:
        typer.echo(f"\n{mode.value} twin:\n")
        typer.echo("    " + s.code(mode).replace("\n", "\n    "))
