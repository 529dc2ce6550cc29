"""What a document shows as a block's output, checked against what the block printed, and rewritten.

A block's shown output is a notebook cell's stored stdout followed by the text of its `Out[n]`
value, or a Markdown "Output:" fence or an output fence right after the code. Modes:

- *strict* (the default): the same text, whitespace aside, and every number within the relative
  tolerance; memory addresses (`at 0x7f3a...`) are not compared.
- *numbers*: only the labelled numbers (lab/verbatim/printed.py): the same labels in the same
  order, values within the tolerance; the words around them may differ.
- *lax*, like nbval's `--nbval-lax`: only a block marked `# NBVAL_CHECK_OUTPUT` (or a cell tagged
  `nbval-check-output`) is compared, strictly; every other one is 'not checked'.

In every mode a block marked `# NBVAL_IGNORE_OUTPUT` or `# NBVAL_SKIP` (or tagged
`nbval-ignore-output`, `nbval-skip`) is 'not checked'. `update` rewrites the shown outputs in place
with what the blocks printed (what `--lab-update` calls, as pytest-examples' `--update-examples`).
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from lab.errors import UsageError
from lab.verbatim.documents import FENCE, Block, Document
from lab.verbatim.printed import NUMBER_TOKEN, RELATIVE, close, compare_expected

_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{4,}\b")
_IGNORE = ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP")
_IGNORE_TAGS = ("nbval-ignore-output", "nbval-skip")


class Match(str, enum.Enum):
    """How a block's printed output compares with the output its document shows."""

    MATCHES = "matches"
    DIFFERS = "differs"
    NOT_SHOWN = "not shown"
    """The document shows no output for the block."""
    NOT_CHECKED = "not checked"
    """A marker says not to compare it (or lax mode, and it is not marked for checking)."""


class Mode(str, enum.Enum):
    """How strictly shown and printed output are compared (see the module's docstring)."""

    STRICT = "strict"
    NUMBERS = "numbers"
    LAX = "lax"


@dataclass(frozen=True)
class Comparison:
    """The result of a comparison and, for `differs`, where (one line)."""

    result: Match
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.result.value}: {self.detail}" if self.detail else self.result.value


def parse_mode(text: Optional[str]) -> Mode:
    """'strict' (when None), 'numbers' or 'lax'; a one-line UsageError otherwise."""
    try:
        return Mode((text or "strict").strip().lower())
    except ValueError:
        raise UsageError(f"--output-check {text!r}: use {', '.join(m.value for m in Mode)}") from None


def shown(block: Block) -> Optional[str]:
    """Everything the document shows as the block's text output; None when it shows none."""
    if block.expected is None and block.shown_value is None:
        return None
    stdout = block.expected or ""
    if block.shown_value is None:
        return stdout
    return stdout + ("" if not stdout or stdout.endswith("\n") else "\n") + block.shown_value + "\n"


def compare(block: Block, printed: str, mode: Mode = Mode.STRICT, relative: float = RELATIVE) -> Comparison:
    """The block's shown output against `printed`: what its own code wrote to stdout (with the value of
    its last line where a kernel shows one)."""
    text = shown(block)
    if text is None:
        return Comparison(Match.NOT_SHOWN)
    if any(m in block.text for m in _IGNORE) or any(t in block.tags for t in _IGNORE_TAGS):
        return Comparison(Match.NOT_CHECKED, "marked not to check its output")
    if mode is Mode.LAX and "NBVAL_CHECK_OUTPUT" not in block.text and "nbval-check-output" not in block.tags:
        return Comparison(Match.NOT_CHECKED, "lax: not marked NBVAL_CHECK_OUTPUT")
    return compare_text(text, printed, Mode.NUMBERS if mode is Mode.NUMBERS else Mode.STRICT, relative)


def compare_text(shown_text: str, printed: str, mode: Mode = Mode.STRICT, relative: float = RELATIVE) -> Comparison:
    """Shown text against printed text, strictly (text and numbers) or by the labelled numbers only."""
    shown_text, printed = _ADDRESS.sub("0x...", shown_text), _ADDRESS.sub("0x...", printed)
    if mode is Mode.NUMBERS:
        result, detail = compare_expected(shown_text, printed)
        return Comparison(Match(result), detail)
    a, b = _tokens(shown_text), _tokens(printed)
    for (kind_a, va, line_a), (kind_b, vb, line_b) in zip(a, b):
        if kind_a != kind_b or (va != vb if kind_a == "text" else not close(va, vb, relative)):
            return Comparison(Match.DIFFERS, f"shown {_line(shown_text, line_a)!r}, printed {_line(printed, line_b)!r}")
    if len(a) != len(b):
        more, text, line = ("shows", shown_text, a[len(b)][2]) if len(a) > len(b) else (
            "does not show", printed, b[len(a)][2])
        return Comparison(Match.DIFFERS, f"the document {more} {_line(text, line)!r}")
    numbers = sum(1 for kind, _, _ in a if kind == "number")
    return Comparison(Match.MATCHES, f"the same text, {numbers} numbers within relative {relative:g}")


