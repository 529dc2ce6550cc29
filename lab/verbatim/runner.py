"""The verbatim pipeline: documents -> programs -> variants -> runs in every environment -> outcomes.

The host's plan decides everything: which program variant runs in which environment, under
which id. Environments run in parallel; in each, one guest process (one TensorFlow import) runs
its programs through the fork server; results are cached where the environment has an identity.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from lab.cores import available_cores
from lab.environments import resolve
from lab.environments.base import Environment
from lab.environments.shipment import Staged, guest_fingerprint
from lab.errors import EnvironmentUnavailable
from lab.verbatim.documents import Document
from lab.verbatim.job import VerbatimJob
from lab.verbatim.outcome import Outcome, from_result, not_running
from lab.verbatim.programs import Program, build_programs
from lab.verbatim.store import ResultCache, run_key
from lab.verbatim.variants import Text, Variant, shim, upgraded

ProgressFn = Callable[[str, int, int], None]
"""(environment, runs done, runs in all)."""
IMPORT_MARGIN_S = 300.0


@dataclass(frozen=True)
class Settings:
    """How programs run: the time limit of one run, runs per program, fork or one process per run."""

    timeout_s: float = 60.0
    repeat: int = 2
    isolation: str = "fork"
    use_cache: bool = True
    workers: Optional[int] = None


@dataclass
class VerbatimResult:
    """Every outcome of a verbatim run, and how each environment fared."""

    documents: List[Document]
    programs: List[Program]
    outcomes: List[Outcome]
    envs: List[str]
    variants: List[str]
    problems: Dict[str, str] = field(default_factory=dict)
    unavailable: Dict[str, bool] = field(default_factory=dict)


def variant_texts(programs: Sequence[Program], variants: Sequence[Variant], python: str) -> Dict[Tuple[int, str], Text]:
    """Each program's text in each variant (None with why where the variant does not exist)."""
    texts: Dict[Tuple[int, str], Text] = {}
    runnable = [i for i, p in enumerate(programs) if not p.fragment]
    for i in runnable:
        if Variant.AS_WRITTEN in variants:
            texts[(i, Variant.AS_WRITTEN.value)] = Text(programs[i].text)
        if Variant.SHIM in variants:
            texts[(i, Variant.SHIM.value)] = shim(programs[i].text)
    if Variant.UPGRADE in variants and runnable:
        for i, text in zip(runnable, upgraded([programs[i].text for i in runnable], python)):
            texts[(i, Variant.UPGRADE.value)] = text
    return texts


