"""Bisection and sweeps over releases, with a probe that answers from a table instead of TensorFlow."""

from __future__ import annotations

import math
import re
from typing import List

import pytest

from lab.bisect import Point, Target, bisect, drift, parse_target
from lab.errors import UsageError
from lab.guest.catalog import Mode
from lab.releases import Release
from lab.reports.bisection import bisection_text, sweep_json, sweep_markdown

OBSERVATION = Target("rebind-variable", None, (1,), (Mode.GRAPH,), "type_1")
VERDICT = Target("assign-ops", 1, (1,), (Mode.GRAPH,))


def span(n: int) -> List[Release]:
    return [Release(f"2.{i}.0", frozenset({"3.11"}), "2024-01-01") for i in range(n)]


class Table:
    """A probe: release i has value `values[i]`; the releases in `broken` cannot be probed."""

    def __init__(self, values: List[object], broken=(), observation: bool = True) -> None:
        self.values, self.broken, self.observation = values, set(broken), observation
        self.calls: List[List[str]] = []

    def __call__(self, chosen: List[Release]) -> List[Point]:
        self.calls.append([r.version for r in chosen])
        out = []
        for r in chosen:
            i = int(r.version.split(".")[1])
            value = self.values[i]
            out.append(Point(r.version, f"tf{r.version}", f"tf=={r.version}", (str(value),), (value,), "3.11",
                             "no wheel" if i in self.broken else ""))
        return out


@pytest.mark.parametrize("n, change", [(2, 1), (3, 2), (8, 5), (33, 1), (33, 32), (100, 37)])
def test_the_first_change_is_found_with_logarithmically_many_probes(n: int, change: int) -> None:
    probe = Table(["Tensor"] * change + ["SymbolicTensor"] * (n - change))
    found = bisect(span(n), probe, OBSERVATION)
    assert (found.before.version, found.first.version) == (f"2.{change - 1}.0", f"2.{change}.0")
    assert probe.calls[0] == ["2.0.0", f"2.{n - 1}.0"]  # both ends first, together
    assert len(found.visited) <= found.bound == 2 + math.ceil(math.log2(n - 1))


def test_floats_within_the_baseline_tolerance_are_the_same_beyond_it_a_change() -> None:
    found = bisect(span(5), Table([1.0, 1.0 + 1e-9, 1.0, 1.1, 1.1]), OBSERVATION)
    assert found.first.version == "2.3.0"


def test_an_untestable_release_is_stepped_around_and_reported_when_it_hides_the_change() -> None:
    found = bisect(span(5), Table(["a", "a", "a", "b", "b"], broken={2}), OBSERVATION)
    assert found.first.version == "2.3.0" and found.before.version == "2.1.0"
    assert [p.version for p in found.untestable] == ["2.2.0"]
    assert "could not probe 2.2.0" in bisection_text(OBSERVATION, found)


def test_ends_that_agree_find_nothing_and_a_broken_end_is_one_line() -> None:
    assert bisect(span(4), Table(["a"] * 4), OBSERVATION).first is None
    with pytest.raises(UsageError, match=re.escape("the end tf==2.0.0 could not be probed: no wheel")):
        bisect(span(4), Table(["a", "a", "b", "b"], broken={0}), OBSERVATION)


def test_verdicts_compare_exactly() -> None:
    found = bisect(span(6), Table(["HOLDS", "HOLDS", "REFUTED", "REFUTED", "INCONCLUSIVE", "REFUTED"]), VERDICT)
    assert found.first.version == "2.2.0"


def test_the_report_names_the_release_and_shows_both_sides() -> None:
    found = bisect(span(8), Table(["Tensor"] * 5 + ["SymbolicTensor"] * 3), OBSERVATION)
    text = bisection_text(OBSERVATION, found)
    assert "first release that differs: 2.5.0 (last that agrees: 2.4.0)" in text
    assert "probed 5 of 8 releases, one environment each (at most 5" in text
    assert "2.4.0    'Tensor'" in text and "2.5.0    'SymbolicTensor'" in text


def test_a_sweep_marks_every_release_where_the_value_moves() -> None:
    points = Table(["a", "a", "b", "b", "a"], broken={3})(span(5))
    assert drift(points, OBSERVATION) == [False, False, True, False, True]
    data = sweep_json(OBSERVATION, points)
    assert [r["changes"] for r in data["releases"]] == [False, False, True, False, True]
    assert data["releases"][3]["problem"] == "no wheel"
    markdown = sweep_markdown(OBSERVATION, points)
    assert "| 2.2.0 | 3.11 | tf2.2.0 | b | yes |" in markdown and "FAILED: no wheel" in markdown


@pytest.mark.parametrize("text, words", [("assign-ops#9", "has claims #1 to #3"), ("assign-opz", "did you mean"),
                                         ("assign-ops#x", "has claims #1 to #3")])
def test_a_target_names_an_existing_scenario_and_claim(real_scenarios, text: str, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        parse_target(text, real_scenarios, [Mode.GRAPH])


def test_a_target_without_a_claim_compares_every_claim(real_scenarios) -> None:
    target = parse_target("assign-ops", real_scenarios, [Mode.GRAPH, Mode.EAGER])
    assert target.labels == ["#1 graph", "#1 eager", "#2 graph", "#2 eager", "#3 graph", "#3 eager"]


def test_bisect_and_sweep_refuse_a_version_that_is_no_release_in_one_line(monkeypatch, tmp_path, capsys) -> None:
    from pathlib import Path

    from lab import releases
    from lab.cli import main

    monkeypatch.setenv("LAB_PYPI_JSON", (Path(__file__).parent / "fixtures" / "pypi").resolve().as_uri())
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    releases._memo.clear()
    for argv in (["bisect", "assign-ops#1", "--good", "2.13.0", "--bad", "2.15.9"],
                 ["sweep", "assign-ops#1", "--from", "2.13.0", "--to", "2.15.9"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == ["lab: error: TensorFlow 2.15.9 is not a final release on PyPI; the nearest are 2.16.2, "
                       "2.14.1"]


