"""One exit code for one outcome, whatever the command: `lab run` and `lab compare-all --env local`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lab.cli import main
from tests.conftest import FIXTURE_SCENARIOS


@pytest.mark.parametrize(
    ("scenario", "variables", "code"),
    [
        pytest.param("fixture-assign", {}, 0, id="all-ok"),
        pytest.param("fixture-raises", {}, 4, id="a-twin-raises"),
        pytest.param("fixture-crash", {"LAB_TEST_CRASH": "1"}, 4, id="a-twin-crashes"),
    ],
)
def test_run_and_compare_all_over_local_exit_alike(scenario, variables, code, tmp_path: Path, monkeypatch,
                                                    capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    by_run = main(["run", scenario])
    by_compare_all = main(["compare-all", scenario, "--env", "local", "--out", str(tmp_path / "r")])
    assert by_run == by_compare_all == code
    # The saved folder, checked or merged later, exits by the same rule.
    assert main(["merge", str(tmp_path / "r"), "--out", str(tmp_path / "m")]) == code


def test_an_environment_that_is_not_ready_exits_3_in_both(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    no_tensorflow = str(tmp_path / "bare" / "bin" / "python")
    assert main(["run", "fixture-assign", "--python", no_tensorflow]) == 3
    assert main(["compare-all", "fixture-assign", "--env", "local", "--python", no_tensorflow,
                 "--out", str(tmp_path / "r")]) == 3
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("lab: error:")]
    assert len(errors) == 2 and all("has no TensorFlow" in line for line in errors)
    # The environment was tried: its trials are saved as not run, with the reason.
    assert (tmp_path / "r" / "records" / "local" / "fixture-assign.graph.json").is_file()


@pytest.mark.parametrize("kind", ["missing", "directory", "not-executable"])
def test_a_bad_interpreter_is_one_line_and_exit_3_before_any_work(kind, tmp_path: Path, monkeypatch,
                                                                   capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    python = tmp_path / "python"
    if kind == "directory":
        python.mkdir()
    elif kind == "not-executable":
        python.write_text("#!/bin/sh\n")
    assert main(["compare-all", "fixture-assign", "--env", "local", "--python", str(python),
                 "--out", str(tmp_path / "r")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"lab: error: interpreter {python} ")
    assert not (tmp_path / "r").exists()