class _EnvRun:
    """One environment's part: prepare, reuse cached results, run the rest as one job."""

    def __init__(self, env: Environment, programs: Sequence[Program], variants: Sequence[str],
                 texts: Dict[Tuple[int, str], Text], settings: Settings, shipment: object,
                 progress: ProgressFn) -> None:
        self.env, self.programs, self.variants, self.texts = env, programs, variants, texts
        self.settings, self.shipment, self.progress = settings, shipment, progress
        self.cache = ResultCache() if settings.use_cache else None

    def run(self) -> Tuple[List[Outcome], str, bool]:
        name = self.env.name
        slots = [(i, v) for i in range(len(self.programs)) for v in self.variants]
        try:
            self.env.prepare(lambda line: None)
        except EnvironmentUnavailable as exc:
            return [self._not_run(i, v, str(exc)) for i, v in slots], str(exc), True
        identity = self.env.identity() if self.cache else None
        guest = guest_fingerprint()
        done: Dict[Tuple[int, str], Outcome] = {}
        todo: Dict[str, List[Tuple[int, str, str]]] = {}  # text -> the slots that run it
        for i, v in slots:
            program = self.programs[i]
            text = self.texts.get((i, v))
            if program.fragment:
                done[(i, v)] = not_running(program, v, name, "fragment")
            elif text is None or text.text is None:
                done[(i, v)] = not_running(program, v, name, "unavailable", text.why if text else "")
            else:
                s = self.settings
                key = run_key(guest, name, identity, v, text.text, s.timeout_s, s.repeat) if identity else ""
                hit = self.cache.get(key) if self.cache and key else None
                if hit is not None:
                    done[(i, v)] = self._outcome(i, v, text.text, hit[0], hit[1], True)
                else:
                    todo.setdefault(text.text, []).append((i, v, key))
        problem = ""
        if todo:
            job = VerbatimJob(list(enumerate(todo)), self.settings.timeout_s, self.settings.repeat,
                              self.settings.isolation)
            budget = len(todo) * (self.settings.timeout_s * self.settings.repeat + 5) + IMPORT_MARGIN_S
            try:
                self._watched(job, budget)
            except EnvironmentUnavailable as exc:
                return [self._not_run(i, v, str(exc)) for i, v in slots], str(exc), True
            for run_id, (source, users) in enumerate(todo.items()):
                result = job.results[run_id]
                if result["status"] == "not_run" and not problem:
                    problem = result["error"]["message"]
                for i, v, key in users:
                    done[(i, v)] = self._outcome(i, v, source, result, job.facts, False)
                    if self.cache and key and result["status"] != "not_run":
                        self.cache.put(key, result, job.facts)
        self.progress(name, len(slots), len(slots))
        return [done[s] for s in slots], problem, False

    def _watched(self, job: VerbatimJob, budget: float) -> None:
        stop = threading.Event()
        total = len(job.runs)

        def watch() -> None:
            while not stop.wait(0.5):
                self.progress(self.env.name, job.done(), total)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            self.env.run_job(job, self.shipment, budget)
        finally:
            stop.set()
            watcher.join()

    def _outcome(self, i: int, v: str, text: str, result: Dict, facts: Dict[str, str], cached: bool) -> Outcome:
        program = self.programs[i]
        same_lines = len(text.splitlines()) == len(program.text.splitlines())
        return from_result(program, v, self.env.name, result, facts, cached, same_lines)

    def _not_run(self, i: int, v: str, why: str) -> Outcome:
        program = self.programs[i]
        status = "fragment" if program.fragment else "not_run"
        return not_running(program, v, self.env.name, status, "" if program.fragment else why)


def run_verbatim(documents: Sequence[Document], env_names: Sequence[str], variants: Sequence[Variant],
                 settings: Settings = Settings(), python: Optional[str] = None,
                 progress: ProgressFn = lambda env, done, total: None,
                 envs: Optional[Sequence[Environment]] = None) -> VerbatimResult:
    """Every block's program in every variant and environment; the outcomes in plan order."""
    programs = [p for d in documents for p in build_programs(d)]
    chosen = list(envs) if envs is not None else resolve(env_names, python)
    for env in chosen:
        env.check()
    local_python = python or os.environ.get("LAB_PYTHON") or _default_python()
    texts = variant_texts(programs, variants, local_python)
    names = [v.value for v in variants]
    result = VerbatimResult(list(documents), programs, [], [e.name for e in chosen], names)
    workers = settings.workers or max(1, min(len(chosen), available_cores()))
    with Staged([]) as shipment, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lab-verbatim") as pool:
        futures = [pool.submit(_EnvRun(e, programs, names, texts, settings, shipment, progress).run) for e in chosen]
        by_env = [f.result() for f in futures]
    for env, (outcomes, problem, unavailable) in zip(chosen, by_env):
        result.outcomes += outcomes
        result.problems[env.name] = problem
        result.unavailable[env.name] = unavailable
    order = {(p.document, p.block.index): n for n, p in enumerate(programs)}
    result.outcomes.sort(key=lambda o: (order[(o.document, o.block)], names.index(o.variant),
                                        result.envs.index(o.env)))
    return result


def _default_python() -> str:
    import sys

    return sys.executable
