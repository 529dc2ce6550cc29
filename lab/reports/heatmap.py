"""The HTML report's overview: claims x environments x modes, coloured by verdict, and the
verdicts that change between environments or between modes called out."""

from __future__ import annotations

from html import escape
from typing import List, Sequence

from lab.reports.drift import Column, Row, verdict_drift
from lab.values import clip

SHORT = {"HOLDS": "H", "REFUTED": "R", "INCONCLUSIVE": "I", "n/a": "n/a", "-": ""}
LEGEND = (("v-holds", "H", "HOLDS"), ("v-refuted", "R", "REFUTED"), ("v-inconclusive", "I", "INCONCLUSIVE"),
          ("v-na", "n/a", "not applicable: the twin uses an API this TensorFlow lacks"),
          ("v-unfinished", "err", "unfinished: the twin raised, crashed or timed out"))


def cell_class(value: str) -> str:
    if value.startswith("("):
        return "v-unfinished"
    return {"HOLDS": "v-holds", "REFUTED": "v-refuted", "INCONCLUSIVE": "v-inconclusive", "n/a": "v-na"}.get(
        value, "v-none")


def cell(value: str, title: str) -> str:
    text = SHORT.get(value, "err" if value.startswith("(") else value)
    return f'<td class="{cell_class(value)}" title="{escape(title)}">{escape(text)}</td>'


VERDICTS = ("HOLDS", "REFUTED", "INCONCLUSIVE")


def _verdict(row: Row, col: Column) -> str:
    # n/a and unfinished cells have their own colours; a change is between two judged verdicts.
    value = row.cells.get(col, "")
    return value if value in VERDICTS else ""


def env_change(row: Row, cols: Sequence[Column]) -> bool:
    """The claim's verdict differs between environments in one mode."""
    return any(len({_verdict(row, c) for c in cols if c[1] == mode} - {""}) > 1 for mode in ("graph", "eager"))


def mode_changes(row: Row, cols: Sequence[Column]) -> List[str]:
    """The environments where graph and eager judge the claim differently."""
    envs = list(dict.fromkeys(e for e, _ in cols))
    return [e for e in envs if "" != _verdict(row, (e, "graph")) != _verdict(row, (e, "eager")) != ""]


def mode_lines(rows: Sequence[Row], cols: Sequence[Column]) -> List[str]:
    lines = []
    for row in rows:
        envs = mode_changes(row, cols)
        if envs:
            first = envs[0]
            lines.append(f"{row.label} {row.text}: graph {row.cells[(first, 'graph')]} / eager "
                         f"{row.cells[(first, 'eager')]} in {', '.join(envs)}")
    return lines


def heatmap(rows: Sequence[Row], cols: Sequence[Column]) -> str:
    """The table, a legend, and the lists of verdicts that change."""
    envs = list(dict.fromkeys(e for e, _ in cols))
    modes = [m for m in ("graph", "eager") if any(c[1] == m for c in cols)]
    head = ('<tr><th rowspan="2">claim</th><th rowspan="2">statement</th>'
            + "".join(f'<th colspan="{len(modes)}">{escape(e)}</th>' for e in envs)
            + '<th rowspan="2">changes</th></tr><tr>' + "".join(f"<th>{m[0]}</th>" for _ in envs for m in modes)
            + "</tr>")
    body = []
    for row in rows:
        changes = (["envs"] if env_change(row, cols) else []) + (["modes"] if mode_changes(row, cols) else [])
        cells = "".join(cell(row.cells.get(c, "-"), f"{row.label} {c[0]} {c[1]}: {row.cells.get(c, 'not run')}")
                        for c in cols)
        anchor = f"claim-{row.scenario}-{row.claim}"
        body.append(f'<tr class="{"changes" if changes else "steady"}"><th class="label" title="{escape(row.text)}">'
                    f'<a href="#{anchor}">{escape(row.label)}</a></th>'
                    f'<td class="text">{escape(clip(row.text, 70))}</td>{cells}'
                    f'<td class="change">{", ".join(changes)}</td></tr>')
    legend = " ".join(f'<span class="key {cls}">{escape(short)}</span> {escape(text)}' for cls, short, text in LEGEND)
    drift = verdict_drift([row for row in rows if env_change(row, cols)], cols)
    by_mode = mode_lines(rows, cols)
    return (f'<p class="legend">{legend}</p>'
            '<p><label><input type="checkbox" id="only-changes"> only claims whose verdict changes</label></p>'
            f'<div class="scroll"><table class="heatmap" id="heatmap"><thead>{head}</thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>'
            + _called_out("Verdicts that change between environments", drift)
            + _called_out("Verdicts that differ between graph and eager", by_mode))


def _called_out(title: str, lines: Sequence[str]) -> str:
    items = "".join(f"<li>{escape(line)}</li>" for line in lines) or "<li>None.</li>"
    return f'<h3>{escape(title)} ({len(lines)})</h3><ul class="called-out">{items}</ul>'
