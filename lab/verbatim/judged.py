"""The verbatim run as one library call: paths -> documents (selected) -> outcomes -> judged block claims.

`lab verbatim` renders what `run` returns; so do `lab.verbatim(...)` in a notebook and the pytest plugin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from lab.errors import UsageError
from lab.guest.catalog import Scenario
from lab.selection import Names, Selection, choose
from lab.verbatim.articles import CLAIMS
from lab.verbatim.claims import BlockJudgement, judge_blocks, seeds_dir
from lab.verbatim.documents import Document
from lab.verbatim.runner import ProgressFn, Settings, VerbatimResult, run_verbatim
from lab.verbatim.sources import Found, gather, parse_shard
from lab.verbatim.variants import Variant


@dataclass
class VerbatimRun:
    """What a verbatim run found and did: the documents read, every outcome, the block claims judged."""

    result: VerbatimResult
    judgements: List[BlockJudgement]
    found: Found
    """The documents, the inputs that were no documents (exit 2), what a folder walk skipped."""
    missing_seeds: Optional[str] = None
    meta: Dict[str, Any] = field(default_factory=dict)

    @property
    def outcomes(self) -> List[Any]:
        return self.result.outcomes

    def failed(self) -> List[Any]:
        """The outcomes of programs that did not run to the end (raised, syntax error, timeout, crashed, not run)."""
        return [o for o in self.result.outcomes if o.failed]

    def _repr_html_(self) -> str:
        from lab.reports.notebook import verbatim_html

        return verbatim_html(self)


def select_documents(documents: Sequence[Document], selection: Selection,
                     scenarios: Mapping[str, Scenario]) -> List[Document]:
    """The documents -k, --article and --tag select: by file name, and by the tags of the article's scenarios."""
    def names(d: Document) -> Names:
        tags = tuple(dict.fromkeys(t for s in scenarios.values() if s.source.article == d.path.name for t in s.tags))
        return Names(d.name, d.path.name, tags)

    return choose([(d, names(d)) for d in documents], selection, "document")


def run(paths: Sequence[Path], envs: Sequence[str], variants: Sequence[Variant], settings: Optional[Settings] = None,
        articles: bool = False, shard: Optional[str] = None, selection: Optional[Selection] = None,
        python: Optional[str] = None, progress: Optional[ProgressFn] = None) -> VerbatimRun:
    """Every Python block of the documents under `paths` (and the source articles with `articles`), as
    written and in each variant, in each env; the outcomes and the articles' block claims judged."""
    selection = selection or Selection()
    chosen = list(paths)
    missing_seeds = None
    if articles or (selection.articles and not chosen):  # `--article 002` alone means that article
        if seeds_dir().is_dir():
            chosen.append(seeds_dir())
        else:
            missing_seeds = f"the seeds folder {seeds_dir()} is missing (set LAB_SEEDS to the articles' folder)"
    if not chosen and not missing_seeds:
        raise UsageError("name at least one document or folder, or pass --articles")
    found = gather(chosen, parse_shard(shard))
    if selection:
        from lab.scenario import configured_scenario_dirs, load_scenarios

        found.documents = select_documents(found.documents, selection, load_scenarios(configured_scenario_dirs()))
    result = run_verbatim(found.documents, envs, variants, settings or Settings(), python,
                          progress or (lambda env, done, total: None))
    judgements = judge_blocks(CLAIMS, result.outcomes, missing_seeds)
    meta = {"envs": result.envs, "variants": result.variants, "problems": result.problems, "shard": shard,
            "documents": [d.name for d in found.documents], "errors": found.errors}
    return VerbatimRun(result, judgements, found, missing_seeds, meta)
