"""The verdict-by-release strip of `lab bisect` and `lab sweep` (bisect.svg, sweep.svg): what changed where."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lab.bisect import bisect
from lab.cli import main
from lab.reports.bisection import strip_svg
from tests.test_bisect import OBSERVATION, Table, span

FIXTURES = Path(__file__).parent / "fixtures" / "bisect"


def cells(svg: str) -> dict:
    """{release: outcome} of the strip's first row."""
    return dict(re.findall(r'<g data-release="([^"]+)" data-outcome="([^"]*)">', svg))


def test_a_bisection_strip_colours_the_probed_releases_and_rules_the_first_change() -> None:
    releases = span(12)
    found = bisect(releases, Table(["Tensor"] * 7 + ["SymbolicTensor"] * 5), OBSERVATION)
    svg = strip_svg(OBSERVATION, [r.version for r in releases], found.visited, "bisect <type_1>")
    shown = cells(svg)
    assert list(shown) == [r.version for r in releases]  # every release a column, in release order
    probed = {p.version for p in found.visited}
    assert {v for v, outcome in shown.items() if outcome} == probed and len(probed) < len(releases)
    order = [r.version for r in releases]
    assert {shown[v] for v in probed if order.index(v) < 7} == {"Tensor"} and shown["2.7.0"] == "SymbolicTensor"
    assert svg.count("<line ") == 1 and "the outcome changes here" in svg  # one rule: before 2.7.0
    assert "bisect &lt;type_1&gt;" in svg and "not probed" in svg


def test_a_sweep_strip_marks_a_release_that_could_not_be_probed() -> None:
    releases = span(6)
    points = Table(["Tensor"] * 3 + ["SymbolicTensor"] * 3, broken={1})(releases)
    svg = strip_svg(OBSERVATION, [r.version for r in releases], points)
    assert cells(svg)["2.1.0"] == "problem" and "could not be probed: no wheel" in svg
    assert svg.count("<line ") == 1


@pytest.mark.slow
def test_a_real_sweep_and_bisection_write_their_strips(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURES))
    target = ["fixture-symbolic#1", "--mode", "graph"]
    assert main(["sweep", *target, "--from", "2.13.0", "--to", "2.14.1", "--out", str(tmp_path / "sweep")]) == 0
    assert "sweep.svg" in capsys.readouterr().out
    swept = cells((tmp_path / "sweep" / "sweep.svg").read_text())
    assert swept == {"2.13.0": "HOLDS", "2.13.1": "HOLDS", "2.14.0": "REFUTED", "2.14.1": "REFUTED"}
    assert main(["bisect", *target, "--good", "2.13.0", "--bad", "2.14.1", "--out", str(tmp_path / "bisect")]) == 0
    bisected = (tmp_path / "bisect" / "bisect.svg").read_text()
    assert cells(bisected) == swept and bisected.count("<line ") == 1
    assert (tmp_path / "bisect" / "bisect.json").is_file()
