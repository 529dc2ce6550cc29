"""How a job's child answers: its result, as one line of ASCII JSON, through the pipe the worker gave it;
then it ends."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict

from lab.guest.observe import exception_value
from lab.guest.trial import STATUS_ERROR


def send(fd: int, result: Dict[str, Any]) -> None:
    """The child's result through its pipe, then the child is gone."""
    try:
        data = json.dumps(result).encode()
    except (TypeError, ValueError) as exc:
        # One value JSON cannot hold (an int of 5000 digits) fails this job, not the batch.
        data = json.dumps(dict(result, status=STATUS_ERROR, observations={},
                               error={"kind": "exception", "type": "UnserializableObservation",
                                      "message": "an observation could not be written as JSON: "
                                                 + exception_value(exc)["message"]})).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.close(fd)


def end() -> None:
    """The child's end: its pipes closed first, so the worker takes the job as done at their end without
    waiting for the exit of a process this large (TensorFlow's pages torn down), then gone."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a program replaced or closed it: nothing of it is left to write
            pass
    for fd in (0, 1, 2):
        try:
            os.close(fd)
        except OSError:
            pass
    os._exit(0)
