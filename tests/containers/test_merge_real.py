"""Per-environment runs merged give the report of one run over both; the baseline gate works."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lab.cli import main
from lab.errors import ExitCode

pytestmark = pytest.mark.docker


def test_merged_per_env_runs_match_one_run_and_the_baseline_catches_an_edit(docker_client, tmp_path: Path,
                                                                              capsys) -> None:
    a, b, c, merged = (tmp_path / name for name in ("a", "b", "c", "merged"))
    assert main(["compare-all", "tf1-reinit", "--env", "tf2.15", "--out", str(a)]) == 0
    assert main(["compare-all", "tf1-reinit", "--env", "tf2.21", "--out", str(b)]) == 0
    assert main(["compare-all", "tf1-reinit", "--env", "tf2.15", "--env", "tf2.21", "--out", str(c)]) == 0
    assert main(["merge", str(b), str(a), "--out", str(merged)]) == 0
    assert (merged / "report.md").read_text() == (c / "report.md").read_text()

    baseline = str(tmp_path / "baseline.json")
    assert main(["check", str(c), "--baseline", baseline, "--update"]) == 0
    assert main(["check", str(c), "--baseline", baseline]) == 0
    assert main(["check", str(merged), "--baseline", baseline]) == 0
    edited = tmp_path / "edited"
    shutil.copytree(c, edited)
    record = edited / "records" / "tf2.21" / "tf1-reinit.eager.json"
    data = json.loads(record.read_text())
    data["observations"]["after_assign"]["values"] = 3.0
    record.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["check", str(edited), "--baseline", baseline]) == ExitCode.BASELINE_CHANGED
    assert "[eager] observation after_assign: 2.0 float32 -> 3.0 float32" in capsys.readouterr().out
