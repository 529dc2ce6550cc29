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
from tests.html_parse import parse
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
    (row,) = parse(text).root.find_all("tr", **{"data-claim": "fixture-assign-1"})
    assert row.attrs["class"] == "changes" and row.find_all("a")[0].attrs["href"] == "#claim-fixture-assign-1"
    cells = row.find_all("td", class_="v")
    # tf1.15 (graph not run, eager n/a), tf2.5 R/H, tf2.15 H/H, tf2.21 H/crashed
    assert [c.attrs["data-v"] for c in cells] == ["none", "na", "refuted", "holds", "holds", "holds", "holds",
                                                  "unfinished"]
    assert [c.attrs["class"].split()[1] for c in cells][:3] == ["v-none", "v-na", "v-refuted"]
    assert row.find_all("td", class_="change")[0].all_text() == "envs, modes"
    assert "fixture-assign #1 [graph] assign sets the value: REFUTED up to tf2.5, HOLDS from tf2.15" in text
    assert "graph REFUTED / eager HOLDS in tf2.5" in text
    assert 'id="claim-fixture-assign-1"' in text and "<blockquote>assign sets it</blockquote>" in text
    assert "lambda o: value(o[&#34;after_assign&#34;]) == 3.0" in text  # the predicate's own source, escaped


def test_text_from_records_reaches_the_page_escaped(fixture_scenarios) -> None:
    hostile = {"kind": "exception", "type": "ValueError", "message": "<script>alert(1)</script> & <b>"}
    records = [Record("fixture-assign", m, "tf2.15<i>", 1, "ok", {"after_assign": T3, "note": hostile}, None,
                      {"tensorflow": "2.15.1<img src=x>"}) for m in ("graph", "eager")]
    text = page_of(records, fixture_scenarios)
    assert "<script>alert" not in text and "<img src=x>" not in text and "tf2.15<i>" not in text
    assert "tf2.15&lt;i&gt;" in text and "2.15.1&lt;img src=x&gt;" in text
    assert text.count("<script>") == 1  # the report's own


def truncated_fit(seed: int = 4) -> dict:
    std = math_std = 0.05
    sample = stats.truncnorm(-2, 2, scale=std / measure.truncated_normal_std()).rvs(
        100_000, random_state=np.random.default_rng(seed))
    return normalize(measure.fit_report(sample, normal_std=math_std))


def test_a_fit_is_plotted_against_the_stated_and_the_truncated_density_with_its_ks_statistic(real_scenarios) -> None:
    fit = truncated_fit()
    records = [Record("init-he-formulas", mode, "local", 1, "ok", {"he_normal_784x128": fit}, None, FACTS)
               for mode in ("graph", "eager")]
    text = page_of(records, real_scenarios)
    section = text[text.index('id="scenario-init-he-formulas"'):]
    svgs = re.findall(r"<svg.*?</svg>", section, re.DOTALL)
    assert len(svgs) == 1 and "stated: N(0, 0.05²)" in svgs[0] and "TF: truncated normal" in svgs[0]
    assert f"normal {fit['ks_normal']:.4f} rejects" in svgs[0]  # the KS statistic the guest measured
    assert f"truncated_normal {fit['ks_truncated_normal']:.4f}" in svgs[0]
    assert ">graph and eager: local<" in svgs[0]  # one draw, so one panel for both twins
    assert ">density<" in svgs[0] and ">value<" in svgs[0]  # axis labels
    # Self-contained: nothing to fetch from anywhere.
    assert not re.search(r'(src|href)="(https?:)?//', text) and "<link" not in text


def test_histograms_get_a_panel_per_distinct_draw_named_by_the_twins_that_drew_it(real_scenarios) -> None:
    same, other = truncated_fit(4), truncated_fit(5)
    records = [Record("init-he-formulas", m, env, 1, "ok", {"he_normal_784x128": fit}, None,
                      {**FACTS, "tensorflow": tf})
               for env, tf, m, fit in (("tf2.12", "2.12.1", "graph", same), ("tf2.12", "2.12.1", "eager", other),
                                       ("tf2.21", "2.21.0", "graph", same), ("tf2.21", "2.21.0", "eager", other))]
    (figure,) = figures.for_scenario("init-he-formulas", records, ["tf2.12", "tf2.21"], "f")
    titles = re.findall(r"<text[^>]*>(graph|eager)([^<]*)</text>", figure.svg)
    assert [a + b for a, b in titles] == ["graph: every env", "eager: every env"]
    assert "2 among 4 twins" in figure.caption


def test_results_recorded_before_histograms_still_render_without_the_plot(real_scenarios) -> None:
    fit = truncated_fit()
    del fit["histogram"]
    records = [Record("init-he-formulas", "graph", "local", 1, "ok", {"he_normal_784x128": fit}, None, FACTS)]
    text = page_of(records, real_scenarios)
    assert 'id="scenario-init-he-formulas"' in text and "<svg" not in text


def test_numbered_observations_become_series_with_the_initial_value_as_step_zero() -> None:
    obs = {"initial_weight": 0.5, "weight_1": 0.7, "loss_1": 4.0, "weight_2": 0.9, "loss_2": 3.0}
    record = Record("train-loop-sgd", "graph", "local", 1, "ok", obs, None, FACTS)
    assert figures.numbered_series(record) == {"weight": [(0, 0.5), (1, 0.7), (2, 0.9)], "loss": [(1, 4.0), (2, 3.0)]}


