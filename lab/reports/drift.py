"""Pure analysis across environments: the verdict matrix, graph/eager gaps, version drift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from lab.record import Record, env_order
from lab.reports.pairs import pair_by_mode
from lab.values import show
from lab.verdict import Judgement

Column = Tuple[str, str]  # (env, mode)


def columns(records: Sequence[Record]) -> List[Column]:
    modes = [m for m in ("graph", "eager") if any(r.mode == m for r in records)]
    return [(env, mode) for env in env_order(records) for mode in modes]


@dataclass
class Row:
    """One claim across every (env, mode) column."""

    scenario: str
    claim: int
    text: str
    cells: Dict[Column, str]
    """HOLDS / REFUTED / INCONCLUSIVE, or '(error)', '(crashed)', ... when the twin did not finish."""

    @property
    def label(self) -> str:
        return f"{self.scenario} #{self.claim}"


def verdict_rows(records: Sequence[Record], judgements: Sequence[Judgement]) -> List[Row]:
    status = {(r.env, r.scenario, r.mode): r.status for r in records}
    rows: Dict[Tuple[str, int], Row] = {}
    for j in judgements:
        row = rows.setdefault((j.scenario, j.claim), Row(j.scenario, j.claim, j.text, {}))
        st = status.get((j.env, j.scenario, j.twin), "ok")
        # n/a: the twin uses an API this TensorFlow lacks; (error), (crashed): it did not finish.
        row.cells[(j.env, j.twin)] = j.verdict.value if st == "ok" else "n/a" if st == "not_applicable" else f"({st})"
    return list(rows.values())


def _runs(envs: Sequence[str], values: Sequence[str]) -> List[Tuple[str, List[str]]]:
    runs: List[Tuple[str, List[str]]] = []
    for env, value in zip(envs, values):
        if runs and runs[-1][0] == value:
            runs[-1][1].append(env)
        else:
            runs.append((value, [env]))
    return runs


def describe_sequence(envs: Sequence[str], values: Sequence[str]) -> str:
    """'HOLDS up to tf2.15, REFUTED from tf2.21' for two runs; else each value with its envs."""
    runs = _runs(envs, values)
    if len(runs) == 2:
        return f"{runs[0][0]} up to {runs[0][1][-1]}, {runs[1][0]} from {runs[1][1][0]}"
    return "; ".join(f"{value} in {', '.join(es)}" for value, es in runs)


def verdict_drift(rows: Sequence[Row], cols: Sequence[Column]) -> List[str]:
    """One line per (claim, mode) whose verdict changes between environments."""
    lines = []
    for row in rows:
        for mode in ("graph", "eager"):
            envs = [e for e, m in cols if m == mode and (e, m) in row.cells]
            values = [row.cells[(e, mode)] for e in envs]
            if len(set(values)) > 1:
                lines.append(f"{row.label} [{mode}] {row.text}: {describe_sequence(envs, values)}")
    return lines


def observation_drift(records: Sequence[Record]) -> List[str]:
    """One line per (scenario, mode, key) whose value changes between environments."""
    order = env_order(records)
    by_key: Dict[Tuple[str, str, str], Dict[str, Any]] = {}
    for r in sorted((r for r in records if r.ok), key=lambda r: order.index(r.env)):
        for key, value in r.observations.items():
            by_key.setdefault((r.scenario, r.mode, key), {})[r.env] = value
    lines = []
    for (sid, mode, key), per_env in by_key.items():
        envs = list(per_env)
        shown = [show(per_env[e]) for e in envs]
        if len(set(shown)) > 1 or len({repr(v) for v in per_env.values()}) > 1:
            lines.append(f"{sid} [{mode}] {key}: {describe_sequence(envs, shown)}")
    return lines


def _shown(observations: Mapping[str, Any], key: str) -> str:
    return show(observations[key]) if key in observations else "(not recorded)"


@dataclass
class Gap:
    """One observation key on which graph and eager disagree."""

    scenario: str
    key: str
    values: str
    """'graph X / eager Y' in the first env where they differ."""
    where: str
    """'in every env' or 'in ENV, ENV'."""

    def __str__(self) -> str:
        return f"{self.scenario} {self.key}: {self.values} ({self.where})"


def mode_gaps(records: Sequence[Record]) -> List[Gap]:
    """Every (scenario, key) where graph and eager disagree, with the envs where they do."""
    gaps: Dict[Tuple[str, str], List[str]] = {}
    example: Dict[Tuple[str, str], str] = {}
    envs_seen: Dict[str, List[str]] = {}
    order = env_order(records)
    # Environments in version order, so a merge and a compare-all over the same envs agree.
    ranked = sorted(records, key=lambda r: order.index(r.env))
    for (env, sid), by_mode in pair_by_mode(ranked).items():
        g, e = by_mode.get("graph"), by_mode.get("eager")
        if not (g and e and g.ok and e.ok):
            continue
        envs_seen.setdefault(sid, []).append(env)
        for key in list(g.observations) + [k for k in e.observations if k not in g.observations]:
            if key not in g.observations or key not in e.observations or g.observations[key] != e.observations[key]:
                gaps.setdefault((sid, key), []).append(env)
                example.setdefault((sid, key), f"graph {_shown(g.observations, key)} / "
                                               f"eager {_shown(e.observations, key)}")
    return [Gap(sid, key, example[(sid, key)], "in every env" if envs == envs_seen[sid] else "in " + ", ".join(envs))
            for (sid, key), envs in gaps.items()]


def gaps_by_scenario(gaps: Sequence[Gap], records: Sequence[Record]) -> List[str]:
    """One line per scenario: how many keys differ, and the first of them."""
    keys: Dict[str, set] = {}
    for r in records:
        keys.setdefault(r.scenario, set()).update(r.observations)
    grouped: Dict[str, List[Gap]] = {}
    for gap in gaps:
        grouped.setdefault(gap.scenario, []).append(gap)
    return [f"{sid}: {len(mine)} of {len(keys[sid])} observations differ; first {mine[0].key}: "
            f"{mine[0].values} ({mine[0].where})" for sid, mine in grouped.items()]


def matrix_cells(rows: Sequence[Row], cols: Sequence[Column]) -> List[List[str]]:
    return [[row.cells.get(c, "-") for c in cols] for row in rows]


def env_facts(records: Sequence[Record]) -> Mapping[str, Mapping[str, Any]]:
    facts: Dict[str, Mapping[str, Any]] = {}
    for r in records:
        if r.facts and r.env not in facts:
            facts[r.env] = r.facts
    return facts
