"""The work of a verbatim run: documents -> programs or sessions -> variant texts -> jobs, and each
slot's outcome from its job's result.

*examples*: each block's program, in each variant, is a text; texts that are the same run once (one
ProgramJob), and the result fans out to every block and variant with that text. *session*: a
document's cells, in each variant, are one SessionJob. What does not run (a fragment, a variant that
does not exist for it) gets its outcome without a job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from lab.jobs.program import ProgramJob
from lab.jobs.session import Cell, SessionJob
from lab.status import Status
from lab.verbatim.documents import Block, Document, with_shell
from lab.verbatim.outcome import SHELL_NOT_RUN, Outcome, from_cell, from_result, not_running
from lab.verbatim.programs import Program, build_programs
from lab.verbatim.semantics import Semantics, semantics_of, session_cells
from lab.verbatim.shown import Mode, parse_mode
from lab.verbatim.variants import Text, Variant, shim, shim_chain, upgraded

IMPORT_MARGIN_S = 300.0
"""Time for a guest to start (import TensorFlow) on top of its programs' own limits."""
Slot = Tuple[int, str]
"""A program (by its index in the run) in a variant."""


@dataclass(frozen=True)
class Settings:
    """How programs run: the time limit of one run (one cell), runs per program, fork or one process
    per run, the documents' semantics, shell commands, and how shown output is compared."""

    timeout_s: float = 60.0
    repeat: int = 2
    isolation: str = "fork"
    use_cache: bool = True
    workers: Optional[int] = None
    semantics: Optional[str] = None
    """'session' or 'examples' for every document; None: each document's kind decides."""
    allow_shell: bool = False
    """Run `!cmd`, `%pip` and `%%bash` in the environment instead of skipping them."""
    output_check: str = "strict"
    """How printed output is compared with what the document shows: strict, numbers or lax."""


def variant_texts(programs: Sequence[Program], variants: Sequence[Variant], python: str) -> Dict[Slot, Text]:
    """Each program's text in each variant (None with why where the variant does not exist)."""
    texts: Dict[Slot, Text] = {}
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


def session_texts(cells: Sequence[str], variant: Variant, upgrades: Dict[str, Text]) -> List[Text]:
    """A session's cells in a variant: the importing cell shimmed; every cell through tf_upgrade_v2
    (`upgrades`: each text's; a cell it cannot convert runs as it is); none where the variant does
    not exist for the document."""
    if variant is Variant.AS_WRITTEN:
        return [Text(t) for t in cells]
    if variant is Variant.SHIM:
        return shim_chain(cells)
    done = [upgrades[c] for c in cells]
    if all(t.text is None for t in done):
        return done
    return [t if t.text is not None else Text(c) for t, c in zip(done, cells)]


@dataclass
class Programs:
    """A verbatim run's work: every document's programs (a session's cells among them), every
    (program, variant) slot, and the jobs the slots share."""

    documents: List[Document]
    programs: List[Program]
    variants: List[str]
    texts: Dict[Slot, Text]
    jobs: List[Any]
    slot_job: Dict[Slot, Tuple[int, Optional[int]]]
    """Slot -> (index into `jobs`, the cell's position in a session job or None), for the slots that run."""
    semantics: List[Semantics] = field(default_factory=list)
    """Per program: its document's semantics."""
    blocks: Dict[str, Tuple[Block, ...]] = field(default_factory=dict)
    """Each document's blocks, by name: an error names the block or cell that raised it in its own
    document (documents with the same cells share a session job, not their cell numbers)."""
    mode: Mode = Mode.STRICT
    overrides: Dict[Tuple[str, Slot], Tuple[Program, int]] = field(default_factory=dict)
    """(env, slot) -> a program built again for that env and its job: a definer it needs raised there."""
    settings: Settings = field(default_factory=Settings)
    """How the programs run (the failed-definer loop's jobs run alike)."""

    @property
    def slots(self) -> List[Slot]:
        return [(i, v) for i in range(len(self.programs)) for v in self.variants]

    def budget_s(self) -> float:
        """A whole environment's time limit: every job's own (a program's twice: the repeat), and the start."""
        return sum(j.budget_s if isinstance(j, SessionJob) else j.timeout_s * j.repeat + 5 for j in self.jobs) + (
            IMPORT_MARGIN_S)

    def job_for(self, text: str, settings: Settings, index: Dict[str, int]) -> int:
        if text not in index:
            index[text] = len(self.jobs)
            self.jobs.append(ProgramJob(text, settings.timeout_s, settings.repeat))
        return index[text]


