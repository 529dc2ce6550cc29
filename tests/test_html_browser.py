"""The HTML report of a real compare-all over four environments (real TF 1.15 in a venv, TF 2.5,
2.12 and 2.21 in their images), read as a file and opened in headless Chromium at a phone's width
and a wide screen's: every section and plot is there, the Keras SGD drift is in a picture, no id
repeats, the heat map's cells are all reachable, and the filters change what is shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from lab.merge import read_folder
from lab.reports import figures
from lab.scenario import ROOT
from tests.browser import Browser, chromium_or_skip
from tests.html_parse import duplicate_ids, parse
from tests.test_html_report import lines_of

ENVS = ("tf1.15", "tf2.5", "tf2.12", "tf2.21")
MAX_BYTES = 5_000_000
SCREENSHOTS = ROOT / "results" / "ci" / "screenshots"  # results/ is the CI artifact folder
WIDTHS = (390, 1400)

pytestmark = [pytest.mark.slow, pytest.mark.docker]


def _docker_or_skip() -> None:
    pytest.importorskip("docker", reason="the docker Python package is not installed (pip install docker)")
    from lab.environments.image.build import docker_client
    from lab.errors import DockerUnavailable

    try:
        docker_client()
    except DockerUnavailable as exc:
        if os.environ.get("LAB_REQUIRE_DOCKER") == "1":  # CI: a missing daemon fails, not skips
            pytest.fail(f"LAB_REQUIRE_DOCKER=1 but no Docker: {exc}")
        pytest.skip(f"no Docker: {exc}")


@pytest.fixture(scope="module")
def four_envs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder and its report.html from `lab compare-all` over ENVS, as a user runs it."""
    _docker_or_skip()
    out = tmp_path_factory.mktemp("compare-all")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    lab = [sys.executable, "-c", "from lab.cli import entry; entry()"]
    envs = [arg for name in ENVS for arg in ("--env", name)]
    done = subprocess.run([*lab, "compare-all", *envs, "--out", str(out), "--html", str(out / "report.html")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def page(four_envs: Path) -> str:
    return (four_envs / "report.html").read_text(encoding="utf-8")


def test_the_report_shows_the_keras_sgd_drift_in_a_trajectory_per_env(four_envs: Path, page: str) -> None:
    records, _ = read_folder(four_envs)
    graph = {r.env: r.observations for r in records if r.scenario == "train-loop-sgd" and r.mode.value == "graph"}
    # What the records hold: the article's SGD moves the weight on TF 1.15 and 2.5; from 2.12 its
    # update leaves the weight where it started; Keras 3 (2.21) refuses the update in a Session.
    assert graph["tf2.12"]["weight_3"] == graph["tf2.12"]["initial_weight"] != graph["tf2.5"]["weight_3"]
    assert graph["tf2.21"]["training_error"]["kind"] == "exception"
    (section,) = parse(page).root.find_all("section", id="scenario-train-loop-sgd")
    (figure,) = [f for f in section.find_all("figure", class_="plot") if "weight" in f.all_text()]
    svg = page[page.index(f'id="{figure.attrs["id"]}"'):]
    svg = svg[:svg.index("</figure>")]
    lines = lines_of(svg)

    def line(env: str, end: str = "") -> Any:
        (name,) = [n for n in lines if n.startswith("weight graph ") and env in n.split()[2:]
                   and n.endswith(" raised") == (end == "raised")]
        return lines[name]

    assert len(set(line("tf1.15"))) > 1 and len(set(line("tf2.5"))) > 1  # it moves
    assert len(set(line("tf2.12"))) == 1 and len(line("tf2.12")) == 4  # initial value and three steps, flat
    assert line("tf2.21", "raised")  # the X where the twin raised
    caption = figure.find_all("figcaption")[0].all_text()
    assert "graph: tf2.21 stops early (the X): training_error raised TypeError" in caption


def test_no_element_id_repeats_in_the_report(page: str) -> None:
    assert duplicate_ids(page) == []


def test_every_scenario_and_claim_has_its_section_and_plots(four_envs: Path, page: str) -> None:
    records, _ = read_folder(four_envs)
    root = parse(page).root
    ids = list(dict.fromkeys(r.scenario for r in records))
    sections = [s.attrs["id"] for s in root.find_all("section", class_="scenario")]
    from lab.scenario import load_scenarios

    catalog = [sid for sid in load_scenarios() if sid in ids]
    assert sections == [f"scenario-{sid}" for sid in catalog]  # catalog order
    verdicts = json.loads((four_envs / "verdicts.json").read_text())
    claims = {s.attrs["id"] for s in root.find_all("section", class_="claim")}
    assert claims == {f"claim-{v['scenario']}-{v['claim']}" for v in verdicts}
    plots = {s.attrs["id"]: len(s.find_all("figure", class_="plot"))
             for s in root.find_all("section", class_="scenario")}
    for sid in ids:
        fits = figures.fit_keys([r for r in records if r.scenario == sid])
        assert plots[f"scenario-{sid}"] >= len(fits), sid
    for sid in ("init-depth-activation-scale", "train-loop-sgd", "train-loop-fixed", "train-loop-keras-adam",
                "apply-gradients-update", "assign-sub-update", "rebind-variable", "init-zero-symmetry", "tf1-reinit"):
        assert plots[f"scenario-{sid}"] >= 1, sid
    assert plots["scenario-init-glorot-formulas"] == 6 and plots["scenario-init-he-formulas"] == 6
    emulation = root.find_all("section", id="emulation")[0]
    assert emulation.find_all("table") and not emulation.find_all("ul")  # tables, not a list of lines
    assert len(page.encode()) < MAX_BYTES


# Every verdict cell of the heat map's first and last rows, scrolled to as a reader would: the cell
# must then be the element under its own centre (not hidden by the sticky claim column or header).
REACH = """(() => {
  const wrap = document.querySelector('.heatwrap'), rows = wrap.querySelectorAll('tbody tr');
  const missed = [];
  for (const row of [rows[0], rows[rows.length - 1]]) {
    for (const td of row.querySelectorAll('td.v')) {
      td.scrollIntoView({block: 'nearest', inline: 'nearest'});
      const r = td.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!(hit === td || td.contains(hit))) missed.push(row.dataset.claim + ' ' + td.cellIndex);
    }
  }
  wrap.scrollLeft = wrap.scrollWidth;
  const claim = rows[0].querySelector('th.claim').getBoundingClientRect();
  return JSON.stringify({missed, cells: wrap.querySelectorAll('td.v').length,
    claimStuck: Math.abs(claim.left - wrap.getBoundingClientRect().left) < 3,
    pageWidth: document.documentElement.scrollWidth, viewport: innerWidth,
    heatmapScrolls: wrap.scrollWidth > wrap.clientWidth});
})()"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    exe = chromium_or_skip()
    opened = Browser(exe, tmp_path_factory.mktemp("profile"))
    try:
        yield opened
    finally:
        opened.close()


def _open(browser: Browser, four_envs: Path, width: int) -> None:
    browser.viewport(width, 900)
    browser.open((four_envs / "report.html").resolve().as_uri())


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def test_every_heat_map_cell_is_visible_or_reachable_by_scrolling(browser: Browser, four_envs: Path,
                                                                  width: int) -> None:
    _open(browser, four_envs, width)
    browser.screenshot(SCREENSHOTS / f"report-{width}px.png")
    found = json.loads(browser.evaluate(REACH))
    browser.screenshot(SCREENSHOTS / f"report-{width}px-heatmap-scrolled.png")
    assert browser.console_errors() == []
    assert found["cells"] > 0 and found["missed"] == []
    assert found["pageWidth"] <= found["viewport"]  # the page itself never scrolls sideways
    assert found["claimStuck"]  # scrolled to the last env, the claim column is still there
    assert found["heatmapScrolls"] == (width < 800)


def _state(browser: Browser) -> Dict[str, Any]:
    return json.loads(browser.evaluate("""JSON.stringify({
      rows: Array.from(document.querySelectorAll('.heatmap tbody tr:not([hidden])')).map(r => r.dataset.claim),
      all: document.querySelectorAll('.heatmap tbody tr').length,
      changed: Array.from(document.querySelectorAll('.heatmap tbody tr.changes')).map(r => r.dataset.claim),
      cells: document.querySelectorAll('.heatmap tbody tr:first-child td.v:not([hidden])').length,
      envHeads: Array.from(document.querySelectorAll('.heatmap thead th[data-env]:not([data-mode]):not([hidden])'))
        .map(th => th.dataset.env),
      claims: document.querySelectorAll('section.claim:not([hidden])').length,
      shown: document.querySelector('.shown').textContent})"""))


def _click(browser: Browser, selector: str) -> None:
    browser.evaluate(f"document.querySelector({json.dumps(selector)}).click()")


def _search(browser: Browser, text: str) -> None:
    browser.evaluate(f"""(() => {{ const box = document.querySelector('input[type=search]');
      box.value = {json.dumps(text)}; box.dispatchEvent(new Event('input')); }})()""")


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def test_the_filters_change_what_is_shown(browser: Browser, four_envs: Path, width: int) -> None:
    _open(browser, four_envs, width)
    start = _state(browser)
    assert len(start["rows"]) == start["all"] == start["claims"] and start["cells"] == 8
    assert start["shown"] == f"showing {start['all']} of {start['all']} claims"

    _click(browser, "input[data-filter=changes]")
    changes = _state(browser)
    assert changes["rows"] == changes["changed"] and 0 < len(changes["rows"]) < start["all"]
    assert changes["claims"] == len(changes["rows"])  # the claim sections follow the heat map
    _click(browser, "input[data-filter=changes]")

    _click(browser, "input[data-filter=env][value='tf1.15']")
    no_tf1 = _state(browser)
    assert no_tf1["cells"] == 6 and no_tf1["envHeads"] == ["tf2.5", "tf2.12", "tf2.21"]
    _click(browser, "input[data-filter=env][value='tf1.15']")

    _click(browser, "input[data-filter=mode][value=eager]")
    assert _state(browser)["cells"] == 4
    _click(browser, "input[data-filter=mode][value=eager]")

    for verdict in ("holds", "inconclusive", "na", "unfinished"):  # only REFUTED left
        _click(browser, f"input[data-filter=verdict][value={verdict}]")
    refuted = _state(browser)
    assert 0 < len(refuted["rows"]) < start["all"]
    assert "train-loop-keras-adam-1" in refuted["rows"] and "tf1-reinit-1" not in refuted["rows"]
    for verdict in ("holds", "inconclusive", "na", "unfinished"):
        _click(browser, f"input[data-filter=verdict][value={verdict}]")

    _search(browser, "reinit")
    found = _state(browser)
    texts = json.loads(browser.evaluate("JSON.stringify(Array.from(document.querySelectorAll("
                                        "'.heatmap tbody tr:not([hidden])')).map(r => r.textContent.toLowerCase()))"))
    assert found["rows"] and all("reinit" in text for text in texts) and len(found["rows"]) < start["all"]
    _search(browser, "")
    assert _state(browser)["rows"] == start["rows"]
    assert browser.console_errors() == []
