"""The Kubernetes example: its manifests against the API's schemas, and its image run as its pods run it."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List

import kubernetes_validate
import pytest
import yaml

from lab.environments.declared import MATRIX_PATH, load_matrix
from lab.errors import UsageError
from lab.results import load_records

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "engines"
MANIFESTS = sorted(EXAMPLES.glob("*.yaml"))
# The oldest Kubernetes the schemas bundle that is still served by the big clouds, and the newest.
VERSIONS = ("1.29.0", kubernetes_validate.latest_version())
IDS = ("tf1-reinit", "train-loop-sgd")  # four trials: two shards of two


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location("shard_image", ROOT / "containers" / "shard_image.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shard_image = _builder()


def _documents(name: str) -> List[Dict[str, Any]]:
    return list(yaml.safe_load_all((EXAMPLES / name).read_text()))


def _container(job: Dict[str, Any]) -> Dict[str, Any]:
    container: Dict[str, Any] = job["spec"]["template"]["spec"]["containers"][0]
    return container


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_each_manifest_validates_strictly_against_the_kubernetes_schemas(path: Path) -> None:
    for version in VERSIONS:
        for document in yaml.safe_load_all(path.read_text()):
            kubernetes_validate.validate(document, version, strict=True)


def test_the_schemas_reject_a_job_with_a_misspelt_field() -> None:
    job = _documents("indexed-job.yaml")[0]
    _container(job)["workingdir"] = _container(job).pop("workingDir")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, VERSIONS[-1], strict=True)


def test_the_jobs_run_the_image_the_build_tags_on_the_claim_the_example_makes() -> None:
    shards, merge, claim = (_documents(name)[0] for name in ("indexed-job.yaml", "merge-job.yaml", "results-pvc.yaml"))
    assert claim["kind"] == "PersistentVolumeClaim" and claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for job in (shards, merge):
        assert _container(job)["image"] == f"{shard_image.REPOSITORY}:latest"
        volumes = job["spec"]["template"]["spec"]["volumes"]
        assert [v["persistentVolumeClaim"]["claimName"] for v in volumes] == [claim["metadata"]["name"]]
    env = {e["name"]: e["value"] for e in _container(shards)["env"]}
    assert tuple(env["SHARD_ENVS"].split()) == shard_image.DEFAULT_ENVS  # the envs the image carries
    assert {e["name"]: e["value"] for e in _container(merge)["env"]}["RESULTS"] == env["RESULTS"]


def test_the_image_declares_only_the_envs_it_carries_as_venvs(tmp_path: Path) -> None:
    (tmp_path / "matrix.toml").write_text(shard_image.declared_as_venvs(MATRIX_PATH.read_text(), ["tf2.21", "tf2.12"]))
    before = {e.name: e for e in load_matrix()}
    after = {e.name: e for e in load_matrix(tmp_path / "matrix.toml")}
    assert {n: e.kind for n, e in after.items() if e.kind != before[n].kind} == {
        "tf2.21": "interpreter", "tf2.12": "interpreter"}
    # The same pins and variables, so the venv's fingerprint is made of the env image's lock.
    assert after["tf2.21"].requirements == before["tf2.21"].requirements
    assert after["tf2.21"].environment == before["tf2.21"].environment


def test_an_env_of_another_python_is_refused_in_one_line() -> None:
    with pytest.raises(UsageError) as caught:
        shard_image.chosen_envs(["tf2.5"])
    assert str(caught.value) == ("tf2.5 is Python 3.9; the shard image carries envs of Python 3.11 "
                                 "(e.g. tf2.12, tf2.15, tf2.21)")


def _pod(client: Any, tag: str, job: Dict[str, Any], volume: Path, **env: str) -> str:
    """Run the Job's container as its pod would (its command, folder, user, variables and
    volume), offline, and return its log; an exit other than 0 fails the test."""
    spec, container = job["spec"]["template"]["spec"], _container(job)
    user = f"{spec['securityContext']['runAsUser']}:{spec['securityContext']['runAsGroup']}"
    variables = {**{e["name"]: e["value"] for e in container.get("env", [])}, **env}
    running = client.containers.run(tag, container["command"], detach=True, network_mode="none", user=user,
                                    working_dir=container["workingDir"], environment=variables,
                                    volumes={str(volume): {"bind": container["volumeMounts"][0]["mountPath"],
                                                           "mode": "rw"}})
    try:
        code = running.wait(timeout=900)["StatusCode"]
        log = running.logs().decode(errors="replace")
    finally:
        running.remove(force=True)
    assert code == 0, log[-3000:]
    return str(log)


@pytest.fixture(scope="module")
def pods(docker_client: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The image built for tf2.21; two shard pods run at once, then the merge Job's pod, and
    one pod running the whole plan as a single shard with a cache of its own."""
    tag = shard_image.build(["tf2.21"], lambda line: None, latest=False)  # the user's :latest stays theirs
    volume = tmp_path_factory.mktemp("volume")
    os.chmod(volume, 0o777)  # what fsGroup does for the pods' user on a real volume
    shards, merge = _documents("indexed-job.yaml")[0], _documents("merge-job.yaml")[0]
    work = {"SHARD_ENVS": "tf2.21", "SHARD_IDS": " ".join(IDS)}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda i: _pod(docker_client, tag, shards, volume, JOB_COMPLETION_INDEX=str(i),
                                     SHARD_COUNT="2", **work), range(2)))
    _pod(docker_client, tag, merge, volume)
    _pod(docker_client, tag, shards, volume, JOB_COMPLETION_INDEX="0", SHARD_COUNT="1", RESULTS="/results/one",
         LAB_RECORD_CACHE="/results/one-records", **work)
    return volume


