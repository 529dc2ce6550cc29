"""With real containers: a rerun with nothing changed starts no container, a changed scenario
reruns alone, and two uncached runs on the same images give identical records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lab.cli import main
from lab.environments.image import runner as docker_runner
from lab.results import load_records
from lab.scenario import ROOT
from tests.conftest import FIXTURE_SCENARIOS

pytestmark = pytest.mark.docker
IDS = ["fixture-assign", "fixture-random"]


@pytest.fixture
def scenario_copy(monkeypatch, tmp_path):
    # Inside the project: containers see the project only, mounted read-only at /lab.
    directory = ROOT / ".cache-test-scenarios"
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(FIXTURE_SCENARIOS, directory)
    monkeypatch.setenv("LAB_SCENARIOS", str(directory))
    monkeypatch.setenv("LAB_RECORD_CACHE", str(tmp_path / "cache"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def cached_trials(out: Path) -> int:
    return json.loads((out / "manifest.json").read_text())["envs"]["tf2.21"]["cached_trials"]


def compare(out: Path, *extra: str) -> int:
    return main(["compare-all", *IDS, "--env", "tf2.21", "--out", str(out), *extra])


def test_a_rerun_with_nothing_changed_starts_no_container(docker_client, scenario_copy, tmp_path, monkeypatch):
    assert compare(tmp_path / "first") == 0 and cached_trials(tmp_path / "first") == 0

    def no_container(self, batch, shipment):
        raise AssertionError("a container was started")

    monkeypatch.setattr(docker_runner.DockerRunner, "run", no_container)
    assert compare(tmp_path / "second") == 0
    assert cached_trials(tmp_path / "second") == 4
    first = [r.comparable() for r in load_records(tmp_path / "first")]
    assert [r.comparable() for r in load_records(tmp_path / "second")] == first


def test_a_changed_scenario_reruns_only_that_scenario(docker_client, scenario_copy, tmp_path) -> None:
    assert compare(tmp_path / "first") == 0
    module = scenario_copy / "fixture_cases.py"
    module.write_text(module.read_text().replace('obs.record("draw", tf.random.normal([3]))',
                                                 'obs.record("draw", tf.random.normal([4]))'))
    assert compare(tmp_path / "second") == 0
    assert cached_trials(tmp_path / "second") == 2  # fixture-assign's twins only
    draws = {r.mode: r.observations["draw"]["shape"] for r in load_records(tmp_path / "second")
             if r.scenario == "fixture-random"}
    assert draws == {"graph": [3], "eager": [4]}


def test_no_cache_runs_every_trial_again(docker_client, scenario_copy, tmp_path) -> None:
    assert compare(tmp_path / "first") == 0
    assert compare(tmp_path / "second", "--no-cache") == 0
    assert cached_trials(tmp_path / "second") == 0


def test_two_uncached_runs_on_the_same_images_give_identical_records(docker_client, tmp_path) -> None:
    for name in ("a", "b"):
        assert main(["compare-all", "--env", "tf2.15", "--env", "tf2.21", "--no-cache",
                     "--out", str(tmp_path / name)]) == 0
    a, b = (load_records(tmp_path / n) for n in ("a", "b"))
    assert len(a) == len(b) > 0
    assert [r.comparable() for r in a] == [r.comparable() for r in b]
