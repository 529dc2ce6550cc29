"""Real TensorFlow 1.15 in the `interpreter` kind: a venv from CPython 3.7 and the env's lock."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lab.cli import main
from lab.environments.pythons import candidate_pythons, python_version
from lab.results import load_records

pytestmark = pytest.mark.skipif(
    not any(python_version(p).startswith("3.7.") for p in candidate_pythons("3.7")),
    reason="no CPython 3.7 under $PYENV_ROOT/versions or on PATH (pyenv install 3.7)")

IDS = ["tf1-reinit", "init-example-he-normal", "seed-keras-set-random-seed"]


@pytest.fixture(scope="module")
def tf1_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tf1") / "r"
    assert main(["compare-all", *IDS, "--env", "tf1.15", "--no-cache", "--out", str(out)]) == 0
    return out


def by_trial(out: Path) -> dict:
    return {(r.scenario, r.mode.value): r for r in load_records(out)}


def test_the_graph_twin_runs_on_real_tf1_and_the_eager_twin_in_its_eager_mode(tf1_run: Path) -> None:
    records = by_trial(tf1_run)
    graph, eager = records[("tf1-reinit", "graph")], records[("tf1-reinit", "eager")]
    assert graph.facts["tensorflow"] == "1.15.5" and graph.facts["python"].startswith("3.7.")
    assert (graph.facts["eager"], eager.facts["eager"]) == (False, True)
    # Real TF1 re-runs the initializer on every sess.run(init_op): the assigned 2.0 is lost.
    assert graph.observations["after_init_following_assign"]["values"] == 1.0
    assert eager.observations["after_init_following_assign"]["values"] == 2.0
    verdicts = json.loads((tf1_run / "verdicts.json").read_text())
    claim_4 = {v["mode"]: v["verdict"] for v in verdicts if v["scenario"] == "tf1-reinit" and v["claim"] == 4}
    assert claim_4 == {"graph": "REFUTED", "eager": "INCONCLUSIVE"}  # eagerly the initializer is a no-op


def test_a_twin_using_an_api_tf1_lacks_is_not_applicable_and_its_claims_inconclusive(tf1_run: Path) -> None:
    records = by_trial(tf1_run)
    he_normal = records[("init-example-he-normal", "graph")]
    assert he_normal.status.value == "not_applicable"
    assert he_normal.error["missing"] == "tf.keras.initializers.HeNormal"
    assert records[("seed-keras-set-random-seed", "eager")].error["missing"] == "tf.keras.utils.set_random_seed"
    verdicts = [v for v in json.loads((tf1_run / "verdicts.json").read_text())
                if v["scenario"] == "init-example-he-normal"]
    assert {v["verdict"] for v in verdicts} == {"INCONCLUSIVE"}
    assert all("uses tf.keras.initializers.HeNormal, which TensorFlow 1.15.5 does not have" in v["reason"]
               for v in verdicts)


def test_records_are_the_same_alone_and_in_a_batch(tf1_run: Path, tmp_path: Path) -> None:
    assert main(["compare-all", "tf1-reinit", "--env", "tf1.15", "--no-cache", "--out", str(tmp_path / "a")]) == 0
    alone = by_trial(tmp_path / "a")
    batch = by_trial(tf1_run)
    for key, record in alone.items():
        assert record.comparable() == batch[key].comparable()


@pytest.mark.parametrize("kind", ["python-3.11", "directory", "not-executable"])
def test_a_bad_interpreter_for_tf1_is_one_line_and_exit_3_before_any_work(kind, tmp_path: Path, capsys) -> None:
    python = {"python-3.11": Path(sys.executable), "directory": tmp_path, "not-executable": tmp_path / "p"}[kind]
    if kind == "not-executable":
        python.write_text("#!/bin/sh\n")
    code = main(["compare-all", "tf1-reinit", "--env", "tf1.15", "--python", str(python), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1 and err.startswith(f"lab: error: interpreter {python} ")
    assert "CPython 3.7" in err and not (tmp_path / "r").exists()


def test_envs_list_shows_the_versions_the_venv_reports(tf1_run: Path, capsys) -> None:
    assert main(["envs", "list"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("tf1.15 ")]
    assert "interpreter" in line and "1.15.5 (probed)" in line and " 3.7." in line
