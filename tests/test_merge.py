"""Merging results folders made per environment into the folder one compare-all would make."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lab import api
from lab.cli import main
from lab.environments.fake import FakeEnvironment
from lab.errors import UsageError
from lab.merge import merge_results
from lab.pipeline import parse_modes, select
from tests.conftest import FIXTURE_SCENARIOS
from tests.support import result_of, save_run, trials_of

# Alphabetical order ('new' < 'old') differs from TensorFlow version order (2.9 < 2.21): the
# merged report must follow the versions, as compare-all's does.
ENVS = {"old": "2.9.0", "new": "2.21.0"}



def merge_into(folders, out, scenarios, **options):
    """`lab merge`: the merged Result, saved at `out` with its reports."""
    result, extra = merge_results(folders, out, scenarios, **options)
    api.save(result, out, extra)
    return result

def scalar(v):
    return {"kind": "tensor", "dtype": "float32", "shape": [], "values": v}


def canned(env):
    return {
        ("fixture-assign", "graph"): {"after_assign": scalar(3.0 if env == "old" else 1.0)},
        ("fixture-assign", "eager"): {"after_assign": scalar(3.0), "eager_only": True},
        ("fixture-raises", "graph"): RuntimeError("graph twin failed on purpose"),
        ("fixture-raises", "eager"): {"x": 1 if env == "old" else 2},
    }


def run(scenarios, env, seed=1):
    trials = trials_of(select(scenarios, ["fixture-assign", "fixture-raises"]), parse_modes([]), seed)
    facts = {"tensorflow": ENVS[env], "keras": "k", "keras_package": "keras", "numpy": "n", "python": "p"}
    outcome = result_of(FakeEnvironment(canned(env), name=env, facts=facts), scenarios, trials)
    return outcome.records, outcome.judgements


def folder(scenarios, path: Path, envs, seed=1) -> Path:
    """A results folder as compare-all writes it for `envs`, in the order given."""
    records, judgements = [], []
    for env in envs:
        r, j = run(scenarios, env, seed)
        records += r
        judgements += j
    info = {env: {"image": f"lab-env:{env}", "image_id": f"sha256:{env}", "problem": ""} for env in envs}
    save_run(path, records, scenarios, info)
    return path


@pytest.fixture
def per_env(fixture_scenarios, tmp_path: Path):
    return {env: folder(fixture_scenarios, tmp_path / env, [env]) for env in ENVS}


@pytest.mark.parametrize("order", [["old", "new"], ["new", "old"]], ids=["in-version-order", "reversed"])
def test_merging_per_env_folders_gives_the_report_of_one_run_over_every_env(fixture_scenarios, per_env, tmp_path,
                                                                              order) -> None:
    together = folder(fixture_scenarios, tmp_path / "together", ["old", "new"])
    merged = tmp_path / "merged"
    merge_into([per_env[e] for e in order], merged, fixture_scenarios)
    for name in ("report.md", "junit.xml", "verdicts.json"):
        assert (merged / name).read_text() == (together / name).read_text(), name
    assert "| fixture-assign #1 | assign sets the value | HOLDS | HOLDS | REFUTED | HOLDS |" in (
        merged / "report.md").read_text()


def test_the_manifest_joins_the_envs_and_keeps_each_inputs_commit(fixture_scenarios, per_env, tmp_path) -> None:
    for env, path in per_env.items():
        manifest = json.loads((path / "manifest.json").read_text())
        manifest["git"] = {"commit": f"commit-{env}", "dirty": False}
        (path / "manifest.json").write_text(json.dumps(manifest))
    merge_into([per_env["new"], per_env["old"]], tmp_path / "m", fixture_scenarios)
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert list(manifest["envs"]) == ["old", "new"] and manifest["envs"]["new"]["image_id"] == "sha256:new"
    assert [(m["envs"], m["git"]["commit"], m["lab_version"]) for m in manifest["merged_from"]] == [
        (["new"], "commit-new", manifest["lab_version"]), (["old"], "commit-old", manifest["lab_version"])]


def test_verdicts_are_judged_again_with_the_current_claims(fixture_scenarios, per_env, tmp_path) -> None:
    stale = per_env["old"] / "verdicts.json"
    stale.write_text(json.dumps([{**v, "verdict": "REFUTED"} for v in json.loads(stale.read_text())]))
    merged = merge_into([per_env["old"]], tmp_path / "m", fixture_scenarios)
    assert {j.verdict.value for j in merged.judgements} == {"HOLDS", "REFUTED", "INCONCLUSIVE"}


def test_identical_trials_in_two_folders_are_merged_once(fixture_scenarios, per_env, tmp_path) -> None:
    both = folder(fixture_scenarios, tmp_path / "both", ["old", "new"])
    merged = merge_into([both, per_env["old"]], tmp_path / "m", fixture_scenarios)
    assert len(merged.records) == 8


def test_a_trial_that_differs_between_folders_names_both(fixture_scenarios, per_env, tmp_path) -> None:
    other = folder(fixture_scenarios, tmp_path / "other", ["old"])
    record = other / "records" / "old" / "fixture-raises.eager.json"
    record.write_text(record.read_text().replace('"x": 1', '"x": 7'))
    with pytest.raises(UsageError, match=r"old fixture-raises \[eager\] differs between .*old and .*other"):
        merge_into([per_env["old"], other], tmp_path / "m", fixture_scenarios)


def test_folders_made_with_different_seeds_do_not_merge(fixture_scenarios, per_env, tmp_path) -> None:
    seven = folder(fixture_scenarios, tmp_path / "seven", ["new"], seed=7)
    with pytest.raises(UsageError, match=r"different seeds \(1, 7\)"):
        merge_into([per_env["old"], seven], tmp_path / "m", fixture_scenarios)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp, per_env: [str(tmp / "nowhere")], "results folder .*nowhere does not exist"),
        (lambda tmp, per_env: [str(tmp)], "holds no records"),
        (lambda tmp, per_env: [str(per_env["old"]), "--out", str(per_env["new"])], "already holds results"),
    ],
    ids=["missing-folder", "no-records", "out-holds-results"],
)
def test_bad_input_is_one_line_and_exit_2(per_env, tmp_path, capsys, monkeypatch, make, message) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    argv = make(tmp_path, per_env)
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "m")]
    assert main(["merge", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lab: error: ")
    assert re.search(message, err)


def test_records_of_a_scenario_that_no_longer_exists_are_refused(fixture_scenarios, per_env, tmp_path) -> None:
    fewer = {k: v for k, v in fixture_scenarios.items() if k != "fixture-raises"}
    with pytest.raises(UsageError, match="scenario 'fixture-raises', which no longer exists"):
        merge_into([per_env["old"]], tmp_path / "m", fewer)


def test_lab_merge_prints_the_matrix_and_exits_as_the_run_would(per_env, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    # The folders hold fixture-raises, whose twin raises: 4, as `lab run` of the same trials exits.
    assert main(["merge", str(per_env["new"]), str(per_env["old"]), "--out", str(tmp_path / "m")]) == 4
    out = capsys.readouterr().out
    assert "old/g" in out and out.index("old/g") < out.index("new/g")
    assert f"merged 2 folders: {tmp_path / 'm'}" in out


def test_folders_of_different_lab_versions_are_refused_in_one_line(fixture_scenarios, per_env, tmp_path,
                                                                    capsys, monkeypatch) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    manifest = per_env["old"] / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "lab_version": "0.0.1"}))
    assert main(["merge", str(per_env["old"]), str(per_env["new"]), "--out", str(tmp_path / "merged")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "different lab versions" in err[0] and "--allow-mixed-versions" in err[0]
    assert not (tmp_path / "merged").exists()


def test_folders_of_different_lab_versions_merge_with_a_one_line_warning_when_allowed(
        fixture_scenarios, per_env, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    manifest = per_env["old"] / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "lab_version": "0.0.1"}))
    assert main(["merge", str(per_env["old"]), str(per_env["new"]), "--out", str(tmp_path / "merged"),
                 "--allow-mixed-versions"]) == 4
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("lab: warning: ")]
    assert len(warnings) == 1 and "different lab versions" in warnings[0] and "0.0.1" in warnings[0]
