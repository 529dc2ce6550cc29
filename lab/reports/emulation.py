"""Where the compat.v1 emulation on TensorFlow 2 differs from real TensorFlow 1, per scenario.

The graph twin is TF1 code: in a TF 1.x environment it runs on the real thing, in every TF 2
environment through `tf.compat.v1`. Each TF 2 graph record is compared with the real TF1 one
(observations with the baseline's tolerances, status, and every claim's verdict).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
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
    for claim in sorted(set(mine) & set(theirs)):
        if mine[claim] != theirs[claim]:
            out.append(EmulationDiff(sid, env, real_env, "verdict", f"#{claim}", mine[claim], theirs[claim]))
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
