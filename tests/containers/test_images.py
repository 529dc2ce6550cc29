"""Real image builds: the pinned TensorFlow is inside, unchanged envs are not rebuilt."""

from __future__ import annotations

import json
import shutil
import threading
import time

import pytest

from lab.environments.declared import get_env, image_tag, load_matrix
from lab.environments.image.build import build_image, docker_client, image_status, remove_stale_images, render
from lab.environments.shipment import Staged
from lab.errors import DockerUnavailable

PROBE = ["python", "-m", "lab.guest.probe"]


@pytest.fixture(scope="module")
def shipment():
    """The guest code, staged as a run ships it (no scenarios): mounted at /lab by run_in."""
    with Staged([]) as staged:
        yield staged


def run_in(client, tag, *command, environment=None, shipment=None):
    """The last stdout line of `command` in a fresh container set up like a trial (non-root, no
    network, read-only), with `shipment` at /lab on PYTHONPATH when given."""
    environment = {"HOME": "/tmp", **(environment or {})}
    volumes = {}
    if shipment is not None:
        environment.update(PYTHONPATH="/lab", PYTHONDONTWRITEBYTECODE="1")
        volumes[str(shipment.root)] = {"bind": "/lab", "mode": "ro"}
    container = client.containers.run(
        tag, list(command), detach=True, network_mode="none", read_only=True,
        tmpfs={"/tmp": ""}, environment=environment, volumes=volumes,
    )
    try:
        status = container.wait(timeout=300)["StatusCode"]
        out = container.logs(stdout=True, stderr=False).decode()
        assert status == 0, container.logs(stdout=False, stderr=True).decode()[-2000:]
        return out.strip().splitlines()[-1]
    finally:
        container.remove(force=True)


@pytest.fixture(scope="module")
def tf215(docker_client):
    """The tf2.15 env, its image built (or found) once for this module."""
    env = get_env("tf2.15")
    build_image(env, docker_client)
    return env


@pytest.mark.docker
def test_tf215_image_has_the_pinned_tensorflow_and_numpy(docker_client, tf215, shipment):
    versions = json.loads(run_in(docker_client, image_tag(tf215), *PROBE, shipment=shipment))
    assert versions["tensorflow"] == tf215.tensorflow_version
    assert versions["numpy"] == tf215.numpy.split("==")[1]
    assert versions["python"].rsplit(".", 1)[0] == tf215.python


@pytest.mark.docker
def test_an_unchanged_env_is_not_rebuilt(docker_client, tf215):
    first = image_status(tf215, docker_client)
    lines = []
    again = build_image(tf215, docker_client, lines.append)
    assert again.image_id == first.image_id
    assert not any(line.startswith(("Step ", "installed the lock", "building the shared runtime")) for line in lines), \
        "a build ran"
    assert any(line.endswith("is built already (" + (first.image_id or "")[:19] + "); nothing to do") for line in lines)


@pytest.mark.docker
def test_image_runs_as_lab_with_the_matrix_environment(docker_client, tf215):
    out = run_in(docker_client, image_tag(tf215), "sh", "-c", 'echo "$(id -u) $(id -un) $TF_ENABLE_ONEDNN_OPTS"')
    assert out == "1000 lab 0"


@pytest.mark.docker
def test_a_changed_lock_means_a_new_unbuilt_tag(docker_client, tf215, tmp_path):
    shutil.copytree(tf215.recipe, tmp_path / "containers")
    with (tmp_path / "containers" / "locks" / "tf2.15.txt").open("a") as lock:
        lock.write("# edited\n")
    edited = get_env("tf2.15", tmp_path / "containers" / "matrix.toml")
    status = image_status(edited, docker_client)
    assert status.tag != image_tag(tf215)
    assert not status.built


@pytest.mark.docker
# Interpreter envs (tf1.15) have no image; tf1.15-image, Python 3.7, runs the same probe.
@pytest.mark.parametrize("name", [env.name for env in load_matrix() if env.kind == "image"])
def test_every_built_matrix_image_has_its_pinned_tensorflow(docker_client, name, shipment):
    env = get_env(name)
    if not image_status(env, docker_client).built:
        pytest.skip(f"{image_tag(env)} not built; `python containers/build.py {name}` builds it")
    versions = json.loads(run_in(docker_client, image_tag(env), *PROBE, shipment=shipment))
    assert (versions["tensorflow"], versions["numpy"]) == (env.tensorflow_version, env.numpy.split("==")[1])
    assert versions["python"].rsplit(".", 1)[0] == env.python


def test_render_puts_the_env_variables_in_one_env_line():
    env = get_env("tf2.21-legacy-keras")
    text = render("FROM x\n@ENVIRONMENT@\nUSER lab\n", env)
    assert 'TF_USE_LEGACY_KERAS="1"' in text and 'TF_ENABLE_ONEDNN_OPTS="0"' in text
    assert "@ENVIRONMENT@" not in text


