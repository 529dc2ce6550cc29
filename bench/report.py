"""The bench's rows: ratios and targets, the table, where the time goes, the JSON. Pure: no Docker."""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from lab.record import Record

# "what" says which envs and how many trials a row covers: a ratio is only read beside it.
HEADERS = ["measurement", "wall s", "ratio", "target", "met", "what"]


@dataclass
class Measurement:
    """One row of the bench table."""

    name: str
    """floor, compare-all, naive, cached rerun (with the env subset when it differs)."""
    wall_s: float
    """Wall time of the whole schedule, seconds."""
    envs: List[str]
    """The environments it ran in."""
    trials: int
    """Trials it ran, all environments together (0 for the floor)."""
    ratio: Optional[float] = None
    """This measurement over `ratio_of`'s, or None when it is a reference."""
    ratio_of: str = ""
    """What the ratio divides, in words: 'compare-all / floor'."""
    target: str = ""
    """The goal, as written in the table: '<= 1.5', '>= 10', '< 2 s'."""
    met: Optional[bool] = None
    """Whether the goal is met; None for a row without one."""
    note: str = ""
    """Anything that qualifies the number: failed trials, cached counts."""


@dataclass
class Bench:
    """A whole bench run: its rows, where the time goes, and what it ran on."""

    measurements: List[Measurement]
    slowest: Dict[str, str] = field(default_factory=dict)
    meta: Dict[str, Any] = field(default_factory=dict)


def judge(floor: Measurement, compare: Measurement, naive: Optional[Measurement],
          compare_naive: Optional[Measurement], cached: Optional[Measurement],
          local: Optional[Measurement] = None) -> List[Measurement]:
    """Fill in ratios and targets; naive is divided by compare-all on the SAME envs."""
    compare.ratio, compare.ratio_of, compare.target = compare.wall_s / floor.wall_s, "compare-all / floor", "<= 1.5"
    compare.met = compare.ratio <= 1.5
    rows = [floor, compare]
    if naive is not None:
        base = compare_naive or compare
        rows += [compare_naive] if compare_naive is not None else []
        naive.ratio, naive.ratio_of, naive.target = naive.wall_s / base.wall_s, f"naive / {base.name}", ">= 10"
        naive.met = naive.ratio >= 10
        rows.append(naive)
    if cached is not None:
        cached.ratio, cached.ratio_of, cached.target = cached.wall_s / compare.wall_s, "cached / compare-all", "< 2 s"
        cached.met = cached.wall_s < 2.0
        rows.append(cached)
    if local is not None:
        local.target, local.met = "< 1.5 s", local.wall_s < 1.5
        rows.append(local)
    return rows


IMAGES_TARGET_S = 300.0
"""`make images` for the TF 2 environments, from an empty image store (wheels downloaded)."""


def image_rows(builds: Sequence[Measurement]) -> List[Measurement]:
    """One row per image (when this host built it: its build seconds; its size in the note), and
    their sum for the TF 2 images against the target. Builds run in parallel, so the sum is an
    upper bound of `make images`' wall time."""
    rows = list(builds)
    tf2 = [m for m in rows if m.wall_s and not m.envs[0].startswith("tf1")]
    if tf2:
        total = sum(m.wall_s for m in tf2)
        # An upper bound proves the target met when it is under it, and proves nothing when over.
        met = True if total < IMAGES_TARGET_S else None
        rows.append(Measurement("image builds, TF 2 (sum)", total, [e for m in tf2 for e in m.envs], 0,
                                target=f"< {IMAGES_TARGET_S:.0f} s", met=met,
                                note="as each was last built on this host; `make images` runs them in parallel"
                                     + ("" if met else ": over the target, time `make images` itself")))
    return rows


def table(rows: Sequence[Measurement]) -> str:
    """The bench table, aligned, with a legend of what each ratio divides."""
    cells = [HEADERS] + [[m.name, f"{m.wall_s:.1f}", "" if m.ratio is None else f"{m.ratio:.2f}", m.target,
                          "" if m.met is None else ("yes" if m.met else "NO"),
                          f"{','.join(m.envs)}; {m.trials} trials" + (f"; {m.note}" if m.note else "")]
                         for m in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADERS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += [f"  {m.name}: ratio = {m.ratio_of}" for m in rows if m.ratio_of]
    return "\n".join(lines) + "\n"


def slowest_line(records: Sequence[Record], finished_s: Optional[float] = None, top: int = 3) -> str:
    """Twin time per scenario (both modes), slowest first, beside when the env finished: the
    difference is the container, the TensorFlow import and the per-trial reset."""
    per: Dict[str, float] = {}
    for r in records:
        per[r.scenario] = per.get(r.scenario, 0.0) + r.duration_s
    ranked = sorted(per.items(), key=lambda kv: -kv[1])[:top]
    done = f"finished at {finished_s:.1f} s; " if finished_s is not None else ""
    return f"{done}twins {sum(per.values()):.1f} s in all; slowest: " + ", ".join(f"{s} {d:.2f} s" for s, d in ranked)


def render(bench: Bench) -> str:
    """The table, then where each env's time goes, then how busy the machine was."""
    lines = [f"slowest in {env}: {line}" for env, line in bench.slowest.items()]
    meta = bench.meta
    if "cores" in meta:
        lines.append(f"machine: {meta['cores']} cores; load {meta['load_before']:.1f} before, "
                     f"{meta['load_after']:.1f} after; {meta['others_containers']} other containers at the start")
    return table(bench.measurements) + "".join(line + "\n" for line in lines)


def to_json(bench: Bench) -> Dict[str, Any]:
    return {**bench.meta, "measurements": [asdict(m) for m in bench.measurements], "slowest": bench.slowest}


def write_json(bench: Bench, folder: Path) -> Path:
    """folder/bench-<UTC time>.json: a fresh file per run, sortable by name."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{stamp}.json"
    path.write_text(json.dumps(to_json(bench), indent=1) + "\n")
    return path


WORK_BOUND_TARGET = 1.15


def work_bound(compare: Measurement, floor: Measurement, twins_s: float, cores: int) -> Measurement:
    """compare-all against its work bound: the floor (every env's TensorFlow import) plus the
    twins' own measured time spread over the cores. What is over it is the lab's own cost: a
    fork and a pipe per trial, the schedule, the host reading and judging."""
    bound = floor.wall_s + twins_s / max(1, cores)
    ratio = compare.wall_s / bound
    return Measurement("compare-all vs work bound", compare.wall_s, compare.envs, compare.trials, ratio=ratio,
                       ratio_of="compare-all / (floor + twins / cores)", target=f"<= {WORK_BOUND_TARGET}",
                       met=ratio <= WORK_BOUND_TARGET,
                       note=f"bound {bound:.1f} s: floor {floor.wall_s:.1f} s + twins {twins_s:.1f} s / {cores} cores")
