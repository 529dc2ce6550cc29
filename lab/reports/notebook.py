"""What a notebook shows for a Result: the HTML report (filters working) for its scenarios, a table
of its documents' blocks; every element id unique to the output, so two results on one page work apart."""

from __future__ import annotations

from typing import Any, Dict, List

from lab.reports import html
from lab.reports.templating import Ids, render
from lab.reports.verbatim import error_place, place
from lab.reports.view import View
from lab.values import clip

VERDICT_OF = {"ran": "holds", "raised": "refuted", "syntax_error": "refuted", "crashed": "unfinished",
              "timeout": "unfinished", "not_run": "unfinished"}
"""A block's outcome coloured as the verdict it resembles (a block that ran HOLDS its promise to run)."""


def _summary(result: Any, view: View) -> str:
    envs = ", ".join(o.name + (f" (FAILED: {o.problem})" if o.problem else "") for o in result.outcomes)
    unfinished = sum(1 for r in view.records if r.failed)
    return (f"{len(view.records)} trials in {envs}; {len(view.judgements)} verdicts"
            f"{f'; {unfinished} trials did not finish' if unfinished else ''}"
            f"{'; interrupted' if view.interrupted else ''}.")


def _block(o: Any) -> Dict[str, Any]:
    """A program's row: where it is (cell and line), what it did, the output its document shows
    beside what it printed, and why (the error where it is, the earlier block that raised it, what
    was not run)."""
    error = o.error or {}
    told = f"{error.get('type', '')}: {error.get('message', '')}" if error else (o.why or o.match_detail or "")
    where = error_place(o)
    if where:
        told += f" ({where})"
    if o.skipped:
        told += f"; not run: {'; '.join(o.skipped)}"
    return {"place": place(o), "variant": o.variant, "env": o.env,
            # A block that ran but printed other than its document shows does not bear the document out.
            "verdict": "refuted" if o.match == "differs" else VERDICT_OF.get(o.word, "na"),
            "status": f"{o.word} {o.match}".strip(),
            "shown": clip((o.expected or "").strip(), 400), "printed": clip((o.printed or "").strip(), 400),
            "told": clip(told, 300)}


def result_html(result: Any) -> str:
    """A Result: for scenarios its summary, the verdict heat map with its filters, each scenario's
    plots and claims with their evidence; for documents a row per program and variant in each env,
    then the block claims."""
    view = View.of(result)
    ids = Ids.fresh()
    show_body = bool(view.records or not view.blocks)
    problems: List[str] = [f"environment {e} FAILED: {p}" for e, p in view.problems_by_env.items()]
    return render("notebook.html.j2", root=ids("report"), show_body=show_body, summary=_summary(result, view),
                  blocks=[_block(o) for o in view.blocks], block_claims=list(view.block_judgements),
                  problems=problems, **html.context(view, ids))
