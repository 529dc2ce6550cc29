"""The numbers a program prints, as values keyed by the label printed before them.

`Value after init: 1.0` gives ('Value after init', 1.0); `w: [[1. 2.]\\n [3. 4.]]` a nested list;
`tf.Tensor(3.0, shape=(), dtype=float32)`, `<tf.Variable ... numpy=2.0>`, `array([1., 2.],
dtype=float32)` and NumPy 2's `np.float32(0.02)` their value; `(3, 1)` the list [3.0, 1.0];
`{'loss': 0.5}` ('loss', 0.5). Several on one line each get the label printed before them:
`v: 0.5 w: [np.float32(0.25)]` gives ('v', 0.5) and ('w', [0.25]). What only looks like a value
gives none: a symbolic `Tensor("add:0", shape=(), ...)`, `<... object at 0x7f...>`, a version
`2.21.0`, the digits of a word (`conv2d`, `ckpt-1`), a list of strings.
"""

from __future__ import annotations

import math
import re
from typing import Any, List, Optional, Sequence, Tuple

NUMBER = r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|inf)"
NUMBER_TOKEN = re.compile(rf"(?<![\w.+-]){NUMBER}(?![\w]|\.\d)")  # a number standing alone (not in `conv2d`, `2.21.0`)
_NUMPY_SCALAR = re.compile(r"(?<![\w.])(?:np|numpy)\.[a-z]\w*\(")
_NUMPY_WORD = re.compile(r"(?<![\w.])(?:np|numpy)\.(?:True_|False_|nan|inf)(?!\w)")
_WRAPPER = re.compile(r"(?<![\w.])(?:tf\.Tensor|array)\(")
_SYMBOLIC = re.compile(r"(?<![\w.])Tensor\(")
_REPR = re.compile(r"<[A-Za-z_]")
_QUOTED = re.compile(r"[bru]?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
_WORD = re.compile(r"(?:None|True|False|Ellipsis|\.\.\.)(?!\w)")
_LEFT_OUT = re.compile(r"^\[\.\.\. \d+ bytes left out \.\.\.\]$")  # the guest's cut in a long output
_CLOSERS = {"[": "]", "(": ")", "{": "}", "<": ">"}
RELATIVE = 1e-6
Value = Any  # a float, or a nested list of floats


class _Opaque:
    """Something read whole that holds no number to keep (a list of strings, a symbolic tensor)."""


OPAQUE = _Opaque()


class _Pairs(list):
    """A dict's entries: each numeric value under its key."""


def parse_value(text: str) -> Optional[Value]:
    """The first value in `text`, as a float or nested lists of floats (None when it holds none)."""
    for _, value in printed_values(text):
        return value
    return None


def printed_values(stdout: str) -> List[Tuple[str, Value]]:
    """Each printed value in order, with the label printed before it. `Iteration 1, Weight Value: 0.5,
    Loss: 2.0` gives ('Iteration', 1.0), ('Weight Value', 0.5), ('Loss', 2.0)."""
    found: List[Tuple[str, Value]] = []
    for line in _logical_lines(stdout):
        if _LEFT_OUT.match(line.strip()):
            continue
        found += _Line(line).pairs()
    return found


def _logical_lines(text: str) -> List[str]:
    """Lines joined while a bracket stays open and the next line continues a value (numpy prints a
    matrix over several lines; a tensor's repr opens on one line and closes lines later)."""
    out: List[str] = []
    stack: List[str] = []
    for line in text.splitlines():
        continues = bool(stack) and out and (line[:1].isspace() or line.lstrip()[:1] in "[(])>" or
                                             line.lstrip().startswith(("array", "dtype")))
        if continues:
            out[-1] += " " + line.strip()
        else:
            out.append(line)
            stack = []
        for i, ch in enumerate(line):
            if ch in "[({" or (ch == "<" and _REPR.match(line, i)):
                stack.append(_CLOSERS[ch])
            elif stack and ch == stack[-1]:
                stack.pop()
    return out


class _Line:
    """One logical line, read left to right: values, and the label text between them."""

    def __init__(self, text: str) -> None:
        self.text = text

    def pairs(self) -> List[Tuple[str, Value]]:
        found: List[Tuple[str, Value]] = []
        i, label_start = 0, 0
        while i < len(self.text):
            parsed = self.value(i)
            if parsed is None:
                indexing = self.text[i] in "[(" and i and (self.text[i - 1].isalnum() or self.text[i - 1] in "_])")
                i = (self._close(i) or i + 1) if indexing else i + 1  # `x[0]`, `f(3)`: part of the label
                continue
            value, end = parsed
            label = _label(self.text[label_start:i])
            if isinstance(value, _Pairs):
                found += list(value)
            elif value is not OPAQUE:
                found.append((label, value))
            i = label_start = end
        return found

    def value(self, i: int) -> Optional[Tuple[Any, int]]:
        """The value that starts at `i` and where it ends; None when none starts there."""
        text = self.text
        ch = text[i]
        if ch in "-+.0123456789ni":
            number = NUMBER_TOKEN.match(text, i)
            if number:
                return float(number.group()), number.end()
        if ch in "[(" and i and (text[i - 1].isalnum() or text[i - 1] in "_])"):
            return None  # `x[0]`, `f(3)`: an index or a call in a label, not a value
        if ch == "[":
            return self._sequence(i, "]")
        if ch == "(":
            return self._sequence(i, ")", tuple_only=True)
        if ch == "{":
            return self._dict(i)
        if ch == "<" and _REPR.match(text, i):
            return self._repr(i)
        for pattern in (_WRAPPER, _NUMPY_SCALAR):
            found = pattern.match(text, i)
            if found:
                inner = self._skip_space(found.end())
                parsed = self.value(inner) if inner < len(text) else None
                end = self._close(found.end() - 1)
                if end is None:
                    return None
                keep = parsed is not None and parsed[0] is not OPAQUE and not isinstance(parsed[0], _Pairs)
                return (parsed[0] if keep else OPAQUE), end  # type: ignore[index]  # parsed is a tuple here
        for pattern in (_SYMBOLIC, _NUMPY_WORD):
            found = pattern.match(text, i)
            if found:
                end = self._close(found.end() - 1) if pattern is _SYMBOLIC else found.end()
                return (OPAQUE, end) if end is not None else None
        return None

    def _skip_space(self, i: int) -> int:
        while i < len(self.text) and self.text[i].isspace():
            i += 1
        return i

    def _item(self, i: int) -> Optional[Tuple[Any, int]]:
        """A value, or a string, None, True, `...` (kept as OPAQUE) inside a list, tuple or dict."""
        parsed = self.value(i)
        if parsed is not None:
            return parsed
        found = _QUOTED.match(self.text, i) or _WORD.match(self.text, i)
        return (OPAQUE if "..." not in found.group() else None, found.end()) if found else None

    def _sequence(self, start: int, closer: str, tuple_only: bool = False) -> Optional[Tuple[Any, int]]:
        """`[1. 2.]`, `[1, [2, 3]]`, `(3, 1)`: a list of floats; with any string or None in it, OPAQUE."""
        items: List[Any] = []
        i, commas = start + 1, 0
        while True:
            i = self._skip_space(i)
            if i >= len(self.text):
                return (items, i) if items and not tuple_only else None  # cut short: keep what was printed
            if self.text[i] == closer:
                break
            if self.text[i] == ",":
                i, commas = i + 1, commas + 1
                continue
            parsed = self._item(i)
            if parsed is None:
                return None  # prose in brackets: `(see above)`, `[=====>...]`
            if parsed[0] is not None:
                items.append(parsed[0])
            i = parsed[1]
        end = i + 1
        if tuple_only and not commas:
            return (items[0], end) if len(items) == 1 else None  # `(0.5)`: a number in parentheses
        numbers = [x for x in items if x is not OPAQUE and not isinstance(x, _Pairs)]
        # [('UNK', 44), ('the', 10)] keeps its numbers, [[44.0], [10.0]]; ['a', 'b'] holds none
        return (numbers if numbers or not items else OPAQUE), end

    def _dict(self, start: int) -> Optional[Tuple[Any, int]]:
        """`{'loss': 0.5, 'acc': [0.9]}`: each numeric value under its key."""
        pairs = _Pairs()
        i = start + 1
        while True:
            i = self._skip_space(i)
            if i >= len(self.text):
                return None
            if self.text[i] == "}":
                return pairs, i + 1
            if self.text[i] == ",":
                i += 1
                continue
            key = self._item(i)
            if key is None:
                return None
            colon = self._skip_space(key[1])
            if colon >= len(self.text) or self.text[colon] != ":":
                return None
            value = self._item(self._skip_space(colon + 1))
            if value is None:
                return None
            if value[0] is not OPAQUE and not isinstance(value[0], _Pairs):
                name = self.text[i:key[1]].strip()
                pairs.append((name[1:-1] if name[:1] in "'\"" else name.lstrip("bru")[1:-1] or name, value[0]))
            i = value[1]

    def _repr(self, start: int) -> Optional[Tuple[Any, int]]:
        """`<tf.Variable 'w:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>`: the
        value after `numpy=`; a repr without one (`<... object at 0x7f...>`) is OPAQUE."""
        end = self._close(start)
        if end is None:
            return None
        at = self.text.find("numpy=", start, end)
        if at < 0:
            return OPAQUE, end
        parsed = self.value(self._skip_space(at + len("numpy=")))
        return (parsed[0] if parsed is not None else OPAQUE), end

    def _close(self, start: int) -> Optional[int]:
        """Just past the bracket that closes the one at `start` (quotes and nesting respected)."""
        stack = [_CLOSERS[self.text[start]]]
        i = start + 1
        while i < len(self.text):
            ch = self.text[i]
            if ch in "'\"":
                quoted = _QUOTED.match(self.text, i)
                i = quoted.end() if quoted else i + 1
                continue
            if ch in "[({":
                stack.append(_CLOSERS[ch])
            elif ch == stack[-1]:
                stack.pop()
                if not stack:
                    return i + 1
            i += 1
        return None


def _label(text: str) -> str:
    """The words printed before a value: `, Weight Value: ` -> 'Weight Value'. Only the last part
    counts after a Keras ` - `, a `|`, a `;`, or a `:` or `=` inside it (`initial: gen_loss: ` ->
    'gen_loss', `INFO:tensorflow:loss = ` -> 'loss'); a comma stays (`Value after init, following
    assignment`)."""
    text = " ".join(text.split()).strip(" ,;/-(").rstrip(":=").rstrip()
    for separator in (" - ", "|", ";", ":", "="):
        text = text.rsplit(separator, 1)[-1]
    return text.strip(" ,/-('\"")


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
    """('matches' | 'differs', why) of a run's output against the output the document shows: its
    labelled values within the tolerance, or its text (whitespace aside) when it shows no number."""
    shown, got = printed_values(expected), printed_values(stdout)
    if not shown:
        same = " ".join(expected.split()) == " ".join(stdout.split())
        return ("matches", "the same text") if same else ("differs", "the printed text differs")
    if same_values(shown, got):
        return "matches", f"{len(shown)} printed values within relative {RELATIVE:g}"
    for i, ((ls, vs), (lg, vg)) in enumerate(zip(shown, got)):
        if ls != lg or not close(vs, vg):
            return "differs", f"value {i + 1} ({ls or 'unlabelled'}): shown {short(vs)}, printed {short(vg)}"
    return "differs", f"the document shows {len(shown)} values, the run printed {len(got)}"


def short(value: Value) -> str:
    """A value in at most 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
