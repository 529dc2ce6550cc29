"""What a job's child prints, read from a non-blocking pipe as it comes, bounded: its start and its end."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator

HEAD, TAIL = 12 << 10, 4 << 10
"""What is kept of a program's or a cell's stdout and stderr: the start, and the end (a traceback)."""


def shown(head: bytes, tail: bytes, size: int) -> Dict[str, Any]:
    """The start and the end of `size` bytes as the reports show them, with the note of what was left
    out between them, which the host's number parser knows (lab/verbatim/printed.py)."""
    left_out = size - len(head) - len(tail)
    gap = b"\n[... %d bytes left out ...]\n" % left_out if left_out else b""
    return {"text": (head + gap + tail).decode("utf-8", errors="replace"), "bytes": size}


class Output:
    """What a child printed on one stream, read from its pipe as it comes: the first `head` bytes,
    the last `tail`, and how many in all. A child printing hundreds of MB costs no memory and no
    disk; what it printed survives its crash."""

    def __init__(self, fd: int, head: int, tail: int) -> None:
        self.fd, self.head_limit, self.tail_limit = fd, head, tail
        self.head = bytearray()
        self.tail = bytearray()
        self.size = 0
        self.eof = False

    def read(self) -> None:
        for data in chunks(self.fd, self.eof):
            if not data:
                self.eof = True
                return
            self.size += len(data)
            room = self.head_limit - len(self.head)
            if room > 0:
                self.head += data[:room]
                data = data[room:]
            self.tail += data
            if len(self.tail) > self.tail_limit:
                del self.tail[:len(self.tail) - self.tail_limit]

    def value(self) -> Dict[str, Any]:
        """The text kept (with a note of what was left out between its start and end) and the size."""
        return shown(bytes(self.head), bytes(self.tail), self.size)


def chunks(fd: int, eof: bool) -> Iterator[bytes]:
    """What a non-blocking pipe holds now, a chunk at a time; b"" once at its end."""
    while not eof:
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        yield data
        eof = not data
