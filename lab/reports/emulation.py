"""Where the compat.v1 emulation on TensorFlow 2 differs from real TensorFlow 1, per scenario.

The graph twin is TF1 code: in a TF 1.x environment it runs on the real thing, in every TF 2
environment through `tf.compat.v1`. Each TF 2 graph record is compared with the real TF1 one
(observations with the baseline's tolerances, status, and every claim's verdict).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from lab.baseline import first_difference
from lab.guest.catalog import Mode
from lab.record import Record, env_order
from lab.values import show
from lab.verdict import Judgement

REL_TOL, ABS_TOL = 1e-6, 1e-9  # as the baseline check


@dataclass(frozen=True)
class EmulationDiff:
    """One thing the emulation does differently from real TF1, in one TF 2 environment."""

    scenario: str
    env: str
    """The TF 2 environment whose compat.v1 graph twin differs."""
    real_env: str
    """The TF 1.x environment it is compared with."""
    kind: str
    """'status', 'observation' or 'verdict'."""
    key: str
    """The observation key or the claim ('#3'); empty for a status."""
    real: str
    """Real TF1's side, readable."""
    emulated: str
    """The emulation's side, readable."""

    def __str__(self) -> str:
        what = f"{self.kind} {self.key}".strip()
        return f"{self.scenario} {what}: TF1 {self.real} / {self.env} {self.emulated}"

    def to_dict(self) -> Dict[str, str]:
        return asdict(self)


def real_tf1_envs(records: Sequence[Record]) -> List[str]:
    """The environments that ran TensorFlow 1.x, by their records' facts."""
    return [e for e in env_order(records) if any(r.env == e and str(r.facts.get("tensorflow", "")).startswith("1.")
                                                  for r in records)]


def emulation_diffs(records: Sequence[Record], judgements: Sequence[Judgement]) -> List[EmulationDiff]:
    """Every difference between the first real-TF1 environment's graph records and each TF 2
    environment's, in scenario order; [] when no TF1 environment ran."""
    real = real_tf1_envs(records)
    if not real:
        return []
    graph = {(r.env, r.scenario): r for r in records if r.mode is Mode.GRAPH}
    verdicts: Dict[Tuple[str, str], Dict[int, str]] = {}
    for j in judgements:
        if j.mode is Mode.GRAPH:
            verdicts.setdefault((j.env, j.scenario), {})[j.claim] = j.verdict.value
    emulated = [e for e in env_order(records) if e not in real]
    scenarios = list(dict.fromkeys(r.scenario for r in records))
    out: List[EmulationDiff] = []
    for sid in scenarios:
        tf1 = graph.get((real[0], sid))
        if tf1 is None:
            continue
        for env in emulated:
            other = graph.get((env, sid))
            if other is not None:
                out += _diffs(sid, real[0], tf1, env, other, verdicts)
    return out


def _diffs(sid: str, real_env: str, tf1: Record, env: str, other: Record,
           verdicts: Dict[Tuple[str, str], Dict[int, str]]) -> List[EmulationDiff]:
    out: List[EmulationDiff] = []
    if tf1.status != other.status:
        out.append(EmulationDiff(sid, env, real_env, "status", "", tf1.status.value, other.status.value))
    if tf1.ok and other.ok:
        for key in list(tf1.observations) + [k for k in other.observations if k not in tf1.observations]:
            old, new = tf1.observations.get(key, _Absent), other.observations.get(key, _Absent)
            if first_difference(old, new, REL_TOL, ABS_TOL):
                out.append(EmulationDiff(sid, env, real_env, "observation", key, _show(old), _show(new)))
    mine, theirs = verdicts.get((real_env, sid), {}), verdicts.get((env, sid), {})
    out.extend(EmulationDiff(sid, env, real_env, "verdict", f"#{claim}", mine[claim], theirs[claim])
               for claim in sorted(set(mine) & set(theirs)) if mine[claim] != theirs[claim])
    return out


class _Absent:
    """An observation one side did not record."""


def _show(value: Any) -> str:
    return "(not recorded)" if value is _Absent else show(value)


