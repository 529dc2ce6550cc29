"""What a notebook shows for a run's Result or a verbatim run: the HTML report's pieces under a scoped style."""

from __future__ import annotations

import re
from html import escape
from typing import Any, Sequence

from lab.reports import heatmap, html
from lab.reports.view import View
from lab.values import clip

WRAPPER = "lab-report"


def scoped_style() -> str:
    """The report's CSS with every selector under `.lab-report`, so the notebook's own page keeps its look."""
    rules = []
    for selectors, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", html.STYLE):
        scoped = ",".join(f".{WRAPPER}" if s.strip() == "body" else f".{WRAPPER} {s.strip()}"
                          for s in selectors.split(","))
        rules.append(f"{scoped}{{{declarations}}}")
    return "<style>" + "\n".join(rules) + "</style>"


def _wrap(title: str, inner: str) -> str:
    return f'{scoped_style()}<div class="{WRAPPER}"><h3>{escape(title)}</h3>{inner}</div>'


def result_html(result: Any) -> str:
    """A Result: for scenarios its summary, the verdict heat map, each scenario's plots and claims
    with their evidence; for documents a row per program and variant in each env, then the block claims."""
    view = View.of(result)
    parts = []
    if view.records or not view.blocks:
        records = view.records
        envs = ", ".join(o.name + (f" (FAILED: {o.problem})" if o.problem else "") for o in result.outcomes)
        unfinished = sum(1 for r in records if r.failed)
        summary = (f"<p>{len(records)} trials in {escape(envs)}; {len(view.judgements)} verdicts"
                   f"{f'; {unfinished} trials did not finish' if unfinished else ''}"
                   f"{'; interrupted' if view.interrupted else ''}.</p>")
        parts.append(_wrap("lab run", summary + html.body(view)))
    if view.blocks:
        rows = "".join(_outcome_row(o) for o in view.blocks)
        table = ("<table><tr><th>document</th><th>block</th><th>line</th><th>variant</th><th>env</th>"
                 f"<th>status</th><th>printed</th><th>error</th></tr>{rows}</table>")
        problems = "".join(f"<p>environment {escape(e)} FAILED: {escape(p)}</p>"
                           for e, p in view.problems_by_env.items())
        parts.append(_wrap("lab verbatim", problems + table + _claims(view.block_judgements)))
    return "".join(parts)


def _outcome_row(o: Any) -> str:
    error = o.error or {}
    told = f"{error.get('type', '')}: {error.get('message', '')}" if error else (o.why or "")
    printed = clip(o.stdout.strip().replace("\n", " | "), 160)
    verdict = {"ran": "holds", "raised": "refuted", "syntax_error": "refuted", "crashed": "unfinished",
               "timeout": "unfinished", "not_run": "unfinished"}.get(o.word, "na")
    status = f"{o.word} {o.match}".strip()
    return (f"<tr><td>{escape(o.document)}</td><td>{o.block}</td><td>{o.line}</td><td>{escape(o.variant)}</td>"
            f'<td>{escape(o.env)}</td><td class="v-{verdict}">{escape(status)}</td>'
            f"<td>{escape(printed)}</td><td>{escape(clip(told, 200))}</td></tr>")


def _claims(judgements: Sequence[Any]) -> str:
    if not judgements:
        return ""
    rows = "".join(f"<tr><td>{escape(j.document)}#{j.block}</td><td>{escape(j.text)}</td><td>{escape(j.env)}</td>"
                   f"<td>{escape(j.variant)}</td>{heatmap.cell(j.verdict.value, j.verdict.value)}"
                   f"<td>{escape(j.reason)}</td></tr>" for j in judgements)
    return ("<h4>Block claims</h4><table><tr><th>block</th><th>claim</th><th>env</th><th>variant</th>"
            f"<th>verdict</th><th>why</th></tr>{rows}</table>")
