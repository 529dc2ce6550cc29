"""The committed baseline: what it holds, what counts as a change, and `lab check`'s exit codes."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from lab.baseline import (
    check_results,
    diff_baseline,
    load_baseline,
    make_baseline,
    render_changes,
    write_baseline,
)
from lab.cli import main
from lab.environments.fake import FakeEnvironment
from lab.errors import ExitCode, UsageError
from lab.pipeline import parse_modes, select
from tests.conftest import FIXTURE_SCENARIOS
from tests.support import result_of, save_run, trials_of

FACTS = {"tensorflow": "2.15.1", "keras": "2.15.0", "keras_package": "keras", "numpy": "1.26.4",
         "python": "3.11.2", "machine": "x86_64", "image": "lab-env:tf2.15-abc"}


def scalar(v, dtype="float32"):
    return {"kind": "tensor", "dtype": dtype, "shape": [], "values": v}


def large(mean=0.5, digest="0123456789abcdef"):
    return {"kind": "tensor", "dtype": "float32", "shape": [100], "digest": digest,
            "summary": {"mean": mean, "std": 0.25, "min": 0.0, "max": 1.0}}


CANNED = {
    ("fixture-assign", "graph"): {"after_assign": scalar(3.0), "loss": scalar(0.25), "weights": large(),
                                  "row": {"kind": "tensor", "dtype": "float32", "shape": [10],
                                          "values": [0.1 * i for i in range(10)]},
                                  "bad_reshape": {"kind": "exception", "type": "InvalidArgumentError",
                                                  "message": "Input to reshape is a tensor with 2 values"}},
    ("fixture-assign", "eager"): {"after_assign": scalar(3.0), "eager_only": True},
    ("fixture-raises", "graph"): RuntimeError("graph twin failed on purpose"),
    ("fixture-raises", "eager"): {"x": 1},
}


def run(scenarios, env="tf2.15", facts=None, **changed):
    """Records and verdicts of the fixture scenarios with canned answers, some replaced."""
    canned = copy.deepcopy(CANNED)
    for name, answer in changed.items():
        sid, mode = name.rsplit("__", 1)
        canned[(sid.replace("_", "-"), mode)] = answer
    trials = trials_of(select(scenarios, ["fixture-assign", "fixture-raises"]), parse_modes([]))
    outcome = result_of(FakeEnvironment(canned, name=env, facts=dict(facts or FACTS)), scenarios, trials)
    return outcome.records, outcome.judgements


def graph_assign(**observations):
    """The graph twin of fixture-assign with some observations replaced."""
    return {**CANNED[("fixture-assign", "graph")], **observations}


@pytest.fixture
def baseline(fixture_scenarios):
    return make_baseline(*run(fixture_scenarios))


def kinds(changes):
    return [(c.env, c.scenario, c.mode, c.kind, c.key) for c in changes]


def test_a_baseline_holds_no_timings_image_ids_or_machine_facts(fixture_scenarios, tmp_path: Path) -> None:
    records, judgements = run(fixture_scenarios)
    again, _ = run(fixture_scenarios, facts={**FACTS, "machine": "arm64", "image": "lab-env:tf2.15-other"})
    again = [dataclasses.replace(r, duration_s=123.0) for r in again]
    write_baseline(tmp_path / "a.json", records, judgements)
    write_baseline(tmp_path / "b.json", again, judgements)
    text = (tmp_path / "a.json").read_text()
    assert text == (tmp_path / "b.json").read_text()
    assert "duration" not in text and "x86_64" not in text and "lab-env" not in text
    env = json.loads(text)["envs"]["tf2.15"]
    assert env["facts"] == {k: FACTS[k] for k in ("tensorflow", "keras", "keras_package", "numpy", "python")}
    claims = env["scenarios"]["fixture-assign"]["claims"]
    assert [c["claim"] for c in claims] == [1, 2, 3] and claims[0]["verdicts"] == {"graph": "HOLDS", "eager": "HOLDS"}


def test_an_unchanged_run_has_no_changes(fixture_scenarios, baseline) -> None:
    assert diff_baseline(baseline, *run(fixture_scenarios)) == []
    assert render_changes([]) == "no changes against the baseline\n"


def test_a_changed_value_changes_its_observation_and_the_verdicts_it_decides(fixture_scenarios, baseline) -> None:
    changes = diff_baseline(baseline, *run(fixture_scenarios, fixture_assign__graph=graph_assign(
        after_assign=scalar(1.0))))
    assert kinds(changes) == [("tf2.15", "fixture-assign", "graph", "observation", "after_assign"),
                              ("tf2.15", "fixture-assign", "graph", "verdict", "#1"),
                              ("tf2.15", "fixture-assign", "graph", "verdict", "#2")]
    assert str(changes[0]) == "[graph] observation after_assign: 3.0 float32 -> 1.0 float32"
    assert str(changes[1]) == "[graph] verdict #1: HOLDS -> REFUTED ('assign sets the value')"


@pytest.mark.parametrize(
    ("observations", "changed"),
    [
        ({"loss": scalar(0.25 + 1e-7)}, False),
        ({"loss": scalar(0.25 + 1e-5)}, True),
        ({"after_assign": scalar(3.0, "float64")}, True),
        ({"weights": large(mean=0.5 + 1e-8)}, False),
        ({"weights": large(mean=0.6)}, True),
        ({"weights": large(digest="fedcba9876543210")}, False),
        ({"bad_reshape": {"kind": "exception", "type": "InvalidArgumentError", "message": "other words"}}, True),
        ({"bad_reshape": {"kind": "exception", "type": "ValueError",
                          "message": "Input to reshape is a tensor with 2 values"}}, True),
    ],
    ids=["float-within-tolerance", "float-beyond-tolerance", "dtype", "summary-within-tolerance",
         "summary-beyond-tolerance", "digest-alone", "exception-message", "exception-type"],
)
def test_floats_compare_with_tolerance_and_everything_else_exactly(fixture_scenarios, baseline, observations,
                                                                     changed) -> None:
    changes = diff_baseline(baseline, *run(fixture_scenarios, fixture_assign__graph=graph_assign(**observations)))
    key = next(iter(observations))
    assert kinds(changes) == ([("tf2.15", "fixture-assign", "graph", "observation", key)] if changed else [])


def test_lists_compare_elementwise_and_name_the_element_the_short_form_hides(fixture_scenarios, baseline) -> None:
    row = {"kind": "tensor", "dtype": "float32", "shape": [10], "values": [0.1 * i for i in range(10)]}
    row["values"][8] += 0.5
    (change,) = diff_baseline(baseline, *run(fixture_scenarios, fixture_assign__graph=graph_assign(row=row)))
    assert change.key == "row" and change.detail.startswith("first difference at values[8]: 0.8")


def test_a_trial_on_one_side_only_is_one_change(fixture_scenarios, baseline) -> None:
    records, judgements = run(fixture_scenarios)
    kept = [r for r in records if (r.scenario, r.mode) != ("fixture-raises", "eager")]
    judged = [j for j in judgements if (j.scenario, j.mode) != ("fixture-raises", "eager")]
    changes = diff_baseline(baseline, kept, judged)
    assert [str(c) for c in changes] == ["[eager] trial: in the baseline -> not run"]
    reverse = diff_baseline(make_baseline(kept, judged), records, judgements)
    assert [str(c) for c in reverse] == ["[eager] trial: not in the baseline -> run"]


def test_a_status_change_shows_the_status_and_the_exception(fixture_scenarios, baseline) -> None:
    changes = diff_baseline(baseline, *run(fixture_scenarios, fixture_raises__graph={"x": 1}))
    assert [str(c) for c in changes] == [
        "[graph] status: error -> ok",
        "[graph] error: RuntimeError: graph twin failed on purpose -> (absent)",
        "[graph] observation x: (absent) -> 1",
        "[graph] verdict #1: INCONCLUSIVE -> HOLDS ('never judged')",
    ]


def test_envs_missing_from_the_run_count_only_when_every_env_is_required(fixture_scenarios, baseline) -> None:
    other = run(fixture_scenarios, env="tf2.21", facts={**FACTS, "tensorflow": "2.21.0"})
    both = make_baseline(*[a + b for a, b in zip(run(fixture_scenarios), other)])
    assert diff_baseline(both, *run(fixture_scenarios)) == []
    changes = diff_baseline(both, *run(fixture_scenarios), require_all_envs=True)
    assert [(c.env, str(c)) for c in changes] == [("tf2.21", "env: in the baseline -> not run")]
    assert [str(c) for c in diff_baseline(baseline, *other)] == ["env: not in the baseline -> run"]


def test_a_new_tensorflow_version_is_a_change(fixture_scenarios, baseline) -> None:
    changes = diff_baseline(baseline, *run(fixture_scenarios, facts={**FACTS, "tensorflow": "2.15.0"}))
    assert [str(c) for c in changes] == ["fact tensorflow: 2.15.1 -> 2.15.0"]


def test_changes_are_grouped_by_env_and_scenario_with_a_summary(fixture_scenarios, baseline) -> None:
    changed = run(fixture_scenarios, fixture_assign__graph=graph_assign(after_assign=scalar(1.0)),
                  fixture_raises__graph={"x": 1})
    text = render_changes(diff_baseline(baseline, *changed))
    lines = text.splitlines()
    assert lines[0] == "tf2.15 fixture-assign:" and lines[4] == "tf2.15 fixture-raises:"
    assert lines[-1].startswith("7 changes against the baseline (1 error, 2 observations, 1 status, 3 verdicts)")
    assert "--update-baseline" in lines[-1]


@pytest.mark.parametrize("content", [None, "{not json", '{"format": 99, "envs": {}}', '{"format": 1, "envs": []}'],
                         ids=["missing", "not-json", "wrong-format", "wrong-shape"])
def test_a_missing_or_malformed_baseline_says_how_to_create_it(tmp_path: Path, content) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match="--update-baseline") as info:
        load_baseline(path)
    assert "\n" not in str(info.value)


def test_updating_writes_the_baseline_and_names_the_envs_it_dropped(fixture_scenarios, tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    other = run(fixture_scenarios, env="tf2.21", facts={**FACTS, "tensorflow": "2.21.0"})
    write_baseline(path, *[a + b for a, b in zip(run(fixture_scenarios), other)])
    text, code, _ = check_results(*run(fixture_scenarios), path, update=True)
    assert code == 0 and "4 trials in tf2.15; dropped envs this run did not have: tf2.21" in text
    assert check_results(*run(fixture_scenarios), path, update=False) == ("no changes against the baseline\n", 0, [])


@pytest.fixture
def results_folder(fixture_scenarios, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    out = tmp_path / "results"
    records, _ = run(fixture_scenarios)
    # Only the scenario whose twins finish: a folder with an errored twin exits 4 whatever the baseline says.
    records = [r for r in records if r.scenario == "fixture-assign"]
    save_run(out, records, fixture_scenarios, {"tf2.15": {"problem": ""}})
    return out


def test_lab_check_exits_0_when_unchanged_and_5_with_the_changes(results_folder: Path, tmp_path: Path, capsys) -> None:
    baseline = str(tmp_path / "baseline.json")
    assert main(["check", str(results_folder), "--baseline", baseline]) == 2
    assert "create it with --update-baseline" in capsys.readouterr().err
    assert main(["check", str(results_folder), "--baseline", baseline, "--update"]) == 0
    assert main(["check", str(results_folder), "--baseline", baseline]) == 0
    assert capsys.readouterr().out.endswith("no changes against the baseline\n")
    record = results_folder / "records" / "tf2.15" / "fixture-assign.eager.json"
    data = json.loads(record.read_text())
    data["observations"]["after_assign"]["values"] = 2.0
    record.write_text(json.dumps(data))
    assert main(["check", str(results_folder), "--baseline", baseline]) == ExitCode.BASELINE_CHANGED == 5
    out = capsys.readouterr().out
    assert "[eager] observation after_assign: 3.0 float32 -> 2.0 float32" in out
    assert "[eager] verdict #1: HOLDS -> REFUTED" in out


def test_lab_check_on_a_folder_without_records_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["check", str(tmp_path), "--baseline", str(tmp_path / "b.json")]) == 2
    err = capsys.readouterr().err
    assert "holds no records" in err and err.count("\n") == 1
