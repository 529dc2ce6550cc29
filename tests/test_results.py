"""lab/results.py: a results folder's records, verdicts, manifest and block outcomes, written and read back."""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from lab import results
from lab.errors import UsageError
from lab.merge import saved_result
from lab.record import Record
from lab.scenario import ROOT
from lab.verbatim.outcome import Outcome
from lab.verdict import Judgement


def _tensor(value: float) -> dict:
    return {"kind": "tensor", "shape": [], "dtype": "float32", "values": value}


def _records() -> list:
    facts = {"tensorflow": "2.15.1"}
    return [Record("fixture-assign", "graph", "tf2.15", 1, "ok", {"after_assign": _tensor(3.0)}, facts=facts),
            Record("fixture-assign", "eager", "tf2.15", 1, "ok", {"after_assign": _tensor(1.0)}, facts=facts)]


def test_a_record_is_saved_under_its_env_by_scenario_and_mode(tmp_path: Path) -> None:
    assert results.record_path(tmp_path, _records()[1]) == tmp_path / "records" / "tf2.15" / "fixture-assign.eager.json"


def test_written_records_read_back_equal_with_the_verdicts_beside_them(tmp_path: Path) -> None:
    judgement = Judgement("fixture-assign", 1, "assign sets the value", "graph", "tf2.15", "HOLDS")
    written = results.write_records(tmp_path, _records(), [judgement])
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "records/tf2.15/fixture-assign.graph.json", "records/tf2.15/fixture-assign.eager.json", "verdicts.json"]
    assert results.load_records(tmp_path) == sorted(_records(), key=lambda r: r.mode.value)
    assert json.loads((tmp_path / "verdicts.json").read_text()) == [judgement.to_dict()]


def test_a_folder_without_records_has_none(tmp_path: Path) -> None:
    assert results.load_records(tmp_path) == []


def test_a_record_file_that_is_not_json_is_one_line_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "records" / "local" / "s.graph.json"
    path.parent.mkdir(parents=True)
    path.write_text("{torn")
    with pytest.raises(UsageError) as caught:
        results.load_records(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not JSON (") and message.endswith("); rerun the command that made it")
    assert "\n" not in message


def test_a_folder_without_a_manifest_reads_as_an_empty_one(tmp_path: Path) -> None:
    assert results.read_manifest(tmp_path) == {}


def test_a_manifest_that_is_not_json_is_one_line(tmp_path: Path) -> None:
    (tmp_path / results.MANIFEST).write_text("[1,")
    with pytest.raises(UsageError, match=r"manifest\.json: not JSON \(.*\); rerun the command that made it"):
        results.read_manifest(tmp_path)


def test_the_manifest_names_the_run_and_adds_the_extra_entries() -> None:
    data = results.manifest({"local": {"kind": "local"}}, 5, ["graph"], ["s1", "s2"], {"shard": "1/2"})
    assert set(data) == {"lab_version", "created", "git", "seed", "modes", "scenarios", "envs", "shard"}
    assert (data["seed"], data["modes"], data["scenarios"], data["envs"], data["shard"]) == (
        5, ["graph"], ["s1", "s2"], {"local": {"kind": "local"}}, "1/2")
    assert datetime.datetime.fromisoformat(data["created"]).tzinfo is not None


def test_the_git_commit_is_the_checkouts_head() -> None:
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    found = results.git_commit()
    assert found["commit"] == head and isinstance(found["dirty"], bool)


def test_a_saved_result_has_records_verdicts_and_a_manifest_of_its_envs(tmp_path: Path, fixture_scenarios) -> None:
    result = saved_result(_records(), {"tf2.15": {"image": "lab:tf2.15", "pip_freeze": ["numpy==1.26.4"]}},
                          fixture_scenarios)
    results.save(result, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "records", "verdicts.json"]
    manifest = results.read_manifest(tmp_path)
    assert (manifest["seed"], manifest["modes"], manifest["scenarios"]) == (1, ["graph", "eager"], ["fixture-assign"])
    assert manifest["envs"]["tf2.15"] == {"image": "lab:tf2.15", "problem": "", "unavailable": False,
                                          "cached_trials": 0, "pip_freeze": ["numpy==1.26.4"]}
    verdicts = {(v["claim"], v["mode"]): v["verdict"] for v in json.loads((tmp_path / "verdicts.json").read_text())}
    assert verdicts[(1, "graph")] == "HOLDS" and verdicts[(1, "eager")] == "REFUTED"


def _outcome() -> Outcome:
    return Outcome("post.md", 2, "as-written", "local", "error", "abc123", line=14,
                   error={"type": "NameError", "message": "name 'x' is not defined", "line": 3},
                   values=(("loss", 0.5),), facts={"tensorflow": "2.15.1"})


def test_block_outcomes_read_back_from_verbatim_json(tmp_path: Path) -> None:
    (tmp_path / results.VERBATIM).write_text(json.dumps({"format": results.VERBATIM_FORMAT, "meta": {"envs": ["local"]},
                                                         "outcomes": [_outcome().to_dict()]}))
    assert results.has_blocks(tmp_path) is True
    assert results.read_blocks(tmp_path) == ([_outcome()], {"envs": ["local"]})


def test_a_folder_without_verbatim_json_has_no_blocks_and_cannot_be_read_as_one(tmp_path: Path) -> None:
    assert results.has_blocks(tmp_path) is False
    with pytest.raises(UsageError, match="not a readable verbatim results folder"):
        results.read_blocks(tmp_path)


def test_verbatim_json_of_another_format_says_which_format_is_read(tmp_path: Path) -> None:
    (tmp_path / results.VERBATIM).write_text(json.dumps({"format": 2, "outcomes": []}))
    with pytest.raises(UsageError) as caught:
        results.read_blocks(tmp_path)
    assert str(caught.value) == f"{tmp_path}: not a readable verbatim results folder (format 2, this lab reads 1)"


class _FixedNow:
    """Stands in for datetime.datetime: always the same moment."""

    @staticmethod
    def now(tz: datetime.tzinfo) -> datetime.datetime:
        return datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=tz)


def test_a_default_results_folder_is_the_utc_time_and_never_one_that_exists(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(results, "datetime", SimpleNamespace(datetime=_FixedNow, timezone=datetime.timezone))
    first = results.default_results_dir(tmp_path)
    assert first == tmp_path / "20240506T070809Z"
    first.mkdir()
    second = results.default_results_dir(tmp_path)
    assert second == tmp_path / "20240506T070809Z-2"
    second.mkdir()
    assert results.default_results_dir(tmp_path) == tmp_path / "20240506T070809Z-3"
