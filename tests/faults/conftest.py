"""The fault-injection suite: the lab as a subprocess, fault scenarios copied outside the project.

Every test gives the lab its own temporary directory (TMPDIR), so it can check afterwards that
the lab left nothing there, and that its containers are gone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from lab.environments.image.runner import LABEL, OWNER_LABEL
from tests.containers.conftest import docker_client  # noqa: F401  (the same skip-or-fail fixture)

FAULTS = Path(__file__).parents[1] / "fixtures" / "faults"
LAB = [sys.executable, "-c", "from lab.cli import entry; entry()"]
ROOT = Path(__file__).parents[2]
ENV = "tf2.21"

# The lab in a process that reports its peak memory on stderr (run with the lab's arguments).
PEAK = """
import resource, sys
from lab.cli import main
code = main(sys.argv[1:])
print(f"peak-rss-mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}", file=sys.stderr)
sys.exit(code)
"""


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

    def processes(self, *tokens: str) -> List[int]:
        """Live processes of this test's lab runs: a command line or working folder in its
        temporary directory (guests, sandboxes), or a command line holding one of `tokens`."""
        marks = [str(self.tmp).encode(), *(t.encode() for t in tokens)]
        found = []
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == os.getpid():
                continue
            try:
                cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
                state = Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
                cwd = os.readlink(f"/proc/{name}/cwd")
            except OSError:
                continue
            if state != b"Z" and (any(m in cmdline for m in marks) or cwd.startswith(str(self.tmp))):
                found.append(int(name))
        return found

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
    return client.containers.list(all=True, filters={"label": labels}, ignore_removed=True)


def records_of(out: Path) -> Dict[Tuple[str, str, str], Any]:
    from lab.results import load_records

    return {(r.env, r.scenario, r.mode.value): r for r in load_records(out)}


def lines_in(lab: Lab, kind: str, client: Any = None, pid: int = 0) -> int:
    """Jobs the running guests of `kind` ('docker', 'local': a local or interpreter env) have
    finished so far, from their logs (a guest's log file; a container's stderr)."""
    # (The lab's first guest logged no jobs: it appended a line per trial to a records file in the
    # lab's temporary folder, mounted into a container. Counted too, so that these tests can show
    # what that lab did under the same faults.)
    old = sum(p.read_bytes().count(b"\n") for p in lab.tmp.glob("lab-*/records.jsonl")
              if ("-docker-" in p.parent.name) == (kind == "docker"))
    if kind == "docker":
        logs = [_logs(c) for c in containers_of(client, pid)]
    else:
        logs = [p.read_bytes() for p in lab.tmp.glob("lab-*/guest.log")]
    return old + sum(log.count(b"lab-guest: job ") for log in logs)


def need_made(env: str) -> None:
    """A skip when an interpreter env's venv is not made (`lab envs build tf1.15`)."""
    from lab.environments import resolve

    if env != "local" and not resolve([env])[0].state().made:
        pytest.skip(f"the {env} venv is not made: lab envs build {env}")


def _logs(container: Any) -> bytes:
    """A container's stderr; nothing when it is being removed (its job is over)."""
    import docker

    try:
        return container.logs(stdout=False, stderr=True)
    except docker.errors.APIError:
        return b""


def wait_for(condition: Callable[[], Any], what: str, seconds: float = 180,
             proc: Optional[subprocess.Popen] = None) -> None:
    """Until `condition()` holds; fails after `seconds`, or at once when `proc` (the lab) ended first."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc is None or proc.poll() is None, f"the lab ended (exit {proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def assert_nothing_left(lab: Lab, client: Any, pid: int) -> None:
    if client is not None:
        assert containers_of(client, pid) == []
    assert lab.scratch_left() == []
    assert lab.outside_out() == []
