"""What a job's child does, per job kind: a scenario's twin (a trial), a document's program, or a
document's cells in order (a session).

Each function runs in a freshly forked child of the warm worker and ends it (os._exit): the
child's result goes through its own pipe as one line of ASCII JSON, its prints through the
pipes the worker gave it as stdout and stderr, and nothing of the worker's state is the child's
to clean up.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, Mapping

from lab.guest.answer import end, send
from lab.guest.catalog import Mode, Scenario
from lab.guest.trial import run_trial


def trial_child(tf: Any, scenarios: Mapping[str, Scenario], facts: Dict[str, Any],
                ) -> Callable[[Dict[str, Any], int, str], None]:
    """A trial's child: one twin with fresh state, on one thread. TensorFlow 1 starts in graph mode
    and can switch to eager execution once, before anything touched its context: the worker did
    not (not even the thread settings, which TensorFlow 1 keeps in that context), so an eager
    child switches first."""
    one_mode_per_process = tf.__version__.startswith("1.")

    def run(spec: Dict[str, Any], fd: int, folder: str) -> None:
        os.chdir(folder)  # what a twin writes (a checkpoint) is its own, and gone with its job
        mode = Mode(spec["mode"])
        if one_mode_per_process and mode is Mode.EAGER:
            tf.compat.v1.enable_eager_execution()
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.config.threading.set_intra_op_parallelism_threads(1)
        send(fd, run_trial(tf, scenarios[spec["scenario"]], mode, int(spec["seed"]), facts))
        end()

    return run


def program_child(isolation: str) -> Callable[[Dict[str, Any], int, str], None]:
    """A program's child: the program as a script's __main__ in its folder ('fork'), or a new
    interpreter that does the same ('process', the way to prove a forked child changes nothing)."""
    from lab.guest.verbatim.child import execute, write_program

    def run(spec: Dict[str, Any], fd: int, folder: str) -> None:
        path = write_program(spec["text"], folder)
        if isolation == "process":
            os.set_inheritable(fd, True)
            os.execv(sys.executable, [sys.executable, "-m", "lab.guest.verbatim.child", path, folder, str(fd)])
        send(fd, execute(path, folder))
        end()

    return run


def session_child() -> Callable[[Dict[str, Any], int, str], None]:
    """A session's child: the first node of the document's fork chain (lab/guest/verbatim/session.py),
    which writes a line per cell to its pipe and exits when the chain has ended."""
    from lab.guest.verbatim.session import Chain

    def run(spec: Dict[str, Any], fd: int, folder: str) -> None:
        Chain(spec, fd, folder).run()
        os.close(fd)
        end()

    return run
