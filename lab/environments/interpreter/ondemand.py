"""Environments named by what they pin (`tf==2.17.1`, `py3.9/tf==2.8.4`, `tf==2.16.2+tf-keras`),
resolved against PyPI's release list, locked with uv into the cache and made as interpreter venvs."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

from lab import releases
from lab.cache import cache_root
from lab.environments.base import Note
from lab.environments.declared import Env, matrix_settings
from lab.environments.interpreter.environment import InterpreterEnvironment
from lab.environments.uvtool import find_uv
from lab.errors import EnvironmentUnavailable, UsageError
from lab.locking import file_lock

# One wheel platform for every on-demand lock, whatever the host: the same spec gives the same
# lock everywhere (manylinux_2_28 takes every TF wheel, manylinux2010 to 2014, and needs a host
# glibc of 2.28 or newer, which every supported Linux has).
PLATFORM = "x86_64-manylinux_2_28"
SPEC_FILE = "lab-env.json"  # in the venv: which spec made it, for `lab envs list --cached`
USED = ".lab-used"  # touched at every use: `lab envs prune --older-than` reads its age

_SPEC = re.compile(r"^(?:py(?P<py>3\.\d+)/)?tf==(?P<v>\d+\.\d+\.\d+)(?P<k>\+tf-keras)?$")
# The folder-safe form; three version parts, so it never reads as a matrix name like tf2.15.
_NAME = re.compile(r"^(?:py(?P<py>3\.\d+)-)?tf(?P<v>\d+\.\d+\.\d+)(?P<k>-tf-keras)?$")


@dataclass(frozen=True)
class Spec:
    """What an on-demand environment pins."""

    version: str
    """TensorFlow's version ('2.17.1')."""
    python: Optional[str] = None
    """The CPython minor version asked for ('3.9'); None: the newest with wheels."""
    tf_keras: bool = False
    """With tf-keras as tf.keras (TF_USE_LEGACY_KERAS=1)."""

    @property
    def text(self) -> str:
        """'py3.9/tf==2.8.4+tf-keras', as written on the command line."""
        return f"{f'py{self.python}/' if self.python else ''}tf=={self.version}{'+tf-keras' if self.tf_keras else ''}"

    @property
    def name(self) -> str:
        """'py3.9-tf2.8.4-tf-keras': safe as a folder name (records/<env>/) and an image tag."""
        return f"{f'py{self.python}-' if self.python else ''}tf{self.version}{'-tf-keras' if self.tf_keras else ''}"


def parse(text: str) -> Optional[Spec]:
    """The spec in `text`, written as a pin or as its folder-safe name; None when it is neither."""
    found = _SPEC.match(text) or _NAME.match(text)
    if not found:
        return None
    return Spec(found.group("v"), found.group("py"), bool(found.group("k")))


def choose_python(spec: Spec, release: releases.Release) -> str:
    """The spec's Python, or the newest this lab can use that has a wheel of the release."""
    offered = sorted(release.pythons & set(releases.PYTHONS), key=releases.version_key)
    if spec.python:
        if spec.python not in release.pythons:
            has = ", ".join(offered) or "none this lab uses"
            raise UsageError(f"{spec.text}: PyPI has no TensorFlow {spec.version} wheel for Python {spec.python} "
                             f"(it has {has})")
        return spec.python
    if not offered:
        raise UsageError(f"{spec.text}: TensorFlow {spec.version} has wheels only for Python "
                         f"{', '.join(sorted(release.pythons, key=releases.version_key))}, none of "
                         f"{releases.PYTHONS[0]}-{releases.PYTHONS[-1]}")
    return offered[-1]


def requirements(version: str, python: str, tf_keras: bool, exclude_newer: str) -> Dict[str, Any]:
    """The top-level requirements the lock is compiled from: the CPU-only wheel where PyPI has
    it for this version and Python (tf-keras depends on the full one), and the caps the version
    needs to import, which old releases did not declare."""
    key = releases.version_key(version)
    cpu = releases.find(version, "tensorflow-cpu", exclude_newer)
    dist = "tensorflow-cpu" if cpu and python in cpu.pythons and not tf_keras else "tensorflow"
    keras = f"tf-keras~={key[0]}.{key[1]}.0" if tf_keras else ""
    pins = []
    if key < (2, 12):
        pins.append("protobuf<3.21")  # protobuf 4 fails old generated code: "Descriptors cannot be created"
    if key < (2, 4):
        numpy = "numpy<1.19"  # built against numpy 1.16-1.18; newer ones break its C API use
    elif key < (2, 18):
        numpy = "numpy<2"  # TF 2.18 was the first built for numpy 2
    else:
        numpy = ""
    return {"tensorflow": f"{dist}=={version}", "keras": keras, "numpy": numpy, "pins": tuple(pins)}


