"""Documents and their blocks: Python code from Markdown, plain text, notebooks and scripts.

Code is told from shown output and from shell lines; output a document shows for a block (a
notebook's stored stdout, an "Output:" block after the code) is kept as its expected output.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Tuple

from lab.errors import UsageError

MAX_BYTES = 5 << 20
SUFFIXES = (".md", ".markdown", ".txt", ".py", ".ipynb")
PYTHON_LANGS = {"python", "py", "python3", "ipython", "ipython3", "pycon", "python2"}
SHELL_LANGS = {"bash", "sh", "shell", "zsh", "console", "shell-session", "powershell", "bat", "cmd"}
OUTPUT_LANGS = {"", "text", "output", "none", "plaintext", "txt", "out"}
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+.-]*)")
_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}\s+(.+?)\s*#*\s*$|\*\*(.+?)\*\*:?\s*$)")
_OUTPUT_WORDS = re.compile(r"\b(output|outputs|prints?|printed|result|results)\b\s*:?\s*$", re.IGNORECASE)
SHELL_LINE = re.compile(r"^\s*(?:!|%|\$ )")  # !pip, %matplotlib, $ pip


class DocumentError(UsageError):
    """A document that cannot be read as one (missing, binary, malformed, too big, no code)."""


@dataclass(frozen=True)
class Block:
    """One Python code block of a document."""

    index: int
    """1-based among the document's Python blocks."""
    text: str
    """The code, shell lines turned into `pass` lines (so line numbers stay)."""
    first_line: int
    """Its first line in the document (in a notebook: 1, with `cell` set)."""
    heading: str = ""
    """The nearest heading before it ('Example 1: Basic Variable Initialization')."""
    expected: Optional[str] = None
    """The output the document shows for it, if any."""
    cell: Optional[int] = None
    """The notebook cell (0-based) it comes from."""

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


def _strip_shell(lines: List[str]) -> Tuple[str, List[str]]:
    """Code with shell and magic lines turned into `pass` at the same indent, and those lines."""
    kept, shell = [], []
    for line in lines:
        if SHELL_LINE.match(line):
            shell.append(line.strip())
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(f"{indent}pass  # lab: shell line not run")
        else:
            kept.append(line)
    return "\n".join(kept).rstrip() + "\n", shell


def _doctest(lines: List[str]) -> Tuple[List[str], str]:
    """A `>>>` session: its code lines, and the output lines between as the expected output."""
    code, shown = [], []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(">>> ") or stripped == ">>>":
            code.append(stripped[4:])
        elif stripped.startswith("... ") or stripped == "...":
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


def _pieces(text: str) -> List[_Piece]:
    """Fenced and indented blocks of a Markdown or plain-text document, with headings and prose."""
    lines = text.splitlines()
    pieces: List[_Piece] = []
    heading, prose = "", []  # type: str, List[str]
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            mark, lang = fence.group(2), fence.group(3).lower()
            body, j = [], i + 1
            while j < len(lines) and not lines[j].strip().startswith(mark[0] * len(mark)):
                body.append(lines[j])
                j += 1
            indent = len(fence.group(1))
            body = [b[indent:] if b[:indent].strip() == "" else b for b in body]
            pieces.append(_Piece(lang, body, i + 2, heading, "\n".join(prose)))
            prose, i = [], j + 1
            continue
        blank_before = i == 0 or not lines[i - 1].strip()
        if (line.startswith("    ") or line.startswith("\t")) and line.strip() and blank_before:
            body, j = [], i
            while j < len(lines) and (lines[j].startswith("    ") or lines[j].startswith("\t") or not lines[j].strip()):
                body.append(lines[j][4:] if lines[j].startswith("    ") else lines[j].lstrip("\t"))
                j += 1
            while body and not body[-1].strip():
                body.pop()
            pieces.append(_Piece(None, body, i + 1, heading, "\n".join(prose)))
            prose, i = [], j
            continue
        found = _HEADING.match(line)
        if found:
            heading = (found.group(1) or found.group(2)).strip()
        if line.strip():
            prose.append(line)
        i += 1
    return pieces


