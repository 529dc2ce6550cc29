"""Host-side wheel cache: download an env's locked files once, hash-checked, for offline image builds."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Set

from lab.cache import cache_root
from lab.environments.declared import Env
from lab.errors import EnvironmentUnavailable
from lab.locking import file_lock

ProgressFn = Callable[[str], None]

_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")
_PIN_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==")


def cache_dir() -> Path:
    """Where downloaded wheels live between builds: wheels/ under lab's cache root."""
    return cache_root() / "wheels"


def lock_hashes(lock: Path) -> Dict[str, Set[str]]:
    """Each locked project's name mapped to the sha256 hashes the lock allows for it."""
    hashes: Dict[str, Set[str]] = {}
    current = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        pin = _PIN_LINE.match(line)
        if pin:
            current = pin.group(1).lower()
            hashes[current] = set()
        if current is not None:
            hashes[current].update(_HASH.findall(line))
    return hashes


def platform_tags(platform: str) -> List[str]:
    """pip's --platform values for uv's `x86_64-manylinux_2_36`: that glibc and every older one.

    pip does not expand a PEP 600 tag to older glibcs by itself, and most wheels are tagged
    for an old one (manylinux2014 = 2.17, manylinux2010 = 2.12, manylinux1 = 2.5).
    """
    arch, _, tag = platform.partition("-")
    match = re.fullmatch(r"manylinux_2_(\d+)", tag)
    if not match:
        raise ValueError(f"unsupported wheel platform {platform!r}; expected e.g. x86_64-manylinux_2_36")
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(int(match.group(1)), 4, -1)]
    return tags + [f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}"]


def cpython_abi(python: str) -> str:
    """CPython's ABI tag for `python` ('3.11'): cp311, or cp37m up to 3.7 (pymalloc's `m`,
    dropped in 3.8), which is what every cp37 wheel, TensorFlow 1.15's included, is tagged."""
    major, minor = (int(part) for part in python.split(".")[:2])
    return f"cp{major}{minor}" + ("m" if (major, minor) < (3, 8) else "")


def download(env: Env, on_progress: Optional[ProgressFn] = None, dest: Optional[Path] = None) -> List[Path]:
    """The files (wheels, or an sdist where a pin has no wheel) the env's lock names, downloaded once.

    pip resolves for the env's Python and platform, not the host's, and checks every hash;
    files already in the cache are reused, so an unchanged lock downloads nothing.
    """
    note = on_progress or (lambda line: None)
    dest = dest or cache_dir() / f"cp{env.python.replace('.', '')}-{env.platform}"
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
        "--progress-bar", "off", "--disable-pip-version-check",
        "-r", str(env.lock), "--dest", str(dest),
        # --no-deps lets pip fall back to an sdist where a pin has no wheel (TF 2.5's wrapt).
        "--implementation", "cp", "--python-version", env.python, "--abi", cpython_abi(env.python),
        # uv checked Requires-Python when it locked; pip reads `3.9` as 3.9.0 and would refuse
        # pins such as cryptography's `!=3.9.0,!=3.9.1`, which the image's 3.9.2 satisfies.
        "--ignore-requires-python",
    ]
    for tag in platform_tags(env.platform):
        cmd += ["--platform", tag]
    # Envs of one Python share the folder and images build in parallel: one pip at a time in it,
    # or one would find (and, its hash wrong, delete) a file another is still writing.
    with file_lock(dest / ".lock", lambda: note(f"waiting for another download into {dest}")):
        try:  # every locked file already here (hashes from their sidecars): no pip to start
            return select(env.lock, dest)
        except EnvironmentUnavailable:
            pass
        note(f"downloading {env.name}'s locked wheels into {dest}")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        tail: List[str] = []
        for line in proc.stdout:
            line = line.rstrip()
            tail = (tail + [line])[-5:]
            if line.startswith(("Collecting", "Downloading", "Saved", "File was already")):
                note(line.strip())
        if proc.wait() != 0:
            raise EnvironmentUnavailable(
                f"pip download for env {env.name!r} failed (exit {proc.returncode}): {' | '.join(tail)}"
            )
        return select(env.lock, dest)


def select(lock: Path, directory: Path) -> List[Path]:
    """The files in `directory` whose sha256 the lock allows, one per locked project at least."""
    wanted = lock_hashes(lock)
    allowed = {digest: name for name, digests in wanted.items() for digest in digests}
    chosen: List[Path] = []
    found: Set[str] = set()
    for path in sorted(directory.iterdir()):
        if path.is_file() and not path.name.startswith("."):  # skip the .sha256 sidecars
            name = allowed.get(_sha256(path))
            if name is not None:
                chosen.append(path)
                found.add(name)
    missing = sorted(set(wanted) - found)
    if missing:
        raise EnvironmentUnavailable(f"no file matching the lock's hashes in {directory} for: {', '.join(missing)}")
    return chosen


def _sha256(path: Path) -> str:
    # A sidecar keyed by size and mtime spares re-hashing ~1 GB of wheels on every build.
    side = path.with_name(f".{path.name}.sha256")
    stamp = f"{path.stat().st_size}:{path.stat().st_mtime_ns}"
    if side.is_file():
        saved_stamp, _, saved = side.read_text().partition(" ")
        if saved_stamp == stamp:
            return saved.strip()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    side.write_text(f"{stamp} {digest.hexdigest()}\n")
    return digest.hexdigest()
