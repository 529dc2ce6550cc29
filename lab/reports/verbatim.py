"""Renderers for verbatim runs: the block x environment x variant matrix (terminal, Markdown, JSON),
drift between environments, and block claims beside the twins that model each block.

Every outcome says where a writer finds it: a notebook's cell (counted as Jupyter counts them) and
the line in that cell, or a text's line; an error raised by an earlier block's code, which ran
first, names that block; a shell cell says what was not run."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from lab.reports.view import View
from lab.text import printable
from lab.values import clip, table
from lab.verbatim.outcome import Outcome
from lab.verdict import Judgement

SHORT = {"syntax_error": "SyntaxError", "fragment": "fragment", "unavailable": "n/a", "not_run": "not run",
         "not_reached": "not reached"}
LEGEND = ("(ran~ prints other numbers on each run; = and != against the output the document shows; shell: shell "
          "commands not run; not reached: the session's process died in an earlier cell)")
LINE_WIDTH = 200


def cell(o: Outcome) -> str:
    """'ran', 'ran~' (prints other numbers each run), 'ran=' / 'ran!=' (against shown output), the
    exception's type for a raise, 'timeout', 'crashed', 'fragment', 'n/a', 'not run'."""
    if o.word == "ran":
        mark = {"matches": "=", "differs": "!="}.get(o.match, "")
        return "ran" + ("~" if o.deterministic is False else "") + mark
    if o.word == "raised":
        return str((o.error or {}).get("type", "raised"))
    return SHORT.get(o.word, o.word)


def _short_doc(name: str) -> str:
    return name if len(name) <= 28 else name[:12] + "…" + name[-15:]


def place(o: Outcome) -> str:
    """Where the block is: `book.ipynb cell 3`, `post.md#2 (line 40)`."""
    if o.cell is not None:
        return f"{o.document} cell {o.cell}"
    return f"{o.document}#{o.block} (line {o.line})"


def error_place(o: Outcome) -> str:
    """Where its error is, and the earlier block that raised it when its code ran first."""
    err = o.error or {}
    line = err.get("line")
    here = (f"cell {o.cell}, line {line}" if o.cell is not None else
            f"block line {line}, document line {o.line + line - 1}") if isinstance(line, int) else ""
    raiser = o.raised_by
    if raiser is None:
        return here
    by = f"cell {err['cell']}" if err.get("cell") is not None else f"block #{raiser}"
    if o.word == "not_reached":
        return f"the session's process died in {by}"
    at = err.get("block_line")
    return f"raised in {by}{f', line {at}' if isinstance(at, int) else ''}, which ran before it"


def _columns(outcomes: Sequence[Outcome]) -> List[Tuple[str, str]]:
    return list(dict.fromkeys((o.env, o.variant) for o in outcomes))


def _rows(outcomes: Sequence[Outcome]) -> Dict[Tuple[str, int], Dict[Tuple[str, str], Outcome]]:
    rows: Dict[Tuple[str, int], Dict[Tuple[str, str], Outcome]] = {}
    for o in outcomes:
        rows.setdefault((o.document, o.block), {})[(o.env, o.variant)] = o
    return rows


def _version(o: Outcome) -> str:
    tf = o.facts.get("tensorflow")
    return f"{o.env} (TF {tf})" if tf else o.env


def drift(outcomes: Sequence[Outcome]) -> List[str]:
    """Where a block's outcome in one variant changes between environments: runs in one, raises in another."""
    groups: Dict[Tuple[str, int, str], List[Outcome]] = {}
    for o in outcomes:
        if o.word not in ("fragment", "unavailable", "not_run"):
            groups.setdefault((o.document, o.block, o.variant), []).append(o)
    lines = []
    for (doc, block, variant), mine in groups.items():
        kinds = dict.fromkeys(cell(o).rstrip("=!~") for o in mine)
        if len(kinds) > 1:
            parts = "; ".join(f"{kind} in {', '.join(_version(o) for o in mine if cell(o).rstrip('=!~') == kind)}"
                              for kind in kinds)
            lines.append(f"{doc}#{block} {variant}: {parts}")
    return lines


def rescues(outcomes: Sequence[Outcome]) -> List[str]:
    """Blocks that raise as written but run in another variant, per environment."""
    lines = []
    for (doc, block), cells in _rows(outcomes).items():
        for env in dict.fromkeys(e for e, _ in cells):
            written = cells.get((env, "as-written"))
            if written is None or written.word == "ran" or written.word not in ("raised", "syntax_error"):
                continue
            ran = [v for (e, v), o in cells.items() if e == env and v != "as-written" and o.word == "ran"]
            if ran:
                lines.append(f"{doc}#{block} in {env}: {cell(written)} as written, runs with {', '.join(ran)}")
    return lines


def _errors(outcomes: Sequence[Outcome]) -> List[str]:
    lines = []
    for o in outcomes:
        if o.word in ("raised", "syntax_error", "timeout", "crashed", "not_run", "not_reached") and (o.error or o.why):
            err = o.error or {}
            where = error_place(o)
            lines.append(f"{place(o)} {o.variant} {o.env}: {err.get('type', o.word)}: {err.get('message', o.why)}"
                         + (f" ({where})" if where else ""))
    return lines


