"""What `lab bisect` and `lab sweep` print: the releases probed, the first change, a drift table."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from lab.bisect import AnyTarget, Bisection, Decided, Point, Probing, drift
from lab.values import clip, show, table


def _row(point: Point, mark: str = "") -> List[str]:
    outcome = list(point.outcome) if not point.problem else [f"FAILED: {clip(point.problem, 60)}"]
    return [point.version, point.python or "?", point.env, *outcome, mark]


def _header(target: AnyTarget) -> List[str]:
    return ["release", "python", "env", *target.labels, ""]


def _megabytes(size: Optional[int]) -> str:
    return "" if size is None else f"{size / 1e6:.0f}"


def made(point: Point) -> str:
    """'venv 1.2 s, 3 MB of its own' (or 'made before') for a probed release's environment."""
    if point.made_s is None:
        return "env made before"
    size = f", {point.disk_bytes / 1e6:.0f} MB of its own" if point.disk_bytes is not None else ""
    return f"env made in {point.made_s:.1f} s{size}"


def progress_line(target: AnyTarget, event: Union[Probing, Decided]) -> str:
    """One live line of a bisection: a probe starting ('probe 3 of at most 7: 2.10.0, the middle
    of ...'), or a release decided (its outcome, what it tells, its Python and why, its env's cost)."""
    if isinstance(event, Probing):
        first, last = event.numbers[0], event.numbers[-1]
        numbers = f"{first}-{last}" if last != first else str(first)
        return f"probe {numbers} of at most {event.bound}: {' and '.join(event.releases)}, {event.why}"
    point = event.point
    outcome = ", ".join(f"{label} {value}" for label, value in zip(target.labels, point.outcome)) or "(no outcome)"
    python = point.python or "?"
    changed = (f"; the Python changes from {event.python_before}" if event.python_before and point.python
               and event.python_before != point.python else "")
    why = f" ({point.python_why.partition(': ')[2] or point.python_why})" if point.python_why else ""
    timing = f"; probe {point.probe_s:.1f} s" if point.probe_s is not None else ""
    return (f"  {point.version}: {outcome} -> {event.verdict}\n"
            f"    Python {python}{why}{changed}; {made(point)}{timing}")


def sides(target: AnyTarget, before: Point, after: Point) -> List[str]:
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


def bisection_text(target: AnyTarget, found: Bisection) -> str:
    span = found.span
    lines = [f"bisect {target}: {len(span)} releases from {span[0].version} to {span[-1].version}", ""]
    order = {p.env: n for n, p in enumerate(found.visited, 1)}
    rows = [[*_row(p, f"step {order[p.env]}"), "" if p.made_s is None else f"{p.made_s:.1f}",
             _megabytes(p.disk_bytes)] for p in sorted(found.visited, key=lambda p: span_index(span, p))]
    lines += table(_header(target) + ["env made s", "MB own"], rows)
    lines.append("")
    lines.append(f"probed {len(found.visited)} of {len(span)} releases, one environment each "
                 f"(at most {found.bound}: both ends and log2 of the {len(span) - 2} between)")
    fresh = [p for p in found.visited if p.made_s is not None]
    if fresh:
        lines.append(f"made {len(fresh)} env(s): {sum(p.made_s or 0 for p in fresh):.1f} s, "
                     f"{sum(p.disk_bytes or 0 for p in fresh) / 1e6:.0f} MB of their own in all")
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


def sweep_text(target: AnyTarget, points: Sequence[Point]) -> str:
    changed = drift(points, target)
    rows = [_row(p, "<- changes" if c else "") for p, c in zip(points, changed)]
    lines = [f"sweep {target}: {len(points)} releases", "", *table(_header(target), rows), ""]
    moves = [p.version for p, c in zip(points, changed) if c]
    lines.append(f"changes at: {', '.join(moves)}" if moves else "no change across the range")
    return "\n".join(lines) + "\n"


