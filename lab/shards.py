"""Shards: one deterministic slice of a plan's work (trials x environments), saved as a plan file
that `lab run --plan` executes on any machine, and that `lab merge` puts back together."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

from lab import __version__
from lab.errors import UsageError
from lab.guest.catalog import Mode
from lab.plan import MAX_SEED, Plan, Trial

FORMAT = 1
Unit = Tuple[str, Trial]  # (env, trial): the smallest piece of work a shard holds


def units(plan: Plan) -> List[Unit]:
    """Every (env, trial) of the plan, env by env in plan order."""
    return [(env, t) for env in plan.envs for t in plan.trials_for(env)]


def plan_id(plan: Plan) -> str:
    """A hash of the whole plan: the shards of one plan share it, and merge checks it."""
    work = [[env, t.scenario, t.mode.value, t.seed] for env, t in units(plan)]
    return hashlib.sha256(json.dumps(work).encode()).hexdigest()[:16]


def shard(plan: Plan, index: int, count: int) -> Plan:
    """Shard `index` of `count` (1-based): a contiguous run of the units, env by env, so a shard
    starts each env's TensorFlow at most once and the shard sizes differ by one at most."""
    work = units(plan)
    if count > len(work):
        raise UsageError(f"--shard {index}/{count}: the plan has only {len(work)} trials x environments; "
                         f"use at most {len(work)} shards")
    mine = work[(index - 1) * len(work) // count:index * len(work) // count]
    envs = tuple(dict.fromkeys(env for env, _ in mine))
    per_env = tuple((env, tuple(t for e, t in mine if e == env)) for env in envs)
    trials = tuple(dict.fromkeys(t for _, t in mine))
    return Plan(trials, envs, plan.seed, plan.modes, per_env)


def to_json(full: Plan, index: int, count: int) -> Dict[str, Any]:
    """The plan file of one shard: its work, and what merge needs to check and order the shards."""
    part = shard(full, index, count)
    return {
        "format": FORMAT, "lab_version": __version__, "plan": plan_id(full), "shard": [index, count],
        "seed": full.seed, "modes": [m.value for m in full.modes],
        # The whole plan's scenario order: every shard's manifest carries it, so the merged
        # report lists scenarios as one run of the whole plan would.
        "scenarios": list(dict.fromkeys(t.scenario for t in full.trials)),
        "work": [{"env": env, "trials": [[t.scenario, t.mode.value] for t in trials]} for env, trials in part.per_env],
    }


def read(path: Path) -> Tuple[Plan, Dict[str, Any]]:
    """A plan file -> the shard's Plan and the file's data; one-line UsageErrors otherwise."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"no plan file {path}: make one with 'lab plan ... --shard I/N --out {path}'") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"plan file {path} is not JSON ({exc})") from None
    try:
        if data["format"] != FORMAT:
            raise UsageError(f"plan file {path} has format {data['format']!r}; this lab reads {FORMAT}")
        seed = data["seed"]
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
            raise UsageError(f"plan file {path} has seed {seed!r}: a seed is an integer from 0 to {MAX_SEED}; "
                             "make it again with 'lab plan'")
        per_env = tuple((str(w["env"]), tuple(Trial(str(s), Mode(m), seed) for s, m in w["trials"]))
                        for w in data["work"])
        modes = tuple(Mode(m) for m in data["modes"])
        index, count = (int(x) for x in data["shard"])
        str(data["plan"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"plan file {path} is malformed ({type(exc).__name__}: {exc}); make it again with "
                         "'lab plan'") from None
    if not per_env or not 1 <= index <= count:
        raise UsageError(f"plan file {path} holds no work; make it again with 'lab plan'")
    trials = tuple(dict.fromkeys(t for _, ts in per_env for t in ts))
    return Plan(trials, tuple(env for env, _ in per_env), seed, modes, per_env), data


def manifest_entry(data: Dict[str, Any]) -> Dict[str, Any]:
    """What a shard's results folder records about it (manifest `shard`), for merge's checks."""
    return {"plan": data["plan"], "index": data["shard"][0], "count": data["shard"][1],
            "plan_lab_version": data.get("lab_version")}


def plan_file(path: Path) -> Tuple[Plan, Dict[str, Any]]:
    """A shard's plan from its plan file, and the entries its results folder's manifest gets
    (which `lab merge` reads to join the shards in one run's order)."""
    the_plan, data = read(path)
    return the_plan, {"shard": manifest_entry(data), "scenarios": data["scenarios"], "modes": data["modes"]}
