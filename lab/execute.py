"""The execute stage: the plan's trials in every environment, in parallel, through the record cache.

Every outcome is a value: an environment that cannot be made ready, crashes or raises gives an
EnvOutcome that says so, with a record per trial, and the other environments go on.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.cache import RecordCache, TrialKeys, split_cached
from lab.environments.base import Environment
from lab.environments.shipment import Shipment
from lab.errors import EnvironmentUnavailable
from lab.guest.catalog import Scenario
from lab.plan import Plan, Trial
from lab.record import FINISHED, Record, Status, unfinished

STOP_GRACE_S = 30.0
EventFn = Callable[[str, str], None]
"""(environment name, progress line)."""


@dataclass(frozen=True)
class EnvOutcome:
    """One environment's part of a run."""

    name: str
    """The environment's name."""
    records: Tuple[Record, ...]
    """One per trial, in trial order; trials that never ran have a not_run/crashed/timeout status."""
    description: Mapping[str, Any] = field(default_factory=dict)
    """The environment as the manifest shows it (kind, image, image id, Python)."""
    freeze: Tuple[str, ...] = ()
    """Its installed distributions, name==version."""
    problem: str = ""
    """Empty when every trial finished; else what went wrong with the environment, one line."""
    unavailable: bool = False
    """The environment could not be made ready at all (no interpreter, no TensorFlow, no image)."""
    traceback: str = ""
    """For an unanticipated failure: the traceback, saved beside the records."""
    cached: int = 0
    """How many of the records came from the record cache."""


def not_run(name: str, trials: Sequence[Trial], why: str) -> Tuple[Record, ...]:
    return tuple(unfinished(t.scenario, t.mode, name, t.seed, Status.NOT_RUN, why) for t in trials)


def problem_of(records: Sequence[Record]) -> str:
    """'' when every trial ran to its end, else one line: how many did not, and why the first."""
    # A twin that raised is a finding about that trial; only trials the environment itself
    # failed to finish (crash, memory, timeout, never started) make the environment fail.
    bad = [r for r in records if r.status not in FINISHED]
    if not bad:
        return ""
    first = bad[0].error or {}
    return f"{len(bad)} of {len(records)} trials {bad[0].status.value}: {first.get('message', '')}"


class Execution:
    """Runs one plan's trials in each environment: environments in parallel (image builds one
    at a time), cached records reused where the environment has an identity."""

    def __init__(self, plan: Plan, envs: Sequence[Environment], scenarios: Mapping[str, Scenario],
                 shipment: Shipment, timeout_s: float, cache: Optional[RecordCache] = None,
                 workers: Optional[int] = None, on_event: Optional[EventFn] = None) -> None:
        self.plan = plan
        self.envs = list(envs)
        self.scenarios = scenarios
        self.shipment = shipment
        self.timeout_s = timeout_s
        self.cache = cache
        self.workers = workers or max(1, min(len(self.envs), os.cpu_count() or 1))
        self.note: EventFn = on_event or (lambda env, message: None)
        self.keys = TrialKeys()

    def _run(self, env: Environment, trials: Sequence[Trial]) -> EnvOutcome:
        def note(line: str) -> None:
            self.note(env.name, line)

        try:
            env.prepare(note)
            identity = env.identity() if self.cache else None
            keys = [self.keys.key(self.scenarios[t.scenario], t, env.name, identity)
                    for t in trials] if identity else []
            found: List[Optional[Record]] = [None] * len(trials)
            todo = list(range(len(trials)))
            if self.cache and keys:
                found, todo = split_cached(self.cache, keys)
            cached = len(trials) - len(todo)
            freeze = self.cache.get_freeze(identity) if self.cache and identity else []
            if todo:
                note(f"running {len(todo)} trials" + (f" ({cached} from the cache)" if cached else ""))
                ran = env.run([trials[i] for i in todo], self.shipment, self.timeout_s)
                for index, record in zip(todo, ran.records):
                    found[index] = record
                    if self.cache and keys:
                        self.cache.put(keys[index], record)
                if self.cache and identity:
                    self.cache.put_freeze(identity, ran.freeze)
                freeze = ran.freeze or freeze
            else:
                note(f"all {cached} trials from the cache: nothing started")
        except EnvironmentUnavailable as exc:
            return EnvOutcome(env.name, not_run(env.name, trials, str(exc)), env.describe(), problem=str(exc),
                              unavailable=True)
        records = tuple(r for r in found if r is not None)
        return EnvOutcome(env.name, records, env.describe(), tuple(freeze), problem_of(records), cached=cached)

    def _run_env(self, env: Environment, trials: Sequence[Trial]) -> EnvOutcome:
        try:
            result = self._run(env, trials)
        except Exception as exc:  # one environment's failure must not lose the others' records
            why = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            result = EnvOutcome(env.name, not_run(env.name, trials, why), env.describe(), problem=why,
                                traceback=traceback.format_exc())
        # An environment that is not ready gets its one-line error from the command, not here too.
        self.note(env.name, "not ready" if result.unavailable else f"failed: {result.problem}" if result.problem
                  else "done")
        return result

    def run(self, stop: Callable[[], None] = lambda: None) -> Tuple[List[EnvOutcome], bool]:
        """Every environment's outcome in plan order, and whether the run was interrupted.
        On Ctrl-C, `stop` ends what runs (containers), and what finished is kept."""
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="lab-env")
        futures: Dict[str, Future[EnvOutcome]] = {
            e.name: pool.submit(self._run_env, e, list(self.plan.trials_for(e.name))) for e in self.envs}
        try:
            wait(list(futures.values()))
        except KeyboardInterrupt:
            _ignore_further_interrupts()
            return self._interrupted(pool, futures, stop), True
        pool.shutdown()
        return [futures[e.name].result() for e in self.envs], False

    def _interrupted(self, pool: ThreadPoolExecutor, futures: Dict[str, Future[EnvOutcome]],
                     stop: Callable[[], None]) -> List[EnvOutcome]:
        stop()
        # Killed containers and interrupted local processes return what they had finished.
        wait(list(futures.values()), timeout=STOP_GRACE_S)
        pool.shutdown(wait=False, cancel_futures=True)
        finished = {n: f.result() for n, f in futures.items() if f.done() and not f.exception()}
        return [finished.get(e.name) or EnvOutcome(e.name, not_run(e.name, self.plan.trials_for(e.name), "interrupted"),
                                                   e.describe(), problem="interrupted") for e in self.envs]


def _ignore_further_interrupts() -> None:
    """After the first Ctrl-C, the next ones only say that the lab is stopping: a second press
    50 ms later must not interrupt the stopping, the judging or the saving of what finished."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stopping(signum: int, frame: Any) -> None:
        # os.write: a handler that printed while the main thread printed would raise.
        os.write(2, b"lab: stopping; the finished records are being saved\n")

    signal.signal(signal.SIGINT, stopping)


def run_batch(env: Environment, trials: Sequence[Trial], scenario_dirs: Sequence[Path],
              timeout_s: float = 900.0, note: Callable[[str], None] = lambda line: None) -> List[Record]:
    """One batch in one environment, outside a plan: prepared, shipped, run; a record per trial."""
    from lab.environments.shipment import Staged

    env.prepare(note)
    with Staged(scenario_dirs) as shipment:
        return env.run(trials, shipment, timeout_s).records
