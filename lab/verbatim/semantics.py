"""How a document's blocks run: in order in one state, as a kernel runs cells, or each example alone.

*session* (notebooks and .py files): the cells run in order, each in the state the cells before it
left (names, files, TensorFlow's state), as a kernel with `allow_errors` runs them. The guest's
fork chain runs `session_cells(document)` in order. *examples* (Markdown and text articles): each
block runs as a program of its own, after the earlier blocks that define the names it reads
(lab/verbatim/programs.py): a reader copies an example, not the whole page.
"""

from __future__ import annotations

import ast
import enum
import io
import tokenize
from dataclasses import dataclass
from typing import List, Optional, Tuple, Union

from lab.errors import UsageError
from lab.verbatim.documents import Block, Document


class Semantics(str, enum.Enum):
    """How a document's blocks run."""

    SESSION = "session"
    """In order, in one state, as a kernel runs a notebook's cells."""
    EXAMPLES = "examples"
    """Each block alone, after the earlier blocks that define the names it reads."""

    def __str__(self) -> str:
        return self.value


DEFAULTS = {"notebook": Semantics.SESSION, "script": Semantics.SESSION, "markdown": Semantics.EXAMPLES}
"""A document kind's semantics unless told otherwise (Markdown and plain text are 'markdown')."""


def parse_semantics(text: Optional[str]) -> Optional[Semantics]:
    """'session' or 'examples' (None when not given); a one-line UsageError otherwise."""
    if text is None:
        return None
    try:
        return Semantics(text.strip().lower())
    except ValueError:
        raise UsageError(f"--semantics {text!r}: use {' or '.join(s.value for s in Semantics)}") from None


def semantics_of(document: Document, override: Union[Semantics, str, None] = None) -> Semantics:
    """The semantics a document runs under: `override` when given, else its kind's default."""
    if override is not None:
        return override if isinstance(override, Semantics) else parse_semantics(override)  # type: ignore[return-value]  # parse_semantics gives None only for None
    return DEFAULTS.get(document.kind, Semantics.EXAMPLES)


@dataclass(frozen=True)
class SessionCell:
    """One cell as a kernel executes it: its own code, IPython's conventions applied."""

    block: Block
    shows_value: bool
    """Its last statement is an expression not ended by `;`: a kernel shows its value as `Out[n]`
    (nothing when the value is None, as for a last `print(...)`)."""

    @property
    def text(self) -> str:
        return self.block.text

    @property
    def cell(self) -> Optional[int]:
        """The notebook cell, 1-based, counting every cell (see Block.cell)."""
        return self.block.cell

    @property
    def kind(self) -> str:
        return self.block.kind

    @property
    def skipped(self) -> Tuple[str, ...]:
        return self.block.skipped


def session_cells(document: Document) -> List[SessionCell]:
    """The document's cells in the order a kernel runs them (a shell-only cell included, kind 'shell')."""
    return [SessionCell(b, b.kind == "code" and shows_last_value(b.text)) for b in document.blocks]


def shows_last_value(text: str) -> bool:
    """Whether IPython would show a value for this cell: its last statement is an expression and the
    cell does not end with `;` (IPython's DisplayHook.quiet)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return False
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in skip]
    except (tokenize.TokenError, SyntaxError):
        return True
    return not tokens or tokens[-1].string != ";"
