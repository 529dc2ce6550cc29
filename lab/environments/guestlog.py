"""What a guest's log tells about its death: the trial it was running and the line that says why.

The log is guest output, so nothing in it is trusted: a `lab-guest: running ID[MODE]` marker
names a trial only when it is one the host asked for, and a quoted line is cut short.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from lab.plan import Trial

MARKER = "lab-guest: running "
_MARKER = re.compile(r"^lab-guest: running (\S+)\[(graph|eager)\]$")
# TensorFlow's and Python's chatter, which says nothing about why a process died: warnings
# (and the source line Python prints under each), absl/C++ log lines (W0000 ..., 2024-.. W ...).
_NOISE = re.compile(r"warn|deprecat|^\s|^[WI]\d{4} |^\d{4}-\d\d-\d\d[ T][\d:.]+: [WI] ", re.IGNORECASE)
QUOTE_CHARS = 200


def running_trial(lines: Sequence[str], trials: Sequence[Trial], unanswered: Sequence[int]) -> Optional[int]:
    """The index of the trial the guest was running when it stopped: the last marker that names
    an unanswered trial, else the first unanswered one (the guest runs them in order)."""
    for line in reversed(lines):
        match = _MARKER.match(line.strip())
        if match:
            named = [i for i in unanswered if (trials[i].scenario, trials[i].mode.value) == match.groups()]
            if named:
                return named[0]
            break
    return unanswered[0] if unanswered else None


def last_words(lines: Sequence[str]) -> str:
    """The last line of the log that is not a warning, a log line of TensorFlow or a marker."""
    for line in reversed(lines):
        text = line.rstrip()
        if text and not _NOISE.search(text) and not text.startswith(MARKER):
            return text[:QUOTE_CHARS]
    return ""


def crash_message(why: str, lines: Sequence[str], trials: Sequence[Trial], unanswered: Sequence[int]) -> str:
    """`why`, with the trial that was running and the log's last words when the log has them."""
    index = running_trial(lines, trials, unanswered)
    where = f" while running {trials[index].scenario}[{trials[index].mode.value}]" if index is not None else ""
    words = last_words(lines)
    return f"{why}{where}" + (f": {words}" if words else "")
