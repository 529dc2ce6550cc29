"""What `lab bisect` and `lab sweep` print: the releases probed, the first change, a drift table."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from lab.bisect import Bisection, Point, Target, drift
from lab.values import clip, show, table


def _row(point: Point, mark: str = "") -> List[str]:
    outcome = list(point.outcome) if not point.problem else [f"FAILED: {clip(point.problem, 60)}"]
    return [point.version, point.python or "?", point.env, *outcome, mark]


def _header(target: Target) -> List[str]:
    return ["release", "python", "env", *target.labels, ""]


def sides(target: Target, before: Point, after: Point) -> List[str]:
    """The observations on both sides of a change, per compared value."""
    lines = []
    for label, old, new, a, b in zip(target.labels, before.values, after.values, before.outcome, after.outcome):
        flag = "" if a == b else "   <- differs"
        lines.append(f"  {label}:{flag}")
        for point, value in ((before, old), (after, new)):
            if isinstance(value, dict):  # a claim's evidence: the observations its predicate read
                shown = ", ".join(f"{k} = {show(v)}" for k, v in value.items()) or "(no observations)"
            else:
                shown = show(value) if not isinstance(value, str) or not value.startswith("(") else value
            lines.append(f"    {point.version:<8} {clip(shown, 150)}")
    return lines


def bisection_text(target: Target, found: Bisection) -> str:
    span = found.span
    lines = [f"bisect {target}: {len(span)} releases from {span[0].version} to {span[-1].version}", ""]
    order = {p.env: n for n, p in enumerate(found.visited, 1)}
    rows = [_row(p, f"step {order[p.env]}") for p in sorted(found.visited, key=lambda p: span_index(span, p))]
    lines += table(_header(target), rows)
    lines.append("")
    lines.append(f"probed {len(found.visited)} of {len(span)} releases, one environment each "
                 f"(at most {found.bound}: both ends and log2 of the {len(span) - 2} between)")
    if found.first is None:
        lines.append(f"no change: {span[0].version} and {span[-1].version} agree on {target}")
        return "\n".join(lines) + "\n"
    assert found.before is not None
    lines.append(f"first release that differs: {found.first.version} (last that agrees: {found.before.version})")
    if found.untestable:
        lines.append("  could not probe " + ", ".join(p.version for p in found.untestable)
                     + ": the change lies in one of them or in " + found.first.version)
    lines += ["", "on both sides:", *sides(target, found.before, found.first)]
    return "\n".join(lines) + "\n"


def span_index(span: Sequence[Any], point: Point) -> int:
    return next(i for i, r in enumerate(span) if r.version == point.version)


def sweep_text(target: Target, points: Sequence[Point]) -> str:
    changed = drift(points, target)
    rows = [_row(p, "<- changes" if c else "") for p, c in zip(points, changed)]
    lines = [f"sweep {target}: {len(points)} releases", "", *table(_header(target), rows), ""]
    moves = [p.version for p, c in zip(points, changed) if c]
    lines.append(f"changes at: {', '.join(moves)}" if moves else "no change across the range")
    return "\n".join(lines) + "\n"


def sweep_markdown(target: Target, points: Sequence[Point]) -> str:
    changed = drift(points, target)
    head = _header(target)[:-1] + ["changes"]
    lines = [f"# Sweep: {target}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for point, c in zip(points, changed):
        cells = _row(point)[:-1] + ["yes" if c else ""]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def sweep_json(target: Target, points: Sequence[Point]) -> Dict[str, Any]:
    changed = drift(points, target)
    return {"target": str(target), "labels": target.labels,
            "releases": [{"version": p.version, "env": p.env, "spec": p.spec, "python": p.python,
                          "outcome": dict(zip(target.labels, p.outcome)), "problem": p.problem, "changes": c}
                         for p, c in zip(points, changed)]}
