"""Documents for the one execute stage: documents -> programs or sessions -> jobs, and back to outcomes.

A document runs under its semantics (lab/verbatim/semantics.py): as examples, each block's program
(lab/verbatim/work.py), then the failed-definer loop (lab/verbatim/definers.py); as a session, its
cells in order in the guest's fork chain. The outcomes come back in document order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from lab.verbatim.definers import ExecuteFn, again
from lab.verbatim.outcome import Outcome
from lab.verbatim.sources import Found
from lab.verbatim.work import Programs, Settings, outcomes, plan_programs, session_texts, variant_texts

__all__ = ["Documents", "ExecuteFn", "Programs", "Settings", "outcomes", "plan_programs", "session_texts",
           "variant_texts", "with_outcomes"]


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


def with_outcomes(documents: Documents, runs: Sequence[Tuple[str, Sequence[Any], Sequence[bool]]],
                  execute: Optional[ExecuteFn] = None, python: str = "") -> Documents:
    """The documents with their blocks' outcomes, from each environment's job results (env name,
    results by job index, whether each came from the cache). With `execute` (jobs, envs, time limit
    -> the execute stage's result), the failed-definer loop runs the programs built again where an
    earlier definer raised, until none changes (`python` converts their tf_upgrade_v2 variant)."""
    work, names = documents.work, [env for env, _, _ in runs]
    assert work is not None, "documents read back from a folder are not run again"
    state = {env: (list(results), list(cached)) for env, results, cached in runs}
    found: Dict[str, List[Outcome]] = {env: outcomes(work, env, *state[env]) for env in names}
    if execute is not None:
        for _ in range(max((len(d.blocks) for d in work.documents), default=0)):
            if not again(work, found, state, work.settings, python, execute):
                break
    order = {(p.document, p.block.index): n for n, p in enumerate(work.programs)}
    blocks = sorted((o for env in names for o in found[env]),
                    key=lambda o: (order[(o.document, o.block)], work.variants.index(o.variant), names.index(o.env)))
    return replace(documents, blocks=tuple(blocks), envs=tuple(names))
