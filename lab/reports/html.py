"""The HTML report: one self-contained file (inline CSS, JS and SVG) that opens from disk.

The environments, an overview heat map with filters (verdict, env, mode, changes only, search),
the unfinished trials, the real-TF1 comparison, the seeding tables, then a section per scenario
(in catalog order) with its figures across environments and a section per claim: the article's
words, the predicate's source, the verdict per environment and mode, and the observations that
decided it. Drawn by the Jinja2 templates in lab/reports/templates (autoescaped).
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from lab import __version__
from lab.guest.catalog import Claim, Scenario
from lab.reports import emulation, figures, heatmap, seeding
from lab.reports.drift import Row
from lab.reports.templating import SEED_SHADES, Ids, markup, render
from lab.reports.view import View
from lab.values import clip, show
from lab.verdict import Judgement

EVIDENCE_WIDTH = 400  # characters per observation in a claim's evidence; the records have the rest


def predicate_source(claim: Claim) -> str:
    """The predicate as written in the scenario module (the lambda's lines, or the function)."""
    try:
        return textwrap.dedent(inspect.getsource(claim.check)).strip()
    except (OSError, TypeError):
        return "(source not available)"


def _environments(view: View) -> List[Dict[str, str]]:
    facts, problems = view.facts, view.problems
    return [{"name": e, **{k: str(facts.get(e, {}).get(k, "?")) for k in ("tensorflow", "keras", "numpy", "python")},
             "status": "FAILED: " + problems[e] if problems.get(e) else "ok"} for e in view.order]


def _made(manifest: Mapping[str, Any]) -> str:
    if not manifest:
        return "results without a manifest"
    git = manifest.get("git") or {}
    commit = str(git.get("commit") or "?")[:12] + (" (dirty)" if git.get("dirty") else "")
    return f"results of lab {manifest.get('lab_version', '?')}, {manifest.get('created', '')}, commit {commit}"


def _evidence(mine: Sequence[Judgement]) -> List[Tuple[str, str, str, str]]:
    """Each distinct (mode, verdict, evidence) once, with the environments that share it."""
    groups: Dict[Tuple[str, str, str], List[str]] = {}
    for j in mine:
        shown = "; ".join(f"{k} = {clip(show(v), EVIDENCE_WIDTH)}" for k, v in j.evidence.items())
        groups.setdefault((j.twin.value, j.verdict.value, shown or j.reason or "(no observations read)"),
                          []).append(j.env)
    return [(mode, verdict, ", ".join(envs), text) for (mode, verdict, text), envs in groups.items()]


@dataclass(frozen=True)
class ShownFigure:
    id: str
    caption: str
    svg: Any


def _scenario(s: Scenario, rows: Sequence[Row], view: View, ids: Ids) -> Dict[str, Any]:
    envs = view.order
    modes = [m for m in ("graph", "eager") if any(c[1] == m for c in view.cols)]
    records = [r for r in view.records if r.scenario == s.id]
    found = figures.for_scenario(s.id, records, envs, ids("fig", s.id))
    claims = []
    for row in rows:
        mine = [j for j in view.judgements if j.scenario == s.id and j.claim == row.claim]
        claim = s.claims[row.claim - 1]
        claims.append({"key": f"{s.id}-{row.claim}", "number": row.claim, "text": row.text, "quote": claim.quote,
                       "predicate": predicate_source(claim),
                       "table": [(e, [row.cells.get((e, m), "-") for m in modes]) for e in envs],
                       "evidence": _evidence(mine)})
    shown = [ShownFigure(f"{ids('fig', s.id)}-{n}", f.caption, markup(f.svg)) for n, f in enumerate(found, 1)]
    return {"id": s.id, "summary": s.summary, "source": str(s.source), "figures": shown, "claims": claims}


def _seeding(view: View) -> List[Dict[str, Any]]:
    tables = sorted(seeding.draw_tables(view.records), key=lambda t: view.rank.get(t.scenario, len(view.rank)))
    return [{"scenario": t.scenario, "columns": t.columns, "rows": t.rows, "letters": t.values,
             "shade": {letter: n % SEED_SHADES for n, letter in enumerate(t.values)} | {"": ""}}
            for t in tables]


def _unfinished(view: View) -> List[str]:
    return [f"{r.env} {r.scenario} [{r.mode.value}] {r.status.value}: {(r.error or {}).get('message', '')}"
            for r in view.records if r.failed]


def context(view: View, ids: Ids) -> Dict[str, Any]:
    """What the body template draws, from the view (figures drawn here, once per render)."""
    by_scenario: Dict[str, List[Row]] = {}
    for row in view.rows:
        by_scenario.setdefault(row.scenario, []).append(row)
    ran = {r.scenario for r in view.records}
    cols = view.cols
    return {
        "ids": ids, "made": _made(view.manifest), "version": __version__,
        "seed": view.records[0].seed if view.records else "?", "environments": _environments(view),
        "legend": heatmap.LEGEND, "verdicts": heatmap.FILTERS, "envs": list(dict.fromkeys(e for e, _ in cols)),
        "modes": [m for m in ("graph", "eager") if any(c[1] == m for c in cols)], "cols": cols,
        "rows": heatmap.heat_rows(view.rows, cols), "called_out": heatmap.called_out(view.rows, cols),
        "unfinished": _unfinished(view), "emulation": emulation.table(view.emulation),
        "seeding": _seeding(view),
        "scenarios": [_scenario(view.catalog[sid], by_scenario.get(sid, []), view, ids)
                      for sid in view.catalog if sid in ran],
    }


def page(view: View, title: str = "lab report") -> str:
    """The whole report as one HTML document."""
    return render("page.html.j2", title=title, root="report", **context(view, Ids()))
