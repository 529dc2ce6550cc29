"""Documents and their blocks: Python code from Markdown, plain text, notebooks and scripts.

Code is told from shown output and from shell lines (IPython's conventions: lab/verbatim/ipython.py);
output a document shows for a block (a notebook's stored stdout and last value, an "Output:" block
or an output fence right after the code) is kept beside it. A notebook's blocks are its non-empty
code cells, each with its 1-based position among all the notebook's cells.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, List, Optional, Tuple

from lab.errors import UsageError
from lab.verbatim.ipython import convert

MAX_BYTES = 5 << 20
SUFFIXES = (".md", ".markdown", ".txt", ".py", ".ipynb")
PYTHON_LANGS = {"python", "py", "python3", "ipython", "ipython3", "pycon", "python2"}
SHELL_LANGS = {"bash", "sh", "shell", "zsh", "console", "shell-session", "powershell", "bat", "cmd"}
OUTPUT_LANGS = {"", "text", "output", "none", "plaintext", "txt", "out"}
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+.-]*)")
_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}\s+(.+?)\s*#*\s*$|\*\*(.+?)\*\*:?\s*$)")
_OUTPUT_WORDS = re.compile(r"\b(output|outputs|prints?|printed|result|results)\b\s*:?\s*$", re.IGNORECASE)
_PROSE_CELL = re.compile(r"^# %%.*\[(?:markdown|md|raw)\]")  # jupytext's percent format
SHELL_LINE = re.compile(r"^\s*(?:!|%|\$ )")  # !pip, %matplotlib, $ pip


class DocumentError(UsageError):
    """A document that cannot be read as one (missing, binary, malformed, too big, no code)."""


@dataclass(frozen=True)
class Block:
    """One Python code block of a document (in a notebook: one non-empty code cell)."""

    index: int
    """1-based among the document's blocks (in a notebook: among its non-empty code cells)."""
    text: str
    """The code, IPython's shell lines and magics turned into `pass` lines (so line numbers stay)."""
    first_line: int
    """Its first line in the document; in a notebook, its first line in the cell (1, with `cell` set)."""
    heading: str = ""
    """The nearest heading before it ('Example 1: Basic Variable Initialization')."""
    expected: Optional[str] = None
    """The standard output the document shows for it, if any (a notebook's stored stdout)."""
    cell: Optional[int] = None
    """The notebook cell it is, 1-based, counting every cell (markdown and raw ones too) in the order
    Jupyter lists them: the cell's position, not its `In [n]` count. For a script, its `# %%` cell."""
    kind: str = "code"
    """'code', or 'shell' for a cell of shell commands and magics only: a block with nothing to run,
    kept so that blocks and cells are numbered without gaps."""
    skipped: Tuple[str, ...] = ()
    """What IPython would run and this block does not: `!pip install x`, `%matplotlib inline`."""
    shown_value: Optional[str] = None
    """The value a notebook shows for the cell's last expression (its `execute_result` text/plain)."""
    expected_lines: Optional[Tuple[int, int]] = None
    """In Markdown: the first and last line of the shown output's body in the document (to update it)."""
    tags: Tuple[str, ...] = ()
    """A notebook cell's metadata tags (nbval's `nbval-ignore-output`, `nbval-check-output`, ...)."""
    source: str = ""
    """The code as the document has it, before IPython's conventions (to run its shell lines when asked)."""

    @property
    def digest(self) -> str:
        """A hash of the text: a claim names it, so a changed document is noticed."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]

    @property
    def last_line(self) -> int:
        return self.first_line + max(0, len(self.text.splitlines()) - 1)


@dataclass(frozen=True)
class Document:
    """A file of prose and code, or a notebook, or a script."""

    name: str
    """How reports name it: the path relative to the folder given, or the file name."""
    path: Path
    kind: str
    """'markdown', 'notebook' or 'script'."""
    blocks: Tuple[Block, ...]
    shell: Tuple[str, ...] = ()
    """Shell lines the document shows ($ pip ..., !pip ..., %magic), not run."""


def _code(lines: List[str], dollar: bool = True) -> Tuple[str, Tuple[str, ...], str]:
    """Code with shell and magic lines turned into `pass` at the same indent, what was skipped, the kind."""
    converted = convert("\n".join(lines), dollar=dollar)
    return converted.text, converted.skipped, converted.kind


def _doctest(lines: List[str]) -> Tuple[List[str], str]:
    """A `>>>` session: its code lines, and the output lines between as the expected output."""
    code, shown = [], []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith((">>> ", "... ")) or stripped in (">>>", "..."):
            code.append(stripped[4:])
        elif stripped:
            shown.append(stripped)
    return code, "\n".join(shown)


def looks_like_code(text: str) -> bool:
    """Unlabelled text that parses as Python and does something (not a bare value like `[1 2]`)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return any(not isinstance(node, ast.Expr) or isinstance(node.value, ast.Call) for node in tree.body)


