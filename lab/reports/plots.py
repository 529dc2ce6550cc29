"""SVG figures for the HTML report, drawn by matplotlib (no pyplot state, text kept as text).

matplotlib is imported inside the functions: the rest of the host (listing, judging, the
terminal reports) never pays for it. Each figure gets its own hash salt, so the ids of clip
paths and markers are deterministic and do not collide when many SVGs sit in one page.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from lab.guest.measure import TRUNCATION, truncated_normal_std

MODE_STYLE = {"graph": {"color": "#1f77b4", "linestyle": "-", "marker": "o"},
              "eager": {"color": "#d62728", "linestyle": "--", "marker": "s"}}
Points = Sequence[Tuple[float, float]]


def _figure(width: float, height: float, panels: int) -> Tuple[Any, List[Any]]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    return fig, list(axes)


def to_svg(fig: Any, salt: str) -> str:
    """The figure as an <svg> element to inline (no XML prolog, no creation date)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _finite(v: Any) -> float:
    # Records keep non-finite floats as strings ("nan", "inf"); a plot leaves a gap there.
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else float("nan")


# --- Initializer histograms -----------------------------------------------------------------


def normal_pdf(x: float, std: float) -> float:
    return math.exp(-0.5 * (x / std) ** 2) / (std * math.sqrt(2 * math.pi))


def truncated_normal_pdf(x: float, std: float) -> float:
    """The density TensorFlow draws from for a normal initializer of standard deviation `std`:
    N(0, scale) cut at +-2 scale, with scale chosen so that the cut distribution's std is `std`."""
    scale = std / truncated_normal_std()
    if abs(x) > TRUNCATION * scale:
        return 0.0
    mass = math.erf(TRUNCATION / math.sqrt(2.0))
    return normal_pdf(x, scale) / mass


def densities(fit: Dict[str, Any]) -> List[Tuple[str, Callable[[float], float]]]:
    """The candidate densities a fit_report was tested against, from the parameters it kept."""
    out: List[Tuple[str, Callable[[float], float]]] = []
    if "uniform_limit" in fit:
        limit = float(fit["uniform_limit"])
        out.append((f"stated: U(-{limit:.3g}, {limit:.3g})", lambda x: 1 / (2 * limit) if abs(x) <= limit else 0.0))
    if "normal_std" in fit:
        std = float(fit["normal_std"])
        out.append((f"stated: N(0, {std:.3g}²)", lambda x: normal_pdf(x, std)))
        out.append(("TF: truncated normal", lambda x: truncated_normal_pdf(x, std)))
    return out


def ks_line(fit: Dict[str, Any]) -> str:
    """'KS D: normal 0.0167 rejects, truncated_normal 0.0012; critical 0.0070'."""
    parts = [f"{name[3:]} {fit[name]:.4f}{' rejects' if fit.get('rejects_' + name[3:]) else ''}"
             for name in fit if name.startswith("ks_") and name != "ks_critical"]
    return f"KS D: {', '.join(parts)}\ncritical {fit['ks_critical']:.4f} (n={fit['n']})"


def histogram_figure(title: str, fits: Dict[str, Dict[str, Any]], salt: str) -> str:
    """One panel per mode: the drawn values' histogram as a density, the candidate densities
    over it, and the KS statistics under it."""
    import numpy as np

    fig, axes = _figure(4.2 * len(fits), 3.1, len(fits))
    for ax, (mode, fit) in zip(axes, fits.items()):
        hist = fit["histogram"]
        edges, counts = np.asarray(hist["edges"]), np.asarray(hist["counts"], dtype=float)
        widths = np.diff(edges)
        ax.bar(edges[:-1], counts / (counts.sum() * widths), width=widths, align="edge", color="#bbbbbb",
               edgecolor="none", label="drawn")
        span = max(abs(edges[0]), abs(edges[-1]))
        x = np.linspace(-1.1 * span, 1.1 * span, 241)
        for (label, pdf), color in zip(densities(fit), ("#1f77b4", "#d62728")):
            ax.plot(x, [pdf(v) for v in x], color=color, linewidth=1.3, label=label)
        ax.set_title(f"{mode}", fontsize=9)
        ax.set_xlabel(ks_line(fit), fontsize=7)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6, loc="upper right")
    fig.suptitle(title, fontsize=9)
    return to_svg(fig, salt)


# --- Trajectories and profiles -----------------------------------------------------------------


@dataclass
class Series:
    """One quantity over steps, per mode: {mode: [(step, value), ...]}."""

    name: str
    by_mode: Dict[str, Points] = field(default_factory=dict)
    labels: Optional[List[str]] = None
    """Names of the steps when they are not numbers (a sequence of named observations)."""


def trajectory_figure(title: str, series: Sequence[Series], salt: str, log_y: bool = False,
                      xlabel: str = "step") -> str:
    """One panel per series, graph and eager on the same axes."""
    fig, axes = _figure(max(4.0, 3.3 * len(series)), 2.8 if not series[0].labels else 3.4, len(series))
    colors: Dict[str, str] = {}
    for ax, s in zip(axes, series):
        for label, points in s.by_mode.items():
            xs = [p[0] for p in points]
            ax.plot(xs, [_finite(p[1]) for p in points], label=label, markersize=3, linewidth=1.2,
                    **_style(label, colors))
        if s.labels:
            ax.set_xticks(range(len(s.labels)))
            ax.set_xticklabels(s.labels, rotation=30, ha="right", fontsize=6)
        else:
            ax.set_xlabel(xlabel, fontsize=8)
        if log_y:
            ax.set_yscale("log")
        ax.set_title(s.name, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    return to_svg(fig, salt)


def _style(label: str, colors: Dict[str, str]) -> Dict[str, Any]:
    # A line is a mode ("graph"), or a quantity in a mode ("he_normal eager"): the mode sets the
    # line style, the quantity the colour, so graph and eager of one quantity share a colour.
    *what, mode = label.split()
    style: Dict[str, Any] = dict(MODE_STYLE.get(mode, {}))
    if what:
        colors.setdefault(" ".join(what), f"C{len(colors) % 10}")
        style.update(color=colors[" ".join(what)], marker=None)
    return style


def safe_id(text: str) -> str:
    """A string usable as an HTML id and an SVG hash salt."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")
