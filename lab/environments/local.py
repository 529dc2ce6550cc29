"""The `local` kind: this interpreter's TensorFlow (or --python / LAB_PYTHON), the embedded default."""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Optional, Sequence

from lab.environments.base import GuestJob, GuestRun, Note
from lab.environments.process import check_interpreter, run_guest, run_job, stop_guests
from lab.environments.shipment import Shipment
from lab.plan import Trial

LOCAL = "local"
HOW = "pass --python PATH (or set LAB_PYTHON) to a Python that has TensorFlow"


class LocalEnvironment:
    """Trials in a separate process of an interpreter that has TensorFlow: by default the one
    lab runs in. Never cached: that interpreter's packages can change under the lab's feet."""

    kind = "local"

    def __init__(self, python: Optional[str] = None, name: str = LOCAL) -> None:
        self.name = name
        self.python = python or os.environ.get("LAB_PYTHON") or sys.executable

    def check(self) -> None:
        check_interpreter(self.python, HOW)

    def prepare(self, note: Note) -> None:
        self.check()

    def identity(self) -> Optional[str]:
        return None

    def run(self, trials: Sequence[Trial], shipment: Shipment, timeout_s: float) -> GuestRun:
        hint = f"install it with '{self.python} -m pip install tensorflow-cpu==2.21.0' or {HOW}"
        return run_guest(self.name, self.python, trials, shipment, timeout_s, hint)

    def run_job(self, job: GuestJob, shipment: Shipment, timeout_s: float) -> None:
        hint = f"install it with '{self.python} -m pip install tensorflow-cpu==2.21.0' or {HOW}"
        run_job(self.python, job, shipment, timeout_s, hint)

    def stop(self) -> None:
        stop_guests()

    def describe(self) -> Dict[str, Any]:
        return {"kind": self.kind, "python": self.python}