def sgd(env: str, tf: str, mode: str, weights: list, raised: bool = False) -> Record:
    obs: dict = {"initial_weight": weights[0]}
    obs.update({f"weight_{n}": w for n, w in enumerate(weights[1:], 1)})
    obs.update({f"loss_{n}": 1.0 / n for n in range(1, len(weights))})
    if raised:
        obs["training_error"] = {"kind": "exception", "type": "TypeError", "message": "fetch has invalid type"}
    return Record("train-loop-sgd", mode, env, 1, "ok", obs, None, {**FACTS, "tensorflow": tf})


def lines_of(svg: str) -> dict:
    """{data-line: [y, ...]} of a figure's named lines (SVG y grows downwards)."""
    out = {}
    for name, body in re.findall(r'<g data-line="([^"]+)"><title>[^<]*</title>(.*?)</g>', svg, re.DOTALL):
        path = re.search(r' d="([^"]+)"', body)
        out[name] = [float(y) for y in re.findall(r"[ML] [-\d.]+ ([-\d.]+)", path.group(1))] if path else []
    return out


def test_a_trajectory_has_a_line_per_group_of_envs_and_marks_where_a_twin_raised() -> None:
    records = [sgd("tf2.5", "2.5.3", "graph", [0.3, 1.0, 1.5, 1.8]), sgd("tf2.12", "2.12.1", "graph", [0.3] * 4),
               sgd("tf2.21", "2.21.0", "graph", [0.3], raised=True)]
    records += [sgd(env, tf, "eager", [-1.0, 1.0, 1.5, 1.8]) for env, tf in
                (("tf2.5", "2.5.3"), ("tf2.12", "2.12.1"), ("tf2.21", "2.21.0"))]
    (figure,) = figures.for_scenario("train-loop-sgd", records, ["tf2.5", "tf2.12", "tf2.21"], "f")
    lines = lines_of(figure.svg)
    assert len(set(lines["weight graph tf2.5"])) == 4 and len(set(lines["weight graph tf2.12"])) == 1
    assert "weight eager tf2.5 tf2.12 tf2.21" in lines  # the three eager twins agree: one line
    assert "weight graph tf2.21 raised" in lines and ">graph: tf2.21<" in figure.svg
    stop = "graph: tf2.21 stops early (the X): training_error raised TypeError: fetch has invalid type"
    assert stop in figure.caption
    # Whole steps only, and labelled axes.
    ticks = re.findall(r'<text[^>]*text-anchor: middle"[^>]*>([^<]+)</text>', figure.svg)
    assert {"0", "1", "2", "3"} <= set(ticks) and not [t for t in ticks if re.fullmatch(r"\d+\.\d+", t)]
    assert ">step<" in figure.svg and ">weight<" in figure.svg


def test_the_depth_profile_marks_where_a_value_overflows() -> None:
    finite = {"std_per_layer": [1.0, 10.0, 100.0, "inf", "nan"]}
    steady = {"std_per_layer": [1.0, 0.9, 0.8, 0.8, 0.8]}
    records = [Record("depth", m, "local", 1, "ok", {"relu_unscaled_normal": finite, "relu_he_normal": steady},
                      None, FACTS) for m in ("graph", "eager")]
    (figure,) = figures.for_scenario("depth", records, ["local"], "f")
    assert ("relu unscaled_normal: the std overflows (inf or nan) after layer 3 (the triangle) in graph and "
            "eager: local") in figure.caption
    assert "relu unscaled_normal graph local overflow" in lines_of(figure.svg)
    assert ">layer<" in figure.svg and ">activation std<" in figure.svg


def test_figures_share_no_element_id_and_keep_the_ids_they_refer_to() -> None:
    records = [sgd("local", "2.21.0", m, [0.3, 1.0, 1.5]) for m in ("graph", "eager")]
    first, second = (figures.for_scenario("train-loop-sgd", records, ["local"], f"fig{n}")[0].svg for n in (1, 2))
    ids = re.findall(r' id="([^"]+)"', first + second)
    assert ids and len(ids) == len(set(ids)) and all(i.startswith(("fig1-", "fig2-")) for i in ids)
    assert set(re.findall(r'(?:href="#|url\(#)([^")]+)', first)) <= set(ids)  # clip paths and markers resolve
    assert "<metadata" not in first and "font-family" not in first  # shared by the page's CSS


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


def test_lab_report_of_a_saved_folder_lists_scenarios_in_catalog_order(real_scenarios, tmp_path: Path) -> None:
    # A folder's records come back by file name (assign-ops, rebind-variable, tf1-reinit); the
    # catalog puts tf1-reinit first, as `lab list` and compare-all --html do.
    ids = ["assign-ops", "rebind-variable", "tf1-reinit"]
    records = [Record(sid, m, "tf2.15", 1, "ok", {"x": 1.0}, None, FACTS) for sid in ids for m in ("graph", "eager")]
    save_run(tmp_path / "results", records, real_scenarios)
    catalog = [sid for sid in real_scenarios if sid in ids]
    assert catalog != sorted(ids)
    page = tmp_path / "report.html"
    assert main(["report", str(tmp_path / "results"), "--html", str(page)]) == 0
    root = parse(page.read_text()).root
    assert [s.attrs["id"] for s in root.find_all("section", class_="scenario")] == [f"scenario-{s}" for s in catalog]
    rows = [r.attrs["data-claim"].rsplit("-", 1)[0] for r in root.find_all("tr") if "data-claim" in r.attrs]
    assert list(dict.fromkeys(rows)) == catalog
    markdown = (tmp_path / "results" / "report.md").read_text()
    assert [markdown.index(f"| {sid} #1 |") for sid in catalog] == sorted(markdown.index(f"| {sid} #1 |")
                                                                         for sid in catalog)


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
