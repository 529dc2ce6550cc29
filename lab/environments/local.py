"""The `local` kind: this interpreter's TensorFlow (or --python / LAB_PYTHON), the embedded default."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence

from lab.environments import kinds
from lab.environments.base import Environment, Note, State
from lab.environments.batch import Batch, GuestRun
from lab.environments.process import check_interpreter, run_guest, stop_guests
from lab.environments.shipment import Shipment

if TYPE_CHECKING:
    from lab.environments.declared import Env, PythonBase

LOCAL = "local"
HOW = "pass --python PATH (or set LAB_PYTHON) to a Python that has TensorFlow"


def interpreter_facts(executable: str, prefix: str, version: str, paths: Sequence[str]) -> Dict[str, Any]:
    """What an interpreter is, without importing TensorFlow: its real path, prefix and version,
    and every distribution on its path by name and modification time (a reinstall of the same
    version makes its .dist-info anew). Standard library only: it also runs as the probe below."""
    import os

    found = []
    for entry in paths:
        if not entry or not os.path.isdir(entry):
            continue
        for name in sorted(os.listdir(entry)):
            if name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")):
                try:
                    found.append([entry, name, os.stat(os.path.join(entry, name)).st_mtime_ns])
                except OSError:
                    pass
    return {"executable": os.path.realpath(executable), "prefix": prefix, "version": version,
            "distributions": found}


# The same function, run by another interpreter (about 30 ms): its own sys.path, as its guest sees it.
_PROBE = ("from __future__ import annotations\n" + inspect.getsource(interpreter_facts) +
          "import json, sys\nprint(json.dumps(interpreter_facts(sys.executable, sys.prefix, sys.version, sys.path)))\n")


def _host_paths() -> List[str]:
    """This interpreter's sys.path as its guest would have it: without PYTHONPATH's entries."""
    extra = {os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    return [p for p in sys.path if p and os.path.abspath(p) not in extra]


# Variables the guest inherits that change what TensorFlow computes or what a twin does: all of
# TensorFlow's and the lab's own (the test fixtures' LAB_TEST_*), Python's, and the math
# libraries' threading. PYTHONPATH is not among them: the guest's is the shipment alone.
KEYED_PREFIXES = ("LAB_", "TF_", "KERAS_", "PYTHON", "CUDA_", "OMP_", "MKL_", "KMP_", "OPENBLAS_", "LD_")


# What Keras assumes without a config file, and writes into a new one the first time it is
# imported (so the first guest run creates the file): settings equal to these change nothing.
KERAS_DEFAULTS = {"floatx": "float32", "epsilon": 1e-07, "backend": "tensorflow",
                  "image_data_format": "channels_last"}


def keras_config() -> Any:
    """The settings of the Keras config file the guest reads ($KERAS_HOME/keras.json, else
    ~/.keras/keras.json, else Keras's fallback under /tmp) that differ from Keras's defaults: {}
    for no file and for the file Keras writes itself; its text when it is not a JSON object."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    for folder in (home, os.path.join("/tmp", ".keras")):
        try:
            with open(os.path.join(folder, "keras.json"), encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue
        try:
            settings = json.loads(text)
        except ValueError:
            return text
        if not isinstance(settings, dict):
            return text
        return {k: v for k, v in sorted(settings.items()) if KERAS_DEFAULTS.get(k, object()) != v}
    return {}


def keyed_variables(environ: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The variables of `environ` (default os.environ) that the local env's identity covers."""
    environ = dict(os.environ if environ is None else environ)
    return {k: v for k, v in sorted(environ.items()) if k.startswith(KEYED_PREFIXES) and k != "PYTHONPATH"}


@kinds.register
class LocalEnvironment:
    """Trials in a separate process of an interpreter that has TensorFlow: by default the one
    lab runs in. Cached like the others, by what the interpreter reports of itself and the
    variables its guest inherits."""

    kind = "local"
    declarable = False  # the embedded default, named `local`: nothing to declare or make

    @classmethod
    def of(cls, spec: Env, context: kinds.Context) -> Environment:
        return cls(context.python, spec.name)

    @classmethod
    def on_demand_bases(cls) -> Mapping[str, PythonBase]:
        return {}  # an interpreter that exists already is not made on demand

    def __init__(self, python: Optional[str] = None, name: str = LOCAL) -> None:
        self.name = name
        self.python = python or os.environ.get("LAB_PYTHON") or sys.executable

    def check(self) -> None:
        check_interpreter(self.python, HOW)

    def prepare(self, note: Note) -> None:
        self.check()

    def identity(self) -> Optional[str]:
        """`local:<sha256>` of the interpreter's probed facts, the keyed variables and the Keras
        config file; None when the interpreter does not answer the probe (then nothing is cached)."""
        facts: Any = None
        # lab's own interpreter: no process to start. The path itself, not the file it links to:
        # every venv's python links to its base interpreter, and a venv is another interpreter.
        if os.path.abspath(self.python) == os.path.abspath(sys.executable):
            facts = interpreter_facts(sys.executable, sys.prefix, sys.version, _host_paths())
        else:
            variables = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            try:
                done = subprocess.run([self.python, "-c", _PROBE], capture_output=True, text=True, timeout=60,
                                      env=variables, stdin=subprocess.DEVNULL)
                facts = json.loads(done.stdout) if done.returncode == 0 else None
            except (OSError, subprocess.TimeoutExpired, ValueError):
                return None
        if not isinstance(facts, dict):
            return None
        payload = json.dumps({"interpreter": facts, "variables": keyed_variables(), "keras_config": keras_config()},
                             sort_keys=True)
        from lab import sandbox

        return sandbox.keyed("local:" + hashlib.sha256(payload.encode()).hexdigest())  # issue 26

    def run(self, batch: Batch, shipment: Shipment, timeout_s: float) -> GuestRun:
        hint = f"install it with '{self.python} -m pip install tensorflow-cpu==2.21.0' or {HOW}"
        return run_guest(self.python, batch, shipment, timeout_s, hint)

    def stop(self) -> None:
        stop_guests()

    def describe(self) -> Dict[str, Any]:
        from lab import sandbox

        return {"kind": self.kind, "python": self.python, "sandbox": sandbox.state()}  # issue 26

    def state(self, probe: bool = False) -> State:
        return State(made=os.path.isfile(self.python), where=self.python)

    def forget(self) -> str:
        return f"nothing to remove: {self.name} is the interpreter {self.python}, which lab does not make"
