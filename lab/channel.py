"""The host's reading of a guest's channel: bounded and total, whatever the guest writes.

The guest (lab/guest/server.py) writes lines of ASCII JSON: facts, freeze, a `start` before each
job, and for each job a header followed by exactly `bytes` bytes of the child's own result. This
reader never holds more than one line's limit in memory (it measures a line while reading it,
never after), stops taking input past the stream's limit, and turns any line it cannot use into
one refusal: a parse error of any kind (deep nesting included) refuses that line only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

MAX_LINE = 64 << 20
"""A header, or a payload of at most the guest's 8 MiB: longer lines are skipped unread."""
MAX_STREAM = 4 << 30
"""All a guest may send in one batch; the rest is ignored."""
MAX_REFUSED = 100
"""After this many refused lines the rest of the stream is skipped, with one message."""


def parse_json(raw: bytes) -> Any:
    """The JSON value of `raw`, or None when it is not JSON this host can read: RecursionError
    (deep nesting), MemoryError and UnicodeError refuse the value, never the batch."""
    try:
        return json.loads(raw)
    except Exception:  # RecursionError, MemoryError and UnicodeDecodeError are all Exceptions
        return None


class Lines:
    """Bytes in, complete lines out, none longer than `max_line` (longer ones are counted and
    skipped while they stream past)."""

    def __init__(self, max_line: int = MAX_LINE, max_stream: int = MAX_STREAM) -> None:
        self.max_line, self.max_stream = max_line, max_stream
        self._buffer = bytearray()
        self._skipping = False
        self.seen = 0
        self.too_long = 0
        self.truncated = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.seen + len(data) > self.max_stream:
            self.truncated = True
            data = data[:max(0, self.max_stream - self.seen)]
        self.seen += len(data)
        start = 0
        while start < len(data):
            end = data.find(b"\n", start)
            piece = data[start:] if end < 0 else data[start:end]
            if not self._skipping:
                if len(self._buffer) + len(piece) > self.max_line:
                    self._skipping = True
                    self._buffer.clear()
                else:
                    self._buffer += piece
            if end < 0:
                return
            if self._skipping:
                self.too_long += 1
                yield b"\x00"  # a placeholder the parser refuses: the line's place is kept
            else:
                yield bytes(self._buffer)
            self._buffer.clear()
            self._skipping = False
            start = end + 1
        return


@dataclass
class JobLine:
    """One job's answer: the guest's header and the child's own result bytes."""

    index: int
    attempt: int
    header: Dict[str, Any]
    payload: bytes
    cell: Optional[int] = None
    """For a session's answer about one of its cells: which (the job's own last header has none)."""


@dataclass
class Channel:
    """What a guest said: its facts, freeze, which jobs started, the answers, the refusals."""

    facts: Dict[str, Any] = field(default_factory=dict)
    freeze: List[str] = field(default_factory=list)
    started: List[Tuple[int, int]] = field(default_factory=list)
    answers: List[JobLine] = field(default_factory=list)
    done: bool = False
    refused: int = 0
    notes: List[str] = field(default_factory=list)
    _lines: Lines = field(default_factory=Lines)
    _header: Optional[Dict[str, Any]] = None

    def feed(self, data: bytes) -> None:
        for line in self._lines.feed(data):
            if self.refused >= MAX_REFUSED:
                break
            self._take(line)

    def close(self) -> None:
        """The stream ended: a header still waiting for its payload is refused."""
        if self._header is not None:
            self._refuse("a job's result was cut short")
            self._header = None
        if self._lines.truncated:
            self.notes.append(f"the guest sent more than {MAX_STREAM >> 20} MiB; the rest was ignored")
        if self.refused >= MAX_REFUSED:
            self.notes.append(f"{MAX_REFUSED} lines refused; the rest of the guest's output was skipped")

    def _refuse(self, why: str) -> None:
        self.refused += 1
        if len(self.notes) < 5:
            self.notes.append(why)

    def _take(self, line: bytes) -> None:
        if self._header is not None:
            header, self._header = self._header, None
            if len(line) != header["bytes"]:
                self._refuse(f"job {header['job']}'s result is not the {header['bytes']} bytes announced")
                return
            cell = header.get("cell")
            self.answers.append(JobLine(header["job"], header["attempt"], header, line,
                                        cell if _is_int(cell) else None))
            return
        data = parse_json(line)
        if not isinstance(data, dict):
            self._refuse("a line that is not a JSON object")
        elif _is_int(data.get("job")) and _is_int(data.get("attempt")) and _is_int(data.get("bytes")):
            self._header = data
        elif _is_int(data.get("start")) and _is_int(data.get("attempt")):
            self.started.append((data["start"], data["attempt"]))
        elif isinstance(data.get("facts"), dict) and not self.facts:
            self.facts = data["facts"]
        elif isinstance(data.get("freeze"), list) and not self.freeze:
            self.freeze = [str(x)[:200] for x in data["freeze"][:5000]]
        elif data.get("done") is True:
            self.done = True
        else:
            self._refuse("a line that is no part of the guest's protocol")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
