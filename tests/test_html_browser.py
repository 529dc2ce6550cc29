"""The HTML report of a real compare-all over the local environment, opened in headless Chromium:
it renders with no console error, every section and plot is there, and it stays small."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.merge import read_folder
from lab.reports import figures
from lab.scenario import ROOT
from tests.browser import Browser, chromium_or_skip

MAX_BYTES = 5_000_000
SCREENSHOT = ROOT / "results" / "browser" / "report.png"  # results/ is the CI artifact folder

# Everything the page shows, counted in the browser: sections, figures and their drawn size.
PROBE = """JSON.stringify({
  scenarios: Array.from(document.querySelectorAll('section.scenario')).map(s => s.id),
  claims: Array.from(document.querySelectorAll('section.claim')).map(s => s.id),
  plots: Object.fromEntries(Array.from(document.querySelectorAll('section.scenario')).map(
    s => [s.id, s.querySelectorAll('figure.plot svg').length])),
  emptyPlots: Array.from(document.querySelectorAll('figure.plot svg')).filter(
    svg => svg.getBoundingClientRect().width < 100 || svg.getBoundingClientRect().height < 100).length,
  heatmapRows: document.querySelectorAll('#heatmap tbody tr').length,
  seeding: !!document.getElementById('seeding'),
  rendered_ms: performance.getEntriesByType('navigation')[0].loadEventEnd,
})"""


@pytest.fixture(scope="module")
def local_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chromium_or_skip()  # before the minute of TensorFlow, not after
    out = tmp_path_factory.mktemp("compare-all")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    lab = [sys.executable, "-c", "from lab.cli import entry; entry()"]
    done = subprocess.run([*lab, "compare-all", "--env", "local", "--no-cache", "--out", str(out),
                           "--html", str(out / "report.html")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.mark.slow
def test_the_report_of_a_local_compare_all_renders_in_chromium_with_every_section_and_plot(
        local_report: Path, tmp_path: Path) -> None:
    exe = chromium_or_skip()
    page = local_report / "report.html"
    size = page.stat().st_size
    assert size < MAX_BYTES
    browser = Browser(exe, tmp_path / "profile")
    try:
        browser.open(page.resolve().as_uri())
        found = json.loads(browser.evaluate(PROBE))
        shot = browser.screenshot(SCREENSHOT)
        errors = browser.console_errors()
    finally:
        browser.close()
    # A number to read, not to assert: wall-clock time depends on the machine.
    print(f"\nhtml report {page}: {size / 1e6:.2f} MB, rendered (load event) in {found['rendered_ms']:.0f} ms; "
          f"screenshot {shot}")
    assert errors == []
    records, _ = read_folder(local_report)
    ids = list(dict.fromkeys(r.scenario for r in records))
    assert sorted(found["scenarios"]) == sorted(f"scenario-{sid}" for sid in ids)
    verdicts = json.loads((local_report / "verdicts.json").read_text())
    assert sorted(found["claims"]) == sorted({f"claim-{v['scenario']}-{v['claim']}" for v in verdicts})
    assert found["heatmapRows"] == len(found["claims"]) and found["seeding"]
    assert found["emptyPlots"] == 0
    # The plots each scenario should have, from its records: a histogram per fit_report, the
    # depth profile, trajectories of the training and assignment scenarios.
    by_scenario = {sid: [r for r in records if r.scenario == sid] for sid in ids}
    for sid, mine in by_scenario.items():
        fits = figures.fit_keys(mine)
        assert found["plots"][f"scenario-{sid}"] >= len(fits), sid
    for sid in ("init-depth-activation-scale", "train-loop-sgd", "train-loop-fixed", "train-loop-keras-adam",
                "apply-gradients-update", "assign-sub-update", "rebind-variable", "init-zero-symmetry", "tf1-reinit"):
        assert found["plots"][f"scenario-{sid}"] >= 1, sid
    assert found["plots"]["scenario-init-glorot-formulas"] == 6 and found["plots"]["scenario-init-he-formulas"] == 6
