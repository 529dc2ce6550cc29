"""How a job's child answers: its result, as one line of ASCII JSON, through the pipe the worker gave it."""

from __future__ import annotations

import json
import os
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
