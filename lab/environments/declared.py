"""The environment matrix: named, pinned environments, each of a kind, and what they are made of."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from lab.environments import registry
from lab.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # the host side keeps Python 3.9 working; tomllib arrived in 3.11
    import tomli as tomllib

CONTAINERS_DIR = Path(__file__).resolve().parents[2] / "containers"
MATRIX_PATH = CONTAINERS_DIR / "matrix.toml"
# The files, besides an env's own entry and lock, that every image is made of: editing one
# must change every tag, or an old image would silently stand in for the new recipe.
RECIPE_FILES = ("Dockerfile", "Dockerfile.offline", "install.sh", "base.sh")
IMAGE_REPOSITORY = "lab-env"

_PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.!+_-]+$")
_ENV_KEYS = {"description", "kind", "python", "tensorflow", "keras", "numpy", "pins", "environment"}
# Env names become folder names (records/<env>/) and image tags: nothing else is allowed.
_NAME = re.compile(r"^[a-z0-9][a-z0-9._+-]{0,63}$")


@dataclass(frozen=True)
class Env:
    """One pinned environment from containers/matrix.toml."""

    name: str
    """The env's id, as written on the command line and in records (`tf2.15`)."""
    kind: str
    """How it is made: the name of a registered kind (lab/environments/kinds.py): 'image' (a
    container built from the lock) or 'interpreter' (a venv)."""
    python: str
    """Python minor version inside the image (`3.11`)."""
    tensorflow: str
    """The TensorFlow distribution pin (`tensorflow-cpu==2.15.1`)."""
    keras: str
    """The pin of the package that provides (or, for TF 2.5, accompanies) tf.keras."""
    numpy: str
    """The numpy pin (`numpy==1.26.4`)."""
    debian: str
    """Debian suite whose python3 is `python`; the base of the offline (debootstrap) image."""
    platform: str
    """Wheel platform the lock is resolved for (`x86_64-manylinux_2_36`), uv's spelling."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Container environment variables (TF_ENABLE_ONEDNN_OPTS, TF_USE_LEGACY_KERAS, ...)."""
    pins: Tuple[str, ...] = ()
    """Further pins the env needs to import at all (`protobuf==3.20.3` for TF 2.5)."""
    lock: Path = Path()
    """The hashed lock file the image installs from: containers/locks/<name>.txt."""
    recipe: Path = CONTAINERS_DIR
    """The directory holding the Dockerfiles and base.sh this env's image is built with."""
    copy_host_python: bool = False
    """The offline image copies the host's CPython of this version in (no Debian suite has it)."""
    lock_exclude_newer: str = ""
    """The lock resolves only files uploaded before this instant (uv's --exclude-newer)."""
    description: str = ""
    """One line for listings: why this env is in the matrix."""
    on_demand: str = ""
    """The pin an on-demand env was made from ('tf==2.14.0'; its lock is written when first
    needed); '' for a matrix entry."""

    @property
    def requirements(self) -> List[str]:
        """The top-level pins the lock is compiled from."""
        return [self.tensorflow, self.keras, self.numpy, *self.pins]

    @property
    def tensorflow_version(self) -> str:
        """The pinned TensorFlow version alone (`2.15.1`)."""
        return self.tensorflow.split("==", 1)[1]

    def __str__(self) -> str:
        return self.name


