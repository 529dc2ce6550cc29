"""On-demand envs built as images: the same pins as the venv, through the image builder; a bisection
over them, and an image env that says whether it is made and forgets itself.

Each release's image is built once (about half a minute once its wheels are downloaded) and kept
by its recipe's hash, so a rerun builds nothing. Needs PyPI the first time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.cli import main
from lab.environments import lookup, resolve

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bisect"
pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_an_image_spec_takes_a_python_with_a_base_in_the_matrix_and_the_same_pins() -> None:
    image, _ = lookup("tf==2.10.1+image")
    venv, _ = lookup("tf==2.10.1")
    assert (image.name, image.kind, venv.kind) == ("tf2.10.1-image", "image", "interpreter")
    assert (image.python, venv.python) == ("3.9", "3.10")  # no [python."3.10"] base in containers/matrix.toml
    assert (image.debian, image.platform) == ("bullseye", "x86_64-manylinux_2_31")
    assert "newest with a 2.10.1 wheel of those image envs use: 3.7, 3.9" in image.description


def test_a_bisection_over_image_envs_names_the_same_release_as_over_venvs(docker_client, monkeypatch,
                                                                          capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURES))
    assert main(["bisect", "fixture-symbolic#1", "--mode", "graph", "--kind", "image",
                 "--good", "2.13.1", "--bad", "2.14.0", "--json"]) == 0
    out, err = capsys.readouterr()
    found = json.loads(out)
    assert (found["before"]["env"], found["first"]["env"]) == ("tf2.13.1-image", "tf2.14.0-image")
    assert found["first"]["spec"] == "tf==2.14.0+image"
    assert "at most 2 probes (image envs)" in err
    [env] = resolve(["tf2.13.1-image"], client=docker_client)
    state = env.state()
    assert state.made and state.where.startswith("sha256:") and state.brief == state.where[:19]


def test_an_image_env_forgets_its_image(docker_client) -> None:
    [env] = resolve(["tf==2.13.1+image"], client=docker_client)
    env.prepare(lambda line: None)  # built by the test above, else now
    assert env.state().made
    assert env.forget().startswith("removed image lab-env:tf2.13.1-image-")
    assert env.state().made is False and env.forget() == "no image yet"
