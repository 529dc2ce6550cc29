"""Selection as pytest and nox do it: -k expressions, --article, --tag, the same in every command."""

from __future__ import annotations

import json

import pytest

from lab import pipeline, shards
from lab.cli import main
from lab.errors import UsageError
from lab.selection import Names, Selection, choose, compile_keyword, matches, of

UNITS = [Names("tf1-reinit", "002_47706e3e358c726a.txt", ("reinit", "initializer")),
         Names("seed-table", "002_47706e3e358c726a.txt", ("seeding", "random")),
         Names("init-he-formulas", "003_08d97d8d132930d0.txt", ("initializer", "statistics"))]


def picked(selection: Selection) -> list:
    return [n.id for n in choose([(n, n) for n in UNITS], selection)]


@pytest.mark.parametrize(("expression", "ids"), [
    ("reinit", ["tf1-reinit"]),
    ("initializer and not reinit", ["init-he-formulas"]),
    ("seed or formulas", ["seed-table", "init-he-formulas"]),
    ("not (002 or statistics)", []),
    ("REINIT", ["tf1-reinit"]),  # case-insensitive substrings, as pytest's -k
    ("(random)", ["seed-table"]),
])
def test_a_keyword_expression_matches_ids_articles_and_tags_as_substrings(expression, ids) -> None:
    assert [n.id for n in UNITS if matches(n, Selection(keyword=expression))] == ids


@pytest.mark.parametrize("expression", ["reinit and", "(reinit", "and", "reinit ) x", "a $ b", "not"])
def test_a_malformed_expression_is_one_usage_error(expression) -> None:
    with pytest.raises(UsageError, match="-k"):
        compile_keyword(expression)


def test_article_takes_a_prefix_and_tag_a_tag_and_options_narrow_each_other() -> None:
    assert picked(of(articles=["002"])) == ["tf1-reinit", "seed-table"]
    assert picked(of(articles=["002"], tags=["initializer"])) == ["tf1-reinit"]
    assert picked(of(keyword="init", tags=["statistics", "seeding"])) == ["init-he-formulas"]


def test_selecting_nothing_names_the_closest_names() -> None:
    with pytest.raises(UsageError, match="--tag seedin selects no scenario; closest: seeding"):
        picked(of(tags=["seedin"]))
    with pytest.raises(UsageError, match="--article 009 selects no scenario; closest: articles are 002, 003"):
        picked(of(articles=["009"]))


def test_ids_and_a_selection_narrow_each_other(real_scenarios) -> None:
    chosen = pipeline.select(real_scenarios, ["tf1-reinit", "seed-table"], selection=of(tags=["seeding"]))
    assert [s.id for s in chosen] == ["seed-table"]


def test_every_scenario_has_tags(real_scenarios) -> None:
    assert [s.id for s in real_scenarios.values() if not s.tags] == []


def _listed(capsys, argv) -> list:
    assert main(["list", "--json", *argv]) == 0
    return [s["id"] for s in json.loads(capsys.readouterr().out)["scenarios"]]


def _planned(monkeypatch, capsys, command, argv) -> list:
    """The scenario ids `command` would run: the plan it hands to the pipeline, nothing executed."""
    seen = []

    def fake_run(scenarios, the_plan, *args, **kwargs):
        seen.extend(dict.fromkeys(t.scenario for t in the_plan.trials))
        raise UsageError("stop here")

    monkeypatch.setattr(pipeline, "run", fake_run)
    assert main([command, *argv, "--env", "local"]) == 2
    capsys.readouterr()
    return seen


@pytest.mark.parametrize("argv", [["-k", "reinit and not random"], ["--article", "002"], ["--tag", "seeding"],
                                  ["--article", "003", "-k", "formulas or defaults"]],
                         ids=["keyword", "article", "tag", "article-and-keyword"])
def test_list_run_compare_all_and_plan_select_the_same_scenarios(monkeypatch, capsys, argv, tmp_path) -> None:
    listed = _listed(capsys, argv)
    assert listed
    assert _planned(monkeypatch, capsys, "run", argv) == listed
    assert _planned(monkeypatch, capsys, "compare-all", argv) == listed
    assert main(["plan", *argv, "--env", "local", "--out", str(tmp_path / "plan.json")]) == 0
    planned, _ = shards.read(tmp_path / "plan.json")
    assert list(dict.fromkeys(t.scenario for t in planned.trials)) == listed


@pytest.mark.parametrize("command", ["list", "run", "compare-all"])
def test_a_selection_of_nothing_is_one_line_and_exit_2(capsys, command) -> None:
    assert main([command, "-k", "reinitt and seeding"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lab: error: -k 'reinitt and seeding' selects no scenario; closest: ")
    assert err.count("\n") == 1
