"""The failed-definer loop of examples semantics: programs built again where an earlier definer raised.

In each environment and variant, a block whose program needs an earlier block that raised in its
own run is built again with that block cut where it raised (lab/verbatim/programs.py); the
programs that changed run, and their outcomes replace the old ones; until none changes.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from lab.verbatim.outcome import Outcome
from lab.verbatim.programs import Program, build_programs, failed_lines, rebuilt
from lab.verbatim.semantics import Semantics
from lab.verbatim.variants import Variant, shim, upgraded
from lab.verbatim.work import IMPORT_MARGIN_S, Programs, Settings, Slot, slot_outcome

Runs = Dict[str, Tuple[List[Any], List[bool]]]
"""Per environment: the results of every job so far (by job index), and whether each came from the cache."""
ExecuteFn = Callable[[Sequence[Any], List[str], float], Any]
"""(jobs, environments, time limit) -> the execute stage's result."""


def again(work: Programs, found: Dict[str, List[Outcome]], runs: Runs, settings: Settings, python: str,
          execute: ExecuteFn) -> bool:
    """One round of the failed-definer loop (examples semantics): in each env and variant, the programs
    built again with the definers that raised there cut where they raised, run, and their outcomes
    replaced. False when no program changed."""
    slot_of = {(p.document, p.block.index, v): (i, v) for i, p in enumerate(work.programs) for v in work.variants}
    wanted: Dict[Tuple[str, Slot], Program] = {}
    for document in work.documents:
        if not any(work.semantics[i] is Semantics.EXAMPLES and p.document == document.name
                   for i, p in enumerate(work.programs)):
            continue
        for env, outcomes in found.items():
            for v in work.variants:
                mine = [o for o in outcomes if o.document == document.name and o.variant == v]
                failed = failed_lines((o.block, o.error) for o in mine if o.ended)
                if not failed:
                    continue
                current = [_program(work, env, slot_of[(document.name, b.index, v)]) for b in document.blocks]
                for program in rebuilt(current, build_programs(document, failed=failed)):
                    wanted[(env, slot_of[(document.name, program.block.index, v)])] = program
    if not wanted:
        return False
    texts = _variant_text(wanted, python)
    index: Dict[str, int] = {}
    first = len(work.jobs)
    for (env, slot), program in wanted.items():
        text = texts[(env, slot)]
        if program.fragment or text is None:
            work.overrides[(env, slot)] = (program, -1)
            continue
        work.overrides[(env, slot)] = (program, work.job_for(text, settings, index))
    jobs = work.jobs[first:]
    if jobs:
        done = execute(jobs, list(runs), sum(j.timeout_s * j.repeat + 5 for j in jobs) + IMPORT_MARGIN_S)
        for env in done.outcomes:
            ran, hits = runs[env.name]
            runs[env.name] = (ran + list(env.programs), hits + list(env.from_cache))
    for env, outcomes in found.items():
        found[env] = _replaced(work, env, outcomes, runs[env])
    return True


def _program(work: Programs, env: str, slot: Slot) -> Program:
    override = work.overrides.get((env, slot))
    return override[0] if override is not None else work.programs[slot[0]]


def _variant_text(wanted: Dict[Tuple[str, Slot], Program], python: str) -> Dict[Tuple[str, Slot], Optional[str]]:
    """Each rebuilt program's text in its variant."""
    texts: Dict[Tuple[str, Slot], Optional[str]] = {}
    upgrade = [key for key in wanted if key[1][1] == Variant.UPGRADE.value and not wanted[key].fragment]
    for key, text in zip(upgrade, upgraded([wanted[k].text for k in upgrade], python)):
        texts[key] = text.text
    for key, program in wanted.items():
        if key[1][1] == Variant.AS_WRITTEN.value:
            texts[key] = program.text
        elif key[1][1] == Variant.SHIM.value:
            texts[key] = shim(program.text).text
        texts.setdefault(key, None)
    return texts


def _replaced(work: Programs, env: str, current: List[Outcome], runs: Tuple[List[Any], List[bool]]) -> List[
        Outcome]:
    """The env's outcomes (in slot order), those of rebuilt programs made again from their new jobs."""
    return [slot_outcome(work, env, i, v, *runs) if (env, (i, v)) in work.overrides else o
            for (i, v), o in zip(work.slots, current)]
