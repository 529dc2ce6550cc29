"""The fault-injection suite: the lab as a subprocess, fault scenarios copied outside the project.

Every test gives the lab its own temporary directory (TMPDIR), so it can check afterwards that
the lab left nothing there, and that its containers are gone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from lab.environments.image.runner import LABEL, OWNER_LABEL
from tests.containers.conftest import docker_client  # noqa: F401  (the same skip-or-fail fixture)

FAULTS = Path(__file__).parents[1] / "fixtures" / "faults"
LAB = [sys.executable, "-c", "from lab.cli import entry; entry()"]
ROOT = Path(__file__).parents[2]
ENV = "tf2.21"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "docker: runs real containers (needs a Docker daemon)")


@dataclass
class Lab:
    """One test's lab: a copy of the fault scenarios outside the project, its own temporary
    directory and results folder."""

    root: Path
    scenarios: Path
    tmp: Path
    out: Path

    def knobs(self, **values: Any) -> None:
        text = (FAULTS / "_knobs.py").read_text()
        for name, value in values.items():
            text += f"{name} = {value!r}\n"
        (self.scenarios / "_knobs.py").write_text(text)

    def environ(self, **extra: str) -> Dict[str, str]:
        # Its own record cache (and so its own durations.json): neither read nor written from the user's.
        env = dict(os.environ, LAB_SCENARIOS=str(self.scenarios), TMPDIR=str(self.tmp),
                   PYTHONPATH=str(ROOT), LAB_RECORD_CACHE=str(self.tmp / "record-cache"))
        env.update(extra)
        for name in ("LAB_TEST_CRASH", "LAB_TEST_SLEEP"):
            env.pop(name, None)
        return env

    def start(self, *args: str, **extra: str) -> subprocess.Popen:
        return subprocess.Popen([*LAB, *args], env=self.environ(**extra), cwd=self.root, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

    def run(self, *args: str, timeout: float = 240, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([*LAB, *args], env=self.environ(**extra), cwd=self.root, text=True,
                              capture_output=True, timeout=timeout)

    def scratch_left(self) -> List[str]:
        """The lab's temporary folders still in its temporary directory."""
        return sorted(p.name for p in self.tmp.iterdir() if p.name.startswith("lab-"))

    def outside_out(self) -> List[str]:
        """Files under the test's folder that are neither the scenarios, the results nor temporary."""
        keep = (self.scenarios, self.out, self.tmp)
        return sorted(str(p) for p in self.root.rglob("*")
                      if p.is_file() and not any(k == p or k in p.parents for k in keep))


@pytest.fixture
def lab(tmp_path: Path) -> Lab:
    scenarios = tmp_path / "scenarios"
    shutil.copytree(FAULTS, scenarios, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "tmp").mkdir()
    return Lab(tmp_path, scenarios, tmp_path / "tmp", tmp_path / "out")


def containers_of(client: Any, pid: Optional[int] = None) -> list:
    """Lab containers, of one lab process when `pid` is given."""
    labels = [LABEL] + ([f"{OWNER_LABEL}={pid}"] if pid is not None else [])
    return client.containers.list(all=True, filters={"label": labels})
