"""Listings for machines (`--json`, valid against their schemas) and the cache's housekeeping."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from lab import housekeeping
from lab.cli import main
from lab.schemas import problem


def test_list_json_fits_its_schema_and_carries_tags(capsys) -> None:
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert problem(data, "scenarios") == ""
    reinit = next(s for s in data["scenarios"] if s["id"] == "tf1-reinit")
    assert "reinit" in reinit["tags"] and reinit["claims"][3]["not_in"] == ["eager"]


def test_show_json_fits_its_schema_with_both_twins(capsys) -> None:
    assert main(["show", "tf1-reinit", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert problem(data, "scenario") == ""
    assert "sess.run(init_op)" in data["twins"]["graph"]


def test_envs_list_json_fits_its_schema(capsys) -> None:
    assert main(["envs", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert problem(data, "envs") == ""
    assert {"tf2.21", "tf1.15"} <= {e["name"] for e in data["envs"]}


def _aged(path: Path, days: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x" * 10)
    then = time.time() - days * housekeeping.DAY_S
    os.utime(path, (then, then))


def test_cache_info_counts_and_prune_removes_only_what_is_older(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    _aged(tmp_path / "records" / "ab" / "old.json", 40)
    _aged(tmp_path / "records" / "cd" / "new.json", 1)
    _aged(tmp_path / "venvs" / "tf1.15-old" / "bin" / "python", 40)
    os.utime(tmp_path / "venvs" / "tf1.15-old", (time.time() - 40 * 86400,) * 2)
    assert {(p.name, p.entries, p.bytes) for p in housekeeping.info()} == {("records", 2, 20), ("venvs", 1, 10)}
    assert main(["cache", "info"]) == 0
    assert re.search(r"^records +2 +20 B", capsys.readouterr().out, re.MULTILINE)
    assert main(["cache", "prune", "--older-than", "30"]) == 0
    assert "removed 2 entries, 20 B" in capsys.readouterr().out
    assert (tmp_path / "records" / "cd" / "new.json").exists() and not (tmp_path / "venvs" / "tf1.15-old").exists()
    assert main(["cache", "prune"]) == 0
    assert not (tmp_path / "records" / "cd" / "new.json").exists()


def test_prune_refuses_a_negative_age(capsys) -> None:
    assert main(["cache", "prune", "--older-than", "-1"]) == 2
    assert capsys.readouterr().err.startswith("lab: error: --older-than -1.0: give a number of days")
