"""How the work is laid over the cores: longest first, and an environment's batch split in parts
when a core would otherwise idle, from the durations of the previous run (or a static guess).

Pure except for History's file. A part is one guest process (one container, one TensorFlow
import) running some of an environment's jobs; the outcomes go back in plan order, and a job's
outcome does not depend on its part (every job runs in a child of its own, seeded alike).
"""

from __future__ import annotations

import heapq
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from lab.cache import default_cache_dir

# Guesses for a first run, from `make bench` on a 2-core machine (2026-12-01): a guest process
# starts in 2.2-4.4 s, and an env's 84 trials take 3.7-4.3 s. A guess too high for a trial would
# split small batches over processes, each paying a start of its own.
START_S = 3.0
"""Guess for a guest process's start (container, interpreter, TensorFlow import) with no history."""
JOB_S = 0.1
"""Guess for one job with no history (a trial in a forked child: ~30 ms of twin and ~50 ms to fork it)."""
GAIN_S = 0.5
"""A split must shorten the estimated schedule by this much: each part pays a start of its own."""


@dataclass(frozen=True)
class Work:
    """What one environment still has to run, with the estimates the schedule is made from."""

    env: str
    durations: Tuple[float, ...]
    """Each job's estimated seconds, by its index in the environment's batch."""
    start_s: float
    """Estimated seconds to start one guest process."""

    def cost(self, indices: Sequence[int]) -> float:
        return self.start_s + sum(self.durations[i] for i in indices)


@dataclass(frozen=True)
class Part:
    """Some of one environment's jobs, run by one guest process."""

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


def split(work: Work, count: int) -> List[Tuple[int, ...]]:
    """The environment's jobs in `count` parts (fewer when it has fewer jobs) of about equal
    duration (the longest job to the lightest part), each in plan order."""
    bins = max(1, count)
    parts: List[List[int]] = [[] for _ in range(bins)]
    sums = [0.0] * bins
    for i in sorted(range(len(work.durations)), key=lambda i: (-work.durations[i], i)):
        lightest = sums.index(min(sums))
        parts[lightest].append(i)
        sums[lightest] += work.durations[i]
    return [tuple(sorted(part)) for part in parts if part]


def schedule(works: Sequence[Work], workers: int) -> List[Part]:
    """The parts, longest first: one per environment, and an environment's batch in more parts
    (at most `workers`, at most one per trial) while that shortens the estimated schedule."""
    counts = {w.env: 1 for w in works if w.durations}

    def parts_of(counts: Dict[str, int]) -> List[Part]:
        return [Part(w.env, part, w.cost(part)) for w in works if w.durations for part in split(w, counts[w.env])]

    parts = parts_of(counts)
    while True:
        best = makespan([p.cost_s for p in parts], workers)
        for env in sorted(counts, key=lambda e: -max(p.cost_s for p in parts if p.env == e)):
            size = len(next(w for w in works if w.env == env).durations)
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

    def work(self, env: str, labels: Sequence[str], default_start_s: float = START_S) -> Work:
        """The estimates for these jobs of `env`, by their labels ('tf1-reinit[graph]')."""
        known = self.envs.get(env) or {}
        jobs = known.get("jobs") or {}
        return Work(env, tuple(float(jobs.get(label, JOB_S)) for label in labels),
                    float(known.get("start_s", default_start_s)))

    def learn(self, env: str, durations: Sequence[Tuple[str, float]], parts: Sequence[Tuple[float, float]]) -> None:
        """Remember each job's duration, by label, and the start of a guest process: a part's wall
        time less its jobs' durations (`parts`: their sum, and the part's wall time)."""
        entry = self.envs.setdefault(env, {})
        entry.pop("trials", None)  # the older format, by scenario and mode
        entry.pop("process_per_mode", None)
        jobs = entry.setdefault("jobs", {})
        jobs.update({label: round(seconds, 3) for label, seconds in durations if seconds})
        starts = [wall - busy for busy, wall in parts]
        if starts:
            entry["start_s"] = round(max(0.0, sum(starts) / len(starts)), 3)

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
