"""The execute stage: the plan's jobs (trials, document programs) in every environment, in
parallel, through the record cache, the same for every job kind (lab/jobs).

Every outcome is a value: an environment that cannot be made ready, crashes or raises gives an
EnvOutcome that says so, with an outcome per job, and the other environments go on.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.cache import RecordCache
from lab.cores import available_cores
from lab.environments.base import Environment
from lab.environments.batch import Batch
from lab.environments.shipment import Shipment
from lab.errors import EnvironmentUnavailable
from lab.guest.catalog import Scenario
from lab.jobs import Kinds
from lab.plan import Plan, Trial
from lab.record import Record, Status
from lab.schedule import History, Part, history_path, schedule

STOP_GRACE_S = 30.0
EventFn = Callable[[str, str], None]
"""(environment name, progress line)."""


@dataclass(frozen=True)
class EnvOutcome:
    """One environment's part of a run."""

    name: str
    """The environment's name."""
    outcomes: Tuple[Any, ...]
    """One per job, in plan order (trials, then programs); a job that never ran says why in its status."""
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
    """How many of the outcomes came from the record cache."""
    refused: int = 0
    """Lines of the guests' output the host refused: a guest that said what it was not asked."""
    from_cache: Tuple[bool, ...] = ()
    """For each outcome, whether it came from the record cache."""

    @property
    def records(self) -> Tuple[Record, ...]:
        """The trials' records, in plan order."""
        return tuple(o for o in self.outcomes if isinstance(o, Record))

    @property
    def programs(self) -> Tuple[Any, ...]:
        """The programs' results, in plan order."""
        return tuple(o for o in self.outcomes if not isinstance(o, Record))


def problem_of(outcomes: Sequence[Any]) -> str:
    """'' when the environment finished every job, else one line: how many it did not, and why the first."""
    # A twin or a program that raised is a finding about it; only jobs the environment itself
    # failed to finish (crash, memory, timeout, never started) make the environment fail.
    bad = [o for o in outcomes if o.unfinished]
    if not bad:
        return ""
    first = bad[0].error or {}
    what = "trials" if all(isinstance(o, Record) for o in outcomes) else "jobs"
    return f"{len(bad)} of {len(outcomes)} {what} {bad[0].status.value}: {first.get('message', '')}"


@dataclass
class _Env:
    """One environment's progress through a run: ready (prepared, cache read), its parts, its outcome."""

    env: Environment
    jobs: List[Any]
    """The plan's jobs for this environment, in plan order."""
    identity: Optional[str] = None
    keys: List[str] = field(default_factory=list)
    found: List[Any] = field(default_factory=list)
    todo: List[int] = field(default_factory=list)
    """Indexes of the jobs to run (not in the cache), in plan order."""
    cached: int = 0
    """How many of its outcomes came from the record cache."""
    freeze: List[str] = field(default_factory=list)
    parts: List[Part] = field(default_factory=list)
    done: List[Tuple[Part, List[Any], float, int]] = field(default_factory=list)
    """Finished parts: the part, its outcomes, its wall seconds, the guest lines it refused."""
    problems: List[Tuple[str, str]] = field(default_factory=list)
    """(one line, traceback) of parts that raised."""
    walls: Dict[int, float] = field(default_factory=dict)
    """By id of an outcome: its job's child's lifetime, what the schedule learns a job costs."""
    unavailable: str = ""
    outcome: Optional[EnvOutcome] = None


