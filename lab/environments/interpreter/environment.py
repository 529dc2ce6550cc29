"""The `interpreter` kind: a virtualenv made from a given Python and the env's hashed lock, no Docker."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from lab.cache import cache_root
from lab.environments.base import Note
from lab.environments.batch import Batch, GuestRun
from lab.environments.declared import Env
from lab.environments.process import check_interpreter, run_guest, stop_guests
from lab.environments.pythons import candidate_pythons, python_version
from lab.environments.shipment import Shipment
from lab.errors import EnvironmentUnavailable
from lab.locking import file_lock

READY = ".lab-ready"  # written last: a venv without it was cut short and is made again


class InterpreterEnvironment:
    """A venv under the lab's cache, made once from a base Python of the declared version and
    installed from the env's hashed lock; its records are cached like an image's."""

    kind = "interpreter"

    def __init__(self, spec: Env, python: Optional[str] = None) -> None:
        self.name = spec.name
        self.spec = spec
        self.requested = python
        self.base = ""
        self.base_version = ""
        self.venv: Optional[Path] = None

    def _how(self) -> str:
        v = self.spec.python
        return (f"env {self.name} needs CPython {v}: pass --python PATH (or set LAB_PYTHON) to a python{v}, "
                f"or install one with `pyenv install {v}`")

    def _find_base(self) -> None:
        if self.requested:
            check_interpreter(self.requested, self._how())
            version = python_version(self.requested)
            if not version.startswith(self.spec.python + "."):
                raise EnvironmentUnavailable(
                    f"interpreter {self.requested} is Python {version or '(no answer)'}, not {self.spec.python}: "
                    + self._how())
            self.base, self.base_version = self.requested, version
            return
        for python in candidate_pythons(self.spec.python):
            version = python_version(python)
            if version.startswith(self.spec.python + "."):
                self.base, self.base_version = python, version
                return
        raise EnvironmentUnavailable(f"no CPython {self.spec.python} found: " + self._how())

    def fingerprint(self) -> str:
        """What the venv is made of: the lock, the environment variables, the base Python's version."""
        if not self.spec.lock.is_file():
            raise EnvironmentUnavailable(f"env {self.name} has no lock file {self.spec.lock}; run `make lock`")
        digest = hashlib.sha256(self.spec.lock.read_bytes())
        digest.update(repr(sorted(self.spec.environment.items())).encode())
        digest.update(self.base_version.encode())
        return digest.hexdigest()

    def check(self) -> None:
        if not self.base:
            self._find_base()

    def prepare(self, note: Note) -> None:
        self.check()
        venv = cache_root() / "venvs" / f"{self.name}-{self.fingerprint()[:12]}"
        with file_lock(venv.parent / f"{venv.name}.lock", lambda: note(f"waiting for another process making {venv}")):
            if not (venv / READY).exists():
                self._make(venv, note)
        self.venv = venv

    def _make(self, venv: Path, note: Note) -> None:
        shutil.rmtree(venv, ignore_errors=True)
        note(f"making {venv} from {self.base} (Python {self.base_version}) and {self.spec.lock.name}")
        python = str(venv / "bin" / "python")
        steps = [[self.base, "-m", "venv", str(venv)],
                 [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                  "--require-hashes", "-r", str(self.spec.lock)]]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                shutil.rmtree(venv, ignore_errors=True)
                last = ((done.stderr or done.stdout).strip().splitlines() or ["no output"])[-1]
                raise EnvironmentUnavailable(f"making the venv of {self.name} failed at `{' '.join(step[1:4])}`: "
                                             f"{last[:200]}")
        (venv / READY).write_text(self.base_version + "\n")
        note(f"made {venv}")

    def identity(self) -> Optional[str]:
        return f"venv:{self.fingerprint()}" if self.venv else None

    def run(self, batch: Batch, shipment: Shipment, timeout_s: float) -> GuestRun:
        if self.venv is None:
            raise EnvironmentUnavailable(f"env {self.name} was not prepared")
        hint = f"remove {self.venv} and run again to remake it"
        return run_guest(str(self.venv / "bin" / "python"), batch, shipment, timeout_s, hint, self.spec.environment)

    def stop(self) -> None:
        stop_guests()

    def describe(self) -> Dict[str, Any]:
        return {"kind": self.kind, "python": self.spec.python, "base_python": self.base or None,
                "venv": str(self.venv) if self.venv else None, "tensorflow": self.spec.tensorflow}


def made_venv(spec: Env) -> Optional[Path]:
    """The ready venv of `spec` under the cache, if one was made (for `lab envs list`)."""
    ready = sorted((cache_root() / "venvs").glob(f"{glob.escape(spec.name)}-*/{READY}"))
    return ready[-1].parent if ready else None


def probe_venv(venv: Path, environment: Mapping[str, str]) -> Dict[str, Any]:
    """The venv's Python, TensorFlow, Keras and numpy as it reports them ({} when it cannot)."""
    from lab.environments.shipment import Staged

    with Staged([]) as shipment:
        variables = {**os.environ, **environment, "PYTHONPATH": str(shipment.root), "TF_CPP_MIN_LOG_LEVEL": "3"}
        try:
            done = subprocess.run([str(venv / "bin" / "python"), "-m", "lab.guest.probe"], capture_output=True,
                                  text=True, timeout=120, env=variables, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            return {}
    try:
        found = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {}
    except (ValueError, IndexError):
        return {}
    return found if isinstance(found, dict) else {}
