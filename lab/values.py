"""Short human-readable forms of normalized observations, for terminal and Markdown reports."""

from __future__ import annotations

from typing import Any, List

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


def table(header: List[str], body: List[List[str]]) -> List[str]:
    """Left-aligned columns, a rule under the header, no trailing spaces."""
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def fmt(row: List[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()

    return [fmt(header), fmt(["-" * w for w in widths]), *(fmt(r) for r in body)]


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
