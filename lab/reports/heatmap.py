"""The HTML report's overview: claims x environments x modes, coloured by verdict, and the
verdicts that change between environments or between modes called out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence

from lab.reports.drift import Column, Row, verdict_drift

SHORT = {"HOLDS": "H", "REFUTED": "R", "INCONCLUSIVE": "I", "n/a": "n/a", "-": ""}
KEYS = {"HOLDS": "holds", "REFUTED": "refuted", "INCONCLUSIVE": "inconclusive", "n/a": "na"}
LEGEND = (("v-holds", "H", "HOLDS"), ("v-refuted", "R", "REFUTED"), ("v-inconclusive", "I", "INCONCLUSIVE"),
          ("v-na", "n/a", "not applicable: the twin uses an API this TensorFlow lacks"),
          ("v-unfinished", "err", "unfinished: the twin raised, crashed or timed out"))
FILTERS = (("holds", "H", "HOLDS"), ("refuted", "R", "REFUTED"), ("inconclusive", "I", "INCONCLUSIVE"),
           ("na", "n/a", "n/a"), ("unfinished", "err", "unfinished"))
"""The verdict filter's boxes: (data-v, short, word)."""
VERDICTS = ("HOLDS", "REFUTED", "INCONCLUSIVE")


def verdict_key(value: str) -> str:
    """A cell's value as the filters name it: holds, refuted, inconclusive, na, unfinished, none."""
    return "unfinished" if value.startswith("(") else KEYS.get(value, "none")


def cell_class(value: str) -> str:
    return f"v-{verdict_key(value)}"


def short(value: str) -> str:
    return SHORT.get(value, "err" if value.startswith("(") else value)


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


@dataclass(frozen=True)
class HeatRow:
    """One claim's row of the heat map, as the template draws it."""

    key: str
    """'SCENARIO-N': the row's and its claim section's data-claim."""
    label: str
    text: str
    values: List[str]
    """A cell per column: a verdict, 'n/a', '(error)'-like, or '-' (not run)."""
    changes: List[str]
    """'envs' and/or 'modes'."""


def heat_rows(rows: Sequence[Row], cols: Sequence[Column]) -> List[HeatRow]:
    return [HeatRow(f"{row.scenario}-{row.claim}", row.label, row.text, [row.cells.get(c, "-") for c in cols],
                    (["envs"] if env_change(row, cols) else []) + (["modes"] if mode_changes(row, cols) else []))
            for row in rows]


def called_out(rows: Sequence[Row], cols: Sequence[Column]) -> List[tuple]:
    """(title, lines) of the verdicts that change between environments, and between modes."""
    drift = verdict_drift([row for row in rows if env_change(row, cols)], cols)
    return [("Verdicts that change between environments", drift),
            ("Verdicts that differ between graph and eager", mode_lines(rows, cols))]
