"""The CLI's conventions, as nox and pytest users know them: ids only with -q, named items, --json
wherever a result is printed, one line naming every kind of env, and tables for a person on a terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer

from lab.cli import app, main
from lab.scenario import load_scenarios
from lab.values import table
from tests.conftest import FIXTURE_SCENARIOS
from tests.test_baseline import results_folder, run  # noqa: F401  # the fixture, and its records

PRINTS_A_RESULT = ("run", "compare-all", "verbatim", "merge", "report", "check", "bisect", "sweep", "list", "show",
                   "envs list")


def command(path: str) -> Any:
    """The click command Typer made for `lab PATH` (Typer vendors click: it is not imported here)."""
    found = typer.main.get_command(app)
    for word in path.split():
        found = found.commands[word]
    return found


def options(path: str) -> set:
    return {name for p in command(path).params for name in getattr(p, "opts", [])}


def test_list_q_prints_the_ids_only_in_catalog_order(capsys) -> None:
    assert main(["list", "-q"]) == 0
    assert capsys.readouterr().out.splitlines() == list(load_scenarios())


def test_list_names_scenarios_in_the_order_given_and_narrows_them(capsys) -> None:
    assert main(["list", "rebind-variable", "tf1-reinit", "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines() == ["rebind-variable", "tf1-reinit"]
    assert main(["list", "tf1-reinit"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tf1-reinit\n  source: 002_") and "claim 4:" in out and "rebind-variable" not in out
    assert main(["list", "-q", "-k", "reinit and not random"]) == 0
    assert "tf1-reinit-random" not in capsys.readouterr().out.split()


def test_list_of_an_unknown_id_is_one_line_with_the_closest(capsys) -> None:
    assert main(["list", "tf1-reint", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown scenario 'tf1-reint'; did you mean tf1-reinit" in err


@pytest.mark.parametrize("path", PRINTS_A_RESULT)
def test_every_command_that_prints_a_result_has_json(path: str) -> None:
    assert "--json" in options(path)


def test_merge_writes_html_too() -> None:
    assert "--html" in options("merge") and "--html" in options("report")


def test_an_unknown_env_lists_every_kind_of_env_name(capsys) -> None:
    assert main(["run", "tf1-reinit", "--env", "bogus"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert all(word in err for word in ("'local'", "tf2.21", "tf1.15", "tf==2.17.1", "py3.11/tf==2.12.1", "'all'"))


def test_lab_check_json_prints_each_change(results_folder: Path, tmp_path: Path, capsys) -> None:  # noqa: F811
    baseline = str(tmp_path / "baseline.json")
    assert main(["check", str(results_folder), "--baseline", baseline, "--update"]) == 0
    record = results_folder / "records" / "tf2.15" / "fixture-assign.eager.json"
    data = json.loads(record.read_text())
    data["observations"]["after_assign"]["values"] = 2.0
    record.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["check", str(results_folder), "--baseline", baseline, "--json"]) == 5
    found = json.loads(capsys.readouterr().out)
    assert {(c["mode"], c["kind"], c["key"], c["new"]) for c in found["changes"]} >= {
        ("eager", "observation", "after_assign", "2.0 float32"), ("eager", "verdict", "#1", "REFUTED")}


def test_a_table_on_a_terminal_is_drawn_by_rich_with_verdicts_coloured_and_plain_elsewhere() -> None:
    header, body = ["claim", "tf2.5/g"], [["a #1", "HOLDS"], ["[red]b[/red] #2", "REFUTED"]]
    plain = table(header, body, terminal=False)
    assert [line.split() for line in plain] == [["claim", "tf2.5/g"], ["-" * 15, "-" * 7], ["a", "#1", "HOLDS"],
                                                ["[red]b[/red]", "#2", "REFUTED"]]
    assert "\x1b" not in "".join(plain)
    drawn = table(header, body, terminal=True)
    text = "\n".join(drawn)
    assert "\x1b[32mHOLDS" in text and "\x1b[31mREFUTED" in text  # green, red
    assert "[red]b[/red] #2" in text  # a cell is text, never rich markup
    assert [re.sub(r"\x1b\[[0-9;]*m", "", line).split() for line in drawn if "#" in line] == [
        ["a", "#1", "HOLDS"], ["[red]b[/red]", "#2", "REFUTED"]]


def test_the_fixture_scenarios_list_as_ids_from_their_own_folder(monkeypatch, capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    assert main(["list", "-q"]) == 0
    assert capsys.readouterr().out.splitlines() == list(load_scenarios([FIXTURE_SCENARIOS]))
