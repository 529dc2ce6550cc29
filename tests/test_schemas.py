"""What the lab reads is validated: saved records, baselines, and every line a guest writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.cli import main
from lab.record import Record, Status
from lab.scenario import Mode
from lab.schemas import SCHEMA_DIR, problem
from tests.conftest import FIXTURE_SCENARIOS

RESULT = {"scenario": "fixture-assign", "mode": "graph", "status": "ok", "observations": {"x": 1}, "error": None,
          "facts": {"tensorflow": "2.21.0"}, "duration_s": 0.1}


def test_every_published_schema_is_a_valid_json_schema() -> None:
    names = sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json"))
    assert names == ["baseline.schema.json", "envs.schema.json", "guest-result.schema.json", "manifest.schema.json",
                     "record.schema.json", "scenario.schema.json", "scenarios.schema.json", "verdicts.schema.json"]
    for name in names:
        assert problem({}, name.split(".")[0]) != ""  # an empty object fits none of them


def _saved_record(tmp_path: Path) -> Path:
    record = Record("fixture-assign", Mode.GRAPH, "local", 1, Status.OK, {"x": 1}, facts={"tensorflow": "2.21.0"})
    path = tmp_path / "r" / "records" / "local" / "fixture-assign.graph.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(record.to_dict()))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"seed": "one"}, "seed: 'one' is not of type 'integer'", id="wrong-type"),
        pytest.param({"mode": "lazy"}, "mode: 'lazy' is not one of", id="unknown-mode"),
        pytest.param({"schema_version": 0}, "record format 0, this lab reads format 1", id="older-format"),
    ],
)
def test_a_saved_record_of_the_wrong_shape_is_one_line_naming_file_and_field(change, message, tmp_path: Path,
                                                                               capsys, monkeypatch) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    path = _saved_record(tmp_path)
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    assert main(["check", str(tmp_path / "r"), "--baseline", str(tmp_path / "b.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and message in err


def test_a_baseline_of_the_wrong_shape_is_one_line_naming_the_field(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    _saved_record(tmp_path)
    baseline = tmp_path / "b.json"
    baseline.write_text(json.dumps({"about": "", "format": 1, "envs": {"local": {"facts": {}, "scenarios": []}}}))
    assert main(["check", str(tmp_path / "r"), "--baseline", str(baseline)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "envs.local.scenarios: [] is not of type 'object'" in err


def test_what_compare_all_writes_fits_its_schemas(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURE_SCENARIOS))
    out = tmp_path / "r"
    assert main(["compare-all", "fixture-assign", "--env", "local", "--out", str(out)]) == 0
    assert problem(json.loads((out / "verdicts.json").read_text()), "verdicts") == ""
    assert problem(json.loads((out / "manifest.json").read_text()), "manifest") == ""
    for path in (out / "records").glob("*/*.json"):
        assert problem(json.loads(path.read_text()), "record") == ""
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "seed": -1}))
    capsys.readouterr()
    assert main(["merge", str(out), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{manifest}: not a valid manifest (seed: -1 is less than the minimum" in err
