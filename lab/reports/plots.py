"""SVG figures for the HTML report, drawn by matplotlib (no pyplot state, text kept as text).

matplotlib is imported inside the functions: the rest of the host (listing, judging, the
terminal reports) never pays for it. Figures are small multiples of panels with one legend
under them; step axes tick at whole numbers; a line that stops because its twin raised, or
because its value overflowed, ends in a mark. lab/reports/svg.py makes the output fit to paste.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from lab.guest.measure import TRUNCATION, truncated_normal_std
from lab.reports.svg import LINE_PREFIX, clean

Points = Sequence[Tuple[float, float]]
MODE_STYLE = {"graph": "-", "eager": "--"}
MODE_MARKER = {"graph": "o", "eager": "s"}
END_MARKS = {"raised": ("X", "the twin raised after this point"),
             "overflow": ("^", "the value overflows (inf or nan) after this point")}
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
           "#bcbd22")
EVERY = "#444444"  # a line every environment shares
FONT = 8  # points: titles, labels and legends read at the page's size


def color_of(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def finite(v: Any) -> float:
    # Records keep non-finite floats as strings ("nan", "inf"); a plot leaves a gap there.
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else float("nan")


@dataclass
class Grid:
    """Panels of one size in rows of `ncols`, a title above and one legend below, placed by hand:
    matplotlib's constrained layout measured every tick label again and took half of a report's time."""

    count: int
    ncols: int
    width: float
    """One panel's axes, in inches (without its labels)."""
    height: float
    below: float = 0.45
    """Inches under each panel for its tick labels and axis label."""
    above: float = 0.42
    """Inches over each panel for its title."""
    sharey: str = ""
    """'col': panels of a column share their y axis; 'all': every panel does."""
    fig: Any = None
    axes: List[Any] = field(default_factory=list)

    LEFT, RIGHT, HEAD = 0.68, 0.15, 0.34

    def __post_init__(self) -> None:
        from matplotlib.figure import Figure

        self.ncols = max(1, min(self.ncols, self.count))
        self.nrows = math.ceil(self.count / self.ncols)
        self.fig = Figure()
        for n in range(self.count):
            share = None
            if self.sharey == "all" and n:
                share = self.axes[0]
            elif self.sharey == "col" and n >= self.ncols:
                share = self.axes[n % self.ncols]
            self.axes.append(self.fig.add_axes((0, 0, 1, 1), sharey=share))

    def finish(self, title: str, figure_id: str) -> str:
        """The legend (each label once) under the panels, every panel placed, the SVG."""
        seen: Dict[str, Any] = {}
        for ax in self.axes:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                seen.setdefault(label, handle)
        cell_w = self.LEFT + self.width + self.RIGHT
        cell_h = self.above + self.height + self.below
        total_w = self.ncols * cell_w
        columns = max(1, min(len(seen), int(total_w / 2.3)))
        legend_h = 0.12 + 0.2 * math.ceil(len(seen) / columns) if seen else 0.0
        total_h = self.HEAD + self.nrows * cell_h + legend_h
        self.fig.set_size_inches(total_w, total_h)
        for n, ax in enumerate(self.axes):
            row, col = divmod(n, self.ncols)
            x = col * cell_w + self.LEFT
            y = total_h - self.HEAD - row * cell_h - self.above - self.height
            ax.set_position((x / total_w, y / total_h, self.width / total_w, self.height / total_h))
            if self.sharey == "all" and col:
                ax.tick_params(labelleft=False)
        if seen:
            self.fig.legend(list(seen.values()), list(seen), loc="lower center", ncols=columns, fontsize=FONT,
                            frameon=False, bbox_to_anchor=(0.5, 0.0))
        self.fig.suptitle(title, fontsize=FONT + 1, y=1 - 0.08 / total_h, va="top")
        return to_svg(self.fig, figure_id)


def to_svg(fig: Any, figure_id: str) -> str:
    """The figure as an <svg> element to inline (see svg.clean)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": figure_id}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return clean(buffer.getvalue(), figure_id)


def _wrap(text: str, width: int = 44) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


# --- Lines over steps -----------------------------------------------------------------------------


@dataclass
class Line:
    """One line of a panel: a mode's values in a group of environments that recorded the same ones."""

    label: str
    points: Points
    color: str
    mode: str = "graph"
    end: str = ""
    """'raised' or 'overflow': a mark after the last point (END_MARKS)."""
    name: str = ""
    """Kept in the page as the line's data-line attribute and tooltip."""


