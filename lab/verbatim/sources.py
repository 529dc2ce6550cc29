"""From the paths on a command line to documents: files and folders, shards, one-line errors."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from lab.errors import UsageError
from lab.verbatim.documents import SUFFIXES, Document, DocumentError, read_document


@dataclass
class Found:
    """The documents to run, the errors of bad input (exit 2), and what a folder walk skipped."""

    documents: List[Document] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)


def parse_shard(text: Optional[str]) -> Optional[Tuple[int, int]]:
    """'2/4' -> (2, 4); a one-line UsageError otherwise."""
    if text is None:
        return None
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r}: write it as I/N, e.g. 1/4") from None
    if not 1 <= i <= n:
        raise UsageError(f"--shard {text!r}: I must be between 1 and N")
    return i, n


def in_shard(name: str, shard: Optional[Tuple[int, int]]) -> bool:
    """Whether a document belongs to shard I of N: by a hash of its name, so a document stays in
    its shard when others are added or removed, and every machine splits the same way."""
    if shard is None:
        return True
    i, n = shard
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % n == i - 1


def _walk(folder: Path) -> List[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def gather(paths: Sequence[Path], shard: Optional[Tuple[int, int]] = None) -> Found:
    """Every document under `paths`, in a stable order. A file named on the command line that cannot
    be read is an error; in a folder, files with no Python code are only skipped (a README)."""
    found = Found()
    seen = set()
    for given in paths:
        if given.is_dir():
            entries = [(p, p.relative_to(given).as_posix(), False) for p in _walk(given)]
        else:
            entries = [(given, given.name, True)]
        for path, name, named in entries:
            key = path.resolve()
            if key in seen or not in_shard(name, shard):
                continue
            seen.add(key)
            try:
                found.documents.append(read_document(path, name))
            except DocumentError as exc:
                if not named and "no Python code" in str(exc):
                    found.skipped.append(str(exc))
                else:
                    found.errors.append(str(exc))
    names = [d.name for d in found.documents]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:  # two files of one name from two folders: tell them apart by their paths
        found.documents = [d if d.name not in duplicates else replace(d, name=str(d.path)) for d in found.documents]
    return found
