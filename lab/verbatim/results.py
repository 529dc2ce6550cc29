"""Verbatim results folders: verbatim.json (every outcome, judged claims, meta) and report.md;
read back, validated, and merged (shards made on several machines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from lab.errors import UsageError
from lab.verbatim.claims import BlockJudgement
from lab.verbatim.outcome import Outcome

FILE = "verbatim.json"
FORMAT = 1


def write(out: Path, outcomes: Sequence[Outcome], judgements: Sequence[BlockJudgement], meta: Mapping[str, Any],
          markdown: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {"format": FORMAT, "meta": dict(meta), "outcomes": [o.to_dict() for o in outcomes],
            "judgements": [j.to_dict() for j in judgements]}
    (out / FILE).write_text(json.dumps(data, indent=1))
    (out / "report.md").write_text(markdown)


def is_verbatim(folder: Path) -> bool:
    return (folder / FILE).is_file()


def read(folder: Path) -> Tuple[List[Outcome], Dict[str, Any]]:
    """A folder's outcomes and meta; one-line UsageError when it is not a verbatim results folder."""
    try:
        data = json.loads((folder / FILE).read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this lab reads {FORMAT}")
        outcomes = [Outcome.from_dict(o) for o in data["outcomes"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{folder}: not a readable verbatim results folder ({str(exc)[:120]})") from None
    return outcomes, dict(data.get("meta") or {})


def merge(folders: Sequence[Path]) -> Tuple[List[Outcome], Dict[str, Any]]:
    """Every outcome of the folders (shards, or environments run apart); the same outcome twice is an error."""
    merged: Dict[Tuple[str, int, str, str], Outcome] = {}
    metas = []
    for folder in folders:
        outcomes, meta = read(folder)
        metas.append(meta)
        for o in outcomes:
            if o.key in merged and merged[o.key].digest != o.digest:
                raise UsageError(f"{folder}: {o.document}#{o.block} was run from another text of the document "
                                 "in another folder; merge results of the same documents")
            merged[o.key] = o
    envs = list(dict.fromkeys(e for m in metas for e in m.get("envs", [])))
    variants = list(dict.fromkeys(v for m in metas for v in m.get("variants", [])))
    problems: Dict[str, str] = {}
    for m in metas:
        problems.update({k: v for k, v in (m.get("problems") or {}).items() if v})
    meta = {"envs": envs, "variants": variants, "problems": problems, "merged_from": [str(f) for f in folders]}
    ordered = sorted(merged.values(), key=lambda o: (o.document, o.block, _index(variants, o.variant),
                                                     _index(envs, o.env)))
    return ordered, meta


def _index(items: List[str], item: str) -> int:
    return items.index(item) if item in items else len(items)
