"""Short human-readable forms of normalized observations, and the terminal's tables, for the reports."""

from __future__ import annotations

import io
import os
import shutil
import sys
from typing import Any, List, Optional, TextIO

MAX_SHOWN = 6


def _num(x: Any) -> str:
    if isinstance(x, float):
        text = f"{x:.6g}"
        # Keep floats recognisable as floats: 1.0, not 1 (an int observation prints as 1).
        return text if any(c in text for c in ".enia") else text + ".0"
    return str(x)


def _values(v: Any) -> str:
    if isinstance(v, list):
        items = [_values(x) for x in v[:MAX_SHOWN]]
        more = ", ..." if len(v) > MAX_SHOWN else ""
        return "[" + ", ".join(items) + more + "]"
    return _num(v)


def show(obs: Any) -> str:
    """One line for one observation: values for small tensors, statistics for large ones."""
    if isinstance(obs, dict):
        kind = obs.get("kind")
        if kind == "tensor":
            shape = "x".join(str(d) for d in obs["shape"])
            dtype = obs["dtype"] + (f"[{shape}]" if shape else "")
            if "values" in obs:
                return f"{_values(obs['values'])} {dtype}"
            s = obs["summary"]
            return (f"{dtype} mean={_num(s['mean'])} std={_num(s['std'])} "
                    f"min={_num(s['min'])} max={_num(s['max'])}")
        if kind == "exception":
            return f"raised {obs['type']}: {obs['message']}"
        if kind == "no_exception":
            return "nothing raised"
        if kind == "symbolic":
            return f"<symbolic {obs['type']} {obs['dtype']}>"
        if kind == "object":
            return f"<{obs['type']}>"
        if isinstance(obs.get("counts"), list) and isinstance(obs.get("edges"), list):  # a fit_report's histogram
            return f"<{len(obs['counts'])} bins>"
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in obs.items()) + "}"
    if isinstance(obs, list):
        return _values([o if not isinstance(o, dict) else show(o) for o in obs])
    return _num(obs) if not isinstance(obs, str) else repr(obs)


STYLES = {"HOLDS": "green", "REFUTED": "red", "INCONCL.": "yellow", "INCONCLUSIVE": "yellow", "H": "green",
          "R": "red", "I": "yellow", "<- differs": "bold", "<- changes": "bold"}
"""How a cell reads on a terminal: verdicts in their colours, the marks of a difference in bold."""


def on_terminal(stream: Optional[TextIO] = None) -> bool:
    """Whether tables are drawn for a person: stdout is a terminal that is not 'dumb'. A pipe, a
    file or a CI log gets plain columns (and NO_COLOR keeps the box without the colours)."""
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


def table(header: List[str], body: List[List[str]], terminal: Optional[bool] = None) -> List[str]:
    """Left-aligned columns, a rule under the header, no trailing spaces; drawn by rich, with
    verdicts coloured, when the output is a terminal (`terminal` overrides the guess)."""
    if terminal if terminal is not None else on_terminal():
        return _rich_table(header, body)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def fmt(row: List[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()

    return [fmt(header), fmt(["-" * w for w in widths]), *(fmt(r) for r in body)]


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _rich_table(header: List[str], body: List[List[str]]) -> List[str]:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Cells are Text, never markup: a value like "[red]" from a record is shown as it is.
    drawn = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for name in header:
        drawn.add_column(Text(name), no_wrap=True)
    for row in body:
        drawn.add_row(*(Text(cell, style=STYLES.get(cell.strip(), "")) for cell in row))
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    # As wide as the table needs: the terminal wraps a long line, as it does plain columns, and rich
    # never cuts a cell.
    width = max(shutil.get_terminal_size().columns, sum(widths) + 3 * len(widths) + 2)
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=True, width=width, highlight=False).print(drawn)
    return [line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n")]
