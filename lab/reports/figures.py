"""What the HTML report plots for a scenario, read from its records: initializer histograms,
trajectories over steps, the depth profile, and which seeded draws repeat.

Every figure is found from the observations' shape, not from a list of scenario ids, so a new
scenario that records a fit_report or a `loss_1, loss_2, ...` series is plotted as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.record import Record
from lab.reports import plots
from lab.reports.plots import Series

DEPTH_SCENARIO = "init-depth-activation-scale"
SEED_PREFIX = "seed-"
NUMBERED = re.compile(r"^(.*?)_(\d+)$")  # weight_3, loss_10, kernel_after_step_2


@dataclass(frozen=True)
class Figure:
    """One plot of the report: its caption and its inline SVG."""

    caption: str
    svg: str


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


def is_fit(obs: Any) -> bool:
    """A measure.fit_report that kept its histogram (results of lab 0.1.0 before it did not)."""
    return isinstance(obs, dict) and "ks_critical" in obs and "histogram" in obs


def fit_keys(records: Sequence[Record]) -> List[str]:
    keys: Dict[str, None] = {}
    for r in records:
        keys.update((k, None) for k, v in r.observations.items() if is_fit(v))
    return list(keys)


def histograms(sid: str, by_mode: Mapping[str, Record]) -> List[Figure]:
    out = []
    for key in fit_keys(list(by_mode.values())):
        fits = {m: r.observations[key] for m, r in by_mode.items() if is_fit(r.observations.get(key))}
        svg = plots.histogram_figure(f"{sid}: {key}", fits, plots.safe_id(f"{sid}-{key}"))
        truncated = " and TensorFlow's truncated normal" if any("normal_std" in f for f in fits.values()) else ""
        out.append(Figure(f"{key}: the drawn values against the density the article states{truncated}, per mode, "
                          "with the Kolmogorov-Smirnov statistics", svg))
    return out


def numbered_series(by_mode: Mapping[str, Record]) -> List[Series]:
    """Observations named NAME_1, NAME_2, ...: one series per NAME with at least two steps.
    A dict observation holding a `losses` list gives a series too."""
    found: Dict[str, Series] = {}
    for mode, r in by_mode.items():
        for key, obs in r.observations.items():
            match, number = NUMBERED.match(key), _number(obs)
            if match and number is not None:
                s = found.setdefault(match.group(1), Series(match.group(1)))
                s.by_mode.setdefault(mode, []).append((int(match.group(2)), number))  # type: ignore[attr-defined]
            elif isinstance(obs, dict) and isinstance(obs.get("losses"), list):
                s = found.setdefault(f"{key} loss", Series(f"{key} loss"))
                s.by_mode[mode] = [(i, _number(v) or float("nan")) for i, v in enumerate(obs["losses"])]
    return [s for s in found.values() if all(len(p) >= 2 for p in s.by_mode.values())]


def value_sequence(by_mode: Mapping[str, Record]) -> Optional[Series]:
    """The scalar observations in the order the twin recorded them (a variable's value through
    initializations and assignments), when there are at least three and both modes share them."""
    modes = list(by_mode.values())
    keys = [k for k in modes[0].observations if all(_number(r.observations.get(k)) is not None for r in modes)]
    if len(keys) < 3:
        return None
    return Series("value", {m: [(i, _number(r.observations[k]) or 0.0) for i, k in enumerate(keys)]
                            for m, r in by_mode.items()}, labels=keys)


def trajectories(sid: str, by_mode: Mapping[str, Record]) -> List[Figure]:
    series = numbered_series(by_mode)
    if series:
        # At most three panels a figure, so the panels stay readable in a page's width.
        return [Figure("per step, graph and eager on one plot",
                       plots.trajectory_figure(sid, series[i:i + 3], plots.safe_id(f"{sid}-steps-{i}")))
                for i in range(0, len(series), 3)]
    sequence = value_sequence(by_mode)
    if sequence is None:
        return []
    return [Figure("the recorded values in the order the twins recorded them, graph and eager on one plot",
                   plots.trajectory_figure(sid, [sequence], plots.safe_id(f"{sid}-sequence")))]


def depth_profile(by_mode: Mapping[str, Record]) -> List[Figure]:
    """Activation std per layer, one panel per activation, Glorot vs He (vs unscaled)."""
    panels: Dict[str, Series] = {}
    for mode, r in by_mode.items():
        for key, report in r.observations.items():
            if not isinstance(report, dict) or "_" not in key:
                continue
            activation, initializer = key.split("_", 1)
            per_layer = report.get("std_per_layer")
            points: List[Tuple[float, float]] = (
                [(i + 1, plots._finite(v)) for i, v in enumerate(per_layer)] if isinstance(per_layer, list)
                else [(int(k.rsplit("_", 1)[1]), plots._finite(v)) for k, v in report.items()
                      if k.startswith("std_layer_")])  # results from before std_per_layer: 4 layers
            panel = panels.setdefault(activation, Series(f"{activation}: activation std per layer"))
            panel.by_mode[f"{initializer} {mode}"] = points
    if not panels:
        return []
    svg = plots.trajectory_figure(DEPTH_SCENARIO, list(panels.values()), "depth", log_y=True, xlabel="layer")
    return [Figure("the standard deviation of each layer's activations (log scale), per initializer; "
                   "graph solid, eager dashed", svg)]


def for_scenario(sid: str, by_mode: Mapping[str, Record]) -> List[Figure]:
    """Every figure of one scenario in one environment (its finished twins)."""
    finished = {m: r for m, r in by_mode.items() if r.ok}
    if not finished:
        return []
    if sid == DEPTH_SCENARIO:
        return depth_profile(finished)
    found = histograms(sid, finished)
    if found or sid.startswith(SEED_PREFIX):  # seeding has its own table; fits are no trajectories
        return found
    return trajectories(sid, finished)
