"""Real TensorFlow 1.15 in a container: the image kind gives the records the interpreter kind gives.

No Debian suite ships CPython 3.7, so offline the image copies the host's (pyenv's) in; the
tests without the docker marker check that recipe's choices with a fake daemon.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lab.environments.declared import get_env, image_tag, load_matrix
from lab.environments.image.build import build_image
from lab.environments.image.wheels import cpython_abi
from lab.environments.pythons import candidate_pythons, python_version
from lab.environments.uvtool import find_uv
from lab.plan import Trial
from lab.scenario import DEFAULT_SCENARIO_DIR, Mode

INTERPRETER, IMAGE = "tf1.15", "tf1.15-image"
# Re-running the initializer (graph) against the eager tape, a counter, and a seed-only twin
# (its eager twin seeds with tf.compat.v1.set_random_seed, which TF 1.15 has).
SCENARIOS = ("tf1-reinit", "tf1-reinit-counter", "seed-global-only")


def host_python_37() -> str:
    """A CPython 3.7 on the host (pyenv's), or '' when there is none."""
    for python in candidate_pythons("3.7"):
        if python_version(python).startswith("3.7."):
            return python
    return ""


@pytest.fixture(scope="module")
def records(docker_client):
    """(interpreter records, image records) of every scenario in SCENARIOS, both modes."""
    from lab.environments import resolve
    from lab.execute import run_batch

    if not host_python_37():
        pytest.skip("no CPython 3.7 on the host for the tf1.15 interpreter env: `pyenv install 3.7`")
    build_image(get_env(IMAGE), docker_client)
    trials = [Trial(scenario, mode, 1) for scenario in SCENARIOS for mode in Mode]
    interpreter, image = resolve([INTERPRETER, IMAGE], client=docker_client)
    assert (interpreter.kind, image.kind) == ("interpreter", "image")
    return tuple(run_batch(env, trials, [DEFAULT_SCENARIO_DIR]) for env in (interpreter, image))


@pytest.mark.docker
def test_the_image_and_the_venv_give_the_same_records(records):
    interpreter, image = records
    assert [(r.scenario, r.mode) for r in interpreter] == [(r.scenario, r.mode) for r in image]
    assert len(image) == 2 * len(SCENARIOS)
    for left, right in zip(interpreter, image):
        assert (left.status, dict(left.observations), left.error) == \
               (right.status, dict(right.observations), right.error), f"{left.scenario}[{left.mode.value}]"
    # Not vacuous: real TensorFlow 1 ran, and at least the graph twins observed something.
    assert {r.facts.get("tensorflow") for r in image} == {"1.15.5"}
    assert all(r.observations for r in image if r.mode is Mode.GRAPH)


@pytest.mark.docker
def test_the_image_runs_python_37_from_its_venv(records):
    _, image = records
    assert {str(r.facts.get("python", "")).rsplit(".", 1)[0] for r in image} == {"3.7"}
    assert {r.facts.get("image") for r in image} == {image_tag(get_env(IMAGE))}


# The recipe's choices, with a daemon that reaches no registry (no Docker needed).

class FakeImages:
    """images.get/pull of a daemon that has `present` and reaches no registry."""

    def __init__(self, present=()):
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


@pytest.fixture
def offline_build(monkeypatch, tmp_path):
    """Builds through a fake daemon; returns (build, built): what the build context held."""
    pytest.importorskip("docker", reason="the docker Python package is not installed")
    import lab.environments.image.build as images

    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(images, "base_image", lambda suite, client, note, script: f"lab-base:{suite}-x")
    monkeypatch.setattr(images.wheels, "download", lambda env, note: [])
    built = {}

    def fake_build(client, context, tag, buildargs, labels, note, network_mode):
        python = context / "python"
        built.update(buildargs=buildargs, network=network_mode,
                     dockerfile=(context / "Dockerfile").read_text(),
                     files={str(p.relative_to(python)) for p in python.rglob("*")} if python.is_dir() else set())
        client.images.present.add(tag)

    def fake_install(client, runtime, context, python, tag, env, labels, note):
        built.update(labels=labels, python=python, install=(context / "install.sh").read_text(),
                     changes=images.commit_changes(env, labels), uv_offered=(context / "uv").is_file())
        client.images.present.add(tag)

    monkeypatch.setattr(images, "_stream_build", fake_build)
    monkeypatch.setattr(images, "_install_and_commit", fake_install)

    def build(name):
        client = type("Client", (), {"images": FakeImages()})()
        lines = []
        build_image(get_env(name), client, lines.append)
        return lines

    return build, built


def fake_pyenv(root: Path) -> Path:
    """A pyenv tree with one 'CPython 3.7.16' (a shell script that answers like one)."""
    home = root / "versions" / "3.7.16"
    (home / "bin").mkdir(parents=True)
    (home / "lib" / "python3.7" / "site-packages").mkdir(parents=True)
    (home / "lib" / "python3.7" / "test").mkdir()
    (home / "lib" / "python3.7" / "os.py").write_text("")
    (home / "lib" / "python3.7" / "test" / "test_os.py").write_text("")
    (home / "lib" / "python3.7" / "site-packages" / "host.pth").write_text("")
    (home / "lib" / "libpython3.7m.so.1.0").write_text("")
    python = home / "bin" / "python3.7"
    python.write_text(f"#!/bin/sh\necho 3.7.16 {home}\n")
    python.chmod(0o755)
    (home / "bin" / "python").symlink_to("python3.7")
    return home


def test_offline_copies_the_host_python_in_at_its_own_path(offline_build, monkeypatch, tmp_path):
    build, built = offline_build
    home = fake_pyenv(tmp_path / "pyenv")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    lines = build(IMAGE)
    assert [line for line in lines if line.startswith("cannot pull")] == [
        f"cannot pull python:3.7-slim (no registry?); building {IMAGE} offline from a debootstrap base"
    ]
    assert built["buildargs"] == {"BASE": "lab-base:bookworm-x", "PYTHON_HOME": str(home)}
    assert built["network"] == "none" and built["labels"]["lab.recipe"] == "Dockerfile.offline-hostpython"
    assert "COPY python/ ${PYTHON_HOME}/" in built["dockerfile"] and "--require-hashes" in built["install"]
    assert not built["uv_offered"]  # uv does not support Python 3.7: install.sh uses pip there
    assert built["python"] == f"{home}/bin/python3" and 'TF_ENABLE_ONEDNN_OPTS="0"' in built["changes"][0]
    # The interpreter and its stdlib go in; the host's site-packages and the test suite do not.
    assert {"bin/python", "bin/python3.7", "lib/libpython3.7m.so.1.0", "lib/python3.7/os.py",
            "lib/python3.7/site-packages"} <= built["files"]
    assert not any(f.startswith(("lib/python3.7/test", "lib/python3.7/site-packages/")) for f in built["files"])


def test_offline_without_a_host_python_is_one_line_saying_how_to_get_one(offline_build, monkeypatch, tmp_path):
    from lab.environments.image.build import ImageBuildFailed

    build, _ = offline_build
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no python3.7 on PATH either
    with pytest.raises(ImageBuildFailed) as info:
        build(IMAGE)
    assert "\n" not in str(info.value) and "pyenv install 3.7" in str(info.value)


def test_envs_with_a_debian_python_keep_the_offline_recipe(offline_build):
    build, built = offline_build
    build("tf2.15")
    assert built["buildargs"] == {"BASE": "lab-base:bookworm-x"} and not built["files"]
    assert built["labels"]["lab.recipe"] == "Dockerfile.offline"
    assert built["uv_offered"] == (find_uv() is not None)


def test_the_host_python_recipe_is_in_the_tag_of_its_envs_only(tmp_path):
    shutil.copytree(get_env(IMAGE).recipe, tmp_path / "containers")
    with (tmp_path / "containers" / "Dockerfile.offline-hostpython").open("a") as recipe:
        recipe.write("# edited\n")
    edited = {env.name: image_tag(env) for env in load_matrix(tmp_path / "containers" / "matrix.toml")}
    for env in load_matrix():
        changed = edited[env.name] != image_tag(env)
        assert changed == env.copy_host_python, env.name


def test_the_lock_is_the_interpreter_envs_lock():
    def pins(name):
        text = get_env(name).lock.read_text()
        return [line for line in text.splitlines() if not line.lstrip().startswith("#")]

    assert pins(IMAGE) == pins(INTERPRETER)
    assert get_env(IMAGE).requirements == get_env(INTERPRETER).requirements


@pytest.mark.parametrize(("python", "abi"), [("3.7", "cp37m"), ("3.6", "cp36m"), ("3.8", "cp38"), ("3.11", "cp311")])
def test_cpython_abi_has_the_pymalloc_m_up_to_37(python, abi):
    assert cpython_abi(python) == abi