def _markdown(name: str, path: Path, text: str) -> Document:
    blocks: List[Block] = []
    shell: List[str] = []
    last_was_code = False
    for piece in _pieces(text):
        body = "\n".join(piece.lines)
        lang = piece.lang or ""
        shows_output = bool(_OUTPUT_WORDS.search(piece.before.strip().splitlines()[-1] if piece.before.strip() else ""))
        if lang in SHELL_LANGS or (body.strip() and all(SHELL_LINE.match(x) or not x.strip() for x in piece.lines)):
            shell += [x.strip() for x in piece.lines if x.strip()]
            last_was_code = False
            continue
        if lang == "pycon" or (lang in PYTHON_LANGS | OUTPUT_LANGS and body.lstrip().startswith(">>>")):
            code, shown = _doctest(piece.lines)
            code_text, lines_shell = _strip_shell(code)
            shell += lines_shell
            blocks.append(Block(len(blocks) + 1, code_text, piece.first_line, piece.heading, shown or None))
            last_was_code = True
            continue
        is_code = lang in PYTHON_LANGS or (lang in OUTPUT_LANGS and looks_like_code(body) and not
                                           (last_was_code and shows_output))
        if is_code and body.strip():
            code_text, lines_shell = _strip_shell(piece.lines)
            shell += lines_shell
            blocks.append(Block(len(blocks) + 1, code_text, piece.first_line, piece.heading))
            last_was_code = True
        elif last_was_code and lang in OUTPUT_LANGS and shows_output and blocks:
            previous = blocks[-1]
            blocks[-1] = Block(previous.index, previous.text, previous.first_line, previous.heading,
                               body.strip("\n"), previous.cell)
            last_was_code = False
        else:
            last_was_code = False
    return Document(name, path, "markdown", tuple(blocks), tuple(shell))


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _stored_stdout(cell: Any) -> Optional[str]:
    """What a notebook cell printed when it was saved (its stdout stream); None when nothing."""
    texts = []
    for output in cell.get("outputs") or []:
        if isinstance(output, dict) and output.get("output_type") == "stream" and output.get("name") == "stdout":
            text = output.get("text", "")
            texts.append("".join(text) if isinstance(text, list) else str(text))
    return "".join(texts) if texts else None


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
    for number, cell in enumerate(cells):
        source = _source(cell)
        if cell.get("cell_type") == "markdown":
            found = [m for m in (_HEADING.match(x) for x in source.splitlines()) if m]
            if found:
                heading = (found[0].group(1) or found[0].group(2)).strip()
            continue
        if cell.get("cell_type") != "code" or not source.strip():
            continue
        lines = source.splitlines()
        if all(SHELL_LINE.match(x) or not x.strip() for x in lines):
            shell += [x.strip() for x in lines if x.strip()]
            continue
        code, found_shell = _strip_shell(lines)
        shell += found_shell
        blocks.append(Block(len(blocks) + 1, code, 1, heading, _stored_stdout(cell), number))
    return Document(name, path, "notebook", tuple(blocks), tuple(shell))


def _script(name: str, path: Path, text: str) -> Document:
    """A .py file: one block, or one per `# %%` cell."""
    lines = text.splitlines()
    starts = [i for i, x in enumerate(lines) if x.startswith("# %%")] or [0]
    if starts[0] != 0 and any(x.strip() for x in lines[: starts[0]]):
        starts.insert(0, 0)
    blocks: List[Block] = []
    shell: List[str] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        part = lines[start:end]
        if not any(x.strip() and not x.startswith("# %%") for x in part):
            continue
        code, found = _strip_shell(part)
        shell += found
        blocks.append(Block(len(blocks) + 1, code, start + 1, path.name))
    return Document(name, path, "script", tuple(blocks), tuple(shell))


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
