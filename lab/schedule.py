"""How the work is laid over the cores: longest first, and an environment's batch split in parts
when a core would otherwise idle, from the durations of the previous run (or a static guess).

Pure except for History's file. A part is one guest process (one container, one TensorFlow
import) running some of an environment's trials; the records go back in plan order, and a
trial's record does not depend on its part (every twin runs with fresh state, seeded alike).
"""

from __future__ import annotations

import heapq
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from lab.cache import default_cache_dir
from lab.record import Record

# Guesses for a first run, from `make bench` on a 2-core machine (2026-12-01): a guest process
# starts in 2.2-4.4 s, and an env's 84 trials take 3.7-4.3 s. A guess too high for a trial would
# split small batches over processes, each paying a start of its own.
START_S = 3.0
"""Guess for a guest process's start (container, interpreter, TensorFlow import) with no history."""
TRIAL_S = 0.05
"""Guess for one trial with no history."""
GAIN_S = 0.5
"""A split must shorten the estimated schedule by this much: each part pays a start of its own."""


@dataclass(frozen=True)
class Work:
    """What one environment still has to run, with the estimates the schedule is made from."""

    env: str
    modes: Tuple[str, ...]
    """Each trial's mode, by the trial's index in the environment's batch."""
    durations: Tuple[float, ...]
    """Each trial's estimated seconds, by index."""
    start_s: float
    """Estimated seconds to start one guest process."""
    process_per_mode: bool = False
    """TensorFlow 1: the guest runs each mode in a process of its own (one start per mode)."""

    def cost(self, indices: Sequence[int]) -> float:
        starts = len({self.modes[i] for i in indices}) if self.process_per_mode else 1
        return self.start_s * starts + sum(self.durations[i] for i in indices)


@dataclass(frozen=True)
class Part:
    """Some of one environment's trials, run by one guest process."""

    env: str
    indices: Tuple[int, ...]
    """Indexes into the environment's batch, in plan order."""
    cost_s: float
    """Its estimated seconds."""


def makespan(costs: Sequence[float], workers: int) -> float:
    """When the last of these jobs ends, started longest first on `workers` (the LPT rule)."""
    loads = [0.0] * max(1, workers)
    for cost in sorted(costs, reverse=True):
        heapq.heapreplace(loads, loads[0] + cost)
    return max(loads)


def _packed(work: Work, indices: Sequence[int], bins: int) -> List[Tuple[int, ...]]:
    """`indices` in `bins` parts of about equal duration (longest trial to the lightest part), each in plan order."""
    parts: List[List[int]] = [[] for _ in range(bins)]
    sums = [0.0] * bins
    for i in sorted(indices, key=lambda i: (-work.durations[i], i)):
        lightest = sums.index(min(sums))
        parts[lightest].append(i)
        sums[lightest] += work.durations[i]
    return [tuple(sorted(part)) for part in parts if part]


def split(work: Work, count: int) -> List[Tuple[int, ...]]:
    """The environment's trials in `count` parts (fewer when it has fewer trials). Where each mode
    has a process of its own anyway (TensorFlow 1), parts never mix modes: split by mode first."""
    everything = range(len(work.modes))
    modes = sorted(set(work.modes))
    if not (work.process_per_mode and count > 1 and len(modes) > 1):
        return _packed(work, everything, max(1, count))
    groups = [[i for i in everything if work.modes[i] == m] for m in modes]
    bins = [1] * len(groups)
    for _ in range(count - len(groups)):  # an extra part to the mode with the longest parts
        longest = max(range(len(groups)), key=lambda g: work.cost(groups[g]) / bins[g])
        bins[longest] += 1
    return [part for group, n in zip(groups, bins) for part in _packed(work, group, n)]


def schedule(works: Sequence[Work], workers: int) -> List[Part]:
    """The parts, longest first: one per environment, and an environment's batch in more parts
    (at most `workers`, at most one per trial) while that shortens the estimated schedule."""
    counts = {w.env: 1 for w in works if w.modes}

    def parts_of(counts: Dict[str, int]) -> List[Part]:
        return [Part(w.env, part, w.cost(part)) for w in works if w.modes for part in split(w, counts[w.env])]

    parts = parts_of(counts)
    while True:
        best = makespan([p.cost_s for p in parts], workers)
        for env in sorted(counts, key=lambda e: -max(p.cost_s for p in parts if p.env == e)):
            size = len(next(w for w in works if w.env == env).modes)
            if counts[env] >= min(workers, size):
                continue
            more = parts_of({**counts, env: counts[env] + 1})
            if makespan([p.cost_s for p in more], workers) < best - GAIN_S:
                counts[env] += 1
                parts = more
                break
        else:
            return sorted(parts, key=lambda p: (-p.cost_s, p.env, p.indices))


class History:
    """The durations of the last run, per environment: a JSON file beside the record cache."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            data = {}
        self.envs: Dict[str, dict] = data.get("envs", {}) if isinstance(data, dict) else {}

    def work(self, env: str, keys: Sequence[Tuple[str, str]], default_start_s: float = START_S) -> Work:
        """The estimates for these (scenario, mode) trials of `env`."""
        known = self.envs.get(env) or {}
        trials = known.get("trials") or {}
        return Work(env, tuple(mode for _, mode in keys),
                    tuple(float(trials.get(f"{s}.{m}", TRIAL_S)) for s, m in keys),
                    float(known.get("start_s", default_start_s)), bool(known.get("process_per_mode", False)))

    def learn(self, env: str, records: Sequence[Record], parts: Sequence[Tuple[Sequence[Record], float]]) -> None:
        """Remember each trial's duration and the start of a guest process: a part's wall time
        less its twins' durations, per process."""
        per_mode = any(str((r.facts or {}).get("tensorflow", "")).startswith("1.") for r in records)
        entry = self.envs.setdefault(env, {})
        trials = entry.setdefault("trials", {})
        trials.update({f"{r.scenario}.{r.mode.value}": round(r.duration_s, 3) for r in records if r.duration_s})
        starts = [(wall - sum(r.duration_s for r in done)) / (len({r.mode for r in done}) if per_mode else 1)
                  for done, wall in parts if done]
        if starts:
            entry["start_s"] = round(max(0.0, sum(starts) / len(starts)), 3)
        entry["process_per_mode"] = per_mode

    def save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"envs": self.envs}, indent=1, sort_keys=True) + "\n")
            tmp.replace(self.path)  # atomic: a parallel lab reads the old file or this one
        except OSError:
            pass  # only a hint for the next schedule


def history_path(directory: Optional[Path] = None) -> Path:
    return (directory or default_cache_dir()) / "durations.json"
