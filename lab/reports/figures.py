"""What the HTML report plots for a scenario across its environments, read from its records:
initializer histograms (a panel per distinct draw), trajectories over steps (a line per mode and
group of envs that recorded the same values), and the depth profile (a row per env).

Every figure is found from the observations' shape, not from a list of scenario ids, so a new
scenario that records a fit_report, a depth profile or a `loss_1, loss_2, ...` series is plotted as well.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Hashable, List, Mapping, Optional, Sequence, Tuple, TypeVar

from lab.record import Record
from lab.reports import plots
from lab.reports.plots import EVERY, Line, Panel
from lab.values import clip

SEED_PREFIX = "seed-"
NUMBERED = re.compile(r"^(.*?)_(\d+)$")  # weight_3, loss_10, kernel_after_step_2
Column = Tuple[str, str]  # (env, mode)
T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    """One plot of the report: its caption (what it shows, and each mark's reason) and its inline SVG."""

    caption: str
    svg: str


def safe_id(text: str) -> str:
    """A string usable as an HTML id (and in an SVG's ids)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")


def _number(obs: Any) -> Optional[float]:
    """A scalar observation's number (a plain number or a one-value tensor), else None."""
    if isinstance(obs, dict) and obs.get("kind") == "tensor":
        obs = obs.get("values")
        while isinstance(obs, list) and len(obs) == 1:
            obs = obs[0]
    if isinstance(obs, bool) or not isinstance(obs, (int, float, str)):
        return None
    if isinstance(obs, str):  # non-finite floats are kept as strings
        return float(obs) if obs in ("nan", "inf", "-inf") else None
    return float(obs)


def group(items: Mapping[Column, T], key: Callable[[T], Hashable] = lambda v: v) -> List[Tuple[List[Column], T]]:
    """The columns that hold equal values, together, in first-seen order."""
    groups: Dict[Hashable, Tuple[List[Column], T]] = {}
    for column, value in items.items():
        groups.setdefault(key(value), ([], value))[0].append(column)
    return list(groups.values())


def who(columns: Sequence[Column], everywhere: Sequence[str]) -> str:
    """'graph: tf2.12, tf2.21; eager: tf2.5', 'graph and eager: every env' for the columns."""
    by_mode: Dict[str, List[str]] = {}
    for env, mode in columns:
        by_mode.setdefault(mode, []).append(env)

    def envs(names: List[str]) -> str:
        return "every env" if len(everywhere) > 1 and list(names) == list(everywhere) else ", ".join(names)

    if len(by_mode) == 2 and len({tuple(v) for v in by_mode.values()}) == 1:
        return f"graph and eager: {envs(next(iter(by_mode.values())))}"
    return "; ".join(f"{mode}: {envs(names)}" for mode, names in by_mode.items())


def is_fit(obs: Any) -> bool:
    """A measure.fit_report that kept its histogram (results of lab 0.1.0 before it did not)."""
    return isinstance(obs, dict) and "ks_critical" in obs and "histogram" in obs


def fit_keys(records: Sequence[Record]) -> List[str]:
    keys: Dict[str, None] = {}
    for r in records:
        keys.update((k, None) for k, v in r.observations.items() if is_fit(v))
    return list(keys)


def raised(record: Record) -> str:
    """'training_error raised TypeError: ...' for the first exception a finished twin recorded, else ''."""
    for key, obs in record.observations.items():
        if isinstance(obs, dict) and obs.get("kind") == "exception":
            return clip(f"{key} raised {obs.get('type')}: {obs.get('message', '')}", 160)
    return ""


def unfinished(records: Sequence[Record]) -> List[str]:
    """A note per twin with no observations to plot: it did not finish, or cannot apply there."""
    notes = []
    for r in records:
        if not r.ok:
            message = clip(str((r.error or {}).get("message", "")), 120)
            what = "cannot apply there" if r.status.value == "not_applicable" else f"did not finish ({r.status.value})"
            notes.append(f"{r.env} {r.mode.value}: the twin {what}{': ' + message if message else ''}")
    return notes


class Plot:
    """The figures of one scenario across its environments."""

    def __init__(self, sid: str, records: Sequence[Record], order: Sequence[str], figure_id: str) -> None:
        self.sid, self.figure_id = sid, figure_id
        rank = {env: n for n, env in enumerate(order)}
        mine = sorted(records, key=lambda r: (rank.get(r.env, len(rank)), r.mode.value != "graph"))
        self.by_column: Dict[Column, Record] = {(r.env, r.mode.value): r for r in mine if r.ok}
        self.envs = list(dict.fromkeys(r.env for r in mine))
        self.colors = {env: plots.color_of(rank.get(env, n)) for n, env in enumerate(self.envs)}
        self.notes = unfinished(mine)
        self.count = 0

    def _id(self) -> str:
        self.count += 1
        return f"{self.figure_id}-{self.count}"

    def _color(self, envs: Sequence[str]) -> str:
        return EVERY if len(self.envs) > 1 and list(envs) == self.envs else self.colors[envs[0]]

    def _caption(self, text: str, marks: Sequence[str]) -> str:
        extra = list(marks) + self.notes
        return text + (" " + "; ".join(extra) + "." if extra else "")

    def figures(self) -> List[Figure]:
        if not self.by_column:
            return []
        records = list(self.by_column.values())
        if any(_depth_report(obs) for r in records for obs in r.observations.values()):
            return self.depth_profile()
        found = self.histograms()
        if found or self.sid.startswith(SEED_PREFIX):  # seeding has its own table; fits are no trajectories
            return found
        return self.trajectories()

    # --- histograms

    def histograms(self) -> List[Figure]:
        out = []
        for key in fit_keys(list(self.by_column.values())):
            fits = {c: r.observations[key] for c, r in self.by_column.items() if is_fit(r.observations.get(key))}
            draws = group(fits, lambda fit: json.dumps(fit, sort_keys=True))
            panels = [(who(columns, self.envs), fit) for columns, fit in draws]
            svg = plots.histogram_figure(f"{self.sid}: {key}", panels, self._id())
            truncated = " and TensorFlow's truncated normal" if any("normal_std" in f for f in fits.values()) else ""
            out.append(Figure(self._caption(
                f"{key}: the drawn values against the density the article states{truncated}, with the "
                f"Kolmogorov-Smirnov statistics; a panel per distinct draw ({len(draws)} among {len(fits)} twins).",
                []), svg))
        return out

    # --- trajectories

    def trajectories(self) -> List[Figure]:
        series = {c: numbered_series(r) for c, r in self.by_column.items()}
        names = [n for n in dict.fromkeys(n for s in series.values() for n in s)
                 if max(len(s.get(n, [])) for s in series.values()) >= 2]
        for column, found in series.items():  # a twin that raised before its first step: its initial value
            for name in names:
                initial = _number(self.by_column[column].observations.get(f"initial_{name}"))
                if name not in found and initial is not None:
                    found[name] = [(0, initial)]
        if names:
            panels: List[Panel] = []
            marks: List[str] = []
            for name in names:
                panel, stops = self._panel(name, {c: s.get(name, []) for c, s in series.items()})
                panels.append(panel)
                marks += stops
            text = (f"{', '.join(names)} per step in each env: a line per mode and group of envs that recorded "
                    "the same values (graph solid, eager dashed).")
            return [Figure(self._caption(text, list(dict.fromkeys(marks))),
                           plots.lines_figure(self.sid, panels[i:i + 3], self._id()))
                    for i in range(0, len(panels), 3)]
        sequence = value_sequence(self.by_column)
        if sequence is None:
            return []
        keys, values = sequence
        panel, marks = self._panel("value", values)
        panel.ticks, panel.xlabel = keys, ""
        return [Figure(self._caption("The recorded values in the order the twins recorded them, in each env: a line "
                                     "per mode and group of envs that recorded the same values.", marks),
                       plots.lines_figure(self.sid, [panel], self._id(), size=(4.2, 2.0)))]

    def _panel(self, name: str, by_column: Mapping[Column, List[Tuple[int, float]]]) -> Tuple[Panel, List[str]]:
        longest = max(len(points) for points in by_column.values())
        panel, marks = Panel(name, ylabel=name), []
        for mode in ("graph", "eager"):
            mine = {c: tuple(points) for c, points in by_column.items() if c[1] == mode}
            for columns, points in group(mine):
                envs = [env for env, _ in columns]
                label = f"{mode}: {who(columns, self.envs).split(': ', 1)[1]}"
                reasons = [raised(self.by_column[c]) for c in columns]
                end = "raised" if len(points) < longest and any(reasons) else ""
                if end:
                    marks.append(f"{label} stops early (the X): {next(r for r in reasons if r)}")
                if points:
                    panel.lines.append(Line(label, points, self._color(envs), mode, end, f"{name} {mode} "
                                            + " ".join(envs)))
        return panel, marks

    # --- the depth study

    def depth_profile(self) -> List[Figure]:
        """A row of panels per group of envs that recorded the same profile, a panel per activation."""
        profiles = {c: depth_lines(r) for c, r in self.by_column.items()}
        by_env: Dict[Column, Any] = {}
        for env in self.envs:
            by_env[(env, "")] = {mode: profiles.get((env, mode), {}) for mode in ("graph", "eager")}
        rows = group(by_env, lambda p: json.dumps(p, sort_keys=True, default=str))
        activations = list(dict.fromkeys(a for p in profiles.values() for a in p))
        initializers = list(dict.fromkeys(i for p in profiles.values() for a in p.values() for i in a))
        colors = {init: plots.color_of(n) for n, init in enumerate(initializers)}
        panels: List[Panel] = []
        overflows: Dict[Tuple[str, str, float], List[Column]] = {}
        for columns, profile in rows:
            envs = [env for env, _ in columns]
            for activation in activations:
                shown = ", ".join(envs) if len(rows) > 1 else "every env"
                panel = Panel(f"{activation} ({shown})", xlabel="layer", ylabel="activation std", log_y=True)
                for mode, lines in profile.items():
                    for init, points in lines.get(activation, {}).items():
                        kept = _finite_prefix(points)
                        end = "overflow" if len(kept) < len(points) else ""
                        if end and kept:
                            overflows.setdefault((activation, init, kept[-1][0]), []).extend(
                                (env, mode) for env in envs)
                        panel.lines.append(Line(f"{init} {mode}", kept, colors[init], mode, end,
                                                f"{activation} {init} {mode} {' '.join(envs)}"))
                panels.append(panel)
        marks = [f"{activation} {init}: the std overflows (inf or nan) after layer {layer:.0f} "
                 f"(the triangle) in {who(columns, self.envs)}"
                 for (activation, init, layer), columns in overflows.items()]
        svg = plots.lines_figure(self.sid, panels, self._id(), ncols=len(activations) or 1, sharey="col")
        text = ("The standard deviation of each layer's activations (log scale), per initializer; a row per group "
                "of envs that recorded the same profile; graph solid, eager dashed.")
        return [Figure(self._caption(text, marks), svg)]


def numbered_series(record: Record) -> Dict[str, List[Tuple[int, float]]]:
    """Observations named NAME_1, NAME_2, ... (with INITIAL_NAME as step 0) as {NAME: [(step, value)]};
    a dict observation holding a `losses` list gives a series too."""
    found: Dict[str, List[Tuple[int, float]]] = {}
    for key, obs in record.observations.items():
        match, number = NUMBERED.match(key), _number(obs)
        if match and number is not None:
            found.setdefault(match.group(1), []).append((int(match.group(2)), number))
        elif isinstance(obs, dict) and isinstance(obs.get("losses"), list):
            found[f"{key} loss"] = [(i, plots.finite(_number(v))) for i, v in enumerate(obs["losses"])]
    for name, points in found.items():
        initial = _number(record.observations.get(f"initial_{name}"))
        if initial is not None and points and min(step for step, _ in points) > 0:
            points.insert(0, (0, initial))
    return found


Steps = Dict[Column, List[Tuple[int, float]]]


def value_sequence(by_column: Mapping[Column, Record]) -> Optional[Tuple[List[str], Steps]]:
    """The scalar observations in the order the twins recorded them (a variable's value through
    initializations and assignments), when at least three are scalars in every twin."""
    records = list(by_column.values())
    keys = [k for k in records[0].observations if all(_number(r.observations.get(k)) is not None for r in records)]
    if len(keys) < 3:
        return None
    return keys, {c: [(i, _number(r.observations[k]) or 0.0) for i, k in enumerate(keys)]
                  for c, r in by_column.items()}


def _depth_report(obs: Any) -> bool:
    return isinstance(obs, dict) and (isinstance(obs.get("std_per_layer"), list)
                                      or any(str(k).startswith("std_layer_") for k in obs))


def depth_lines(record: Record) -> Dict[str, Dict[str, List[Tuple[float, float]]]]:
    """{activation: {initializer: [(layer, std)]}} from observations named ACTIVATION_INITIALIZER."""
    out: Dict[str, Dict[str, List[Tuple[float, float]]]] = {}
    for key, report in record.observations.items():
        if not _depth_report(report) or "_" not in key:
            continue
        activation, initializer = key.split("_", 1)
        per_layer = report.get("std_per_layer")
        points: List[Tuple[float, float]]
        if isinstance(per_layer, list):
            points = [(i + 1, plots.finite(v)) for i, v in enumerate(per_layer)]
        else:  # results from before std_per_layer: 4 layers
            points = [(int(k.rsplit("_", 1)[1]), plots.finite(v)) for k, v in report.items()
                      if k.startswith("std_layer_")]
        out.setdefault(activation, {})[initializer] = points
    return out


def _finite_prefix(points: Sequence[Tuple[float, float]]) -> List[Tuple[float, float]]:
    kept = []
    for x, y in points:
        if not math.isfinite(y):  # NaN or an infinity ends the curve
            break
        kept.append((x, y))
    return kept


def for_scenario(sid: str, records: Sequence[Record], order: Sequence[str], figure_id: str) -> List[Figure]:
    """Every figure of one scenario: its records in every environment (the finished twins plotted)."""
    return Plot(sid, records, order, figure_id).figures()
