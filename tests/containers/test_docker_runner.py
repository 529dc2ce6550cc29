"""The Docker runner with real containers: one per batch, locked down, never left behind."""

from __future__ import annotations

import os

import pytest

from lab.environments.batch import Batch
from lab.environments.declared import get_env
from lab.environments.image.build import build_image
from lab.environments.image.runner import LABEL, OWNER_LABEL, DockerRunner
from lab.environments.shipment import Staged
from lab.jobs import Kinds
from lab.plan import Trial
from lab.scenario import DEFAULT_SCENARIO_DIR, Mode
from tests.conftest import FIXTURE_SCENARIOS
from tests.support import LocalBatch

pytestmark = pytest.mark.docker
ENV = "tf2.21"  # the same TensorFlow as the local default, so records can be compared


@pytest.fixture(scope="module")
def image(docker_client) -> str:
    return build_image(get_env(ENV), docker_client).tag


class Probe:
    """A DockerRunner over a shipment staged from `scenario_dirs`, as the image kind runs it."""

    def __init__(self, client, image, scenario_dirs=(FIXTURE_SCENARIOS,), timeout_s=300, **kwargs) -> None:
        self.runner = DockerRunner(get_env(ENV), image, client, timeout_s=timeout_s, **kwargs)
        self.scenario_dirs = list(scenario_dirs)
        self.freeze: list = []

    def run(self, trials):
        with Staged(self.scenario_dirs) as shipment:
            ran = self.runner.run(Batch(ENV, trials, Kinds({}), {"image": self.runner.image}), shipment)
        self.freeze = ran.freeze
        return ran.records


def runner(client, image, **kwargs) -> Probe:
    return Probe(client, image, **kwargs)


def lab_containers(client) -> list:
    """This test process's lab containers (other lab processes may run beside it)."""
    return client.containers.list(all=True, filters={"label": [LABEL, f"{OWNER_LABEL}={os.getpid()}"]})


def test_a_batch_runs_in_one_locked_down_container(docker_client, image) -> None:
    probe = runner(docker_client, image)
    records = probe.run([Trial("fixture-assign", m, 1) for m in Mode])
    assert [r.status for r in records] == ["ok", "ok"]
    assert records[0].observations["variable_class"] == "RefVariable"
    assert records[0].facts["image"] == image and records[0].facts["tensorflow"] == "2.21.0"
    assert any(line.startswith("tensorflow-cpu==2.21.0") for line in probe.freeze)
    assert not lab_containers(docker_client)


def test_the_container_has_no_network_no_root_and_a_read_only_root(docker_client, image) -> None:
    out = docker_client.containers.run(
        image, ["sh", "-c", "id -u; touch /x 2>/dev/null && echo writable || echo read-only"],
        user="1000:1000", network_mode="none", read_only=True, remove=True).decode().split()
    assert out == ["1000", "read-only"]
    # The runner passes exactly these settings; this checks the image honours them.


def test_a_container_that_exits_non_zero_keeps_the_finished_records(docker_client, image) -> None:
    trials = [Trial("fixture-assign", Mode.EAGER, 1), Trial("fixture-crash", Mode.GRAPH, 1)]
    records = runner(docker_client, image, extra_environment={"LAB_TEST_CRASH": "1"}).run(trials)
    assert [r.status for r in records] == ["ok", "crashed"]
    assert "the trial's process exited with code 134" in records[1].error["message"]
    assert not lab_containers(docker_client)


def test_a_container_past_its_timeout_is_killed_and_removed(docker_client, image) -> None:
    trials = [Trial("fixture-assign", Mode.EAGER, 1), Trial("fixture-sleep", Mode.GRAPH, 1)]
    records = runner(docker_client, image, timeout_s=25, extra_environment={"LAB_TEST_SLEEP": "300"}).run(trials)
    assert [r.status for r in records] == ["ok", "timeout"]
    assert not lab_containers(docker_client)


def test_a_container_killed_for_memory_says_so(docker_client, image) -> None:
    trials = [Trial("fixture-assign", Mode.EAGER, 1), Trial("fixture-alloc", Mode.GRAPH, 1)]
    records = runner(docker_client, image, memory="1g", extra_environment={"LAB_TEST_ALLOC_MB": "3000"}).run(trials)
    assert [r.status for r in records] == ["ok", "crashed"]
    assert "killed by SIGKILL (out of memory" in records[1].error["message"]
    assert not lab_containers(docker_client)


def test_a_container_record_equals_the_local_record_of_the_same_tensorflow(docker_client, image) -> None:
    trials = [Trial(s, m, 1) for s in ("tf1-reinit", "tf1-reinit-random") for m in Mode]
    in_container = runner(docker_client, image, scenario_dirs=[DEFAULT_SCENARIO_DIR]).run(trials)
    local = LocalBatch(scenario_dirs=[DEFAULT_SCENARIO_DIR]).run(trials)
    assert all(r.ok for r in in_container + local)
    assert [r.observations for r in in_container] == [r.observations for r in local]


def test_leftovers_of_dead_lab_processes_are_removed_and_live_ones_kept(docker_client, image) -> None:
    from lab.environments.image.runner import remove_leftovers

    dead = subprocess_pid_that_exited()
    started = {owner: docker_client.containers.run(image, ["sleep", "300"], detach=True,
                                                   labels={LABEL: "test", OWNER_LABEL: owner})
               for owner in (str(dead), str(os.getpid()))}
    try:
        remove_leftovers(docker_client)
        left = {c.labels[OWNER_LABEL] for c in docker_client.containers.list(all=True, filters={"label": LABEL})}
        assert str(dead) not in left and str(os.getpid()) in left  # our own run is not a leftover
        remove_leftovers(docker_client, own=True)  # what Ctrl-C does
        assert not lab_containers(docker_client)
    finally:
        for container in started.values():
            try:
                container.remove(force=True)
            except Exception:
                pass


def test_a_plain_container_of_an_env_image_is_no_leftover_but_a_dead_build_is(docker_client, image) -> None:
    from lab.environments.image.runner import BUILD_LABEL, BUILD_OWNER_LABEL, remove_leftovers

    dead = str(subprocess_pid_that_exited())
    # A user's `docker run` of the image: whatever labels the image carries, it is not lab's.
    plain = docker_client.containers.run(image, ["sleep", "300"], detach=True)
    build = docker_client.containers.run(image, ["sleep", "300"], detach=True, name=f"lab-build-test-{dead}",
                                         labels={BUILD_LABEL: "test", BUILD_OWNER_LABEL: dead})
    try:
        removed = remove_leftovers(docker_client)
        assert build.name in removed and plain.name not in removed
        plain.reload()
        assert plain.status == "running"
    finally:
        for container in (plain, build):
            try:
                container.remove(force=True)
            except Exception:
                pass


def subprocess_pid_that_exited() -> int:
    import subprocess

    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid
