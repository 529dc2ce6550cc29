"""Run the same trials in several environments at once: local and pinned containers."""

from __future__ import annotations

import os
import threading
import traceback
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.cache import RecordCache, TrialKeys, split_cached
from lab.envs import get_env, load_matrix
from lab.errors import EnvironmentUnavailable, UsageError
from lab.observe import STATUS_ERROR, STATUS_NOT_RUN, STATUS_OK, Record
from lab.runners.base import Trial
from lab.runners.local import DEFAULT_TIMEOUT_S, LocalRunner
from lab.scenario import DEFAULT_SCENARIO_DIR, Scenario

LOCAL = "local"
STOP_GRACE_S = 30.0
EventFn = Callable[[str, str], None]


@dataclass
class EnvResult:
    """One environment's part of a multi-environment run."""

    name: str
    """'local' or a matrix env name."""
    records: List[Record]
    """One per trial, in trial order; trials that never ran have a not_run/crashed/timeout status."""
    image: Optional[str] = None
    """The image tag the trials ran in (container envs)."""
    image_id: Optional[str] = None
    """The image id (sha256:...), for the manifest."""
    freeze: List[str] = field(default_factory=list)
    """The environment's installed distributions, name==version."""
    problem: str = ""
    """Empty when every trial finished; else what went wrong with the environment, one line."""
    traceback: str = ""
    """For an unanticipated failure: the traceback, saved beside the records."""
    cached: int = 0
    """How many of the records came from the record cache instead of a container."""


def resolve_envs(names: Sequence[str]) -> List[str]:
    """Expand 'all' to every matrix env, keep 'local', validate the rest; no duplicates."""
    resolved: List[str] = []
    for name in names or [LOCAL]:
        expanded = [e.name for e in load_matrix()] if name == "all" else [name]
        for n in expanded:
            if n != LOCAL:
                get_env(n)  # a one-line UsageError naming the closest env
            if n not in resolved:
                resolved.append(n)
    return resolved


def _not_run(name: str, trials: Sequence[Trial], why: str) -> List[Record]:
    return [Record(t.scenario, t.mode.value, name, t.seed, STATUS_NOT_RUN, error={"type": STATUS_NOT_RUN,
                                                                                  "message": why}) for t in trials]


def _problem(records: Sequence[Record]) -> str:
    # A twin that raised is a finding about that trial; only trials the environment itself
    # failed to finish (crash, memory, timeout, never started) make the environment fail.
    bad = [r for r in records if r.status not in (STATUS_OK, STATUS_ERROR)]
    if not bad:
        return ""
    first = bad[0].error or {}
    return f"{len(bad)} of {len(records)} trials {bad[0].status}: {first.get('message', '')}"


class MultiEnvRun:
    """Runs one trial list in each environment; environments in parallel, image builds one
    at a time (they share the wheel cache and the debootstrap base)."""

    def __init__(
        self,
        names: Sequence[str],
        scenario_dirs: Sequence[Path] = (DEFAULT_SCENARIO_DIR,),
        timeout_s: float = DEFAULT_TIMEOUT_S,
        python: Optional[str] = None,
        workers: Optional[int] = None,
        on_event: Optional[EventFn] = None,
        client: Any = None,
        scenarios: Optional[Mapping[str, Scenario]] = None,
        cache: Optional[RecordCache] = None,
    ) -> None:
        self.names = list(names)
        self.scenario_dirs = list(scenario_dirs)
        self.timeout_s = timeout_s
        self.python = python
        self.workers = workers or max(1, min(len(self.names), os.cpu_count() or 1))
        self.note: EventFn = on_event or (lambda env, message: None)
        self._build_lock = threading.Lock()
        # Container records are reused while scenario, guest code and image are unchanged;
        # the local env always runs (its interpreter can change under the lab's feet).
        self.cache = cache if scenarios is not None else None
        self.scenarios = scenarios or {}
        self.keys = TrialKeys()
        self.client = client
        if client is None and any(n != LOCAL for n in self.names):
            from lab.images import docker_client

            self.client = docker_client()  # no daemon: one line saying how to start it, before any work
        if self.client is not None:
            from lab.runners.docker import remove_leftovers

            remove_leftovers(self.client)  # those of lab processes that died (kill -9, lost host)

    def _run_local(self, trials: Sequence[Trial]) -> EnvResult:
        runner = LocalRunner(python=self.python, timeout_s=self.timeout_s, scenario_dirs=self.scenario_dirs)
        try:
            records = runner.run(trials)
        except EnvironmentUnavailable as exc:
            return EnvResult(LOCAL, _not_run(LOCAL, trials, str(exc)), problem=str(exc))
        return EnvResult(LOCAL, records, freeze=runner.freeze, problem=_problem(records))

    def _run_container(self, name: str, trials: Sequence[Trial]) -> EnvResult:
        from lab.images import ImageBuildFailed, build_image
        from lab.runners.docker import DockerRunner

        env = get_env(name)
        with self._build_lock:
            try:
                status = build_image(env, self.client, on_progress=lambda line: self.note(name, line))
            except ImageBuildFailed as exc:
                why = f"image build failed: {exc}"
                return EnvResult(name, _not_run(name, trials, why), problem=why)
        image_id = status.image_id or ""
        keys, found, todo = self._lookup(name, image_id, trials)
        cached = len(trials) - len(todo)
        freeze = self.cache.get_freeze(image_id) if self.cache else []
        if todo:
            self.note(name, f"running {len(todo)} trials in {status.tag} ({cached} from the cache)")
            runner = DockerRunner(env, status.tag, self.client, timeout_s=self.timeout_s,
                                  scenario_dirs=self.scenario_dirs)
            for index, record in zip(todo, runner.run([trials[i] for i in todo])):
                found[index] = record
                if self.cache:
                    self.cache.put(keys[index], record)
            if self.cache:
                self.cache.put_freeze(image_id, runner.freeze)
            freeze = runner.freeze or freeze
        else:
            self.note(name, f"all {cached} trials from the cache: no container started")
        records = [r for r in found if r is not None]
        return EnvResult(name, records, status.tag, image_id, freeze, _problem(records), cached=cached)

    def _lookup(self, env: str, image_id: str, trials: Sequence[Trial]) -> Tuple[List[str], List[Optional[Record]],
                                                                                List[int]]:
        """The trials' cache keys, their cached records (None where absent), the indexes to run."""
        if not self.cache:
            return [], [None] * len(trials), list(range(len(trials)))
        keys = [self.keys.key(self.scenarios[t.scenario], t, env, image_id) for t in trials]
        found, todo = split_cached(self.cache, keys)
        return keys, found, todo

    def _run_env(self, name: str, trials: Sequence[Trial]) -> EnvResult:
        try:
            result = self._run_local(trials) if name == LOCAL else self._run_container(name, trials)
        except Exception as exc:  # one environment's failure must not lose the others' records
            why = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            result = EnvResult(name, _not_run(name, trials, why), problem=why, traceback=traceback.format_exc())
        self.note(name, f"failed: {result.problem}" if result.problem else "done")
        return result

    def run(self, trials: Sequence[Trial]) -> List[EnvResult]:
        """Every environment's result, in the order the names were given. Ctrl-C stops the
        containers, keeps what finished, and re-raises as KeyboardInterrupt with the results
        attached (`exc.args[0]`)."""
        if not trials:
            raise UsageError("nothing to run")
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="lab-env")
        futures: Dict[str, Future] = {n: pool.submit(self._run_env, n, trials) for n in self.names}
        try:
            wait(list(futures.values()))
        except KeyboardInterrupt:
            partial = self._stop(futures, trials)
            pool.shutdown(wait=False, cancel_futures=True)
            raise KeyboardInterrupt(partial) from None
        pool.shutdown()
        return [futures[n].result() for n in self.names]

    def _stop(self, futures: Dict[str, Future], trials: Sequence[Trial]) -> List[EnvResult]:
        if self.client is not None:
            from lab.runners.docker import remove_leftovers

            remove_leftovers(self.client, own=True)
        # Killed containers and interrupted local processes return what they had finished.
        wait(list(futures.values()), timeout=STOP_GRACE_S)
        finished = {n: f.result() for n, f in futures.items() if f.done() and not f.exception()}
        return [finished.get(n) or EnvResult(n, _not_run(n, trials, "interrupted"), problem="interrupted")
                for n in self.names]