@pytest.mark.docker
@pytest.mark.slow
def test_the_indexed_jobs_pods_run_offline_in_the_built_image_and_merge_into_one_run(pods: Path) -> None:
    merged, one = pods / "merged", pods / "one" / "shard-1"
    assert sorted(p.name for p in (pods / "shards").glob("shard-*")) == ["shard-1", "shard-2"]
    assert [r.comparable() for r in load_records(merged)] == [r.comparable() for r in load_records(one)]
    assert json.loads((merged / "verdicts.json").read_text()) == json.loads((one / "verdicts.json").read_text())


@pytest.mark.docker
@pytest.mark.slow
def test_the_venv_in_the_shard_image_observes_what_the_env_image_does(pods: Path, docker_client: Any,
                                                                       tmp_path: Path) -> None:
    from lab.cli import main
    from lab.environments.declared import get_env
    from lab.environments.image.build import image_status

    if not image_status(get_env("tf2.21"), docker_client).built:
        pytest.skip("lab-env:tf2.21 is not built; `lab envs build tf2.21` builds it")
    assert main(["run", *IDS, "--env", "tf2.21", "--no-cache", "--out", str(tmp_path / "image")]) == 0

    def seen(folder: Path) -> Dict[Any, Any]:
        return {(r.scenario, r.mode): (r.status, r.observations) for r in load_records(folder)}

    assert seen(pods / "merged") == seen(tmp_path / "image")


def test_the_lock_of_labs_own_dependencies_pins_every_one_pyproject_names() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the host side keeps Python 3.9
        import tomli as tomllib
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from lab.environments.image.wheels import lock_hashes

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = {canonicalize_name(r.name) for r in map(Requirement, project["dependencies"])
              if r.marker is None or r.marker.evaluate({"python_version": shard_image.PYTHON})}
    locked = {canonicalize_name(name) for name, hashes in lock_hashes(shard_image.LAB_LOCK).items() if hashes}
    assert needed - locked == set(), "re-lock with `python containers/shard_image.py --lock`"
