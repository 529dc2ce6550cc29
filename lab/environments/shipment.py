"""What the lab ships into an environment: its guest code and the scenario modules.

The shipment is `lab/__init__.py`, the `lab/guest/` package and the scenario folders' modules,
copied into one folder: exactly that is on the guest's path, and its hash is the code part of
every cache key. What comes back is batch.py's to accept.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

from lab.scratch import scratch_dir

LAB_DIR = Path(__file__).resolve().parents[1]
GUEST_DIR = LAB_DIR / "guest"


def guest_files() -> List[Path]:
    """The lab code an environment runs: lab/__init__.py and every module of lab/guest/."""
    return [LAB_DIR / "__init__.py", *sorted(GUEST_DIR.rglob("*.py"))]


def guest_fingerprint() -> str:
    """A sha256 of the shipped lab code: any change to it can change a record."""
    digest = hashlib.sha256()
    for path in guest_files():
        digest.update(path.relative_to(LAB_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Shipment:
    """A staged copy of the guest and the scenario modules, read-only for the environments."""

    root: Path
    """The folder to put on the guest's path (holds lab/ and scenarios/<n>/)."""
    scenario_dirs: Tuple[str, ...]
    """The scenario folders, relative to root, in the order the host loaded them."""


def stage(scenario_dirs: Sequence[Path], into: Path) -> Shipment:
    """Copy the guest and each scenario folder's modules under `into` (world-readable, so a
    container's unprivileged user can read them)."""
    for path in guest_files():
        target = into / "lab" / path.relative_to(LAB_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    names = []
    for i, directory in enumerate(scenario_dirs):
        name = f"scenarios/{i}"
        (into / name).mkdir(parents=True)
        for module in sorted(Path(directory).glob("*.py")):
            shutil.copyfile(module, into / name / module.name)
        names.append(name)
    for folder, _, files in os.walk(into):
        os.chmod(folder, 0o755)
        for f in files:
            os.chmod(os.path.join(folder, f), 0o644)
    return Shipment(into, tuple(names))


class Staged:
    """A shipment in a temporary folder for the length of a `with` block."""

    def __init__(self, scenario_dirs: Sequence[Path]) -> None:
        self.scenario_dirs = list(scenario_dirs)
        self._tmp: Optional[tempfile.TemporaryDirectory[str]] = None

    def __enter__(self) -> Shipment:
        self._tmp = scratch_dir("shipment")
        return stage(self.scenario_dirs, Path(self._tmp.name))

    def __exit__(self, *exc: Any) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