def skipped(outcomes: Sequence[Outcome]) -> List[str]:
    """What each block showed and did not run (shell commands, magics), once per block."""
    seen = {}
    for o in outcomes:
        if o.skipped and (o.document, o.block) not in seen:
            what = "a shell cell, not run" if o.word == "shell" else "not run"
            seen[(o.document, o.block)] = (f"{place(o)}: {'; '.join(o.skipped)} ({what}; --allow-shell runs `!` "
                                           "commands, %pip and %%bash in the environment)")
    return list(seen.values())


def terminal(outcomes: Sequence[Outcome], judgements: Sequence[Judgement] = (),
             problems: Mapping[str, str] = {}, beside: Mapping[Tuple[str, int], List[str]] = {}) -> str:
    """The matrix (a row per block, a column per environment and variant), drift, then the claims."""
    cols = _columns(outcomes)
    body = []
    for (doc, block), cells in _rows(outcomes).items():
        first = next(iter(cells.values()))
        where = f"{_short_doc(doc)} cell {first.cell}" if first.cell is not None else f"{_short_doc(doc)}#{block}"
        body.append([where, *(cell(cells[c]) if c in cells else "" for c in cols)])
    # Two header rows, the environment over the variant, so neither is cut.
    lines = two_row_table(["block", *(e for e, _ in cols)], ["", *(v for _, v in cols)], body)
    lines.append(LEGEND)
    for env, problem in problems.items():
        if problem:
            lines.append(f"environment {env} FAILED: {problem}")
    lines += _section("outcomes that change between environments", drift(outcomes))
    lines += _section("blocks that raise as written and run in another variant", rescues(outcomes))
    lines += _section("errors, where to find them", _errors(outcomes), 15)
    lines += _section("shell commands and magics not run", skipped(outcomes), 10)
    if beside:
        lines += _section("blocks beside the twins that model them",
                          [f"{doc}#{block}: {', '.join(ids)}" for (doc, block), ids in beside.items() if ids])
    if judgements:
        lines += ["", *claims_table(judgements)]
    return printable("\n".join(clip(line, LINE_WIDTH) for line in lines) + "\n")  # guest text: no controls


def two_row_table(top: List[str], bottom: List[str], body: List[List[str]]) -> List[str]:
    """`table` with a header of two rows (an environment over its variant)."""
    lines = table(top, [bottom, *body])
    return [lines[0], lines[2], lines[1], *lines[3:]]


def _section(title: str, lines: List[str], limit: int = 25) -> List[str]:
    if not lines:
        return [f"{title}: none"]
    more = [f"  ... and {len(lines) - limit} more (see report.md)"] if len(lines) > limit else []
    return [f"{title}:", *(f"  {line}" for line in lines[:limit]), *more]


def claims_table(judgements: Sequence[Judgement]) -> List[str]:
    """A row per block claim, a column per environment and variant."""
    cols = list(dict.fromkeys((j.env, j.variant) for j in judgements if j.env != "-"))
    rows: Dict[Tuple[str, int, int, str], Dict[Tuple[str, str], Judgement]] = {}
    for j in judgements:
        rows.setdefault((j.document, j.block, j.claim, j.text), {})[(j.env, j.variant)] = j
    body = []
    missing = []
    for (doc, block, number, text), cells in rows.items():
        if ("-", "-") in cells:
            missing.append(f"{doc[:3]}#{block}.{number} INCONCLUSIVE: {cells[('-', '-')].reason}")
            continue
        short = {"HOLDS": "HOLDS", "REFUTED": "REFUTED", "INCONCLUSIVE": "INCONCL."}
        body.append([f"{doc[:3]}#{block}.{number} {text[:48]}",
                     *(short[cells[c].verdict.value] if c in cells else "" for c in cols)])
    out = ["block claims (document#block.claim):", *two_row_table(["claim", *(e for e, _ in cols)],
                                                                     ["", *(v for _, v in cols)], body)] if body else []
    return out + missing


