"""Where a command writes: every place probed before any work (exit 2, one line), and every file
written whole or not at all, so a disk that fills mid-run leaves the previous file or none and
one line (exit 3), never a traceback or an empty file another command then cannot read."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path
from typing import Iterator, List

import pytest

from tests.faults.conftest import Lab


def one_line_error(done: subprocess.CompletedProcess, code: int, *parts: str) -> None:
    assert done.returncode == code, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("lab: error: ")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr[-3000:]
    assert all(part in errors[0] for part in parts), errors[0]


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A real filesystem of 256 KiB (tmpfs), to be filled; a skip where mounting needs privileges we lack."""
    folder = tmp_path / "disk"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (root needed): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(disk: Path, leave_pages: int = 1) -> None:
    """Fill `disk` but `leave_pages` pages (4 KiB each): room for the probe's one byte, not for a run's files."""
    ballast = disk / "ballast"
    handle = os.open(ballast, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(handle, b"\0" * 4096)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:  # only a full disk may end the filling
            raise
    finally:
        os.close(handle)
    os.truncate(ballast, max(0, ballast.stat().st_size - 4096 * leave_pages))


def files_under(folder: Path) -> List[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "ballast")


@pytest.mark.parametrize(("args", "parts"), [
    (["merge", "RESULTS", "--out", "FILE/merged"], ["--out", "cannot be written (Not a directory"]),
    (["compare-all", "fault-ok", "--env", "local", "--out", "OUT", "--update-baseline", "FILE/baseline.json"],
     ["--update-baseline", "cannot be written (Not a directory"]),
    (["compare-all", "fault-ok", "--env", "local", "--out", "OUT", "--update-baseline", "FOLDER"],
     ["--update-baseline", "is a folder"]),
    (["check", "RESULTS", "--baseline", "FILE/baseline.json", "--update"], ["--baseline", "cannot be written"]),
    (["run", "fault-ok", "--mode", "graph", "--html", "/proc/lab-report.html"], ["--html", "cannot be written"]),
], ids=["merge-out-under-a-file", "update-baseline-under-a-file", "update-baseline-a-folder",
        "check-update-under-a-file", "html-in-proc"])
def test_a_place_that_cannot_be_written_is_one_line_before_any_work(lab: Lab, args: List[str],
                                                                    parts: List[str]) -> None:
    results = lab.out / "results"
    made = lab.run("run", "fault-ok", "--mode", "graph", "--out", str(results))
    assert made.returncode == 0, made.stderr[-2000:]
    (lab.root / "FILE").write_text("")
    (lab.root / "FOLDER").mkdir()
    swap = {"RESULTS": str(results), "OUT": str(lab.out / "new")}
    done = lab.run(*[swap.get(a, a) for a in args])
    one_line_error(done, 2, *parts)
    assert "running" not in done.stderr  # no environment was started
    assert not (lab.out / "new").exists() and not (lab.root / "merged").exists()


def test_a_disk_that_fills_while_saving_leaves_whole_records_and_one_line(lab: Lab, disk: Path) -> None:
    fill(disk)
    done = lab.run("run", "fault-ok", "fault-slow", "--out", str(disk / "out"), "--no-cache")
    one_line_error(done, 3, "No space left on device")
    written = files_under(disk)
    assert written, "the first record fits: the disk filled while saving, not before"
    assert all(p.stat().st_size > 0 and not p.name.endswith(".tmp") for p in written), written
    for path in (p for p in written if p.suffix == ".json"):
        json.loads(path.read_text())  # whole
    # What was saved reads back: merge takes it (or refuses it in one line), never a traceback.
    merged = lab.run("merge", str(disk / "out"), "--out", str(lab.out / "merged"))
    assert "Traceback" not in merged.stderr and merged.returncode in (0, 2, 4), merged.stderr[-2000:]


def test_a_disk_that_fills_leaves_the_previous_baseline_as_it_was(lab: Lab, disk: Path) -> None:
    results = lab.out / "results"
    made = lab.run("run", "-k", "fault", "--out", str(results))  # a baseline of a few pages
    assert made.returncode == 4, made.stderr[-2000:]  # fault-bigint's graph twin fails, on purpose
    baseline = disk / "baseline.json"
    first = lab.run("check", str(results), "--baseline", str(baseline), "--update")
    assert first.returncode == 4 and baseline.stat().st_size > 4096, first.stderr[-2000:]
    previous = baseline.read_text().replace('"helper": 1', '"helper": 7')  # an older baseline
    baseline.write_text(previous)
    fill(disk)  # a page: the probe's byte, not the new baseline's pages
    done = lab.run("check", str(results), "--baseline", str(baseline), "--update")
    one_line_error(done, 3, str(baseline), "No space left on device")
    assert baseline.read_text() == previous
    assert [p.name for p in files_under(disk)] == ["baseline.json"]