def grouped(diffs: Sequence[EmulationDiff]) -> List[str]:
    """One line per (scenario, kind, key): the real value, and the TF 2 envs that differ from it."""
    lines: Dict[Tuple[str, str, str], List[EmulationDiff]] = {}
    for d in diffs:
        lines.setdefault((d.scenario, d.kind, d.key), []).append(d)
    return [" ".join(p for p in (sid, kind, key) if p) + f": TF1 {ds[0].real}; "
            + "; ".join(f"{d.env} {d.emulated}" for d in ds) for (sid, kind, key), ds in lines.items()]


def verdict_lines(diffs: Sequence[EmulationDiff]) -> List[str]:
    """The claims (and trial statuses) the emulation decides differently from real TF1."""
    return grouped([d for d in diffs if d.kind != "observation"])


def observation_lines(diffs: Sequence[EmulationDiff]) -> List[str]:
    """One line per scenario: how many observations differ from real TF1, where, and the first."""
    by_scenario: Dict[str, List[EmulationDiff]] = {}
    for d in diffs:
        if d.kind == "observation":
            by_scenario.setdefault(d.scenario, []).append(d)
    lines = []
    for sid, mine in by_scenario.items():
        keys = list(dict.fromkeys(d.key for d in mine))
        envs = list(dict.fromkeys(d.env for d in mine))
        first = mine[0]
        count = f"{len(keys)} observations differ" if len(keys) != 1 else "1 observation differs"
        lines.append(f"{sid}: {count} in {', '.join(envs)}; "
                     f"first {first.key}: TF1 {first.real} / {first.env} {first.emulated}")
    return lines


def as_json(diffs: Sequence[EmulationDiff]) -> Optional[str]:
    """emulation.json: every difference, when a real TF1 env ran beside TF 2 ones (None otherwise)."""
    if not diffs:
        return None
    return json.dumps([d.to_dict() for d in diffs], indent=1) + "\n"


@dataclass(frozen=True)
class Decided:
    """A claim (or a trial's status) the emulation decides otherwise than real TF1, across the TF 2 envs."""

    scenario: str
    what: str
    """'#3', or 'status'."""
    real: str
    cells: List[str]
    """A value per env of the table, '' where it agrees with TF1."""


@dataclass
class Observed:
    """A scenario's observations that differ from real TF1."""

    scenario: str
    first: str
    """'KEY: TF1 X / ENV Y', the first of them."""
    keys: List[str] = field(default_factory=list)
    envs: List[str] = field(default_factory=list)
    rows: List[Tuple[str, str, List[str]]] = field(default_factory=list)
    """(key, TF1's value, a value per env of the table or '')."""


@dataclass(frozen=True)
class Table:
    """The differences as the HTML report's tables: a row per claim or status that the emulation
    decides otherwise, and a row per scenario whose observations differ (each key in full below it)."""

    real_env: str
    envs: List[str]
    """The TF 2 environments that differ somewhere, in version order."""
    verdicts: List[Decided]
    observations: List[Observed]


def table(diffs: Sequence[EmulationDiff], width: int = 120) -> Optional[Table]:
    if not diffs:
        return None
    envs = list(dict.fromkeys(d.env for d in diffs))
    lines: Dict[Tuple[str, str, str], Dict[str, EmulationDiff]] = {}
    for d in diffs:
        lines.setdefault((d.scenario, d.kind, d.key), {})[d.env] = d

    def cut(text: str) -> str:
        return text if len(text) <= width else text[: width - 3] + "..."

    verdicts: List[Decided] = []
    observations: Dict[str, Observed] = {}
    for (sid, kind, key), by_env in lines.items():
        first = next(iter(by_env.values()))
        cells = [cut(by_env[e].emulated) if e in by_env else "" for e in envs]
        if kind != "observation":
            verdicts.append(Decided(sid, key or kind, first.real, cells))
            continue
        entry = observations.setdefault(sid, Observed(sid, f"{key}: TF1 {cut(first.real)} / {first.env} "
                                                           f"{cut(first.emulated)}"))
        entry.keys.append(key)
        entry.envs = [e for e in envs if e in entry.envs or e in by_env]
        entry.rows.append((key, cut(first.real), cells))
    return Table(diffs[0].real_env, envs, verdicts, list(observations.values()))
