"""The numbers a program prints, as values keyed by the label printed before them.

`Value after init: 1.0` gives ('Value after init', 1.0); `w: [[1. 2.]\n [3. 4.]]` gives a nested
list; `tf.Tensor(3.0, shape=(), dtype=float32)` and `<tf.Variable ... numpy=2.0>` give their value.
"""

from __future__ import annotations

import math
import re
from typing import Any, List, Optional, Sequence, Tuple

NUMBER = r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|inf)"
_TOKEN = re.compile(rf"\[|\]|{NUMBER}")
_NUMBER = re.compile(NUMBER)
_WRAPPED = re.compile(r"(?:tf\.Tensor\(|numpy=|array\()")
_LABEL = re.compile(r"^(?P<label>.*?[A-Za-z_][^:=]*?)\s*[:=]\s*(?P<rest>.*)$")
RELATIVE = 1e-6
Value = Any  # a float, or a nested list of floats


def _number(token: str) -> float:
    return float(token)


def parse_value(text: str) -> Optional[Value]:
    """The first number or bracketed array in `text`, as a float or nested lists of floats."""
    start = _WRAPPED.search(text)
    if start:
        text = text[start.end():]
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    if tokens[0] != "[":
        return _number(tokens[0])
    stack: List[List[Any]] = [[]]
    for token in tokens:
        if token == "[":
            stack.append([])
        elif token == "]":
            if len(stack) == 1:
                break
            done = stack.pop()
            stack[-1].append(done)
            if len(stack) == 1:
                break
        else:
            stack[-1].append(_number(token))
    while len(stack) > 1:  # an array cut short (bounded output): keep what was printed
        done = stack.pop()
        stack[-1].append(done)
    return stack[0][0] if stack[0] else None


def _logical_lines(text: str) -> List[str]:
    """Lines joined while a bracket stays open (numpy prints a matrix over several lines)."""
    out: List[str] = []
    depth = 0
    for line in text.splitlines():
        if depth > 0 and out:
            out[-1] += " " + line.strip()
        else:
            out.append(line)
        depth = max(0, depth + line.count("[") - line.count("]"))
    return out


def _split(text: str, separators: str) -> List[str]:
    """`text` cut at the separators that stand outside brackets, parentheses and quotes."""
    parts: List[str] = []
    current: List[str] = []
    depth, quote = 0, ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


_STARTS_VALUE = re.compile(rf"^\s*(?:\[|{NUMBER}(?![\w.])|tf\.Tensor\(|array\(|<tf\.Variable)")
_WORDS_NUMBER = re.compile(rf"^\s*([A-Za-z_][\w ]*?)\s+({NUMBER})\s*$")


def _pair(part: str) -> Optional[Tuple[str, Value]]:
    wrapper = re.search(r"<tf\.Variable|tf\.Tensor\(|array\(", part)
    if wrapper:
        before = [p.strip() for p in _split(part[: wrapper.start()], ":=") if p.strip()]
        value = parse_value(part[wrapper.start():])
        return (before[-1] if before else "", value) if value is not None else None
    pieces = _split(part, ":=")
    for j in range(1, len(pieces)):
        if _STARTS_VALUE.match(pieces[j]):
            value = parse_value("=".join(pieces[j:]))
            return (pieces[j - 1].strip(), value) if value is not None else None
    words = _WORDS_NUMBER.match(part)
    if words:
        return words.group(1).strip(), _number(words.group(2))
    value = parse_value(part)
    return ("", value) if value is not None else None


def printed_values(stdout: str) -> List[Tuple[str, Value]]:
    """Each printed `label: value` that holds a number, in order. `Iteration 1, Weight Value: 0.5,
    Loss: 2.0` gives ('Iteration', 1.0), ('Weight Value', 0.5), ('Loss', 2.0)."""
    found: List[Tuple[str, Value]] = []
    for line in _logical_lines(stdout):
        if not _NUMBER.search(line):
            continue
        parts: List[str] = []
        for piece in _split(line, ",;"):
            # "Value after init, following assignment: 1.0": a comma inside a label is no separator
            if parts and not _NUMBER.search(parts[-1]):
                parts[-1] += "," + piece
            else:
                parts.append(piece)
        for part in parts:
            if part.strip() and _NUMBER.search(part):
                pair = _pair(part)
                if pair is not None:
                    found.append(pair)
    return found


def close(a: Value, b: Value, relative: float = RELATIVE) -> bool:
    """Equal within the lab's relative tolerance, element by element."""
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(
            close(x, y, relative) for x, y in zip(a, b))
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= relative * max(abs(a), abs(b))


def same_values(a: Sequence[Tuple[str, Value]], b: Sequence[Tuple[str, Value]]) -> bool:
    """The same labels in the same order, with values close."""
    return len(a) == len(b) and all(la == lb and close(va, vb) for (la, va), (lb, vb) in zip(a, b))


def compare_expected(expected: str, stdout: str) -> Tuple[str, str]:
    """('matches' | 'differs', why) of a run's output against the output the document shows."""
    shown, got = printed_values(expected), printed_values(stdout)
    if not shown:
        same = " ".join(expected.split()) == " ".join(stdout.split())
        return ("matches", "the same text") if same else ("differs", "the printed text differs")
    if same_values(shown, got):
        return "matches", f"{len(shown)} printed values within relative {RELATIVE:g}"
    for i, ((ls, vs), (lg, vg)) in enumerate(zip(shown, got)):
        if ls != lg or not close(vs, vg):
            return "differs", f"value {i + 1} ({ls or 'unlabelled'}): shown {_short(vs)}, printed {_short(vg)}"
    return "differs", f"the document shows {len(shown)} values, the run printed {len(got)}"


def _short(value: Value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
