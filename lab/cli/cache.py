"""`lab cache info|prune`: what lab keeps under its cache root (records, wheels, venvs, build locks)."""

from __future__ import annotations

import time
from typing import Optional

import typer
from typing_extensions import Annotated

from lab import housekeeping
from lab.cache import cache_root
from lab.values import table

cache_app = typer.Typer(help="The cache of records, wheels, venvs and build locks.", no_args_is_help=True)


@cache_app.command("info")
def cache_info() -> None:
    """Each folder under the cache root: entries, size, newest entry."""
    parts = housekeeping.info()
    typer.echo(f"cache root: {cache_root()}")
    rows = [[p.name, str(p.entries), housekeeping.human(p.bytes),
             time.strftime("%Y-%m-%d %H:%M", time.localtime(p.newest)) if p.newest else "-", p.what] for p in parts]
    if rows:
        typer.echo("\n".join(table(["folder", "entries", "size", "newest", "what"], rows)))
    typer.echo(f"total: {housekeeping.human(sum(p.bytes for p in parts))}")


@cache_app.command("prune")
def cache_prune(
    older_than: Annotated[Optional[float], typer.Option(
        metavar="DAYS", help="Only entries not modified for this many days; default: everything.")] = None,
) -> None:
    """Remove cache entries (all, or those older than --older-than DAYS); lab makes them again when needed."""
    count = 0

    def note(path: object) -> None:
        nonlocal count
        count += 1

    freed = housekeeping.prune(older_than, note=note)
    typer.echo(f"removed {count} entries, {housekeeping.human(freed)} from {cache_root()}")