@dataclass
class _Piece:
    lang: Optional[str]  # None: an indented block
    lines: List[str]
    first_line: int
    heading: str
    before: str  # the prose between the previous piece and this one
    indent: str = ""  # what the document puts before each line of it (to write it back)


def _pieces(text: str) -> List[_Piece]:
    """Fenced and indented blocks of a Markdown or plain-text document, with headings and prose."""
    lines = text.splitlines()
    pieces: List[_Piece] = []
    heading, prose = "", []  # type: str, List[str]
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            mark, lang = fence.group(2), fence.group(3).lower()
            body, j = [], i + 1
            while j < len(lines) and not lines[j].strip().startswith(mark[0] * len(mark)):
                body.append(lines[j])
                j += 1
            indent = len(fence.group(1))
            body = [b[indent:] if b[:indent].strip() == "" else b for b in body]
            pieces.append(_Piece(lang, body, i + 2, heading, "\n".join(prose), fence.group(1)))
            prose, i = [], j + 1
            continue
        blank_before = i == 0 or not lines[i - 1].strip()
        if line.startswith(("    ", "\t")) and line.strip() and blank_before:
            body, j = [], i
            while j < len(lines) and (lines[j].startswith("    ") or lines[j].startswith("\t") or not lines[j].strip()):
                body.append(lines[j][4:] if lines[j].startswith("    ") else lines[j].lstrip("\t"))
                j += 1
            while body and not body[-1].strip():
                body.pop()
            pieces.append(_Piece(None, body, i + 1, heading, "\n".join(prose), "    "))
            prose, i = [], j
            continue
        found = _HEADING.match(line)
        if found and not _OUTPUT_WORDS.search(_plain(line)):
            heading = (found.group(1) or found.group(2)).strip()
        if line.strip():
            prose.append(line)
        i += 1
    return pieces


def _plain(line: str) -> str:
    """A prose line without Markdown emphasis: `**Output:**` reads as `Output:`."""
    return re.sub(r"[*_`]+", "", line).strip()


def _shows_output(piece: _Piece) -> bool:
    """Prose right before the piece says it is output ("Output:", "This prints:"); or, for a fence,
    nothing stands between it and the code before it, or its label says output."""
    before = piece.before.strip()
    if before and _OUTPUT_WORDS.search(_plain(before.splitlines()[-1])):
        return True
    return piece.lang is not None and (not before or piece.lang in ("output", "out"))


def _markdown(name: str, path: Path, text: str) -> Document:
    blocks: List[Block] = []
    shell: List[str] = []
    last_was_code = False
    for piece in _pieces(text):
        body = "\n".join(piece.lines)
        lang = piece.lang or ""
        shows_output = last_was_code and _shows_output(piece)
        if lang in SHELL_LANGS or (body.strip() and all(SHELL_LINE.match(x) or not x.strip() for x in piece.lines)):
            shell += [x.strip() for x in piece.lines if x.strip()]
            last_was_code = False
            continue
        if lang == "pycon" or (lang in PYTHON_LANGS | OUTPUT_LANGS and body.lstrip().startswith(">>>")):
            code, shown = _doctest(piece.lines)
            code_text, skipped, kind = _code(code)
            shell += skipped
            blocks.append(Block(len(blocks) + 1, code_text, piece.first_line, piece.heading, shown or None,
                                kind=kind, skipped=skipped, source="\n".join(code)))
            last_was_code = True
            continue
        is_code = lang in PYTHON_LANGS or (lang in OUTPUT_LANGS and looks_like_code(body) and not shows_output)
        if is_code and body.strip():
            code_text, skipped, kind = _code(piece.lines)
            shell += skipped
            blocks.append(Block(len(blocks) + 1, code_text, piece.first_line, piece.heading, kind=kind,
                                skipped=skipped, source=body))
            last_was_code = True
        elif shows_output and lang in OUTPUT_LANGS and blocks:
            span = (piece.first_line, piece.first_line + len(piece.lines) - 1)
            blocks[-1] = replace(blocks[-1], expected=body.strip("\n"), expected_lines=span)
            last_was_code = False
        else:
            last_was_code = False
    return Document(name, path, "markdown", tuple(blocks), tuple(shell))


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _stored_stdout(cell: Any) -> Optional[str]:
    """What a notebook cell printed when it was saved (its stdout stream); None when nothing."""
    texts = [_text(o.get("text", "")) for o in cell.get("outputs") or []
             if isinstance(o, dict) and o.get("output_type") == "stream" and o.get("name") == "stdout"]
    return "".join(texts) if texts else None


