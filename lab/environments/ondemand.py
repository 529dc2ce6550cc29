"""Environments named by what they pin (`tf==2.17.1`, `py3.9/tf==2.8.4`, `tf==2.16.2+tf-keras`,
`tf==2.14.0+image`), resolved against PyPI's release list, locked with uv into the cache, and made
as the kind they name (an interpreter venv unless `+KIND` says otherwise; the kind chooses the Python)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from lab import releases
from lab.cache import cache_root
from lab.environments import kinds
from lab.environments.base import Note
from lab.environments.declared import Env, PythonBase, matrix_settings
from lab.environments.uvtool import find_uv
from lab.errors import EnvironmentUnavailable, UsageError
from lab.locking import file_lock

# One wheel platform for every on-demand venv's lock, whatever the host: the same spec gives the
# same lock everywhere (manylinux_2_28 takes every TF wheel, manylinux2010 to 2014, and needs a
# host glibc of 2.28 or newer, which every supported Linux has). An image takes its Python's.
PLATFORM = "x86_64-manylinux_2_28"
DEFAULT_KIND = "interpreter"
"""What a pin without `+KIND` is made as: a venv, no Docker."""
_picked: Dict[str, str] = {}
"""Env name -> which release a prefix named ('2.5 is 2.5.3, ...'), said once when the env is prepared."""

# A pin may name a release by a prefix (tf==2.15: the newest final 2.15.x); a folder-safe name
# always has three parts, so it never reads as a matrix name like tf2.15.
_SPEC = re.compile(r"^(?:py(?P<py>3\.\d+)/)?tf==(?P<v>\d+(?:\.\d+){0,2})(?P<k>\+tf-keras)?(?:\+(?P<kind>[a-z]+))?$")
_NAME = re.compile(r"^(?:py(?P<py>3\.\d+)-)?tf(?P<v>\d+\.\d+\.\d+)(?P<k>-tf-keras)?(?:-(?P<kind>[a-z]+))?$")


@dataclass(frozen=True)
class Spec:
    """What an on-demand environment pins, and what it is made as."""

    version: str
    """TensorFlow's version ('2.17.1'; '2.17' until resolved: the newest final 2.17.x)."""
    python: Optional[str] = None
    """The CPython minor version asked for ('3.9'); None: the newest the kind can use with wheels."""
    tf_keras: bool = False
    """With tf-keras as tf.keras (TF_USE_LEGACY_KERAS=1)."""
    kind: str = DEFAULT_KIND
    """The registered kind it is made as ('interpreter', 'image')."""

    @property
    def _suffix(self) -> str:
        return "" if self.kind == DEFAULT_KIND else self.kind

    @property
    def text(self) -> str:
        """'py3.9/tf==2.8.4+tf-keras+image', as written on the command line."""
        return (f"{f'py{self.python}/' if self.python else ''}tf=={self.version}{'+tf-keras' if self.tf_keras else ''}"
                f"{f'+{self._suffix}' if self._suffix else ''}")

    @property
    def name(self) -> str:
        """'py3.9-tf2.8.4-tf-keras-image': safe as a folder name (records/<env>/) and an image tag."""
        return (f"{f'py{self.python}-' if self.python else ''}tf{self.version}{'-tf-keras' if self.tf_keras else ''}"
                f"{f'-{self._suffix}' if self._suffix else ''}")


def parse(text: str) -> Optional[Spec]:
    """The spec in `text`, written as a pin or as its folder-safe name; None when it is neither."""
    found = _SPEC.match(text) or _NAME.match(text)
    if not found:
        return None
    return Spec(found.group("v"), found.group("py"), bool(found.group("k")), found.group("kind") or DEFAULT_KIND)


