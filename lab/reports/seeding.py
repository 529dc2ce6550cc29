"""Which seeded draws repeat: across runs of a twin, between modes and between versions.

Every draw of a seed-* scenario (first, second, fresh_start_first, ...) in every environment
and mode gets a letter; equal values get the same letter, so a row of equal letters is a draw
that repeats across versions, and equal letters down a column a draw that repeats within a run.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from lab.record import Record
from lab.reports.drift import Column, columns
from lab.values import show


@dataclass(frozen=True)
class DrawTable:
    """One seed-* scenario: a row per draw, a column per (env, mode); cells are letters ('' unrecorded)."""

    scenario: str
    columns: List[Column]
    rows: List[Tuple[str, List[str]]]
    """(observation key, a letter per column)."""
    values: Dict[str, str]
    """Letter -> the draw's values, readable."""


def _letter(n: int) -> str:
    letters = string.ascii_uppercase
    return letters[n] if n < len(letters) else letters[n // len(letters) - 1] + letters[n % len(letters)]


def draw_tables(records: Sequence[Record], prefix: str = "seed-") -> List[DrawTable]:
    cols = columns(records)
    by_scenario: Dict[str, Dict[Column, Record]] = {}
    for r in records:
        if r.scenario.startswith(prefix) and r.ok:
            by_scenario.setdefault(r.scenario, {})[(r.env, r.mode.value)] = r
    tables = []
    for sid, cells in by_scenario.items():
        mine = [c for c in cols if c in cells]
        keys = list(dict.fromkeys(k for c in mine for k in cells[c].observations))
        letters: Dict[str, str] = {}  # canonical JSON of a value -> its letter
        shown: Dict[str, str] = {}
        rows = []
        for key in keys:
            row = []
            for c in mine:
                if key not in cells[c].observations:
                    row.append("")
                    continue
                value = cells[c].observations[key]
                canonical = json.dumps(value, sort_keys=True)
                if canonical not in letters:
                    letters[canonical] = _letter(len(letters))
                    shown[letters[canonical]] = show(value)
                row.append(letters[canonical])
            rows.append((key, row))
        tables.append(DrawTable(sid, mine, rows, shown))
    return tables
