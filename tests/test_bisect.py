"""Bisection and sweeps over releases, with a probe that answers from a table instead of TensorFlow."""

from __future__ import annotations

import math
import re
from typing import List

import pytest

from lab.bisect import Decided, Point, Target, bisect, drift, is_document, parse_block_target, parse_target
from lab.errors import UsageError
from lab.guest.catalog import Mode
from lab.releases import Release
from lab.reports.bisection import bisection_text, progress_line, sweep_json, sweep_markdown

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


@pytest.mark.parametrize(("n", "change"), [(2, 1), (3, 2), (8, 5), (33, 1), (33, 32), (100, 37)])
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


@pytest.mark.parametrize(("text", "words"), [("assign-ops#9", "has claims #1 to #3"), ("assign-opz", "did you mean"),
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
        assert err == [("lab: error: TensorFlow 2.15.9 is not a final release on PyPI; the nearest are 2.16.2, "
                        "2.14.1")]




def test_progress_says_each_probe_with_its_bound_and_each_release_as_it_is_decided() -> None:
    events: List[object] = []
    probe = Table(["Tensor"] * 5 + ["SymbolicTensor"] * 3)
    found = bisect(span(8), probe, OBSERVATION, events.append)
    lines = [progress_line(OBSERVATION, e) for e in events]
    assert lines[0] == "probe 1-2 of at most 5: 2.0.0 and 2.7.0, both ends"
    assert lines[1].startswith("  2.0.0: type_1 graph Tensor -> good end")
    assert lines[2].startswith("  2.7.0: type_1 graph SymbolicTensor -> bad end")
    assert lines[3] == ("probe 3 of at most 5: 2.3.0, the middle of 2.0.0 (agrees) .. 2.7.0 (differs): "
                        "6 releases between")
    assert "2.3.0: type_1 graph Tensor -> agrees with 2.0.0: the change is later" in lines[4]
    decided = [e for e in events if isinstance(e, Decided)]
    assert [e.number for e in decided] == list(range(1, len(found.visited) + 1))
    assert all(e.point.probe_s is not None for e in decided)


def test_a_release_on_another_python_says_so_and_what_making_its_env_cost() -> None:
    point = Point("2.6.0", "tf2.6.0", "tf==2.6.0", ("HOLDS",), ("HOLDS",), "3.9.18", "",
                  "tf==2.6.0 on Python 3.9: the newest with a TensorFlow 2.6.0 wheel", 1.25, 3_000_000, 9.5)
    line = progress_line(VERDICT, Decided(4, 7, point, "agrees with 2.5.0: the change is later", "3.8.18"))
    assert "Python 3.9.18 (the newest with a TensorFlow 2.6.0 wheel); the Python changes from 3.8.18" in line
    assert "env made in 1.2 s, 3 MB of its own; probe 9.5 s" in line
    assert "the Python changes" not in progress_line(VERDICT, Decided(4, 7, point, "x", "3.9.18"))


@pytest.mark.parametrize(("text", "document"), [("post.md#3", True), ("docs/post#2", True), ("assign-ops#1", False),
                                            ("keras-optimizer-graph", False)])
def test_a_target_with_a_path_or_a_suffix_is_a_document_block(text: str, document: bool) -> None:
    assert is_document(text) is document


def test_a_block_target_names_an_existing_document_and_a_block_number(tmp_path) -> None:
    doc = tmp_path / "post.md"
    doc.write_text("```python\nprint(1)\n```\n")
    target = parse_block_target(f"{doc}#1", "loss")
    assert (target.document, target.block, target.labels, str(target)) == (doc, 1, ["loss"], "post.md#1 printed loss")
    for text, words in ((f"{tmp_path}/nope.md#1", "no document"), (f"{doc}#0", "a number from 1"),
                        (f"{doc}#x", "a number from 1")):
        with pytest.raises(UsageError, match=words):
            parse_block_target(text)


@pytest.fixture
def canned_pypi(monkeypatch, tmp_path) -> None:
    from pathlib import Path

    from lab import releases

    monkeypatch.setenv("LAB_PYPI_JSON", (Path(__file__).parent / "fixtures" / "pypi").resolve().as_uri())
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    releases._memo.clear()


@pytest.mark.parametrize(("text", "version", "note"), [
    ("2.13.0", "2.13.0", ""),
    ("2.13", "2.13.1", "2.13 is 2.13.1, the newest final 2.13.x"),
    ("2", "2.17.1", "2 is 2.17.1, the newest final 2.x"),
])
def test_a_version_with_fewer_parts_names_the_newest_final_release_it_begins(canned_pypi, text, version,
                                                                            note) -> None:
    from lab import releases
    from lab.environments.declared import matrix_settings

    assert releases.pick(text, exclude_newer=matrix_settings()[1]) == (version, note)  # 2.99.0 came after it


@pytest.mark.parametrize(("text", "words"), [("2.12", "2.12 is not a final release on PyPI; the nearest are"),
                                         ("2.13.0rc1", "not a final release"), ("two", "is not a version")])
def test_a_version_no_release_begins_is_one_line(canned_pypi, text, words) -> None:
    from lab import releases

    with pytest.raises(UsageError, match=words):
        releases.pick(text)


def test_the_ends_of_a_range_may_be_prefixes_and_each_says_which_release_it_is(canned_pypi) -> None:
    from lab.probes import span as probe_span

    found, notes = probe_span("2.13", "2.14")
    assert [r.version for r in found] == ["2.13.1", "2.14.0", "2.14.1"]
    assert notes == ["2.13 is 2.13.1, the newest final 2.13.x", "2.14 is 2.14.1, the newest final 2.14.x"]


@pytest.mark.parametrize(("filename", "pythons"), [
    ("tensorflow-1.15.5-cp37-cp37m-manylinux2010_x86_64.whl", {"3.7"}),
    ("tensorflow_cpu-2.15.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", {"3.11"}),
    ("protobuf-4.25.9-cp37-abi3-manylinux2014_x86_64.whl", {"3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"}),
    ("tensorflow-2.15.1-cp311-cp311-macosx_10_15_x86_64.whl", set()),
    ("tensorflow-2.15.1-cp311-cp311-manylinux_2_17_aarch64.whl", set()),
    ("tensorflow-2.15.1.tar.gz", set()),
])
def test_a_wheel_name_says_which_pythons_can_install_it_on_linux_x86_64(filename, pythons) -> None:
    from lab.releases import wheel_pythons

    assert wheel_pythons(filename) == pythons


def test_a_block_target_refuses_modes_and_a_missing_block_in_one_line(tmp_path, capsys) -> None:
    from lab.cli import main

    blocks = tmp_path / "symbolic.md"
    blocks.write_text("```python\nx = 1\n```\n\n```python\nprint(x)\n```\n")
    assert main(["bisect", f"{blocks}#2", "--mode", "graph", "--good", "2.13.1", "--bad", "2.14.1"]) == 2
    assert main(["bisect", f"{blocks}#3", "--good", "2.13.1", "--bad", "2.14.1"]) == 2
    assert main(["bisect", "assign-ops#1", "--kind", "local", "--good", "2.13.1", "--bad", "2.14.1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == f"lab: error: --mode is for scenarios: {blocks}#2 runs as its document writes it"
    assert err[1] == f"lab: error: symbolic.md#3: {blocks} has blocks #1 to #2"
    assert err[2] == "lab: error: --kind local: use image or interpreter"
