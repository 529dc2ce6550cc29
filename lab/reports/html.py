"""The HTML report: one self-contained file (inline CSS, JS and SVG) that opens from disk.

An overview heat map, then a section per scenario with its figures and a section per claim:
the article's words, the predicate's source, the verdict per environment and mode, and the
observations that decided it. The seeding table and the real-TF1 comparison when present.
"""

from __future__ import annotations

import inspect
import textwrap
from html import escape
from typing import Any, Dict, List, Mapping, Sequence

from lab import __version__
from lab.guest.catalog import Claim, Scenario
from lab.record import Record, env_order
from lab.reports import emulation, figures, heatmap, seeding
from lab.reports.drift import Column, Row, env_facts
from lab.reports.view import View
from lab.values import clip, show
from lab.verdict import Judgement

EVIDENCE_WIDTH = 400  # characters per observation in a claim's evidence; the records have the rest

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:0 1.5em 4em;color:#222}
h1{margin-top:.8em} h2{border-top:2px solid #ccc;padding-top:.6em;margin-top:2em} h3{margin-bottom:.3em}
table{border-collapse:collapse;font-size:12px} td,th{border:1px solid #ddd;padding:2px 5px;text-align:left}
.scroll{overflow-x:auto} .heatmap td{text-align:center;min-width:2.2em}
.heatmap th.label,.heatmap td.text{white-space:nowrap;font-weight:normal;text-align:left}
.heatmap td.change{text-align:left;font-weight:bold}
.v-holds{background:#b7e1b0}.v-refuted{background:#f4a6a6}.v-inconclusive{background:#f3dd8c}
.v-na{background:repeating-linear-gradient(45deg,#eee,#eee 4px,#d5d5d5 4px,#d5d5d5 8px);color:#555}
.v-unfinished{background:#6a3d9a;color:#fff}.v-none{background:#fff}
tr.changes th.label{background:#fff3c4} .key{display:inline-block;min-width:2em;text-align:center;padding:0 3px}
blockquote{border-left:4px solid #9ab;margin:.4em 0;padding:.1em .8em;color:#345;font-style:italic}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;font-size:12px}
figure{margin:.8em 0} figcaption{font-size:12px;color:#555} svg{max-width:100%;height:auto}
.evidence td{font-family:ui-monospace,monospace;font-size:11px;word-break:break-all}
.seed td{text-align:center;font-family:ui-monospace,monospace}
"""

# Hides the heat map's steady rows on request; no network, no libraries.
SCRIPT = """
document.getElementById('only-changes').addEventListener('change', function (event) {
  document.querySelectorAll('#heatmap tr.steady').forEach(function (row) {
    row.style.display = event.target.checked ? 'none' : '';
  });
});
"""

SEED_COLORS = ("#cfe3f7", "#f9d7b5", "#d4efc8", "#e8d1f2", "#f7f1b2", "#f5c6d6", "#c9efe9", "#e0e0e0")


def predicate_source(claim: Claim) -> str:
    """The predicate as written in the scenario module (the lambda's lines, or the function)."""
    try:
        return textwrap.dedent(inspect.getsource(claim.check)).strip()
    except (OSError, TypeError):
        return "(source not available)"


def _environments(records: Sequence[Record], problems: Mapping[str, str], manifest: Mapping[str, Any]) -> str:
    facts = env_facts(records)
    rows = "".join(
        f"<tr><td>{escape(e)}</td><td>{escape(str(facts.get(e, {}).get('tensorflow', '?')))}</td>"
        f"<td>{escape(str(facts.get(e, {}).get('keras', '?')))}</td>"
        f"<td>{escape(str(facts.get(e, {}).get('numpy', '?')))}</td>"
        f"<td>{escape(str(facts.get(e, {}).get('python', '?')))}</td>"
        f"<td>{escape('FAILED: ' + problems[e] if problems.get(e) else 'ok')}</td></tr>" for e in env_order(records))
    git = manifest.get("git") or {}
    commit = str(git.get("commit") or "?")[:12] + (" (dirty)" if git.get("dirty") else "")
    made = (f"results of lab {manifest.get('lab_version', '?')}, {manifest.get('created', '')}, commit {commit}"
            if manifest else "results without a manifest")
    made = escape(made)
    return (f"<p>{made}; this report by lab {escape(__version__)}; seed "
            f"{escape(str(records[0].seed)) if records else '?'}.</p><table><tr><th>env</th><th>TensorFlow</th>"
            f"<th>Keras</th><th>numpy</th><th>Python</th><th>status</th></tr>{rows}</table>")


def _verdict_table(row: Row, cols: Sequence[Column]) -> str:
    envs = list(dict.fromkeys(e for e, _ in cols))
    modes = [m for m in ("graph", "eager") if any(c[1] == m for c in cols)]
    body = "".join(f"<tr><th>{escape(e)}</th>" + "".join(heatmap.cell(row.cells.get((e, m), "-"), f"{e} {m}")
                                                          for m in modes) + "</tr>" for e in envs)
    return f'<table class="verdicts"><tr><th>env</th>{"".join(f"<th>{m}</th>" for m in modes)}</tr>{body}</table>'


def _evidence(mine: Sequence[Judgement]) -> str:
    """Each distinct (mode, verdict, evidence) once, with the environments that share it."""
    groups: Dict[tuple, List[str]] = {}
    for j in mine:
        shown = "; ".join(f"{k} = {clip(show(v), EVIDENCE_WIDTH)}" for k, v in j.evidence.items())
        groups.setdefault((j.twin.value, j.verdict.value, shown or j.reason or "(no observations read)"),
                          []).append(j.env)
    rows = "".join(f"<tr><td>{escape(mode)}</td>{heatmap.cell(verdict, verdict)}<td>{escape(', '.join(envs))}</td>"
                   f"<td>{escape(text)}</td></tr>" for (mode, verdict, text), envs in groups.items())
    return (f'<table class="evidence"><tr><th>mode</th><th>verdict</th><th>envs</th><th>observations read</th></tr>'
            f"{rows}</table>")


def _figures(found: Sequence[figures.Figure], env: str) -> str:
    return "".join(f'<figure class="plot">{f.svg}<figcaption>{escape(f.caption)} (env {escape(env)})'
                   f"</figcaption></figure>" for f in found)


def figure_env(records: Sequence[Record]) -> str:
    """The environment the figures show: local when it ran, else the first with the newest TensorFlow."""
    envs = env_order([r for r in records if r.ok])
    if "local" in envs or not envs:
        return "local" if envs else ""
    facts = env_facts(records)
    newest = facts.get(envs[-1], {}).get("tensorflow")
    return next(e for e in envs if facts.get(e, {}).get("tensorflow") == newest)


def _scenario_section(s: Scenario, rows: Sequence[Row], cols: Sequence[Column], records: Sequence[Record],
                      judgements: Sequence[Judgement]) -> str:
    env = figure_env(records)
    shown = sorted((r for r in records if r.scenario == s.id and r.env == env), key=lambda r: r.mode != "graph")
    by_mode = {r.mode.value: r for r in shown}
    out = [f'<section class="scenario" id="scenario-{escape(s.id)}"><h2>{escape(s.id)}</h2>',
           f"<p>{escape(s.summary)}<br><small>source: {escape(str(s.source))}</small></p>",
           _figures(figures.for_scenario(s.id, by_mode), env)]
    for row in rows:
        claim = s.claims[row.claim - 1]
        mine = [j for j in judgements if j.scenario == s.id and j.claim == row.claim]
        out += [f'<section class="claim" id="claim-{escape(s.id)}-{row.claim}">'
                f"<h3>#{row.claim} {escape(row.text)}</h3>",
                f"<blockquote>{escape(claim.quote or '(no quote recorded)')}</blockquote>",
                f"<details><summary>predicate</summary><pre>{escape(predicate_source(claim))}</pre></details>",
                _verdict_table(row, cols), _evidence(mine), "</section>"]
    return "".join(out) + "</section>"


def _seeding(records: Sequence[Record]) -> str:
    out = []
    for t in seeding.draw_tables(records):
        colors = {letter: SEED_COLORS[i % len(SEED_COLORS)] for i, letter in enumerate(t.values)}
        head = "".join(f"<th>{escape(e)}<br>{escape(m)}</th>" for e, m in t.columns)
        body = "".join(f"<tr><th>{escape(key)}</th>" + "".join(
            f'<td style="background:{colors.get(c, "#fff")}" title="{escape(t.values.get(c, ""))}">{c}</td>'
            for c in cells) + "</tr>" for key, cells in t.rows)
        values = "".join(f"<li><b>{letter}</b>: {escape(clip(text, 200))}</li>" for letter, text in t.values.items())
        out.append(f'<h3>{escape(t.scenario)}</h3><div class="scroll"><table class="seed"><tr><th>draw</th>{head}</tr>'
                   f"{body}</table></div><ul>{values}</ul>")
    if not out:
        return ""
    return ('<section id="seeding"><h2>Seeding: which draws repeat</h2><p>Each draw gets a letter; equal values '
            "share it. Across a row: the same draw in every version and mode; down a column: the draws of one "
            "twin (first, again, from a fresh start).</p>" + "".join(out) + "</section>")


def _emulation(diffs: Sequence[emulation.EmulationDiff]) -> str:
    if not diffs:
        return ""
    verdicts = "".join(f"<li>{escape(line)}</li>" for line in emulation.verdict_lines(diffs)) or "<li>None.</li>"
    observed = "".join(f"<li>{escape(line)}</li>" for line in emulation.observation_lines(diffs)) or "<li>None.</li>"
    return (f'<section id="emulation"><h2>The compat.v1 emulation against real TF1 ({escape(diffs[0].real_env)})</h2>'
            f"<h3>Verdicts and statuses that differ</h3><ul>{verdicts}</ul>"
            f"<h3>Observations that differ</h3><ul>{observed}</ul></section>")


def _unfinished(records: Sequence[Record]) -> str:
    failed = [r for r in records if r.failed]
    if not failed:
        return ""
    items = "".join(f"<li>{escape(r.env)} {escape(r.scenario)} [{r.mode.value}] {r.status.value}: "
                    f"{escape((r.error or {}).get('message', ''))}</li>" for r in failed)
    return f'<section id="unfinished"><h2>Trials that did not finish ({len(failed)})</h2><ul>{items}</ul></section>'


def body(view: View) -> str:
    """The heat map, the unfinished trials, the TF1 comparison, the seeding tables and a section per
    scenario, in catalog order: the report without its head (a notebook shows this under its own style)."""
    records, judgements, scenarios, rows, cols = view.records, view.judgements, view.catalog, view.rows, view.cols
    by_scenario: Dict[str, List[Row]] = {}
    for row in rows:
        by_scenario.setdefault(row.scenario, []).append(row)
    ran = {r.scenario for r in records}
    ids = [sid for sid in scenarios if sid in ran]
    sections = "".join(_scenario_section(scenarios[sid], by_scenario.get(sid, []), cols, records, judgements)
                       for sid in ids)
    return (f'<section id="overview"><h2>Verdicts</h2>{heatmap.heatmap(rows, cols)}</section>'
            f"{_unfinished(records)}{_emulation(view.emulation)}{_seeding(records)}{sections}")


def page(view: View, title: str = "lab report") -> str:
    """The whole report as one HTML document."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{escape(title)}</h1>{_environments(view.records, view.problems, view.manifest)}"
            f"{body(view)}"
            f"<script>{SCRIPT}</script></body></html>\n")
