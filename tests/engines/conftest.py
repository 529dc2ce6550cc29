"""Engine fixtures: a Slurm cluster that answers, or a skip (a failure under LAB_REQUIRE_SLURM=1) that says why."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.containers.conftest import docker_client  # noqa: F401 (a fixture: the Kubernetes example's image)

START = "sudo containers/start-slurm.sh starts a one-machine cluster"


@pytest.fixture(scope="session")
def slurm() -> None:
    """A Slurm controller that answers and a node ready for jobs."""
    why = ""
    if shutil.which("sbatch") is None:
        why = f"no sbatch on PATH; {START}"
    else:
        ping = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=60)
        nodes = subprocess.run(["sinfo", "-h", "-N", "-o", "%t"], capture_output=True, text=True, timeout=60)
        if "UP" not in ping.stdout:
            why = f"no Slurm controller answers ({(ping.stdout + ping.stderr).strip()[:160]}); {START}"
        elif not {"idle", "mix", "alloc"} & set(nodes.stdout.split()):
            why = f"no Slurm node is ready (states: {' '.join(nodes.stdout.split()) or 'none'}); {START}"
    if why:
        # CI sets LAB_REQUIRE_SLURM=1 and starts the cluster: there a missing one must fail.
        if os.environ.get("LAB_REQUIRE_SLURM") == "1":
            pytest.fail(f"LAB_REQUIRE_SLURM=1 but {why}")
        pytest.skip(why)
