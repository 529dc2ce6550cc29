"""The local runner: trials in a subprocess of an interpreter that has TensorFlow."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence

from lab.errors import EnvironmentUnavailable
from lab.observe import STATUS_CRASHED, STATUS_TIMEOUT, Record
from lab.runners.base import Trial, collect_records, write_request
from lab.scenario import DEFAULT_SCENARIO_DIR, ROOT

DEFAULT_TIMEOUT_S = 900.0
EXIT_NO_TENSORFLOW = 3  # lab.guest's code; kept here so the host never imports the guest


def _tail(path: Path, lines: int = 3) -> str:
    text = path.read_text(errors="replace").strip().splitlines() if path.exists() else []
    return " | ".join(text[-lines:])


class LocalRunner:
    """Runs a batch in ONE separate process: one TensorFlow import, and a TF abort cannot
    take the CLI down. Records come back through a file, apart from TensorFlow's log noise."""

    env = "local"

    def __init__(
        self,
        python: Optional[str] = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        scenario_dirs: Sequence[Path] = (DEFAULT_SCENARIO_DIR,),
    ) -> None:
        self.python = python or os.environ.get("LAB_PYTHON") or sys.executable
        self.timeout_s = timeout_s
        self.scenario_dirs = list(scenario_dirs)
        self.freeze: List[str] = []
        """The interpreter's installed distributions, after a run (for the manifest)."""

    def run(self, trials: Sequence[Trial]) -> List[Record]:
        with tempfile.TemporaryDirectory(prefix="lab-local-") as tmp:
            work = Path(tmp)
            request, records, log = work / "request.json", work / "records.jsonl", work / "guest.log"
            write_request(request, self.env, trials, self.scenario_dirs)
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
            env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            # The container images set this too: oneDNN reorders float math, and records
            # should not depend on which environment ran them.
            env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
            freeze = work / "freeze.txt"
            command = [self.python, "-m", "lab.guest", "--request", str(request), "--out", str(records),
                       "--freeze", str(freeze)]
            try:
                with open(log, "wb") as log_file:
                    code = subprocess.run(command, stdout=log_file, stderr=subprocess.STDOUT, env=env,
                                          stdin=subprocess.DEVNULL, timeout=self.timeout_s).returncode
            except FileNotFoundError:
                raise EnvironmentUnavailable(
                    f"interpreter {self.python} not found: pass --python PATH (or set LAB_PYTHON) "
                    "to a Python that has TensorFlow") from None
            except subprocess.TimeoutExpired:
                return collect_records(self.env, trials, records, STATUS_TIMEOUT,
                                       f"the batch ran past {self.timeout_s:g}s")
            if freeze.exists():
                self.freeze = freeze.read_text().split()
            if code == EXIT_NO_TENSORFLOW:
                raise EnvironmentUnavailable(
                    f"{self.python} has no TensorFlow ({_tail(log, 1)}): install it with "
                    f"'{self.python} -m pip install tensorflow-cpu==2.21.0' or pass --python PATH "
                    "(or set LAB_PYTHON) to an interpreter that has it")
            detail = f"the environment's process exited with code {code}: {_tail(log)}"
            return collect_records(self.env, trials, records, STATUS_CRASHED, detail)
