"""Shards: a plan split into deterministic slices of trials x envs, run anywhere, merged back into one run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab import shards
from lab.cli import main
from lab.guest.catalog import Mode
from lab.plan import Plan, Trial
from lab.results import load_records
from tests.conftest import FIXTURE_SCENARIOS

IDS = ["fixture-assign", "fixture-random", "fixture-raises"]


def full_plan(envs=("tf2.12", "tf2.15", "local")) -> Plan:
    trials = tuple(Trial(s, m, 1) for s in IDS for m in Mode)
    return Plan(trials, envs, 1, tuple(Mode))


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 18])
def test_the_shards_of_a_plan_hold_every_unit_once_in_sizes_that_differ_by_one_at_most(count: int) -> None:
    plan = full_plan()
    parts = [shards.units(shards.shard(plan, i, count)) for i in range(1, count + 1)]
    assert [u for part in parts for u in part] == shards.units(plan)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_a_shard_runs_each_env_once_and_the_plan_file_reads_back_as_the_same_shard(tmp_path: Path) -> None:
    plan = full_plan()
    part = shards.shard(plan, 2, 4)
    assert part.envs == ("tf2.12", "tf2.15") and [len(part.trials_for(e)) for e in part.envs] == [2, 3]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(shards.to_json(plan, 2, 4)))
    read, data = shards.read(path)
    assert read.per_env == part.per_env and read.envs == part.envs and (data["shard"], data["plan"]) == (
        [2, 4], shards.plan_id(plan))
    assert shards.to_json(plan, 2, 4) == shards.to_json(full_plan(), 2, 4)  # the same on every machine


@pytest.mark.parametrize(("argv", "words"), [
    (["plan", "--env", "local", "--shard", "5/4"], "--shard '5/4': I must be between 1 and N"),
    (["plan", "fixture-assign", "--env", "local", "--shard", "3/9"], "the plan has only 2 trials x environments"),
    (["run", "--plan", "nowhere.json", "--out", "x"], "no plan file nowhere.json"),
    (["run", "fixture-assign", "--plan", "p.json", "--out", "x"], "--plan fixes the scenarios"),
    (["run", "--plan", "p.json"], "--plan needs --out DIR"),
    (["plan", "--env", "local", "--out", "."], "--out . is a folder: name the file to write, e.g. plan.json"),
    (["plan", "--env", "local", "--out", "p.json/plan.json"], "(Not a directory: p.json); choose another --out"),
])
def test_bad_shard_input_is_one_line_and_exit_2(argv, words, monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text("{}")  # a file, where a folder would have to be
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("lab: error: ") and words in err[0]


def shard_folders(tmp_path: Path, count: int, ids=("fixture-assign", "fixture-raises")) -> list:
    folders = []
    for i in range(1, count + 1):
        plan = tmp_path / f"plan-{i}.json"
        assert main(["plan", *ids, "--env", "local", "--shard", f"{i}/{count}", "--out", str(plan)]) == 0
        folder = tmp_path / f"shard-{i}"
        # fixture-raises' graph twin raises: 4, as for the whole run; 0 for shards without it
        assert main(["run", "--plan", str(plan), "--out", str(folder)]) in (0, 4)
        folders.append(folder)
    return folders


def test_n_shards_merged_give_the_records_and_report_of_one_run(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    one = tmp_path / "one"
    assert main(["compare-all", "fixture-assign", "fixture-raises", "--env", "local", "--out", str(one)]) == 4
    merged = tmp_path / "merged"
    assert main(["merge", *map(str, shard_folders(tmp_path, 3)), "--out", str(merged)]) == 4
    assert [r.comparable() for r in load_records(merged)] == [r.comparable() for r in load_records(one)]
    assert (merged / "report.md").read_text() == (one / "report.md").read_text()
    assert json.loads((merged / "verdicts.json").read_text()) == json.loads((one / "verdicts.json").read_text())


def test_merge_refuses_overlapping_shards_and_shards_of_other_plans(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    first, second = shard_folders(tmp_path, 2)
    twice = tmp_path / "again"
    twice.mkdir()
    (twice / "records").symlink_to(first / "records")
    (twice / "manifest.json").write_text((first / "manifest.json").read_text())
    capsys.readouterr()
    assert main(["merge", str(first), str(twice), "--out", str(tmp_path / "m1")]) == 2
    assert "shard 1/2 is given twice" in capsys.readouterr().err
    manifest = json.loads((second / "manifest.json").read_text())
    manifest["shard"]["plan"] = "another"
    (second / "manifest.json").write_text(json.dumps(manifest))
    assert main(["merge", str(first), str(second), "--out", str(tmp_path / "m2")]) == 2
    assert "the shards come from different plans" in capsys.readouterr().err


def test_a_missing_shard_is_a_warning_and_its_trials_are_absent(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    first, _ = shard_folders(tmp_path, 2, ids=("fixture-assign",))
    capsys.readouterr()
    assert main(["merge", str(first), "--out", str(tmp_path / "m")]) == 0
    assert "lab: warning: shard(s) 2 of 2 are missing" in capsys.readouterr().err
