"""lab/reports/heatmap.py: the HTML overview's cells, and the verdicts that change between envs or modes."""

from __future__ import annotations

import pytest

from lab.reports.drift import Row
from lab.reports.heatmap import HeatRow, called_out, cell_class, env_change, heat_rows, mode_changes, mode_lines, short

COLS = [("tf1", "graph"), ("tf1", "eager"), ("tf2", "graph"), ("tf2", "eager")]


def _row(claim: int, **cells: str) -> Row:
    return Row("s1", claim, f"claim {claim}", {(k.split("_")[0], k.split("_")[1]): v for k, v in cells.items()})


@pytest.mark.parametrize(("value", "key", "letters"), [("HOLDS", "holds", "H"), ("REFUTED", "refuted", "R"),
                                                 ("INCONCLUSIVE", "inconclusive", "I"), ("n/a", "na", "n/a"),
                                                 ("(crashed)", "unfinished", "err"), ("-", "none", "")])
def test_a_cells_value_has_its_filter_class_and_short_form(value: str, key: str, letters: str) -> None:
    assert cell_class(value) == f"v-{key}"
    assert short(value) == letters


def test_a_verdict_that_differs_between_envs_in_one_mode_is_an_env_change() -> None:
    assert env_change(_row(1, tf1_graph="HOLDS", tf2_graph="REFUTED"), COLS) is True


def test_the_same_verdict_in_every_env_of_a_mode_is_no_env_change() -> None:
    assert env_change(_row(1, tf1_graph="HOLDS", tf2_graph="HOLDS", tf1_eager="REFUTED"), COLS) is False


def test_an_unfinished_or_na_cell_is_no_change_against_a_verdict() -> None:
    row = _row(1, tf1_graph="HOLDS", tf2_graph="(error)", tf1_eager="n/a", tf2_eager="REFUTED")
    assert env_change(row, COLS) is False
    assert mode_changes(row, COLS) == []


def test_mode_changes_are_the_envs_where_graph_and_eager_judge_otherwise() -> None:
    row = _row(1, tf1_graph="HOLDS", tf1_eager="REFUTED", tf2_graph="HOLDS", tf2_eager="HOLDS")
    assert mode_changes(row, COLS) == ["tf1"]


def test_a_mode_line_names_the_first_envs_verdicts_and_every_env_where_modes_differ() -> None:
    row = _row(2, tf1_graph="HOLDS", tf1_eager="REFUTED", tf2_graph="INCONCLUSIVE", tf2_eager="HOLDS")
    assert mode_lines([row], COLS) == ["s1 #2 claim 2: graph HOLDS / eager REFUTED in tf1, tf2"]


def test_heat_rows_hold_a_cell_per_column_with_a_dash_where_none_ran() -> None:
    row = _row(3, tf1_graph="HOLDS", tf1_eager="REFUTED", tf2_graph="REFUTED")
    assert heat_rows([row], COLS) == [HeatRow("s1-3", "s1 #3", "claim 3", ["HOLDS", "REFUTED", "REFUTED", "-"],
                                              ["envs", "modes"])]


def test_a_row_that_never_changes_has_no_changes() -> None:
    row = _row(4, tf1_graph="HOLDS", tf1_eager="HOLDS", tf2_graph="HOLDS", tf2_eager="HOLDS")
    assert heat_rows([row], COLS)[0].changes == []


def test_called_out_lists_env_drift_then_mode_gaps() -> None:
    drifting = _row(1, tf1_graph="HOLDS", tf2_graph="REFUTED")
    steady = _row(2, tf1_graph="HOLDS", tf1_eager="REFUTED", tf2_graph="HOLDS", tf2_eager="REFUTED")
    (env_title, env_lines), (mode_title, gap_lines) = called_out([drifting, steady], COLS)
    assert env_title == "Verdicts that change between environments"
    assert env_lines == ["s1 #1 [graph] claim 1: HOLDS up to tf1, REFUTED from tf2"]
    assert mode_title == "Verdicts that differ between graph and eager"
    assert gap_lines == ["s1 #2 claim 2: graph HOLDS / eager REFUTED in tf1, tf2"]
