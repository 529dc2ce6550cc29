"""The shipped ways to run shards: the GitHub workflow, the Kubernetes Indexed Job and the Slurm array
(on a real Slurm cluster: tests/engines/test_slurm.py)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from lab.cli import app, main
from lab.results import load_records
from tests.conftest import FIXTURE_SCENARIOS

ROOT = Path(__file__).resolve().parent.parent
SHARDS_WORKFLOW = ROOT / ".github" / "workflows" / "shards.yml"
EXAMPLES = ROOT / "examples" / "engines"


def test_the_shards_workflow_lints_clean() -> None:
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if exe is None:
        pytest.fail("actionlint not found: it is a dev dependency, `pip install -e '.[dev]'`")
    done = subprocess.run([exe, "-no-color", "-oneline", str(SHARDS_WORKFLOW)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_every_lab_command_of_the_shards_workflow_exists_with_its_options() -> None:
    lines = re.findall(r"^\s*(?:-\s+)?run:\s*(lab .*)$", SHARDS_WORKFLOW.read_text(), re.MULTILINE)
    assert [shlex.split(line)[1] for line in lines] == ["plan", "run", "merge", "report"]
    for line in lines:
        words = shlex.split(line)
        command = typer.main.get_command(app).commands[words[1]]  # type: ignore[attr-defined]  # the app is a click Group
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert [w for w in words if w.startswith("--") and w not in options] == [], line


def _first_group(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, f"no {pattern!r} in the example"
    return found.group(1)


def test_the_job_and_the_array_declare_as_many_shards_as_they_run() -> None:
    job = (EXAMPLES / "indexed-job.yaml").read_text()
    completions = _first_group(r"completions: (\d+)", job)
    assert _first_group(r"name: SHARD_COUNT\n\s+value: \"(\d+)\"", job) == completions
    assert "completionMode: Indexed" in job
    array = (EXAMPLES / "slurm-array.sh").read_text()
    assert "#SBATCH --array=0-3" in array and 'SHARD_COUNT="${SLURM_ARRAY_TASK_COUNT:-4}"' in array


def test_the_slurm_scripts_write_their_logs_where_sbatch_runs_since_slurm_makes_no_folder() -> None:
    outputs = {path.name: re.findall(r"^#SBATCH --output=(.*)$", path.read_text(), re.MULTILINE)
               for path in sorted(EXAMPLES.glob("slurm-*.sh"))}
    assert outputs == {"slurm-array.sh": ["%x-%A_%a.out"], "slurm-merge.sh": ["%x-%j.out"]}


def test_run_shard_maps_the_k8s_and_slurm_indexes_to_shards_that_merge_into_the_whole_plan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    base = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(ROOT), "SHARD_COUNT": "2", "SHARD_ENVS": "local", "SHARD_IDS": "fixture-assign",
            "RESULTS": str(tmp_path / "shards")}
    for index in ("JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"):
        base.pop(index, None)
    for variable, index in (("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "1")):
        done = subprocess.run(["sh", str(EXAMPLES / "run-shard.sh")], env={**base, variable: index}, cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == ["plan-1.json", "plan-2.json", "shard-1",
                                                                       "shard-2"]
    assert main(["merge", str(tmp_path / "shards" / "shard-1"), str(tmp_path / "shards" / "shard-2"),
                 "--out", str(tmp_path / "merged")]) == 0
    assert sorted((r.scenario, r.mode.value) for r in load_records(tmp_path / "merged")) == [
        ("fixture-assign", "eager"), ("fixture-assign", "graph")]


def test_run_shard_without_an_index_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID")}
    done = subprocess.run(["sh", str(EXAMPLES / "run-shard.sh")], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID" in done.stderr


def _shard_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID")}
    return {**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}", "PYTHONPATH": str(ROOT),
            **extra}


def test_a_shard_reads_the_records_the_same_trials_cached_when_run_by_hand(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The shard script's own variables are no LAB_* variable, which would change the local
    # env's identity and so every cache key.
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    monkeypatch.setenv("LAB_RECORD_CACHE", str(tmp_path / "cache"))
    by_hand = subprocess.run([str(Path(sys.executable).parent / "lab"), "run", "fixture-assign", "--env", "local",
                              "--out", str(tmp_path / "by-hand")], env=_shard_env(), cwd=tmp_path,
                             capture_output=True, text=True, timeout=600)
    assert by_hand.returncode == 0, by_hand.stderr
    shard = subprocess.run(["sh", str(EXAMPLES / "run-shard.sh")], env=_shard_env(
        JOB_COMPLETION_INDEX="0", SHARD_COUNT="1", SHARD_ENVS="local", SHARD_IDS="fixture-assign",
        RESULTS=str(tmp_path / "shards")), cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert shard.returncode == 0, shard.stderr
    assert "[local] all 2 trials from the cache: nothing started" in shard.stdout + shard.stderr


@pytest.mark.parametrize("old", ["LAB_ENVS", "LAB_IDS"])
def test_run_shard_refuses_its_old_lab_variables_in_one_line(old: str, tmp_path: Path) -> None:
    done = subprocess.run(["sh", str(EXAMPLES / "run-shard.sh")], env=_shard_env(
        SLURM_ARRAY_TASK_ID="0", SHARD_COUNT="1", **{old: "local"}), cwd=tmp_path, capture_output=True, text=True,
        timeout=60)
    assert (done.returncode, done.stderr.splitlines()) == (2, [
        f"run-shard.sh: {old} is now SHARD_{old[4:]} (a LAB_ variable changes the local env's cache key); rename it"])
