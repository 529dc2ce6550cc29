"""`lab plan`: one shard of the work (trials x environments) as a plan file for `lab run --plan`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from typing_extensions import Annotated

from lab import atomic, pipeline, shards
from lab.cli.options import ArticleOpt, KeywordOpt, SeedOpt, TagOpt, chosen
from lab.environments import resolve_names
from lab.plan import DEFAULT_SEED
from lab.scenario import configured_scenario_dirs, load_scenarios
from lab.verbatim.sources import parse_shard


def plan(
    ids: Annotated[Optional[List[str]], typer.Argument(metavar="[ID]...", help="Scenario ids; default all.")] = None,
    env: Annotated[Optional[List[str]], typer.Option(
        help="Environments: matrix envs, pins like tf==2.17.1, or 'all' (default); repeatable.")] = None,
    mode: Annotated[Optional[List[str]], typer.Option(help="graph or eager; repeat for both (default).")] = None,
    seed: SeedOpt = DEFAULT_SEED,
    shard: Annotated[str, typer.Option(help="Which shard, I/N (1/4 is the first of four).")] = "1/1",
    out: Annotated[Path, typer.Option(help="The plan file to write (PLAN.json).")] = Path("plan.json"),
    keyword: KeywordOpt = None,
    article: ArticleOpt = None,
    tag: TagOpt = None,
) -> None:
    """Write shard I of N of the work (trials x environments), the same on every machine, as a plan
    file: `lab run --plan FILE --out DIR` runs it anywhere, `lab merge` joins the shards' folders."""
    index, count = parse_shard(shard) or (1, 1)
    atomic.probe(out, "--out", example="plan.json")  # before any work, in one line
    scenarios = load_scenarios(configured_scenario_dirs())
    selected = pipeline.select(scenarios, ids or [], not ids, chosen(keyword, article, tag))
    full = pipeline.plan(selected, pipeline.parse_modes(mode or []), seed, resolve_names(env or ["all"]))
    data = shards.to_json(full, index, count)
    atomic.write_text(out, json.dumps(data, indent=1) + "\n")
    work = sum(len(w["trials"]) for w in data["work"])
    where = ", ".join(f"{w['env']} ({len(w['trials'])})" for w in data["work"])
    typer.echo(f"shard {index}/{count} of plan {data['plan']}: {work} of {len(shards.units(full))} trials, in {where}"
               f" -> {out}")
