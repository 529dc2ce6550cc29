"""SIGTERM and SIGHUP taken as Ctrl-C is: finished work saved, guests stopped, exit 128 + the signal.

`timeout`, a CI cancel, Kubernetes and Slurm preemption send SIGTERM; a closed terminal sends
SIGHUP. Python's default for both is to die at once, saving nothing. While a command runs, the
first of SIGINT, SIGTERM and SIGHUP raises KeyboardInterrupt in the main thread (what the run
already answers by stopping its environments and keeping what finished); any later one only
says that the lab is stopping. `exit_code` then gives 130 for Ctrl-C, 143 for SIGTERM, 129 for
SIGHUP, as a shell reports a process killed by that signal.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any, Callable, Dict, List

from lab.errors import ExitCode

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_received: List[int] = []


def _handler(signum: int, frame: Any) -> None:
    if _received:
        # os.write: a handler that printed while the main thread printed would raise.
        os.write(2, b"lab: stopping; the finished records are being saved\n")
        return
    _received.append(signum)
    raise KeyboardInterrupt


def install() -> Callable[[], None]:
    """Take the three signals (in the main thread only: elsewhere Python allows no handler);
    returns what puts the previous handlers back."""
    _received.clear()
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: Dict[int, Any] = {s: signal.getsignal(s) for s in SIGNALS}
    for signum in SIGNALS:
        signal.signal(signum, _handler)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def received() -> int:
    """The signal that stopped the command (0: none)."""
    return _received[0] if _received else 0


def exit_code(code: int) -> int:
    """The command's exit code: an interrupted run's 130 becomes 128 + the signal that stopped it."""
    if code == ExitCode.INTERRUPTED and _received:
        return 128 + _received[0]
    return code


def interrupted(code: int) -> bool:
    """Whether `code` is the exit of a command that a stop signal ended."""
    return code in {128 + int(s) for s in SIGNALS}
