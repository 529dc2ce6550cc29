"""Programs from blocks: a block alone, or with the earlier blocks that define the names it uses.

Names are found statically (symtable), never by running code. A block that uses a name no
earlier block of its document defines is a fragment: listed with its missing names, not run.
"""

from __future__ import annotations

import builtins
import symtable
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

from lab.verbatim.documents import Block, Document

KNOWN = set(dir(builtins)) | {"__file__", "__name__", "__builtins__", "__doc__", "__spec__", "__loader__"}


@dataclass(frozen=True)
class Names:
    """What a block defines at its top level, and the global names it reads but does not define."""

    defined: frozenset
    free: frozenset
    star: bool = False
    """`from x import *`: it may define anything."""


def names_of(text: str) -> Optional[Names]:
    """The block's names, or None when it does not parse (its run will say so)."""
    try:
        top = symtable.symtable(text, "<block>", "exec")
    except (SyntaxError, ValueError):
        return None
    defined = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}
    star = "*" in defined
    used: Set[str] = {s.get_name() for s in top.get_symbols() if s.is_referenced()}
    stack = list(top.get_children())
    while stack:
        table = stack.pop()
        stack.extend(table.get_children())
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (symbol.is_global() or symbol.is_declared_global()):
                used.add(symbol.get_name())
            if symbol.is_declared_global() and symbol.is_assigned():
                defined.add(symbol.get_name())
    return Names(frozenset(defined - {"*"}), frozenset(used - defined - KNOWN), star)


@dataclass(frozen=True)
class Segment:
    """A block's place in a program's text."""

    block: int
    start: int
    """The program line its first line is on (1-based)."""
    lines: int


@dataclass(frozen=True)
class Program:
    """What runs for one block: the block itself, after the earlier blocks it needs."""

    document: str
    block: Block
    blocks: Tuple[int, ...]
    """The block indexes whose text it joins, this block's last."""
    text: str
    segments: Tuple[Segment, ...]
    missing: Tuple[str, ...] = ()
    """Names nothing before it defines: non-empty makes it a fragment, not run."""
    parses: bool = True

    @property
    def fragment(self) -> bool:
        return bool(self.missing)

    def block_line(self, line: Optional[int]) -> Optional[int]:
        """A program line as a line of this program's own block (None when it lies elsewhere)."""
        if line is None:
            return None
        last = self.segments[-1]
        return line - last.start + 1 if last.start <= line < last.start + last.lines else None

    def source_of(self, line: Optional[int]) -> Tuple[Optional[int], Optional[int]]:
        """(block index, line in that block) of a program line."""
        for segment in self.segments:
            if line is not None and segment.start <= line < segment.start + segment.lines:
                return segment.block, line - segment.start + 1
        return None, None


MARKER = "\x1e"
"""Printed before the block's own code when earlier blocks run first: its output is what follows."""
MARKER_LINE = '__import__("sys").stdout.write("\\x1e\\n")  # lab: the block starts here\n'


def own_output(stdout: str) -> str:
    """The part of a program's output that its own block printed (after the marker, if any)."""
    _, found, tail = stdout.rpartition(MARKER + "\n")
    return tail if found else stdout


def _join(document: str, blocks: Sequence[Block], target: Block, missing: Tuple[str, ...], parses: bool) -> Program:
    parts, segments, line = [], [], 1
    for block in blocks:
        if block is target and len(blocks) > 1:
            parts.append(MARKER_LINE)
            line += 1
        text = block.text if block.text.endswith("\n") else block.text + "\n"
        count = len(text.splitlines())
        segments.append(Segment(block.index, line, count))
        parts.append(text)
        line += count
    return Program(document, target, tuple(b.index for b in blocks), "".join(parts), tuple(segments), missing, parses)


def build_programs(document: Document) -> List[Program]:
    """One program per block, in block order."""
    analysed: Dict[int, Optional[Names]] = {b.index: names_of(b.text) for b in document.blocks}
    programs = []
    for position, block in enumerate(document.blocks):
        own = analysed[block.index]
        if own is None:
            programs.append(_join(document.name, [block], block, (), False))
            continue
        earlier = document.blocks[:position]
        chosen: Set[int] = set()
        missing: List[str] = []
        todo = [(name, position) for name in sorted(own.free)]
        while todo:
            name, before = todo.pop(0)
            source = next((k for k in range(before - 1, -1, -1) if _defines(analysed[earlier[k].index], name)), None)
            if source is None:
                if name not in missing:
                    missing.append(name)
                continue
            if source not in chosen:
                chosen.add(source)
                needs = analysed[earlier[source].index]
                todo += [(n, source) for n in sorted(needs.free)] if needs else []
        joined = [earlier[k] for k in sorted(chosen)] + [block]
        programs.append(_join(document.name, joined, block, tuple(sorted(missing)), True))
    return programs


def _defines(names: Optional[Names], name: str) -> bool:
    return names is not None and (name in names.defined or names.star)
