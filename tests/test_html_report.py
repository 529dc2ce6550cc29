"""The HTML report's content, `lab report`, and the CI-shaped JUnit and step summary."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from lab.baseline import Change
from lab.cli import main
from lab.guest import measure
from lab.guest.observe import normalize
from lab.judge import judge_all
from lab.record import Record
from lab.reports import figures, html
from lab.reports import matrix as matrix_report
from tests.conftest import FIXTURE_SCENARIOS
from tests.support import save_run, view_of
from tests.test_drift import T3, matrix, record

FACTS = {"tensorflow": "2.21.0", "keras": "3", "keras_package": "keras", "numpy": "2", "python": "3.11"}


def page_of(records, scenarios) -> str:
    return html.page(view_of(records, judge_all(scenarios, records), {}, scenarios))


def test_the_heat_map_colours_verdicts_and_calls_out_what_changes(fixture_scenarios) -> None:
    records, _ = matrix(fixture_scenarios)  # tf2.5 graph refutes #1, tf2.21's eager twin crashed
    records.append(Record("fixture-assign", "eager", "tf1.15", 1, "not_applicable", {},
                          {"type": "AttributeError", "message": "no tf.Variable here"}, {"tensorflow": "1.15.5"}))
    text = page_of(records, fixture_scenarios)
    row = re.search(r'<tr class="(\w+)"><th class="label"[^>]*><a href="#claim-fixture-assign-1">.*?</tr>', text)
    assert row is not None and row.group(1) == "changes"
    classes = re.findall(r'<td class="(v-\w+)"', row.group(0))
    # tf1.15 (graph not run, eager n/a), tf2.5 R/H, tf2.15 H/H, tf2.21 H/crashed
    assert classes == ["v-none", "v-na", "v-refuted", "v-holds", "v-holds", "v-holds", "v-holds", "v-unfinished"]
    assert row.group(0).endswith('<td class="change">envs, modes</td></tr>')
    assert "fixture-assign #1 [graph] assign sets the value: REFUTED up to tf2.5, HOLDS from tf2.15" in text
    assert "graph REFUTED / eager HOLDS in tf2.5" in text
    assert 'id="claim-fixture-assign-1"' in text and "<blockquote>assign sets it</blockquote>" in text
    assert "lambda o: value(o[&quot;after_assign&quot;]) == 3.0" in text  # the predicate's own source


def truncated_fit() -> dict:
    std = math_std = 0.05
    sample = stats.truncnorm(-2, 2, scale=std / measure.truncated_normal_std()).rvs(
        100_000, random_state=np.random.default_rng(4))
    return normalize(measure.fit_report(sample, normal_std=math_std))


def test_a_fit_is_plotted_against_the_stated_and_the_truncated_density_with_its_ks_statistic(real_scenarios) -> None:
    fit = truncated_fit()
    records = [Record("init-he-formulas", mode, "local", 1, "ok", {"he_normal_784x128": fit}, None, FACTS)
               for mode in ("graph", "eager")]
    text = page_of(records, real_scenarios)
    section = text[text.index('id="scenario-init-he-formulas"'):]
    svgs = re.findall(r"<svg.*?</svg>", section, re.S)
    assert len(svgs) == 1 and "stated: N(0, 0.05²)" in svgs[0] and "TF: truncated normal" in svgs[0]
    assert f"normal {fit['ks_normal']:.4f} rejects" in svgs[0]  # the KS statistic the guest measured
    assert f"truncated_normal {fit['ks_truncated_normal']:.4f}" in svgs[0]
    assert ">graph<" in svgs[0] and ">eager<" in svgs[0]
    # Self-contained: nothing to fetch from anywhere.
    assert not re.search(r'(src|href)="(https?:)?//', text) and "<link" not in text


def test_results_recorded_before_histograms_still_render_without_the_plot(real_scenarios) -> None:
    fit = truncated_fit()
    del fit["histogram"]
    records = [Record("init-he-formulas", "graph", "local", 1, "ok", {"he_normal_784x128": fit}, None, FACTS)]
    text = page_of(records, real_scenarios)
    assert 'id="scenario-init-he-formulas"' in text and "<svg" not in text


def test_numbered_observations_become_trajectories_per_mode() -> None:
    obs = {"initial_weight": 0.5, "weight_1": 0.7, "loss_1": 4.0, "weight_2": 0.9, "loss_2": 3.0}
    by_mode = {m: Record("train-loop-sgd", m, "local", 1, "ok", obs, None, FACTS) for m in ("graph", "eager")}
    series = {s.name: s.by_mode for s in figures.numbered_series(by_mode)}
    assert series == {"weight": {"graph": [(1, 0.7), (2, 0.9)], "eager": [(1, 0.7), (2, 0.9)]},
                      "loss": {"graph": [(1, 4.0), (2, 3.0)], "eager": [(1, 4.0), (2, 3.0)]}}


@pytest.fixture
def saved(fixture_scenarios, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    records = [record("tf2.15", "2.15.1", m, T3) for m in ("graph", "eager")]
    out = tmp_path / "results"
    save_run(out, records, fixture_scenarios)
    return out


def test_lab_report_writes_one_html_file(saved: Path, tmp_path: Path, capsys) -> None:
    page = tmp_path / "out" / "report.html"
    assert main(["report", str(saved), "--html", str(page)]) == 0
    assert f"html report: {page}" in capsys.readouterr().out
    assert page.read_text().startswith("<!DOCTYPE html>")


def test_lab_report_says_in_one_line_which_lab_wrote_a_folder_it_cannot_read(saved: Path, capsys) -> None:
    manifest = json.loads((saved / "manifest.json").read_text())
    (saved / "manifest.json").write_text(json.dumps({**manifest, "lab_version": "9.1.0"}))
    path = saved / "records" / "tf2.15" / "fixture-assign.graph.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "schema_version": 7}))
    assert main(["report", str(saved), "--html", str(saved / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "written by lab 9.1.0 (record format 7, this lab reads 1)" in err
    assert "report it with lab 9.1.0" in err and not (saved / "r.html").exists()


def test_an_html_path_that_is_a_folder_is_one_line(saved: Path, capsys) -> None:
    assert main(["report", str(saved), "--html", str(saved)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lab: error: --html") and err.count("\n") == 1


def test_junit_fails_a_case_only_when_it_differs_from_the_baseline_or_did_not_finish(fixture_scenarios) -> None:
    records, judgements = matrix(fixture_scenarios)

    def cases(changes=None):
        root = ET.fromstring(matrix_report.junit(view_of(records, judgements), changes))
        return {(s.get("name"), c.get("name")): c for s in root for c in s.iter("testcase")}

    plain = cases()
    refuted = plain[("tf2.5", "#1 [graph] assign sets the value")]
    assert refuted.find("failure") is None  # a REFUTED claim is a finding
    assert {p.get("name"): p.get("value") for p in refuted.iter("property")}["verdict"] == "REFUTED"
    assert not [c for c in plain.values() if c.find("failure") is not None]
    assert plain[("tf2.21", "[eager] trial")].find("error").get("type") == "crashed"
    changed = cases([Change("tf2.5", "fixture-assign", "graph", "verdict", "#1", "HOLDS", "REFUTED"),
                     Change("tf2.15", "fixture-assign", "eager", "observation", "after_assign", "1.0", "3.0")])
    failed = sorted(k for k, c in changed.items() if c.find("failure") is not None)
    assert failed == [("tf2.15", "[eager] trial"), ("tf2.5", "#1 [graph] assign sets the value")]


def test_the_markdown_report_goes_to_the_github_step_summary(saved: Path, tmp_path: Path, monkeypatch,
                                                             fixture_scenarios) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    records = [record("tf2.15", "2.15.1", m, T3) for m in ("graph", "eager")]
    save_run(tmp_path / "again", records, fixture_scenarios)
    assert summary.read_text() == "earlier step\n" + (tmp_path / "again" / "report.md").read_text()