@dataclass
class Panel:
    title: str
    lines: List[Line] = field(default_factory=list)
    xlabel: str = "step"
    ylabel: str = ""
    log_y: bool = False
    ticks: Optional[List[str]] = None
    """Names of the steps when they are not numbers (a sequence of named observations)."""


def lines_figure(title: str, panels: Sequence[Panel], figure_id: str, ncols: int = 3, sharey: str = "",
                 size: Tuple[float, float] = (2.6, 1.8)) -> str:
    """Small multiples, a panel per quantity (or per environment), every line labelled in one legend."""
    from matplotlib.ticker import MaxNLocator

    named = any(p.ticks for p in panels)
    grid = Grid(len(panels), ncols, size[0], size[1], below=1.0 if named else 0.45, sharey=sharey)
    for ax, panel in zip(grid.axes, panels):
        for line in panel.lines:
            _draw(ax, line)
        if panel.ticks:
            ax.set_xticks(range(len(panel.ticks)))
            ax.set_xticklabels(panel.ticks, rotation=30, ha="right", fontsize=FONT - 1)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(panel.xlabel, fontsize=FONT)
        if panel.log_y:
            ax.set_yscale("log")
        ax.set_ylabel(panel.ylabel, fontsize=FONT)
        ax.set_title(_wrap(panel.title), fontsize=FONT + 1)
        ax.tick_params(labelsize=FONT - 1)
    return grid.finish(title, figure_id)


def _draw(ax: Any, line: Line) -> None:
    xs = [p[0] for p in line.points]
    ys = [finite(p[1]) for p in line.points]
    marker = MODE_MARKER.get(line.mode) if len(xs) <= 12 else None
    (artist,) = ax.plot(xs, ys, color=line.color, linestyle=MODE_STYLE.get(line.mode, "-"), marker=marker,
                        markersize=3, linewidth=1.3, label=line.label)
    artist.set_gid(LINE_PREFIX + (line.name or line.label))
    last = next(((x, y) for x, y in zip(reversed(xs), reversed(ys)) if math.isfinite(y)), None)
    if line.end and last is not None:
        shape, meaning = END_MARKS[line.end]
        (mark,) = ax.plot([last[0]], [last[1]], marker=shape, markersize=8, color=line.color,
                          markeredgecolor="#000000", linestyle="none", label=meaning)
        mark.set_gid(LINE_PREFIX + f"{line.name or line.label} {line.end}")


# --- Initializer histograms -----------------------------------------------------------------------


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


def histogram_figure(title: str, panels: Sequence[Tuple[str, Dict[str, Any]]], figure_id: str,
                     ncols: int = 4) -> str:
    """A panel per distinct draw: its histogram as a density, the candidate densities over it, and
    the Kolmogorov-Smirnov statistics under it; the panel's title says which twins drew it."""
    import numpy as np

    grid = Grid(len(panels), ncols, 2.4, 1.7, below=0.78, above=0.5)
    for n, (ax, (who, fit)) in enumerate(zip(grid.axes, panels)):
        hist = fit["histogram"]
        edges, counts = np.asarray(hist["edges"], dtype=float), np.asarray(hist["counts"], dtype=float)
        ax.stairs(counts / (counts.sum() * np.diff(edges)), edges, fill=True, color="#c8c8c8", label="drawn values")
        span = max(abs(edges[0]), abs(edges[-1]))
        x = np.linspace(-1.1 * span, 1.1 * span, 121)
        for (label, pdf), color in zip(densities(fit), ("#1f77b4", "#d62728")):
            ax.plot(x, [pdf(v) for v in x], color=color, linewidth=1.3, label=label)
        ax.set_title(_wrap(who, 40), fontsize=FONT)
        ax.set_xlabel("value\n" + ks_line(fit), fontsize=FONT - 1)
        if n % ncols == 0:
            ax.set_ylabel("density", fontsize=FONT)
        ax.tick_params(labelsize=FONT - 1)
    return grid.finish(title, figure_id)
