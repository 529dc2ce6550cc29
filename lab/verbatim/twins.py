"""Which scenario twins model an article block: same article, and the nearest example heading."""

from __future__ import annotations

import re
from typing import Dict, List, Mapping, Sequence, Tuple

from lab.guest.catalog import Scenario
from lab.verbatim.documents import Document


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[`*_]", "", text).lower().split()).rstrip(":")


def _title(example: str) -> str:
    """The example's title without the scenario's own note in parentheses."""
    return _norm(re.sub(r"\s*\([^)]*\)\s*$", "", example))


def beside(documents: Sequence[Document], scenarios: Mapping[str, Scenario]) -> Dict[Tuple[str, int], List[str]]:
    """(document, block) -> the ids of scenarios from that article whose example title is the block's
    heading, or names an example the block itself marks with a comment (`# Example 2: ...`)."""
    found: Dict[Tuple[str, int], List[str]] = {}
    for document in documents:
        mine = [s for s in scenarios.values() if s.source.article == document.path.name]
        for block in document.blocks:
            comments = {_title(line.lstrip("# ")) for line in block.text.splitlines() if line.lstrip().startswith("#")}
            found[(document.name, block.index)] = [
                s.id for s in mine if _title(s.source.example) in ({_norm(block.heading)} | comments)]
    return found
