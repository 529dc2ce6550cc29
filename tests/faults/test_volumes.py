"""Docker volumes: a batch's container goes with every volume it had, an image is committed
without a VOLUME, and what a killed lab left goes with its volumes too."""

from __future__ import annotations

import os
import secrets
import signal
from pathlib import Path
from typing import Any, List

import pytest

from tests.faults.conftest import ENV, Lab, assert_nothing_left, containers_of, wait_for

pytestmark = pytest.mark.docker


def volumes_of(container: Any) -> List[str]:
    container.reload()
    return [m["Name"] for m in container.attrs.get("Mounts", []) if m.get("Type") == "volume"]


def existing(client: Any, names: List[str]) -> List[str]:
    import docker.errors  # present: the docker_client fixture skips without it

    found = []
    for name in names:
        try:
            client.volumes.get(name)
            found.append(name)
        except docker.errors.NotFound:
            pass
    return found


def test_a_batch_leaves_no_volume_behind(lab: Lab, docker_client: Any) -> None:
    lab.knobs(SLEEP_S=5.0)
    proc = lab.start("run", "fault-ok", "fault-slow", "--mode", "graph", "--env", ENV, "--no-cache")
    wait_for(lambda: containers_of(docker_client, proc.pid), "the container", proc=proc)
    (container,) = containers_of(docker_client, proc.pid)
    volumes = volumes_of(container)
    assert volumes == []  # no anonymous volume to leak: the image's declared ones are covered by tmpfs
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err[-2000:]
    assert existing(docker_client, volumes) == []
    assert_nothing_left(lab, docker_client, proc.pid)


def test_an_image_is_committed_without_a_volume(docker_client: Any, tmp_path: Path) -> None:
    from lab.environments.declared import get_env
    from lab.environments.image.build import _install_and_commit, image_status

    env = get_env(ENV)
    status = image_status(env, docker_client)
    if not status.built:
        pytest.skip(f"the {ENV} image is not built: lab envs build {ENV}")
    # Its runtime (the image's base layers) with a stand-in install: the real build's container and commit.
    runtime = docker_client.images.get(status.tag).labels["lab.runtime"]
    (tmp_path / "install.sh").write_text("mkdir -p /opt/venv && echo 'lab-installer: none (a test)'\n")
    tag = f"lab-test-commit:{secrets.token_hex(4)}"
    try:
        _install_and_commit(docker_client, runtime, tmp_path, "python3", tag, env, {"lab.test": "1"}, lambda line: None)
        assert not docker_client.images.get(tag).attrs["Config"].get("Volumes")
    finally:
        try:
            docker_client.images.remove(tag, force=True)
        except Exception:  # not made: the assertion above says why
            pass


def test_lab_clean_removes_a_killed_labs_container_with_its_volumes(lab: Lab, docker_client: Any) -> None:
    lab.knobs(SLEEP_S=600.0)
    proc = lab.start("run", "fault-slow", "--mode", "graph", "--env", ENV, "--timeout", "5", "--no-cache")
    wait_for(lambda: containers_of(docker_client, proc.pid), "the container", proc=proc)
    (container,) = containers_of(docker_client, proc.pid)
    volumes = volumes_of(container)
    assert volumes == []  # no anonymous volume to leak: the image's declared ones are covered by tmpfs
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    wait_for(lambda: not _running(container), "the container to end itself", 60)
    cleaned = lab.run("clean")
    assert cleaned.returncode == 0, cleaned.stderr
    # (Another lab starting meanwhile may have swept the container first: the volumes must be gone either way.)
    assert containers_of(docker_client, proc.pid) == []
    assert existing(docker_client, volumes) == []
    assert_nothing_left(lab, docker_client, proc.pid)


def _running(container: Any) -> bool:
    try:
        container.reload()
    except Exception:  # removed: not running
        return False
    return bool(container.attrs["State"]["Running"])
