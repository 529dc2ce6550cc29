"""Documents for the one execute stage: programs -> variant texts -> program jobs, and back to outcomes.

Each block's program, in each variant, is a text; texts that are the same run once (one
ProgramJob), and their result fans out to every block and variant that has that text. What does
not run (a fragment, a variant that does not exist for it) gets its outcome here, without a job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.jobs.program import ProgramJob, ProgramResult
from lab.status import Status
from lab.verbatim.documents import Document
from lab.verbatim.outcome import Outcome, from_result, not_running
from lab.verbatim.programs import Program, build_programs
from lab.verbatim.sources import Found
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


@dataclass(frozen=True)
class Documents:
    """A run's documents: what was read, the programs planned, and each block's outcome in each
    variant and environment (what the reports and the block claims read)."""

    found: Found
    """The documents read, the inputs that were no documents (exit 2), what a folder walk skipped."""
    work: Optional[Programs] = None
    """The programs planned (None for documents read back from a results folder)."""
    variants: Tuple[str, ...] = ()
    blocks: Tuple[Outcome, ...] = ()
    """Each block's outcome, in document order, then variant, then environment."""
    envs: Tuple[str, ...] = ()
    missing_seeds: Optional[str] = None
    """Why the articles' block claims could not be judged (their folder is missing), if they could not."""
    beside: Mapping[Tuple[str, int], List[str]] = field(default_factory=dict)
    """Each block's modelling scenarios (lab/verbatim/twins.py)."""
    shard: Optional[str] = None

    def meta(self) -> Dict[str, Any]:
        """What verbatim.json's meta says of the run."""
        return {"envs": list(self.envs), "variants": list(self.variants), "shard": self.shard,
                "documents": [d.name for d in self.found.documents], "errors": list(self.found.errors)}


def with_outcomes(documents: Documents, runs: Sequence[Tuple[str, Sequence[ProgramResult], Sequence[bool]]]
                  ) -> Documents:
    """The documents with their blocks' outcomes, from each environment's program results
    (env name, results by job index, whether each came from the cache)."""
    work, names = documents.work, [env for env, _, _ in runs]
    assert work is not None, "documents read back from a folder are not run again"
    found: List[Outcome] = []
    for env, results, cached in runs:
        found += outcomes(work, env, results, cached)
    order = {(p.document, p.block.index): n for n, p in enumerate(work.programs)}
    found.sort(key=lambda o: (order[(o.document, o.block)], work.variants.index(o.variant), names.index(o.env)))
    return replace(documents, blocks=tuple(found), envs=tuple(names))
