"""How many cores this process may use: the default number of guest processes and image builds at once."""

from __future__ import annotations

import os


def available_cores() -> int:
    """The CPUs this process may run on (its affinity, which taskset and container cpusets
    narrow), not the machine's count; at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)