class Execution:
    """Runs one plan's jobs in each environment, cached outcomes reused where the environment
    has an identity. Environments are made ready in parallel (independent image builds at once,
    as many as the cores); then every guest process to start (a part: an environment's batch,
    or a share of it when a core would idle) runs longest first, at most `workers` at once."""

    def __init__(self, plan: Plan, envs: Sequence[Environment], scenarios: Mapping[str, Scenario],
                 shipment: Shipment, timeout_s: float, cache: Optional[RecordCache] = None,
                 workers: Optional[int] = None, on_event: Optional[EventFn] = None,
                 history: Optional[History] = None, isolation: str = "fork",
                 on_answer: Optional[Callable[[str, int, int], None]] = None) -> None:
        self.plan = plan
        self.envs = list(envs)
        self.scenarios = scenarios
        self.shipment = shipment
        self.timeout_s = timeout_s
        self.cache = cache
        self.workers = workers or available_cores()
        self.note: EventFn = on_event or (lambda env, message: None)
        self.kinds = Kinds(scenarios)
        self.isolation = isolation
        self.on_answer = on_answer
        self.history = history if history is not None else History(history_path())
        self._lock = threading.Lock()
        self._stopping = False
        """Set on Ctrl-C: work still queued must not start after `stop` ended what ran."""

    def _ready(self, state: _Env) -> None:
        env, jobs = state.env, state.jobs
        if self._stopping:
            return
        try:
            env.prepare(lambda line: self.note(env.name, line))
            state.identity = env.identity() if self.cache else None
            if state.identity:
                state.keys = [self.kinds.of(j).key(j, env.name, state.identity) for j in jobs]
            state.found, state.todo = [None] * len(jobs), list(range(len(jobs)))
            if self.cache and state.keys:
                state.found = [self._cached(k, j, env.name) for k, j in zip(state.keys, jobs)]
                state.todo = [i for i, o in enumerate(state.found) if o is None]
            state.cached = len(jobs) - len(state.todo)
            if self.cache and state.identity:
                state.freeze = self.cache.get_freeze(state.identity)
        except EnvironmentUnavailable as exc:
            state.unavailable = str(exc)
        except Exception as exc:  # one environment's failure must not lose the others' records
            state.problems.append((_one_line(exc), traceback.format_exc()))

    def _cached(self, key: str, job: Any, env: str) -> Any:
        kind = self.kinds.of(job)
        assert self.cache is not None
        return self.cache.get(key, lambda data: kind.from_cache(job, env, data))

    def _run_part(self, state: _Env, part: Part) -> None:
        """One guest process; the environment's outcome when it was its last part."""
        with self._lock:
            # Not started after Ctrl-C, nor once another part found the environment gone:
            # its trials stay not_run, with the reason the outcome gives.
            if self._stopping or state.unavailable:
                return
        started = time.monotonic()
        batch = Batch(state.env.name, [state.jobs[state.todo[i]] for i in part.indices], self.kinds,
                      isolation=self.isolation)
        watching = self._watch(state.env.name, batch)
        try:
            ran = state.env.run(batch, self.shipment, self.timeout_s)
            with self._lock:
                state.done.append((part, list(ran.outcomes), time.monotonic() - started, ran.refused))
                state.walls.update({id(o): w for o, w in zip(ran.outcomes, ran.walls) if w is not None})
                state.freeze = ran.freeze or state.freeze
        except EnvironmentUnavailable as exc:
            with self._lock:
                state.unavailable = str(exc)
        except Exception as exc:
            with self._lock:
                state.problems.append((_one_line(exc), traceback.format_exc()))
        finally:
            watching.set()
        with self._lock:
            last = len(state.done) + len(state.problems) + bool(state.unavailable) >= len(state.parts)
        if last:
            self._finish(state)

    def _finish(self, state: _Env, why_missing: str = "") -> EnvOutcome:
        """The environment's outcome, made once from its finished parts; the trials of parts that
        did not finish are not_run (`why_missing`, else what went wrong)."""
        with self._lock:
            if state.outcome is not None:
                return state.outcome
            outcome = state.outcome = self._outcome(state, why_missing)
        # An environment that is not ready gets its one-line error from the command, not here too.
        self.note(outcome.name, "not ready" if outcome.unavailable else f"failed: {outcome.problem}"
                  if outcome.problem else "done")
        return outcome

    def _not_run(self, env: str, jobs: Sequence[Any], why: str) -> Tuple[Any, ...]:
        return tuple(self.kinds.of(j).missing(j, env, Status.NOT_RUN, why, {}) for j in jobs)

    def _outcome(self, state: _Env, why_missing: str) -> EnvOutcome:
        env, jobs = state.env, state.jobs
        if state.unavailable and not state.done:
            return EnvOutcome(env.name, self._not_run(env.name, jobs, state.unavailable), env.describe(),
                              problem=state.unavailable, unavailable=True)
        # Parts that finished keep their outcomes (and cache them), even when another part then
        # found the environment gone (a daemon that died mid-run). A part in which the guest said
        # something it was not asked is not cached: its honest answers are kept, not remembered.
        found = list(state.found) or [None] * len(jobs)
        for part, ran, _, refused in state.done:
            for i, outcome in zip(part.indices, ran):
                found[state.todo[i]] = outcome
                job = jobs[state.todo[i]]
                kept = self.kinds.of(job).to_cache(outcome) if self.cache and state.keys and not refused else None
                if kept is not None and self.cache:
                    self.cache.put(state.keys[state.todo[i]], kept)
        if self.cache and state.identity and state.done:
            self.cache.put_freeze(state.identity, state.freeze)
        if state.done:
            labels = {id(o): self.kinds.of(jobs[state.todo[i]]).label(jobs[state.todo[i]])
                      for part, ran, _, _ in state.done for i, o in zip(part.indices, ran)}
            # A job costs its child's life (fork, twin, exit), not its twin's time alone: else the
            # children's starts would be learned as one large start of the guest, and never split.
            cost = {id(o): state.walls.get(id(o), o.duration_s) for _, os_, _, _ in state.done for o in os_}
            self.history.learn(env.name, [(labels[id(o)], cost[id(o)]) for _, os_, _, _ in state.done for o in os_],
                               [(sum(cost[id(o)] for o in os_), wall) for _, os_, wall, _ in state.done if os_])
        why, trace = ((state.unavailable, "") if state.unavailable else state.problems[0] if state.problems
                      else (why_missing or "not run", ""))
        outcomes = tuple(o if o is not None else self.kinds.of(j).missing(j, env.name, Status.NOT_RUN, why, {})
                         for o, j in zip(found, jobs))
        problem = why if state.problems or state.unavailable else problem_of(outcomes)
        refused = sum(r for _, _, _, r in state.done)
        if refused and not problem:
            problem = f"the guest wrote {refused} line(s) the host refused: a job said what it was not asked"
        cached = tuple(o is not None for o in (list(state.found) or [None] * len(jobs)))
        return EnvOutcome(env.name, outcomes, env.describe(), tuple(state.freeze), problem, traceback=trace,
                          cached=state.cached, refused=refused, from_cache=cached)

    def _plan_parts(self, states: Sequence[_Env]) -> List[Tuple[_Env, Part]]:
        """Every part to run, longest first; an environment with nothing to run is finished here."""
        works = []
        for state in states:
            if state.unavailable or state.problems or not state.todo:
                if not (state.unavailable or state.problems):
                    self.note(state.env.name, f"all {len(state.jobs)} {_noun(state.jobs)} from the cache: "
                                              "nothing started")
                self._finish(state)
                continue
            labels = [self.kinds.of(state.jobs[i]).label(state.jobs[i]) for i in state.todo]
            works.append(self.history.work(state.env.name, labels))
        by_name = {s.env.name: s for s in states}
        parts = schedule(works, self.workers)
        for part in parts:
            by_name[part.env].parts.append(part)
        for state in states:
            if state.parts:
                split = f" in {len(state.parts)} processes" if len(state.parts) > 1 else ""
                self.note(state.env.name, f"running {len(state.todo)} {_noun(state.jobs)}{split}"
                          + (f" ({state.cached} from the cache)" if state.cached else ""))
        return [(by_name[p.env], p) for p in parts]

    def run(self, stop: Callable[[], None] = lambda: None) -> Tuple[List[EnvOutcome], bool]:
        """Every environment's outcome in plan order, and whether the run was interrupted.
        On Ctrl-C, `stop` ends what runs (containers), and what finished is kept."""
        states = [_Env(e, list(self.plan.jobs_for(e.name))) for e in self.envs]
        estimate = {s.env.name: self.history.work(s.env.name, [self.kinds.of(j).label(j) for j in s.jobs])
                    for s in states}
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="lab-env")
        futures: List[Future[None]] = []
        try:
            # Longest first from the start: the environments' own order only breaks ties.
            order = sorted(states, key=lambda s: -estimate[s.env.name].cost(range(len(s.jobs))))
            futures = [pool.submit(self._ready, s) for s in order]
            wait(futures)
            futures = [pool.submit(self._run_part, s, p) for s, p in self._plan_parts(states)]
            wait(futures)
        except KeyboardInterrupt:
            _ignore_further_interrupts()
            # Queued work first: nothing may start once `stop` has ended what runs.
            with self._lock:
                self._stopping = True
            pool.shutdown(wait=False, cancel_futures=True)
            stop()
            # Killed containers and interrupted local processes return what they had finished.
            # (A future cancelled in the queue never counts as done for wait(): leave it out.)
            wait([f for f in futures if not f.cancelled()], timeout=STOP_GRACE_S)
            stop()  # a container whose start raced the first stop
            return [self._finish(s, "interrupted") for s in states], True
        pool.shutdown()
        self.history.save()
        return [self._finish(s) for s in states], False


    def _watch(self, env: str, batch: Batch) -> threading.Event:
        """Report the batch's answers as they come (for a progress bar), until the event is set."""
        stop = threading.Event()
        if self.on_answer is not None:
            report, total = self.on_answer, len(batch.jobs)

            def watch() -> None:
                while not stop.wait(0.5):
                    report(env, batch.answered(), total)

            threading.Thread(target=watch, daemon=True).start()
        return stop


def _noun(jobs: Sequence[Any]) -> str:
    return "trials" if all(isinstance(j, Trial) for j in jobs) else "jobs"


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


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
              timeout_s: float = 900.0, note: Callable[[str], None] = lambda line: None,
              scenarios: Optional[Mapping[str, Scenario]] = None) -> List[Any]:
    """One batch in one environment, outside a plan: prepared, shipped, run; an outcome per trial."""
    from lab.environments.shipment import Staged

    env.prepare(note)
    with Staged(scenario_dirs) as shipment:
        return env.run(Batch(env.name, trials, Kinds(scenarios or {})), shipment, timeout_s).outcomes