def resolve_spec(spec: Spec) -> Env:
    """The Env of `spec`: its Python, pins and lock path; a one-line UsageError (exit 2) when PyPI
    has no such release, or no wheel of it for the Python asked for."""
    variables, exclude_newer = matrix_settings()
    release = releases.find(spec.version, exclude_newer=exclude_newer)
    if release is None:
        raise UsageError(f"{spec.text}: TensorFlow {spec.version} is not a final release on PyPI"
                         f"{releases.nearest(spec.version, exclude_newer)}")
    if spec.tf_keras and releases.version_key(spec.version) < (2, 16):
        raise UsageError(f"{spec.text}: +tf-keras is for TF 2.16 and newer; before 2.16 tf.keras is Keras 2 already")
    python = choose_python(spec, release)
    pinned = requirements(spec.version, python, spec.tf_keras, exclude_newer)
    if spec.tf_keras:
        variables = {**variables, "TF_USE_LEGACY_KERAS": "1"}
    inputs = json.dumps({**pinned, "python": python, "platform": PLATFORM, "exclude_newer": exclude_newer},
                        sort_keys=True)
    lock = cache_root() / "locks" / f"{spec.name}-{hashlib.sha256(inputs.encode()).hexdigest()[:12]}.txt"
    return Env(name=spec.name, kind="interpreter", python=python, debian="", platform=PLATFORM,
               environment=variables, lock=lock, lock_exclude_newer=exclude_newer, description=spec.text,
               **pinned)


def uv_command() -> str:
    found = find_uv()
    if not found:
        raise EnvironmentUnavailable("uv is needed to lock an on-demand env: `pip install uv` next to lab")
    return found


def write_lock(env: Env) -> None:
    """Compile env.lock with hashes, for its Python and PLATFORM, from files uploaded before the
    matrix's lock_exclude_newer: the same spec locks the same way on any host, at any later time."""
    with tempfile.TemporaryDirectory(prefix="lab-lock-") as tmp:
        source = Path(tmp) / f"{env.name}.in"  # a bare name: the lock's "# via" notes hold no temp path
        source.write_text("\n".join(r for r in env.requirements if r) + "\n")
        out = Path(tmp) / "lock.txt"
        cmd = [uv_command(), "pip", "compile", source.name, "--quiet", "--generate-hashes", "--no-header",
               "--python-version", env.python, "--python-platform", env.platform, "--output-file", str(out)]
        if env.lock_exclude_newer:
            cmd += ["--exclude-newer", env.lock_exclude_newer]
        done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
            why = next((line for line in lines if "No solution" in line or "not found" in line), lines[-1:] or [""])
            raise EnvironmentUnavailable(f"cannot lock {env.description}: {str(why)[:300]}")
        env.lock.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out, env.lock)


class OnDemandEnvironment(InterpreterEnvironment):
    """An interpreter env made from a spec: locked on first use, then made and cached like any venv."""

    def __init__(self, spec: Spec, env: Env) -> None:
        super().__init__(env, None)  # the spec picks its Python; --python is for `local` and the matrix
        self.ondemand = spec

    def prepare(self, note: Note) -> None:
        self.check()
        lock = self.spec.lock
        with file_lock(lock.with_suffix(".locking"), lambda: note(f"waiting for another process locking {lock}")):
            if not lock.is_file():
                note(f"locking {self.ondemand.text} for Python {self.spec.python}")
                write_lock(self.spec)
        super().prepare(note)
        if self.venv is not None:
            (self.venv / SPEC_FILE).write_text(json.dumps(
                {"spec": self.ondemand.text, "name": self.name, "python": self.spec.python,
                 "requirements": [r for r in self.spec.requirements if r]}, indent=1) + "\n")
            (self.venv / USED).write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + "\n")

    def describe(self) -> Dict[str, Any]:
        return {**super().describe(), "spec": self.ondemand.text, "lock": str(self.spec.lock)}