def _stored_value(cell: Any) -> Optional[str]:
    """The value the notebook shows for the cell's last expression (`Out[n]`), as text; None when none."""
    for output in cell.get("outputs") or []:
        if isinstance(output, dict) and output.get("output_type") == "execute_result":
            data = output.get("data")
            if isinstance(data, dict) and "text/plain" in data:
                return _text(data["text/plain"])
    return None


def _tags(cell: Any) -> Tuple[str, ...]:
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return tuple(str(t) for t in tags) if isinstance(tags, list) else ()


def _notebook(name: str, path: Path, text: str) -> Document:
    try:
        data = json.loads(text)
        cells = data["cells"]
        if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
            raise TypeError("cells is not a list of objects")
    except (ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"{name}: not a readable notebook ({type(exc).__name__}: {str(exc)[:80]})") from None
    blocks: List[Block] = []
    shell: List[str] = []
    heading = ""
    for number, cell in enumerate(cells, 1):
        source = _source(cell)
        if cell.get("cell_type") == "markdown":
            found = [m for m in (_HEADING.match(x) for x in source.splitlines()) if m]
            if found:
                heading = (found[0].group(1) or found[0].group(2)).strip()
            continue
        if cell.get("cell_type") != "code" or not source.strip():
            continue  # a kernel runs nothing for an empty cell
        code, skipped, kind = _code(source.splitlines(), dollar=False)
        shell += skipped
        blocks.append(Block(len(blocks) + 1, code, 1, heading, _stored_stdout(cell), number, kind, skipped,
                            _stored_value(cell), tags=_tags(cell), source=source))
    return Document(name, path, "notebook", tuple(blocks), tuple(shell))


def _script(name: str, path: Path, text: str) -> Document:
    """A .py file: one block, or one per `# %%` cell (then `cell` is the cell's 1-based number)."""
    lines = text.splitlines()
    starts = [i for i, x in enumerate(lines) if x.startswith("# %%")] or [0]
    if starts[0] != 0 and any(x.strip() for x in lines[: starts[0]]):
        starts.insert(0, 0)
    marked = any(x.startswith("# %%") for x in lines)
    blocks: List[Block] = []
    shell: List[str] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        part = lines[start:end]
        if not any(x.strip() and not x.startswith("# %%") for x in part) or _PROSE_CELL.match(part[0]):
            continue  # nothing in it, or a `# %% [markdown]` cell: prose in comments
        code, skipped, kind = _code(part, dollar=False)
        shell += skipped
        blocks.append(Block(len(blocks) + 1, code, start + 1, path.name, cell=k + 1 if marked else None, kind=kind,
                            skipped=skipped, source="\n".join(part)))
    return Document(name, path, "script", tuple(blocks), tuple(shell))


def with_shell(document: Document) -> Document:
    """The document with its blocks' shell commands made to run (`--allow-shell`): `!cmd`, `%pip`, `%%bash`."""
    blocks = []
    for block in document.blocks:
        if block.skipped and block.source:
            converted = convert(block.source, dollar=document.kind == "markdown", shell=True)
            block = replace(block, text=converted.text, skipped=converted.skipped, kind=converted.kind)
        blocks.append(block)
    return replace(document, blocks=tuple(blocks))


def read_document(path: Path, name: Optional[str] = None) -> Document:
    """The document at `path`; DocumentError (one line) when it cannot be one."""
    name = name or path.name
    if not path.exists():
        raise DocumentError(f"{path}: no such file or folder")
    if not path.is_file():
        raise DocumentError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DocumentError(f"{name}: {size / (1 << 20):.1f} MB is over the {MAX_BYTES >> 20} MB limit for a document")
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        raise DocumentError(f"{name}: a binary file, not a document (Markdown, text, .py or .ipynb)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(f"{name}: not UTF-8 text, so not a document this lab reads") from None
    suffix = path.suffix.lower()
    reader = _notebook if suffix == ".ipynb" else _script if suffix == ".py" else _markdown
    document = reader(name, path, text)
    if not document.blocks:
        raise DocumentError(f"{name}: no Python code found (fenced ```python blocks, indented code, "
                            "notebook code cells or a .py file)")
    return document
