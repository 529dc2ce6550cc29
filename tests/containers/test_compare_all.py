"""compare-all with real containers: results folder, verdict matrix, failures kept apart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lab.cli import main
from lab.results import load_records
from tests.conftest import FIXTURE_SCENARIOS

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def two_envs(docker_client, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare-all")
    os.environ["LAB_SCENARIOS"] = str(FIXTURE_SCENARIOS.parent.parent.parent / "scenarios")
    try:
        code = main(["compare-all", "--env", "tf2.15", "--env", "tf2.21", "--out", str(out)])
    finally:
        del os.environ["LAB_SCENARIOS"]
    return code, out


def test_compare_all_runs_every_scenario_in_both_modes_in_each_env(two_envs, real_scenarios) -> None:
    code, out = two_envs
    assert code == 0
    records = load_records(out)
    expected = {(env, s, m) for env in ("tf2.15", "tf2.21") for s in real_scenarios for m in ("graph", "eager")}
    assert {(r.env, r.scenario, r.mode) for r in records} == expected
    assert all(r.ok for r in records)


def test_the_manifest_names_the_commit_the_images_and_each_envs_packages(two_envs) -> None:
    manifest = json.loads((two_envs[1] / "manifest.json").read_text())
    assert manifest["git"]["commit"] and manifest["lab_version"]
    for env, pin in (("tf2.15", "tensorflow-cpu==2.15.1"), ("tf2.21", "tensorflow-cpu==2.21.0")):
        info = manifest["envs"][env]
        assert info["image_id"].startswith("sha256:") and info["image"].startswith(f"lab-env:{env}-")
        assert pin in info["pip_freeze"]


def test_the_reports_hold_the_verdict_matrix(two_envs) -> None:
    out = two_envs[1]
    report = (out / "report.md").read_text()
    assert "| tf1-reinit #4 | re-running the initializer after the assignment" in report
    assert "| tf2.15 graph | tf2.15 eager | tf2.21 graph | tf2.21 eager |" in report
    suites = ET.parse(out / "junit.xml").getroot()
    assert sorted(s.get("name") for s in suites) == ["tf2.15", "tf2.21"]
    verdicts = json.loads((out / "verdicts.json").read_text())
    refuted = [v for v in verdicts if v["scenario"] == "tf1-reinit" and v["claim"] == 4 and v["mode"] == "graph"]
    assert [v["verdict"] for v in refuted] == ["REFUTED", "REFUTED"]
    # A REFUTED claim is a finding: with no baseline to differ from, no case fails; the verdicts
    # are the cases' properties.
    assert sum(1 for s in suites for c in s if c.find("failure") is not None) == 0
    properties = [p.get("value") for s in suites for c in s for p in c.iter("property") if p.get("name") == "verdict"]
    assert sorted(properties) == sorted(v["verdict"] for v in verdicts)


def test_a_failed_environment_is_marked_while_the_others_finish(docker_client, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    # An interpreter without TensorFlow passes the checks before any work and fails when run.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    code = main(["compare-all", "--env", "local", "--env", "tf2.21", "--mode", "eager",
                 "--python", str(tmp_path / "bare" / "bin" / "python"), "--out", str(tmp_path / "r")])
    assert code == 3  # an environment that is not ready, while the others' records are saved
    printed = capsys.readouterr().out
    assert "environment local FAILED: " in printed and "has no TensorFlow" in printed
    by_env = {}
    for r in load_records(tmp_path / "r"):
        by_env.setdefault(r.env, set()).add(r.status)
    assert by_env["tf2.21"] == {"ok"}  # every eager twin of the fixtures finishes
    assert by_env["local"] == {"not_run"}
    assert "local | ? | ? (?) | ? | ? | FAILED" in (tmp_path / "r" / "report.md").read_text()


@pytest.mark.parametrize("command", ["compare-all", "run"])
def test_ctrl_c_keeps_the_finished_environments_records(docker_client, tmp_path, command) -> None:
    env = dict(os.environ, LAB_SCENARIOS=str(FIXTURE_SCENARIOS), LAB_TEST_SLEEP="600")
    lab = Path(sys.executable).parent / "lab"
    out = tmp_path / "r"
    # The local env sleeps in fixture-sleep (the variable reaches local trials only); tf2.21 finishes.
    proc = subprocess.Popen([str(lab), command, "fixture-assign", "fixture-sleep", "--env", "local",
                             "--env", "tf2.21", "--out", str(out)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    seen = ""
    while "[tf2.21] done" not in seen and time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if not line and proc.poll() is not None:
            break
    assert "[tf2.21] done" in seen
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does to the foreground group
    proc.communicate(timeout=120)
    assert proc.returncode == 130
    records = {(r.env, r.scenario, r.mode): r for r in load_records(out)}
    assert records[("tf2.21", "fixture-sleep", "graph")].ok  # the finished env's records are saved
    assert records[("tf2.21", "fixture-assign", "graph")].ok
    assert not records[("local", "fixture-sleep", "graph")].ok  # the interrupted one is marked
    assert "FAILED" in (out / "report.md").read_text()
