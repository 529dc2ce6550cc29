"""The CLI: list, show, run, and one-line errors with documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lab.cli import main
from tests.conftest import FIXTURE_SCENARIOS


@pytest.fixture
def fixtures_env(monkeypatch):
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))


def test_list_shows_every_scenario_with_source_and_claims(capsys) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "tf1-reinit\n  source: 002_47706e3e358c726a.txt: Example 1: Basic Variable Initialization" in out
    assert "claim 4: re-running the initializer after the assignment does not revert the value to 1.0" in out


def test_show_prints_the_claims_quotes_and_both_twins(capsys) -> None:
    assert main(["show", "tf1-reinit"]) == 0
    out = capsys.readouterr().out
    assert 'article: "The second initialization does not change the value."' in out
    assert "graph twin:" in out and "eager twin:" in out and "sess.run(init_op)" in out


@pytest.mark.parametrize(
    ("argv", "message", "code"),
    [
        (["run", "tf1-reint"], "unknown scenario 'tf1-reint'; did you mean tf1-reinit", 2),
        (["show", "nope"], "unknown scenario 'nope'", 2),
        (["run", "tf1-reinit", "--mode", "lazy"], "unknown mode 'lazy': use 'graph' or 'eager'", 2),
        (["run"], "name at least one scenario id, or pass --all", 2),
        (["run", "tf1-reinit", "--seed", "x"], "Invalid value for '--seed'", 2),
        (["frobnicate"], "No such command", 2),
        (["run", "tf1-reinit", "--timeout", "0"], "Invalid value for '--timeout'", 2),
        (["run", "tf1-reinit", "--env", "tf2.51"], "no environment 'tf2.51' in the matrix; did you mean 'tf2.5'?", 2),
        (["compare-all", "--workers", "0"], "Invalid value for '--workers'", 2),
        (["envs", "build", "nope"], "no environment 'nope' in the matrix", 2),
        (["run", "tf1-reinit", "--workers", "0"], "Invalid value for '--workers'", 2),
        (["verbatim", "examples/post.md", "--semantics", "kernel"], "--semantics 'kernel': use session or examples", 2),
        (["verbatim", "examples/post.md", "--output-check", "loose"], "--output-check 'loose': use strict", 2),
        (["verbatim", "no-such-post.md"], "no-such-post.md: no such file or folder", 2),
    ],
    ids=["unknown-id", "show-unknown-id", "unknown-mode", "nothing-to-run", "bad-seed", "unknown-command",
         "zero-timeout", "unknown-env", "zero-workers", "build-unknown-env", "run-zero-workers", "bad-semantics",
         "bad-output-check", "missing-document"],
)
def test_bad_input_gives_one_line_and_its_exit_code(capsys, argv, message, code) -> None:
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert message in err and err.count("\n") == 1 and err.startswith("lab: error: ")
    assert out == ""  # no report of nothing beside the error


def test_an_interpreter_without_tensorflow_exits_3(capsys, tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    assert main(["run", "tf1-reinit", "--python", str(tmp_path / "bare" / "bin" / "python")]) == 3
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("lab: error:")]
    assert len(errors) == 1 and "has no TensorFlow" in errors[0]


def test_run_json_prints_only_json_and_out_saves_the_records(capsys, tmp_path: Path, fixtures_env) -> None:
    assert main(["run", "fixture-assign", "--json", "--out", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(r["scenario"], r["mode"]) for r in data["records"]] == [("fixture-assign", "graph"),
                                                                     ("fixture-assign", "eager")]
    saved = json.loads((tmp_path / "records" / "local" / "fixture-assign.graph.json").read_text())
    assert saved["observations"] == data["records"][0]["observations"]
    assert json.loads((tmp_path / "verdicts.json").read_text()) == data["verdicts"]


def test_run_one_mode_runs_only_that_twin(capsys, fixtures_env) -> None:
    assert main(["run", "fixture-assign", "--mode", "eager", "--json"]) == 0
    assert [r["mode"] for r in json.loads(capsys.readouterr().out)["records"]] == ["eager"]


def test_a_trial_that_did_not_finish_exits_4_but_still_reports(capsys, fixtures_env) -> None:
    assert main(["run", "fixture-raises"]) == 4
    out = capsys.readouterr().out
    assert "graph twin error: RuntimeError" in out and "2 trials (1 did not finish)" in out


def test_the_installed_command_runs_the_main_job() -> None:
    lab = Path(sys.executable).parent / "lab"
    done = subprocess.run([str(lab), "run", "tf1-reinit"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "graph REFUTED  eager INCONCLUSIVE" in done.stdout


def test_compare_all_with_a_missing_baseline_fails_before_running_anything(capsys, tmp_path: Path) -> None:
    assert main(["compare-all", "--env", "local", "--check", str(tmp_path / "none.json"),
                 "--out", str(tmp_path / "r")]) == 2
    assert "no baseline file" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