def choose_python(spec: Spec, release: releases.Release, bases: Mapping[str, PythonBase]) -> Tuple[str, str]:
    """The spec's Python, or the newest its kind can use that has a wheel of the release; and why."""
    offered = sorted(release.pythons & set(bases), key=releases.version_key)
    wheels = ", ".join(sorted(release.pythons, key=releases.version_key))
    if spec.python:
        if spec.python not in release.pythons:
            has = ", ".join(sorted(release.pythons & set(releases.PYTHONS), key=releases.version_key))
            raise UsageError(f"{spec.text}: PyPI has no TensorFlow {spec.version} wheel for Python {spec.python} "
                             f"(it has {has or 'none this lab uses'})")
        if spec.python not in bases:
            raise UsageError(f"{spec.text}: the {spec.kind} kind makes envs of Python "
                             f"{', '.join(sorted(bases, key=releases.version_key))} only, not {spec.python}")
        return spec.python, "asked for"
    if not offered:
        raise UsageError(f"{spec.text}: TensorFlow {spec.version} has wheels only for Python {wheels}, none of "
                         f"those the {spec.kind} kind makes envs of "
                         f"({', '.join(sorted(bases, key=releases.version_key))})")
    return offered[-1], f"newest with a {spec.version} wheel of those {spec.kind} envs use: {', '.join(offered)}"


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


def resolve_spec(spec: Spec) -> Tuple[Env, Spec]:
    """The Env of `spec` (its release resolved: a prefix is its newest final release), its Python
    and pins and lock path, and the resolved spec; a one-line UsageError (exit 2) when PyPI has no
    such release, or no wheel of it for a Python the kind can use."""
    variables, exclude_newer = matrix_settings()
    kind = kinds.get(spec.kind)
    bases = kind.on_demand_bases()
    if not bases:
        raise UsageError(f"{spec.text}: the {spec.kind} kind is not made on demand; "
                         f"use {' or '.join(kinds.on_demand_kinds())}")
    asked = spec.text
    version, chosen = releases.pick(spec.version, exclude_newer=exclude_newer)
    spec = dataclasses.replace(spec, version=version)
    if chosen:
        _picked[spec.name] = f"{asked}: {chosen}"
    release = releases.find(version, exclude_newer=exclude_newer)
    assert release is not None  # pick() found it
    if spec.tf_keras and releases.version_key(spec.version) < (2, 16):
        raise UsageError(f"{spec.text}: +tf-keras is for TF 2.16 and newer; before 2.16 tf.keras is Keras 2 already")
    python, why = choose_python(spec, release, bases)
    base = bases[python]
    pinned = requirements(spec.version, python, spec.tf_keras, exclude_newer)
    if spec.tf_keras:
        variables = {**variables, "TF_USE_LEGACY_KERAS": "1"}
    inputs = json.dumps({**pinned, "python": python, "platform": base.platform, "exclude_newer": exclude_newer},
                        sort_keys=True)
    lock = cache_root() / "locks" / f"{spec.name}-{hashlib.sha256(inputs.encode()).hexdigest()[:12]}.txt"
    description = f"{spec.text}{f' ({chosen})' if chosen else ''} on Python {python}: {why}"
    env = Env(name=spec.name, kind=spec.kind, python=python, debian=base.debian, platform=base.platform,
              environment=variables, lock=lock, copy_host_python=base.copy_host_python,
              lock_exclude_newer=exclude_newer, description=description, on_demand=spec.text, **pinned)
    return env, spec


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
            raise EnvironmentUnavailable(f"cannot lock {env.on_demand or env.name}: {str(why)[:300]}")
        env.lock.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out, env.lock)


def ensure_lock(env: Env, note: Note) -> None:
    """Write an on-demand env's lock unless it is there (one process at a time); nothing for a matrix entry."""
    if not env.on_demand:
        return
    if env.name in _picked:
        note(_picked.pop(env.name))  # `--env tf==2.5`: which release that is
    lock = env.lock
    with file_lock(lock.with_suffix(".locking"), lambda: note(f"waiting for another process locking {lock}")):
        if not lock.is_file():
            note(f"locking {env.description}")
            write_lock(env)


def described(env: Env) -> Dict[str, Any]:
    """What the manifest adds for an on-demand env: the spec it was made from and its lock."""
    return {"spec": env.on_demand, "lock": str(env.lock)} if env.on_demand else {}
