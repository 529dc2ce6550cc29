"""One exit code for one outcome, whatever the command: `lab run` and `lab compare-all --env local`."""

from __future__ import annotations

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
    missing = str(tmp_path / "no-such-python")
    assert main(["run", "fixture-assign", "--python", missing]) == 3
    assert main(["compare-all", "fixture-assign", "--env", "local", "--python", missing,
                 "--out", str(tmp_path / "r")]) == 3
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("lab: error:")]
    assert len(errors) == 2 and all("interpreter" in line and "not found" in line for line in errors)
    assert (tmp_path / "r" / "records" / "local" / "fixture-assign.graph.json").is_file()
