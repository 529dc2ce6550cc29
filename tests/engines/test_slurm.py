"""The shipped Slurm example, submitted as a user submits it, on a real (one-machine) cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.cli import main
from lab.results import load_records
from tests.conftest import FIXTURE_SCENARIOS

pytestmark = pytest.mark.slurm

ROOT = Path(__file__).resolve().parents[2]
IDS = ("fixture-assign", "fixture-random", "fixture-raises")  # fixture-raises: a twin raises, exit 4
WAIT_S = 900


def _logs(folder: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(folder.glob("*.out")))


def test_the_slurm_array_and_its_dependent_merge_give_the_records_and_verdicts_of_one_run(
        slurm: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The folder sbatch runs in, as a checkout seen by every node: examples/ and nothing else,
    # so no results/ (nor any other folder) was made by hand.
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "examples").symlink_to(ROOT / "examples")
    env = {k: v for k, v in os.environ.items() if k not in ("RESULTS", "MERGED", "SHARD_COUNT")}
    env.update({"PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}", "SHARD_ENVS": "local",
                "LAB_SCENARIOS": str(FIXTURE_SCENARIOS), "SHARD_IDS": " ".join(IDS)})
    # Two shards, sized to fit any node, as a user fits the example to a cluster: options on
    # the command line override its #SBATCH lines.
    array = subprocess.run(["sbatch", "--parsable", "--array=0-1", "--cpus-per-task=1", "--mem=2G",
                            "examples/engines/slurm-array.sh"], cwd=checkout, env=env, capture_output=True, text=True,
                           timeout=60)
    assert array.returncode == 0, array.stderr
    job = array.stdout.strip().split(";")[0]
    merge_id = ""
    try:
        # --wait: sbatch returns when the merge job ends, with its exit code.
        merge = subprocess.Popen(["sbatch", "--parsable", "--wait", f"--dependency=afterok:{job}",
                                  "examples/engines/slurm-merge.sh"], cwd=checkout, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        out, err = merge.communicate(timeout=WAIT_S)
        merge_id = out.strip().split(";")[0]
    except subprocess.TimeoutExpired:
        merge.kill()
        raise
    finally:
        # Our own jobs only, by id: a job still queued or running after a failure is cancelled.
        subprocess.run(["scancel", job, *([merge_id] if merge_id else [])], capture_output=True, timeout=60)
    results = checkout / "results"
    assert (merge.returncode, sorted(p.name for p in checkout.glob("*.out"))) == (
        4, [f"lab-merge-{merge_id}.out", f"lab-shards-{job}_0.out", f"lab-shards-{job}_1.out"]), \
        f"sbatch --wait: exit {merge.returncode}, {err.strip()}\n{_logs(checkout)}"
    assert sorted(p.name for p in (results / "shards").iterdir()) == ["plan-1.json", "plan-2.json", "shard-1",
                                                                      "shard-2"]

    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    one = tmp_path / "one"
    assert main(["compare-all", *IDS, "--env", "local", "--no-cache", "--out", str(one)]) == 4
    merged = results / "merged"
    assert [r.comparable() for r in load_records(merged)] == [r.comparable() for r in load_records(one)]
    assert json.loads((merged / "verdicts.json").read_text()) == json.loads((one / "verdicts.json").read_text())
    assert (merged / "report.md").read_text() == (one / "report.md").read_text()
