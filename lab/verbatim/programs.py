"""Programs from blocks: a block alone, or with the earlier blocks that define the names it uses.

Names are found statically (lab/verbatim/names.py), never by running code. Under *examples*
semantics a block that uses a name no earlier block of its document defines is a fragment: listed
with its missing names, not run. Under *session* semantics (lab/verbatim/semantics.py) each
program is its block alone, `chained`: it runs in the state the blocks before it left.

A failed definer never poisons a name it did not define. The choice: a block whose own program
raised is cut where it raised, at the top-level statement holding the line (`failed`, from that
block's outcome); what comes before that statement ran in a kernel, so its names are bound and
nothing after it is. A later program takes the cut block when the cut part binds the name it needs
(`import tensorflow as tf` before a failing `import tensorflow_datasets as tfds`), else falls back
to the nearest earlier block that defines it, and only when none does takes the failed block whole
(its error then shows as raised by that earlier block). Cutting at the failing statement is sound:
it keeps exactly the statements a kernel completed, mutations included, where keeping only the
statements that bind a name would drop `model.fit(...)` or `w.assign(...)` that change it. The
names a failing statement itself might have bound before raising (a loop's variable) count as
unbound. The runner learns `failed` from a first pass and rebuilds; `rebuilt` says which changed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from lab.verbatim.documents import Block, Document
from lab.verbatim.names import KNOWN, Names, names_of, statement_starts
from lab.verbatim.semantics import Semantics

__all__ = ["KNOWN", "MARKER", "MARKER_LINE", "Names", "Program", "Segment", "build_programs", "cut_at",
           "failed_lines", "names_of", "own_output", "rebuilt"]
_MANDATORY_FUTURES = {"nested_scopes", "generators", "division", "absolute_import", "with_statement",
                      "print_function", "unicode_literals", "generator_stop"}


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
    chained: bool = False
    """Session semantics: it runs in the state the document's programs before it left (not alone)."""
    cut: Tuple[int, ...] = ()
    """Earlier blocks it joins only up to the statement where their own run raised."""

    @property
    def kind(self) -> str:
        """Its block's kind: 'code', or 'shell' (shell commands and magics only: nothing to run)."""
        return self.block.kind

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


def _join(document: str, parts: Sequence[Tuple[Block, str]], target: Block, missing: Tuple[str, ...],
          parses: bool, chained: bool = False) -> Program:
    texts, segments, line = [], [], 1
    for number, (block, text) in enumerate(parts):
        if block is target and len(parts) > 1:
            texts.append(MARKER_LINE)
            line += 1
        if line > 1 or number:
            text = _future_as_pass(text)
        text = text if text.endswith("\n") else text + "\n"
        count = len(text.splitlines())
        segments.append(Segment(block.index, line, count))
        texts.append(text)
        line += count
    cut = tuple(b.index for b, t in parts if b is not target and t != b.text)
    return Program(document, target, tuple(b.index for b, _ in parts), "".join(texts), tuple(segments), missing,
                   parses, chained, cut)


def _future_as_pass(text: str) -> str:
    """`from __future__ import print_function` past a program's start is a SyntaxError; the features
    Python 3 always has are no-ops, so such a line becomes `pass` (later lines keep their numbers)."""
    if "__future__" not in text:
        return text
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return text
    lines = text.split("\n")
    for node in tree.body:
        if (isinstance(node, ast.ImportFrom) and node.module == "__future__"
                and all(a.name in _MANDATORY_FUTURES for a in node.names)):
            end = getattr(node, "end_lineno", node.lineno) or node.lineno
            lines[node.lineno - 1] = "pass  # lab: " + " ".join(lines[node.lineno - 1].split())
            for k in range(node.lineno, end):
                lines[k] = ""
    return "\n".join(lines)


