"""Which documents a run reads: paths and folders, the source articles, a shard, -k/--article/--tag."""

from __future__ import annotations

from pathlib import Path
from typing import List, Mapping, Optional, Sequence, Tuple

from lab.errors import UsageError
from lab.guest.catalog import Scenario
from lab.selection import Names, Selection, choose
from lab.verbatim.claims import seeds_dir
from lab.verbatim.documents import Document
from lab.verbatim.sources import Found, gather, parse_shard


def select_documents(documents: Sequence[Document], selection: Selection,
                     scenarios: Mapping[str, Scenario]) -> List[Document]:
    """The documents -k, --article and --tag select: by file name, and by the tags of the article's scenarios."""
    def names(d: Document) -> Names:
        tags = tuple(dict.fromkeys(t for s in scenarios.values() if s.source.article == d.path.name for t in s.tags))
        return Names(d.name, d.path.name, tags)

    return choose([(d, names(d)) for d in documents], selection, "document")


def find(paths: Sequence[Path], articles: bool = False, shard: Optional[str] = None,
         selection: Optional[Selection] = None, scenarios: Mapping[str, Scenario] = {},
         ) -> Tuple[Found, Optional[str]]:
    """The documents under `paths` (and the source articles with `articles`, or with `--article`
    alone), in shard `shard`, narrowed by `selection`; and why the articles are missing, if they are."""
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
        found.documents = select_documents(found.documents, selection, scenarios)
    return found, missing_seeds