def sweep_markdown(target: AnyTarget, points: Sequence[Point]) -> str:
    changed = drift(points, target)
    head = _header(target)[:-1] + ["changes"]
    lines = [f"# Sweep: {target}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for point, c in zip(points, changed):
        cells = _row(point)[:-1] + ["yes" if c else ""]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def sweep_json(target: AnyTarget, points: Sequence[Point]) -> Dict[str, Any]:
    changed = drift(points, target)
    return {"target": str(target), "labels": target.labels,
            "releases": [{**point_json(p), "outcome": dict(zip(target.labels, p.outcome)), "changes": c}
                         for p, c in zip(points, changed)]}


def point_json(p: Point) -> Dict[str, Any]:
    """A probed release as JSON: where it ran, on which Python and why, what making its env cost."""
    return {"version": p.version, "env": p.env, "spec": p.spec, "python": p.python, "python_why": p.python_why,
            "outcome": list(p.outcome), "values": list(p.values), "problem": p.problem, "made_s": p.made_s,
            "disk_bytes": p.disk_bytes, "probe_s": p.probe_s}


def bisection_json(found: Bisection) -> Dict[str, Any]:
    """What `lab bisect --json` prints."""
    def point(p: Optional[Point]) -> Optional[Dict[str, Any]]:
        return None if p is None else point_json(p)

    return {"releases": [r.version for r in found.span], "visited": [point(p) for p in found.visited],
            "built": len(found.visited), "bound": found.bound, "first": point(found.first),
            "before": point(found.before), "untestable": [p.version for p in found.untestable]}


# --- The verdict-by-release strip (sweep.svg, bisect.svg) -------------------------------------------

STRIP_FILL = {"HOLDS": "#b7e1b0", "REFUTED": "#f4a6a6", "INCONCLUSIVE": "#f3dd8c", "n/a": "#dddddd"}
STRIP_VALUES = ("#9ecae1", "#fdae6b", "#a1d99b", "#bcbddc", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1")
STRIP_SHORT = {"HOLDS": "H", "REFUTED": "R", "INCONCLUSIVE": "I"}


def strip_svg(target: Any, versions: Sequence[str], points: Sequence[Point], title: str = "") -> str:
    """What changed where, at a glance: a row per compared value (a claim in a mode, or an
    observation), a column per release of `versions`; a probed release's cell coloured by its
    verdict (or by its value, one colour per distinct value), one not probed left pale, and a rule
    before each release whose outcome differs from the last probed one. Vector, offline, escaped."""
    from lab.reports.templating import render

    place = {v: n for n, v in enumerate(versions)}
    points = sorted(points, key=lambda p: place.get(p.version, len(place)))  # a bisection visits out of order
    by_version = {p.version: p for p in points}
    changed = {p.version for p, c in zip(points, drift(points, target)) if c}
    labels = list(target.labels)
    values: Dict[str, str] = {}
    for p in points:
        for outcome in p.outcome if not p.problem else ():
            if outcome not in STRIP_FILL:
                values.setdefault(outcome, STRIP_VALUES[len(values) % len(STRIP_VALUES)])
    cell_w, cell_h, left = 34, 22, 14 + 7 * max(len(label) for label in labels)
    head = 34 + 6 * max(len(v) for v in versions)
    columns: List[Dict[str, Any]] = [{"version": v, "x": left + n * cell_w} for n, v in enumerate(versions)]
    rows = []
    for r, label in enumerate(labels):
        cells = []
        for column in columns:
            point = by_version.get(column["version"])
            cells.append(_strip_cell(point, r, values, column["version"], column["x"]))
        rows.append({"label": label, "y": head + r * cell_h, "cells": cells})
    changes = [c["x"] - 1 for c in columns if c["version"] in changed]
    legend_y = head + len(labels) * cell_h + 14
    keys = [(fill, word, False) for word, fill in STRIP_FILL.items() if any(
        word in p.outcome for p in points)] + [(fill, clip(value, 40), False) for value, fill in values.items()]
    keys += [("#6a3d9a", "could not be probed", False)] if any(p.problem for p in points) else []
    keys += [("#ffffff", "not probed", True)] if len(by_version) < len(versions) else []
    keys += [("#000000", "the outcome changes here", False)] if changes else []
    legend = [{"x": 6 + (n % 3) * 230, "y": legend_y + (n // 3) * 18, "fill": fill, "text": text, "dashed": dashed}
              for n, (fill, text, dashed) in enumerate(keys)]
    width = max(left + len(versions) * cell_w + 10, 700)
    height = legend_y + 18 * ((len(legend) + 2) // 3) + 6
    return render("strip.svg.j2", title=title or str(target), columns=columns, rows=rows, changes=changes,
                  legend=legend, width=width, height=height, cell_w=cell_w, cell_h=cell_h, left=left, head=head)


def _strip_cell(point: Optional[Point], row: int, values: Mapping[str, str], version: str,
                x: int) -> Dict[str, Any]:
    if point is None:
        return {"version": version, "x": x, "probed": False, "fill": "#ffffff", "text": "", "ink": "#000",
                "title": "not probed", "outcome": ""}
    if point.problem:
        return {"version": point.version, "x": x, "probed": True, "fill": "#6a3d9a", "text": "err", "ink": "#fff",
                "title": f"could not be probed: {clip(point.problem, 120)}", "outcome": "problem"}
    outcome = point.outcome[row] if row < len(point.outcome) else ""
    fill = STRIP_FILL.get(outcome) or values.get(outcome, "#ffffff")
    return {"version": point.version, "x": x, "probed": True, "fill": fill, "text": STRIP_SHORT.get(outcome, ""),
            "ink": "#000", "title": outcome, "outcome": outcome}