def load_matrix(path: Optional[Path] = None) -> List[Env]:
    """Read and validate the matrix; each error message names the env and the key to fix."""
    path = Path(path) if path is not None else MATRIX_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no environment matrix at {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    pythons: Dict[str, Any] = data.get("python", {})
    defaults: Dict[str, str] = data.get("environment", {})
    envs = [
        _make_env(name, entry, pythons, defaults, path.parent, str(data.get("lock_exclude_newer", "")))
        for name, entry in data.get("env", {}).items()
    ]
    if not envs:
        raise UsageError(f"{path}: defines no [env.\"<name>\"] tables")
    return envs


@dataclass(frozen=True)
class PythonBase:
    """What an env of one Python minor version is built on: a [python."3.x"] table of the matrix."""

    debian: str
    """The Debian suite whose python3 is that version: the offline image's base."""
    platform: str
    """The wheel platform its lock is resolved for (`x86_64-manylinux_2_36`)."""
    copy_host_python: bool = False
    """No suite has that Python: the offline image copies the host's in."""


def python_bases(path: Optional[Path] = None) -> Dict[str, PythonBase]:
    """The matrix's [python."3.x"] tables: the Pythons an image can be built on."""
    path = Path(path) if path is not None else MATRIX_PATH
    load_matrix(path)  # its one-line errors
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {version: PythonBase(str(table["debian"]), str(table["platform"]), bool(table.get("copy_host_python")))
            for version, table in data.get("python", {}).items()}


def matrix_settings(path: Optional[Path] = None) -> Tuple[Dict[str, str], str]:
    """The variables every env gets ([environment]) and the lock cut (lock_exclude_newer): what
    an on-demand env (lab/environments/ondemand.py) shares with the declared ones."""
    path = Path(path) if path is not None else MATRIX_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        load_matrix(path)  # its one-line error
        raise
    variables = {k: str(v) for k, v in data.get("environment", {}).items()}
    return variables, str(data.get("lock_exclude_newer", ""))


def _make_env(
    name: str, entry: Dict[str, Any], pythons: Dict[str, Any], defaults: Dict[str, str],
    recipe: Path, exclude_newer: str,
) -> Env:
    where = f"matrix env {name!r}"
    if not _NAME.match(name) or name == "local":
        raise UsageError(f"{where}: a name is lower-case letters, digits and . _ + - (and not 'local')")
    kind = str(entry.get("kind", "image"))
    declarable = registry.names(declarable=True)
    if kind not in declarable:
        others = sorted(set(registry.names()) - set(declarable))
        never = f" ({', '.join(others)}: never declared)" if others else ""
        raise UsageError(f"{where}: kind {kind!r} is not a known kind; use one of {', '.join(declarable)}{never}")
    unknown = sorted(set(entry) - _ENV_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_ENV_KEYS))}")
    for key in ("python", "tensorflow", "keras", "numpy"):
        if key not in entry:
            raise UsageError(f"{where}: missing required key {key!r}")
    pins = tuple(entry.get("pins", ()))
    for pin in (entry["tensorflow"], entry["keras"], entry["numpy"], *pins):
        if not _PIN.match(str(pin)):
            raise UsageError(f"{where}: {pin!r} is not an exact pin like 'numpy==1.26.4'")
    python = str(entry["python"])
    if python not in pythons:
        raise UsageError(f"{where}: python {python!r} has no [python.\"{python}\"] table (debian, platform)")
    environment = {**defaults, **entry.get("environment", {})}
    return Env(
        name=name,
        kind=kind,
        python=python,
        tensorflow=entry["tensorflow"],
        keras=entry["keras"],
        numpy=entry["numpy"],
        debian=pythons[python]["debian"],
        platform=pythons[python]["platform"],
        environment={k: str(v) for k, v in environment.items()},
        pins=pins,
        lock=recipe / "locks" / f"{name}.txt",
        recipe=recipe,
        copy_host_python=bool(pythons[python].get("copy_host_python", False)),
        lock_exclude_newer=exclude_newer,
        description=entry.get("description", ""),
    )


def get_env(name: str, path: Optional[Path] = None) -> Env:
    """The env called `name`; a UsageError suggests the closest name when there is none."""
    envs = load_matrix(path)
    for env in envs:
        if env.name == name:
            return env
    names = [env.name for env in envs]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    # Every kind of name --env takes, so one line says what to type instead.
    raise UsageError(f"no environment {name!r} in the matrix; {hint}use 'local', a matrix env "
                     f"({', '.join(names)}), a pin like tf==2.17.1 or py3.11/tf==2.12.1, or 'all'")


def env_fingerprint(env: Env) -> str:
    """A sha256 (hex) of everything the image is made of: the entry, the lock, the recipe files."""
    if not env.lock.is_file():
        raise UsageError(f"env {env.name!r} has no lock file {env.lock}; run `make lock` (containers/lock.py)")
    digest = hashlib.sha256()
    # The description is prose and the paths are host-specific: neither is in the image.
    entry = {
        "python": env.python, "requirements": env.requirements, "debian": env.debian,
        "platform": env.platform, "environment": dict(sorted(env.environment.items())),
    }
    digest.update(json.dumps(entry, sort_keys=True).encode())
    # The host-Python recipe is part only of the envs that use it: adding it to RECIPE_FILES
    # would have changed the tag of every other image, though none of them is made with it.
    names = RECIPE_FILES + (("Dockerfile.offline-hostpython",) if env.copy_host_python else ())
    for part in (env.lock, *(env.recipe / name for name in names)):
        digest.update(f"\0{part.name}\0".encode())
        digest.update(part.read_bytes() if part.is_file() else b"<missing>")
    return digest.hexdigest()


def image_tag(env: Env) -> str:
    """The image tag for `env`: lab-env:<name>-<fingerprint12>; a new recipe means a new tag."""
    return f"{IMAGE_REPOSITORY}:{env.name}-{env_fingerprint(env)[:12]}"