def cut_at(text: str, line: int) -> Optional[str]:
    """`text` up to (not including) the top-level statement that holds `line`; None when it does not parse
    or the line is outside it."""
    starts = statement_starts(text)
    if not starts or line < 1 or line > len(text.splitlines()):
        return None
    start = max((s for s in starts if s <= line), default=1)
    kept = text.splitlines()[: start - 1]
    return "\n".join(kept) + "\n" if kept else ""


def build_programs(document: Document, semantics: Semantics = Semantics.EXAMPLES,
                   failed: Optional[Mapping[int, int]] = None) -> List[Program]:
    """One program per block, in block order. `failed`: block index -> the line in that block where its
    own program raised (see the module's docstring); only examples semantics uses it."""
    if semantics is Semantics.SESSION:
        return [_join(document.name, [(b, b.text)], b, (), names_of(b.text) is not None, chained=True)
                for b in document.blocks]
    return _Examples(document, failed or {}).programs()


class _Examples:
    """Examples semantics: each block after the earlier blocks that define the names it reads."""

    def __init__(self, document: Document, failed: Mapping[int, int]) -> None:
        self.document = document
        self.names: Dict[int, Optional[Names]] = {b.index: names_of(b.text) for b in document.blocks}
        self.cut: Dict[int, Tuple[str, Optional[Names]]] = {}
        for block in document.blocks:
            line = failed.get(block.index)
            text = cut_at(block.text, line) if line is not None else None
            if text is not None:
                self.cut[block.index] = (text, names_of(text))

    def programs(self) -> List[Program]:
        return [self._program(position, block) for position, block in enumerate(self.document.blocks)]

    def _program(self, position: int, block: Block) -> Program:
        own = self.names[block.index]
        if own is None:
            return _join(self.document.name, [(block, block.text)], block, (), False)
        earlier = self.document.blocks[:position]
        whole: Dict[int, bool] = {}  # position -> taken whole (True) or cut (False)
        missing: List[str] = []
        todo = [(name, position) for name in sorted(own.free)]
        while todo:
            name, before = todo.pop(0)
            source, full = self._definer(earlier, name, before)
            if source is None:
                if name not in missing:
                    missing.append(name)
                continue
            if whole.get(source) is None or (full and not whole[source]):
                whole[source] = full or bool(whole.get(source))
                index = earlier[source].index
                needs = self.names[index] if full else self.cut[index][1]
                todo += [(n, source) for n in sorted(needs.free)] if needs else []
        parts = [(earlier[k], earlier[k].text if whole[k] else self.cut[earlier[k].index][0]) for k in sorted(whole)]
        return _join(self.document.name, [*parts, (block, block.text)], block, tuple(sorted(missing)), True)

    def _definer(self, earlier: Sequence[Block], name: str, before: int) -> Tuple[Optional[int], bool]:
        """The nearest earlier block that defines `name`, and whether it is taken whole."""
        last_resort = None
        for k in range(before - 1, -1, -1):
            index = earlier[k].index
            if index in self.cut:
                if _defines(self.cut[index][1], name):
                    return k, False
                if last_resort is None and _defines(self.names[index], name):
                    last_resort = k
            elif _defines(self.names[index], name):
                return k, True
        return last_resort, True


def failed_lines(errors: Iterable[Tuple[int, Optional[Mapping[str, Any]]]]) -> Dict[int, int]:
    """`failed` for build_programs from (block index, error of that block's own program) pairs: the
    blocks whose error lies in their own text (error["block"] is the block), with its line there."""
    found: Dict[int, int] = {}
    for index, error in errors:
        if error and error.get("block") == index and isinstance(error.get("line"), int):
            found[index] = error["line"]
    return found


def rebuilt(before: Sequence[Program], after: Sequence[Program]) -> List[Program]:
    """The programs of `after` whose text differs from the same block's program in `before`."""
    old = {(p.document, p.block.index): p.text for p in before}
    return [p for p in after if old.get((p.document, p.block.index)) != p.text]


def _defines(names: Optional[Names], name: str) -> bool:
    return names is not None and (name in names.defined or names.star)
