"""The `interpreter` kind: a virtualenv made from a given Python and the env's hashed lock, no Docker."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from lab import releases
from lab.cache import cache_root
from lab.environments import kinds, ondemand
from lab.environments.base import Environment, Note, State
from lab.environments.batch import Batch, GuestRun
from lab.environments.declared import Env, PythonBase
from lab.environments.interpreter.install import Made, disk_use, make_venv
from lab.environments.process import check_interpreter, run_guest, stop_guests
from lab.environments.pythons import candidate_pythons, python_version
from lab.environments.shipment import Shipment
from lab.errors import EnvironmentUnavailable
from lab.locking import file_lock

READY = ".lab-ready"  # written last: a venv without it was cut short and is made again
SPEC_FILE = "lab-env.json"  # in an on-demand venv: which spec made it, for `lab envs list --cached`
USED = ".lab-used"  # touched at every use: `lab envs prune --older-than` reads its age


def venvs_dir() -> Path:
    return cache_root() / "venvs"


def venvs_of(name: str) -> List[Path]:
    """The venv folders of the env `name` (<name>-<fingerprint12>), oldest recipe name first; not those
    of another env whose name begins the same (tf2.21 is not tf2.21-legacy-keras)."""
    pattern = re.compile(re.escape(name) + r"-[0-9a-f]{12}")
    folder = venvs_dir()
    return sorted(p for p in folder.iterdir() if p.is_dir() and pattern.fullmatch(p.name)) if folder.is_dir() else []


@kinds.register
class InterpreterEnvironment:
    """A venv under the lab's cache, made once from a base Python of the declared version and
    installed from the env's hashed lock; its records are cached like an image's."""

    kind = "interpreter"
    declarable = True

    def __init__(self, spec: Env, python: Optional[str] = None) -> None:
        self.name = spec.name
        self.spec = spec
        self.requested = python
        self.base = ""
        self.base_version = ""
        self.venv: Optional[Path] = None
        self.made: Optional[Made] = None

    @classmethod
    def of(cls, spec: Env, context: kinds.Context) -> Environment:
        # --python is the base of a declared env's venv unless it is local's; an on-demand spec picks its own.
        return cls(spec, None if context.with_local or spec.on_demand else context.python)

    @classmethod
    def on_demand_bases(cls) -> Mapping[str, PythonBase]:
        return {python: PythonBase("", ondemand.PLATFORM) for python in releases.PYTHONS}

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
        ondemand.ensure_lock(self.spec, note)
        venv = venvs_dir() / f"{self.name}-{self.fingerprint()[:12]}"
        with file_lock(venv.parent / f"{venv.name}.lock", lambda: note(f"waiting for another process making {venv}")):
            if not (venv / READY).exists():
                self.made = make_venv(self.name, self.base, venv, self.spec.lock, note)
                (venv / READY).write_text(self.base_version + "\n")
                note(f"made {venv} in {self.made.seconds:.1f} s: {self.made.own_bytes / 1e6:.0f} MB of its own, "
                     f"{self.made.shared_bytes / 1e9:.2f} GB shared, with {self.made.installer}")
        self.venv = venv
        if self.spec.on_demand:
            (venv / SPEC_FILE).write_text(json.dumps(
                {"spec": self.spec.on_demand, "name": self.name, "python": self.spec.python,
                 "requirements": [r for r in self.spec.requirements if r]}, indent=1) + "\n")
            (venv / USED).write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + "\n")

    def identity(self) -> Optional[str]:
        from lab import sandbox

        return sandbox.keyed(f"venv:{self.fingerprint()}" if self.venv else None)  # issue 26

    def run(self, batch: Batch, shipment: Shipment, timeout_s: float) -> GuestRun:
        if self.venv is None:
            raise EnvironmentUnavailable(f"env {self.name} was not prepared")
        hint = f"remove {self.venv} and run again to remake it"
        return run_guest(str(self.venv / "bin" / "python"), batch, shipment, timeout_s, hint, self.spec.environment)

    def stop(self) -> None:
        stop_guests()

    def describe(self) -> Dict[str, Any]:
        from lab import sandbox

        made = {"made_s": round(self.made.seconds, 2), "disk_bytes": self.made.own_bytes,
                "shared_bytes": self.made.shared_bytes, "installer": self.made.installer} if self.made else {}
        return {"kind": self.kind, "python": self.spec.python, "base_python": self.base or None,
                "venv": str(self.venv) if self.venv else None, "tensorflow": self.spec.tensorflow,
                **made, **ondemand.described(self.spec), "sandbox": sandbox.state()}  # issue 26

    def _recipe_venv(self) -> Optional[Path]:
        """The folder of the venv of the current recipe (lock, variables, base Python); None when that
        cannot be known (no base Python here, no lock yet)."""
        try:
            self.check()
            return venvs_dir() / f"{self.name}-{self.fingerprint()[:12]}"
        except EnvironmentUnavailable:
            return None

    def state(self, probe: bool = False) -> State:
        ready = [p for p in venvs_of(self.name) if (p / READY).exists()]
        current = self._recipe_venv()
        if current is not None:
            ready = [p for p in ready if p == current]  # one of an older recipe would be made anew
        if not ready:
            return State(made=False)
        venv = max(ready, key=lambda p: (p / READY).stat().st_mtime)  # the newest made
        found = probe_venv(venv, self.spec.environment) if probe else {}
        versions = {"tensorflow": str(found["tensorflow"]), "python": str(found["python"]),
                    "keras": f"{found.get('keras')} ({found.get('keras_package')})"} if found else {}
        own = disk_use(venv)[0] if probe else None
        return State(made=True, where=str(venv), versions=versions, disk_bytes=own,
                     made_s=self.made.seconds if self.made and venv == self.venv else None)

    def forget(self) -> str:
        gone = venvs_of(self.name)
        for venv in gone:
            shutil.rmtree(venv)
            (venv.parent / f"{venv.name}.lock").unlink(missing_ok=True)
        return f"removed {len(gone)} venv(s)" if gone else "no venv yet"


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
