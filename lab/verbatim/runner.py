"""Documents through the one execute stage: programs -> variant texts -> program jobs -> outcomes.

Each block's program, in each variant, is a text; texts that are the same run once (one
ProgramJob), and their result fans out to every block and variant that has that text. What does
not run (a fragment, a variant that does not exist for it) gets its outcome here, without a job.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from lab.jobs.program import ProgramJob, ProgramResult
from lab.status import Status
from lab.verbatim.documents import Document
from lab.verbatim.outcome import Outcome, from_result, not_running
from lab.verbatim.programs import Program, build_programs
from lab.verbatim.variants import Text, Variant, shim, upgraded

IMPORT_MARGIN_S = 300.0
"""Time for a guest to start (import TensorFlow) on top of its programs' own limits."""


@dataclass(frozen=True)
class Settings:
    """How programs run: the time limit of one run, runs per program, fork or one process per run."""

    timeout_s: float = 60.0
    repeat: int = 2
    isolation: str = "fork"
    use_cache: bool = True
    workers: Optional[int] = None


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


@dataclass
class Programs:
    """A verbatim run's work: the documents' programs, every (program, variant) slot, and the
    jobs the slots share."""

    documents: List[Document]
    programs: List[Program]
    variants: List[str]
    texts: Dict[Tuple[int, str], Text]
    jobs: List[ProgramJob]
    slot_job: Dict[Tuple[int, str], int]
    """Slot -> index into `jobs`, for the slots that run."""

    @property
    def slots(self) -> List[Tuple[int, str]]:
        return [(i, v) for i in range(len(self.programs)) for v in self.variants]

    def budget_s(self) -> float:
        """A whole environment's time limit: every job's own, twice (the repeat), and the start."""
        return sum(j.timeout_s * j.repeat + 5 for j in self.jobs) + IMPORT_MARGIN_S


def plan_programs(documents: Sequence[Document], variants: Sequence[Variant], settings: Settings,
                  python: str) -> Programs:
    """The jobs of these documents' programs in these variants: one per distinct text."""
    programs = [p for d in documents for p in build_programs(d)]
    texts = variant_texts(programs, variants, python)
    names = [v.value for v in variants]
    jobs: List[ProgramJob] = []
    index: Dict[str, int] = {}
    slot_job: Dict[Tuple[int, str], int] = {}
    for i in range(len(programs)):
        for v in names:
            text = texts.get((i, v))
            if programs[i].fragment or text is None or text.text is None:
                continue
            if text.text not in index:
                index[text.text] = len(jobs)
                jobs.append(ProgramJob(text.text, settings.timeout_s, settings.repeat))
            slot_job[(i, v)] = index[text.text]
    return Programs(list(documents), programs, names, texts, jobs, slot_job)


def outcomes(work: Programs, env: str, results: Sequence[ProgramResult], cached: Sequence[bool] = ()) -> List[Outcome]:
    """Every slot's outcome in one environment, from its job's result (`results` by job index)."""
    found: List[Outcome] = []
    for i, v in work.slots:
        program, text = work.programs[i], work.texts.get((i, v))
        if program.fragment:
            found.append(not_running(program, v, env, Status.FRAGMENT))
        elif text is None or text.text is None:
            found.append(not_running(program, v, env, Status.NOT_APPLICABLE, text.why if text else ""))
        else:
            j = work.slot_job[(i, v)]
            same_lines = len(text.text.splitlines()) == len(program.text.splitlines())
            found.append(from_result(program, v, env, results[j], bool(cached and cached[j]), same_lines))
    return found


ProgressFn = Callable[[str, int, int], None]
"""(environment, runs done, runs in all)."""


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
    interrupted: bool = False
    """Ctrl-C stopped the run; the outcomes hold what finished."""


def run_verbatim(documents: Sequence[Document], env_names: Sequence[str], variants: Sequence[Variant],
                 settings: Settings = Settings(), python: Optional[str] = None,
                 progress: ProgressFn = lambda env, done, total: None, envs: Optional[Sequence] = None,
                 on_event: Optional[Callable[[str, str], None]] = None) -> VerbatimResult:
    """Every block's program in every variant and environment, through the execute stage; the
    outcomes in document order."""
    from lab import pipeline
    from lab.plan import DEFAULT_SEED, Plan

    work = plan_programs(documents, variants, settings, python or os.environ.get("LAB_PYTHON") or sys.executable)
    names = [e.name for e in envs] if envs is not None else list(env_names)
    the_plan = Plan((), tuple(names), DEFAULT_SEED, (), programs=tuple(work.jobs))
    done = pipeline.run({}, the_plan, [], python, work.budget_s(), settings.use_cache, settings.workers,
                        on_event, isolation=settings.isolation, on_answer=progress, envs=envs)
    result = VerbatimResult(list(documents), work.programs, [], names, work.variants, interrupted=done.interrupted)
    for env in done.outcomes:
        result.outcomes += outcomes(work, env.name, env.programs, env.from_cache)
        result.problems[env.name] = env.problem
        result.unavailable[env.name] = env.unavailable
        progress(env.name, len(work.jobs), len(work.jobs))
    order = {(p.document, p.block.index): n for n, p in enumerate(work.programs)}
    result.outcomes.sort(key=lambda o: (order[(o.document, o.block)], work.variants.index(o.variant),
                                        names.index(o.env)))
    return result
