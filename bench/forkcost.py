"""The bench's cost of a trial: what one more trial adds to a guest's batch beyond its twin's
work (its forked child, its pipe, its record), from no-op trials, side by side in one env."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, List

from bench.report import Measurement
from lab.environments.batch import Batch
from lab.environments.shipment import Staged
from lab.guest.catalog import Mode
from lab.jobs import Kinds
from lab.plan import Trial
from lab.scenario import load_scenarios

NOOP = Path(__file__).resolve().parent / "scenarios"
TRIALS = 40


def _batch(env: Any, scenarios: Any, shipment: Any, count: int) -> float:
    trials = [Trial("bench-noop", Mode.GRAPH, seed) for seed in range(count)]
    started = time.monotonic()
    ran = env.run(Batch(env.name, trials, Kinds(scenarios)), shipment, 600.0)
    seconds = time.monotonic() - started
    bad = [o for o in ran.outcomes if not o.ok]
    if bad:
        raise RuntimeError(f"a no-op trial did not finish in {env.name}: {bad[0].error}")
    return seconds


def measure(envs: List[Any], count: int = TRIALS) -> List[Measurement]:
    """Per env: a guest with one no-op trial, then with `count`; the difference per extra trial
    (each batch once, after an untimed warm-up batch)."""
    scenarios = load_scenarios([NOOP])
    rows = []
    with Staged([NOOP]) as shipment:
        for env in envs:
            env.prepare(lambda line: None)
            _batch(env, scenarios, shipment, 1)  # warm: TensorFlow's files in the page cache
            one = _batch(env, scenarios, shipment, 1)
            many = _batch(env, scenarios, shipment, count)
            per_trial = max(0.0, (many - one) / (count - 1))
            rows.append(Measurement(f"trial cost ({env.name})", many, [env.name], count,
                                    note=f"{per_trial * 1000:.0f} ms per trial beyond its twin: a batch of {count} "
                                         f"no-op trials {many:.1f} s, of one {one:.1f} s (the import)"))
    return rows