def test_no_daemon_is_one_line_saying_how_to_start_docker(monkeypatch):
    pytest.importorskip("docker", reason="the docker Python package is not installed")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(DockerUnavailable) as info:
        docker_client(timeout=5)
    assert "\n" not in str(info.value)
    assert "dockerd" in str(info.value) and "start-docker.sh" in str(info.value)


@pytest.mark.docker
def test_remove_stale_images_untags_old_recipes_of_its_envs_only(docker_client, tf215):
    built_before = {env.name: image_status(env, docker_client).built for env in load_matrix()}
    image = docker_client.images.get(image_tag(tf215))
    image.tag("lab-env", "tf2.15-000000000000")  # an older recipe of an env of this matrix
    image.tag("lab-env", "someone-elses-env-000000000000")  # another checkout's env: not ours to untag
    try:
        removed = remove_stale_images(load_matrix(), docker_client)
        assert "lab-env:tf2.15-000000000000" in removed
        assert "lab-env:someone-elses-env-000000000000" not in removed
        assert "lab-env:someone-elses-env-000000000000" in docker_client.images.get(image.id).tags
        assert {env.name: image_status(env, docker_client).built for env in load_matrix()} == built_before
    finally:
        docker_client.images.remove("lab-env:someone-elses-env-000000000000")


class FakeImages:
    """images.get/pull of a daemon that has `present` and reaches no registry."""

    def __init__(self, present):
        self.present = set(present)

    def get(self, name):
        import docker.errors

        if name not in self.present:
            raise docker.errors.ImageNotFound(name)
        return type("Image", (), {"id": f"sha256:{'0' * 64}"})()

    def pull(self, name):
        import docker.errors

        raise docker.errors.APIError(f"pull {name}: no such host")

    def prune(self, filters):
        return {}


def test_build_falls_back_to_offline_with_one_notice_when_no_registry(monkeypatch, tmp_path):
    pytest.importorskip("docker", reason="the docker Python package is not installed")
    import lab.environments.image.build as images

    # The fake build's time must not land in the user's builds.json as the real tag's.
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))

    env = get_env("tf2.15")
    client = type("Client", (), {"images": FakeImages(present=[])})()
    built = {}
    monkeypatch.setattr(images, "base_image", lambda suite, client, note, script: f"lab-base:{suite}-x")
    monkeypatch.setattr(images.wheels, "download", lambda env, note: [])

    def fake_build(client, context, tag, buildargs, labels, note, network_mode):
        built.update(runtime=tag, buildargs=buildargs, network=network_mode,
                     dockerfile=(context / "Dockerfile").read_text())
        client.images.present.add(tag)

    def fake_install(client, runtime, context, python, tag, env, labels, note):
        built.update(tag=tag, on=runtime, python=python, install=(context / "install.sh").read_text(),
                     changes=images.commit_changes(env, labels))
        client.images.present.add(tag)

    monkeypatch.setattr(images, "_stream_build", fake_build)
    monkeypatch.setattr(images, "_install_and_commit", fake_install)
    lines = []
    status = build_image(env, client, lines.append)
    assert status.built and built["tag"] == image_tag(env)
    assert [line for line in lines if line.startswith("cannot pull")] == [
        "cannot pull python:3.11-slim (no registry?); building tf2.15 offline from a debootstrap base"
    ]
    # The env's image is the shared runtime plus the venv installed (offline, hash-checked) and committed.
    assert built["buildargs"] == {"BASE": "lab-base:bookworm-x"} and built["network"] == "none"
    assert built["on"] == built["runtime"] and built["runtime"].startswith("lab-runtime:bookworm-")
    assert "--no-index" in built["install"] and "--require-hashes" in built["install"] and built["python"] == "python3"
    assert 'TF_ENABLE_ONEDNN_OPTS="0"' in built["changes"][0] and "USER lab" in built["changes"]
    assert set(images.build_seconds()) == {image_tag(env)}  # remembered in this test's cache only


def test_build_of_an_existing_tag_does_nothing(monkeypatch):
    pytest.importorskip("docker", reason="the docker Python package is not installed")
    import lab.environments.image.build as images

    env = get_env("tf2.15")
    client = type("Client", (), {"images": FakeImages(present=[image_tag(env)])})()
    monkeypatch.setattr(images, "_stream_build", lambda *a, **k: pytest.fail("built an unchanged env"))
    assert build_image(env, client).built


def test_a_second_build_of_one_tag_waits_for_the_first(tmp_path, monkeypatch):
    from lab.environments.image.build import _build_lock

    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    order, notes = [], []

    def second():
        with _build_lock("lab-env:x-0", notes.append):
            order.append("second")

    with _build_lock("lab-env:x-0", notes.append):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        order.append("first done")
    thread.join(timeout=5)
    assert order == ["first done", "second"]
    assert notes == ["waiting for another process building lab-env:x-0"]