def markdown(outcomes: Sequence[Outcome], judgements: Sequence[Judgement] = (),
             problems: Mapping[str, str] = {}, beside: Mapping[Tuple[str, int], List[str]] = {},
             title: str = "lab verbatim") -> str:
    """The full report: the matrix with headings, every error with its line, drift, the claims."""
    cols = _columns(outcomes)
    documents = {o.document: o.semantics for o in outcomes}
    counts = [f"{sum(1 for v in documents.values() if v == name)} in {name}" for name in ("session", "examples")]
    out = [f"# {title}", "", (f"Documents: {', '.join(counts)} semantics (session: the cells in order in one state, as "
           "a kernel runs them; examples: each block with the earlier blocks that define what it uses)."), "",
           "## Outcomes", "", LEGEND, "", "| block | heading | twins | " + " | ".join(
        f"{e} {v}" for e, v in cols) + " |", "|---|---|---|" + "---|" * len(cols)]
    for (doc, block), cells in _rows(outcomes).items():
        first = next(iter(cells.values()))
        twins = ", ".join(beside.get((doc, block), []))
        out.append(f"| {_md(place(first))} | {_md(first.heading)} | {twins} | " +
                   " | ".join(_md(cell(cells[c])) if c in cells else "" for c in cols) + " |")
    envs = {o.env: o.facts for o in outcomes if o.facts}
    out += ["", "## Environments", ""] + [f"- {e}: " + ", ".join(f"{k} {v}" for k, v in f.items())
                                           for e, f in envs.items()]
    out += [f"- {e} FAILED: {_md(p)}" for e, p in problems.items() if p]
    for heading, lines in (("Outcomes that change between environments", drift(outcomes)),
                           ("Blocks that raise as written and run in another variant", rescues(outcomes)),
                           ("Errors", _errors(outcomes)),
                           ("Shell commands and magics not run", skipped(outcomes)),
                           ("Fragments", [f"{o.document}#{o.block}: missing {', '.join(o.missing)}"
                                          for o in outcomes if o.word == "fragment" and o.variant == "as-written"
                                          and o.env == outcomes[0].env]),
                           ("Against the output the document shows",
                            [f"{place(o)} {o.variant} {o.env}: {o.match}: {o.match_detail}"
                             for o in outcomes if o.match])):
        out += ["", f"## {heading}", ""] + ([f"- {_md(line)}" for line in lines] or ["None."])
    if judgements:
        out += ["", "## Block claims", "", "| claim | env | variant | verdict | reason or evidence |",
                "|---|---|---|---|---|"]
        for j in judgements:
            detail = j.reason or "; ".join(f"{k}={v}" for k, v in j.evidence.items())
            out.append(f"| {j.document}#{j.block}.{j.claim} {_md(j.text)} | {j.env} | {j.variant} | {j.verdict.value} "
                       f"| {_md(detail[:300])} |")
    return printable("\n".join(out) + "\n")  # guest text: no controls


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_json(outcomes: Sequence[Outcome], judgements: Sequence[Judgement] = (),
            meta: Mapping[str, Any] = {}) -> str:
    return json.dumps({"meta": dict(meta), "outcomes": [o.to_dict() for o in outcomes],
                       "judgements": [j.to_dict() for j in judgements]}, indent=1)


def beside_twins(block_judgements: Sequence[Judgement], twin_judgements: Sequence[Any],
                 beside: Mapping[Tuple[str, int], List[str]]) -> List[str]:
    """One verdict table: each block's claims (a cell per env: as-written/shim/upgrade verdicts), then
    the claims of the twins that model it (a cell per env: graph/eager verdicts)."""
    envs = list(dict.fromkeys([j.env for j in block_judgements if j.env != "-"] + [j.env for j in twin_judgements]))
    letter = {"HOLDS": "H", "REFUTED": "R", "INCONCLUSIVE": "I"}
    body: List[List[str]] = []
    blocks = list(dict.fromkeys((j.document, j.block) for j in block_judgements if j.env != "-"))
    shown = set()
    for doc, block in blocks:
        mine: Dict[Tuple[int, str], Dict[str, List[str]]] = {}
        for j in block_judgements:
            if (j.document, j.block) == (doc, block) and j.env != "-":
                mine.setdefault((j.claim, j.text), {}).setdefault(j.env, []).append(letter[j.verdict.value])
        for (number, text), verdicts in mine.items():
            body.append([f"{doc[:3]}#{block}.{number} verbatim: {text[:44]}",
                         *("/".join(verdicts.get(e, [])) for e in envs)])
        for sid in beside.get((doc, block), []):
            if sid in shown:
                continue
            shown.add(sid)
            rows: Dict[Tuple[int, str], Dict[str, Dict[str, str]]] = {}
            for j in twin_judgements:
                if j.scenario == sid:
                    rows.setdefault((j.claim, j.text), {}).setdefault(j.env, {})[j.mode.value] = letter[j.verdict.value]
            for (number, text), by_env in rows.items():
                body.append([f"  {sid} #{number}: {text[:40]}",
                             *(f"{by_env.get(e, {}).get('graph', '-')}/{by_env.get(e, {}).get('eager', '-')}"
                               for e in envs)])
    if not body:
        return []
    return [("verdicts, each block beside its twins (verbatim: as-written/shim/upgrade; twins: graph/eager; "
             "H holds, R refuted, I inconclusive):"), *table(["claim", *envs], body)]


def for_terminal(view: View) -> str:
    """A run's documents in the terminal: the matrix, drift, the claims; each block beside its twins
    when their trials ran too."""
    text = terminal(view.blocks, view.block_judgements, view.problems)
    beside = beside_twins(view.block_judgements, view.judgements, view.beside) if view.judgements else []
    return text + ("\n".join(beside) + "\n" if beside else "")


def for_markdown(view: View) -> str:
    return markdown(view.blocks, view.block_judgements, view.problems, view.beside)