def _tokens(text: str) -> List[Tuple[str, Any, int]]:
    """(kind, value, line) for each number and each run of other text, whitespace left out."""
    tokens: List[Tuple[str, Any, int]] = []
    for number, line in enumerate(text.splitlines()):
        for word in line.split():
            at = 0
            for found in NUMBER_TOKEN.finditer(word):
                if found.start() > at:
                    _text(tokens, word[at:found.start()], number)
                tokens.append(("number", float(found.group()), number))
                at = found.end()
            if at < len(word):
                _text(tokens, word[at:], number)
    return tokens


def _text(tokens: List[Tuple[str, Any, int]], text: str, line: int) -> None:
    if tokens and tokens[-1][0] == "text":  # `a b` and `ab` are the same text, whitespace aside
        tokens[-1] = ("text", tokens[-1][1] + text, tokens[-1][2])
    else:
        tokens.append(("text", text, line))


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    line = lines[number].strip() if number < len(lines) else ""
    return line if len(line) <= 60 else line[:57] + "..."


def update(document: Document, printed: Mapping[int, str], values: Optional[Mapping[int, str]] = None) -> List[int]:
    """Rewrite the document's file so each block (by index) in `printed` shows what it printed; for a
    notebook, `values` gives the text of a cell's `Out[n]`. Only blocks that show output already are
    rewritten in Markdown (a block that shows none gets none). The blocks whose shown output changed."""
    if document.kind == "notebook":
        return update_notebook(document, printed, values or {})
    if document.kind == "markdown":
        return update_markdown(document, printed)
    return []


def update_markdown(document: Document, printed: Mapping[int, str]) -> List[int]:
    """Each shown output fence (or indented block) of the blocks in `printed`, rewritten in place."""
    raw = document.path.read_bytes().decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.splitlines()
    changed: List[int] = []
    for block in sorted(document.blocks, key=lambda b: -(b.expected_lines or (0, 0))[0]):
        if block.index not in printed or block.expected_lines is None:
            continue
        first, last = block.expected_lines
        opener = FENCE.match(lines[first - 2]) if first >= 2 else None
        indent = opener.group(1) if opener else "    "
        new = [indent + x if x.strip() else "" for x in printed[block.index].strip("\n").split("\n")]
        if lines[first - 1:last] != new:
            lines[first - 1:last] = new
            changed.append(block.index)
    if changed:
        text = newline.join(lines) + (newline if raw.endswith(("\n", "\r")) else "")
        document.path.write_bytes(text.encode("utf-8"))
    return sorted(changed)


def update_notebook(document: Document, printed: Mapping[int, str], values: Mapping[int, str]) -> List[int]:
    """Each cell's stored stdout (and `Out[n]` text) replaced; its other outputs (images, stderr) kept.
    The file keeps its indentation and key order, so only the rewritten outputs show in a diff."""
    raw = document.path.read_text(encoding="utf-8")
    data = json.loads(raw)
    second = raw.splitlines()[1] if raw.count("\n") else ""
    indent = len(second) - len(second.lstrip(" ")) or 1
    changed: List[int] = []
    for block in document.blocks:
        if block.cell is None or (block.index not in printed and block.index not in values):
            continue
        cell = data["cells"][block.cell - 1]
        before = json.dumps(cell.get("outputs", []))
        outputs: List[Dict[str, Any]] = list(cell.get("outputs") or [])
        if block.index in printed:
            outputs = _with_stdout(outputs, printed[block.index])
        if block.index in values:
            outputs = _with_value(outputs, values[block.index], cell.get("execution_count"))
        cell["outputs"] = outputs
        if json.dumps(outputs) != before:
            changed.append(block.index)
    if changed:
        text = json.dumps(data, indent=indent, ensure_ascii=False, separators=(",", ": "))
        document.path.write_text(text + ("\n" if raw.endswith("\n") else ""), encoding="utf-8")
    return changed


def _lines(text: str) -> List[str]:
    """Text as a notebook stores it: a list of lines, each with its newline."""
    return text.splitlines(keepends=True)


def _with_stdout(outputs: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    at = next((k for k, o in enumerate(outputs) if o.get("output_type") == "stream" and o.get("name") == "stdout"),
              None)
    if at is None:  # before the Out[n] value, as a kernel orders them
        at = next((k for k, o in enumerate(outputs) if o.get("output_type") == "execute_result"), len(outputs))
    kept = [o for o in outputs if not (o.get("output_type") == "stream" and o.get("name") == "stdout")]
    at = min(at, len(kept))
    new = [{"name": "stdout", "output_type": "stream", "text": _lines(text)}] if text else []
    return kept[:at] + new + kept[at:]


def _with_value(outputs: List[Dict[str, Any]], text: str, count: Any) -> List[Dict[str, Any]]:
    for output in outputs:
        if output.get("output_type") == "execute_result":
            data = {k: v for k, v in (output.get("data") or {}).items()
                    if k not in ("text/html", "text/markdown", "text/latex")}  # they would show the old value
            data["text/plain"] = _lines(text)
            output["data"] = data
            return outputs
    return [*outputs, {"data": {"text/plain": _lines(text)}, "execution_count": count, "metadata": {},
                       "output_type": "execute_result"}]