def plan_programs(documents: Sequence[Document], variants: Sequence[Variant], settings: Settings,
                  python: str) -> Programs:
    """The jobs of these documents in these variants: a program job per distinct text, a session job
    per document and distinct variant."""
    documents = [with_shell(d) for d in documents] if settings.allow_shell else list(documents)
    names = [v.value for v in variants]
    work = Programs(list(documents), [], names, {}, [], {}, blocks={d.name: d.blocks for d in documents},
                    mode=parse_mode(settings.output_check), settings=settings)
    chosen = {d.name: semantics_of(d, settings.semantics) for d in documents}
    built = {d.name: build_programs(d) for d in documents if chosen[d.name] is Semantics.EXAMPLES}
    examples = [p for programs in built.values() for p in programs]
    texts = variant_texts(examples, variants, python)
    index: Dict[str, int] = {}
    sessions: Dict[Tuple[Cell, ...], int] = {}
    # tf_upgrade_v2 once for every session's cells: one process, not one per document
    cells = list(dict.fromkeys(b.text for d in documents if chosen[d.name] is Semantics.SESSION for b in d.blocks))
    upgrades = dict(zip(cells, upgraded(cells, python))) if Variant.UPGRADE in variants else {}
    by_program = {id(p): n for n, p in enumerate(examples)}
    for document in documents:
        if chosen[document.name] is Semantics.EXAMPLES:
            for program in built[document.name]:
                n = len(work.programs)
                work.programs.append(program)
                work.semantics.append(Semantics.EXAMPLES)
                for v in names:
                    text = texts.get((by_program[id(program)], v))
                    if text is not None:
                        work.texts[(n, v)] = text
                    if program.fragment or program.kind == "shell" or text is None or text.text is None:
                        continue
                    work.slot_job[(n, v)] = (work.job_for(text.text, settings, index), None)
        else:
            _plan_session(work, document, variants, settings, upgrades, sessions)
    return work


def _plan_session(work: Programs, document: Document, variants: Sequence[Variant], settings: Settings,
                  upgrades: Dict[str, Text], sessions: Dict[Tuple[Cell, ...], int]) -> None:
    cells = session_cells(document)
    first = len(work.programs)
    for program in build_programs(document, Semantics.SESSION):
        work.programs.append(program)
        work.semantics.append(Semantics.SESSION)
    for variant in variants:
        texts = session_texts([c.text for c in cells], variant, upgrades)
        for position, text in enumerate(texts):
            work.texts[(first + position, variant.value)] = text
        if any(t.text is None for t in texts):
            continue
        job = tuple(Cell(str(t.text), c.shows_value, c.kind) for t, c in zip(texts, cells))
        if job not in sessions:
            sessions[job] = len(work.jobs)
            work.jobs.append(SessionJob(job, settings.timeout_s))
        for position in range(len(cells)):
            work.slot_job[(first + position, variant.value)] = (sessions[job], position)


def outcomes(work: Programs, env: str, results: Sequence[Any], cached: Sequence[bool] = ()) -> List[Outcome]:
    """Every slot's outcome in one environment, from its job's result (`results` by job index)."""
    return [slot_outcome(work, env, i, v, results, cached) for i, v in work.slots]


def slot_outcome(work: Programs, env: str, i: int, v: str, results: Sequence[Any], cached: Sequence[bool]) -> Outcome:
    """Program `i` in variant `v` in one environment (a program built again for that env where there is one)."""
    program, text = work.programs[i], work.texts.get((i, v))
    semantics = work.semantics[i].value
    override = work.overrides.get((env, (i, v)))
    if override is not None:
        program = override[0]
    if program.fragment:
        return not_running(program, v, env, Status.FRAGMENT, semantics=semantics)
    if text is None or text.text is None or (override is not None and override[1] < 0):
        why = text.why if text is not None and text.text is None else "the variant does not exist for this program"
        return not_running(program, v, env, Status.NOT_APPLICABLE, why, semantics)
    if program.kind == "shell" and work.semantics[i] is Semantics.EXAMPLES:
        return not_running(program, v, env, Status.SHELL, SHELL_NOT_RUN, semantics)
    j, position = (override[1], None) if override is not None else work.slot_job[(i, v)]
    hit = bool(cached and cached[j])
    blocks = work.blocks[program.document]
    if position is not None:
        result = results[j]
        return from_cell(program, v, env, result.cells[position], blocks, result.facts, hit, work.mode)
    ran = work.jobs[j].text
    return from_result(program, v, env, results[j], hit, len(ran.splitlines()) == len(program.text.splitlines()),
                       work.mode, {b.index: b for b in blocks})
