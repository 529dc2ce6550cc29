"""What the guest's header says of a job's child that gave no result: the status, and why."""

from __future__ import annotations

import re
import signal
from typing import Any, Mapping, Tuple

from lab.status import Status
from lab.text import printable

# TensorFlow's and Python's chatter, which says nothing about why a process died: warnings
# (and the source line Python prints under each), absl/C++ log lines (W0000 ..., 2024-.. W ...).
_NOISE = re.compile(r"warn|deprecat|^\s|^[WI]\d{4} |^\d{4}-\d\d-\d\d[ T][\d:.]+: [WI] |instructions for updating"
                    r"|in the long term$", re.IGNORECASE)
QUOTE_CHARS = 200


def last_words(text: str) -> str:
    """The last line of a log that is not a warning or a log line of TensorFlow, made printable."""
    lines = text.splitlines()
    for at in range(len(lines) - 1, -1, -1):
        line = lines[at].rstrip()
        # TensorFlow's deprecation notices end in free text under "Instructions for updating:"
        # ("non-resource variables are not supported in the long term"): part of the warning.
        if at and lines[at - 1].strip().lower().startswith("instructions for updating"):
            continue
        if line and not _NOISE.search(line):
            return printable(line, QUOTE_CHARS)
    return ""


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def why_unanswered(header: Mapping[str, Any], what: str) -> Tuple[Status, str]:
    """(status, why) for a job's child that ended without a result, from the guest's header."""
    ended, code = header.get("ended"), header.get("code")
    if ended == "timeout":
        return Status.TIMEOUT, f"the {what} ran past its time limit"
    if ended == "oversized":
        return Status.CRASHED, f"the {what}'s result was larger than the guest accepts (8 MiB); it was stopped"
    if ended == "signal" and isinstance(code, int):
        why = f"the {what}'s process was killed by {signal_name(code)}"
        if code == signal.SIGKILL:
            why += " (out of memory, or a limit of the environment)"
    elif ended == "exit" and isinstance(code, int):
        why = f"the {what}'s process exited with code {code} before it finished"
    elif ended == "closed":
        why = f"the {what} closed its stdout, stderr and result pipes before it finished, and was ended"
    else:
        why = f"the {what}'s process ended without a result"
    words = last_words(str(header.get("tail") or ""))
    return Status.CRASHED, why + (f": {words}" if words else "")
