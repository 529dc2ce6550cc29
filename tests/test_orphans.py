"""lab/orphans.py: a guest proven the lab's own by pid, start time and folder, and ended with its tree."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from lab import orphans

NO_SUCH_PID = 4194305  # above Linux's largest pid_max


@pytest.fixture
def started(tmp_path: Path) -> Iterator[List[subprocess.Popen]]:
    processes: List[subprocess.Popen] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def _guest(started: List[subprocess.Popen], folder: Path, *command: str) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(list(command or ("sleep", "300")), cwd=folder)
    started.append(process)
    return process


def test_the_start_time_of_a_live_process_is_a_number_and_of_a_gone_one_none() -> None:
    mine = orphans.start_time(os.getpid())
    assert isinstance(mine, int) and mine == orphans.start_time(os.getpid())
    assert orphans.start_time(NO_SUCH_PID) is None


def test_a_noted_guest_in_its_folder_is_proven(started, tmp_path: Path) -> None:
    folder = tmp_path / "lab-1-x"
    guest = _guest(started, folder)
    orphans.note_guest(folder, guest.pid)
    assert json.loads((folder / orphans.GUEST_FILE).read_text()) == {"pid": guest.pid,
                                                                     "start": orphans.start_time(guest.pid)}
    assert orphans.proven(folder) == guest.pid


def test_a_folder_without_a_guest_file_proves_nothing(tmp_path: Path) -> None:
    assert orphans.proven(tmp_path) is None


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"pid": 5}', '{"pid": "x", "start": 1}'])
def test_an_unreadable_guest_file_proves_nothing(tmp_path: Path, content: str) -> None:
    (tmp_path / orphans.GUEST_FILE).write_text(content)
    assert orphans.proven(tmp_path) is None


def test_pid_1_is_never_proven(tmp_path: Path) -> None:
    (tmp_path / orphans.GUEST_FILE).write_text(json.dumps({"pid": 1, "start": orphans.start_time(1)}))
    assert orphans.proven(tmp_path) is None


def test_a_reused_pid_fails_the_start_time(started, tmp_path: Path) -> None:
    folder = tmp_path / "lab-2-x"
    guest = _guest(started, folder)
    start = orphans.start_time(guest.pid)
    assert start is not None
    (folder / orphans.GUEST_FILE).write_text(json.dumps({"pid": guest.pid, "start": start + 1}))
    assert orphans.proven(folder) is None


def test_a_process_working_in_another_folder_is_not_the_guest(started, tmp_path: Path) -> None:
    other = _guest(started, tmp_path / "elsewhere")
    folder = tmp_path / "lab-3-x"
    folder.mkdir()
    orphans.note_guest(folder, other.pid)
    assert orphans.proven(folder) is None


def test_a_guest_that_has_ended_is_not_proven(started, tmp_path: Path) -> None:
    folder = tmp_path / "lab-4-x"
    guest = _guest(started, folder)
    orphans.note_guest(folder, guest.pid)
    guest.kill()
    guest.wait()
    assert orphans.proven(folder) is None


def test_noting_a_gone_pid_writes_nothing(tmp_path: Path) -> None:
    orphans.note_guest(tmp_path, NO_SUCH_PID)
    assert list(tmp_path.iterdir()) == []


def test_ending_a_proven_guest_kills_it_and_its_children(started, tmp_path: Path) -> None:
    folder = tmp_path / "lab-5-x"
    ready = folder / "ready"
    guest = _guest(started, folder, "sh", "-c", "sleep 300 & echo $! > ready; wait")
    orphans.note_guest(folder, guest.pid)
    while not (ready.is_file() and ready.read_text().strip()):
        time.sleep(0.01)
    child = os.pidfd_open(int(ready.read_text()))  # readable once the grandchild has exited
    try:
        assert orphans.end_guest(folder) == (guest.pid, 2)
        assert guest.wait() == -9
        # A generous bound, not a speed check: unkilled, the grandchild would sleep on for 300 s.
        assert select.select([child], [], [], 60)[0] == [child]
    finally:
        os.close(child)


def test_end_guests_lists_only_the_folders_whose_guest_was_ended(started, tmp_path: Path) -> None:
    live, empty = tmp_path / "lab-6-a", tmp_path / "lab-6-b"
    guest = _guest(started, live)
    orphans.note_guest(live, guest.pid)
    empty.mkdir()
    assert orphans.end_guests([empty, live]) == [(live, guest.pid, 1)]
    assert guest.wait() == -9



def test_the_guest_note_is_best_effort_and_never_follows_a_link(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("kept")
    folder = tmp_path / "scratch"
    folder.mkdir()
    (folder / orphans.GUEST_FILE).symlink_to(target)  # a guest could put one in its folder
    orphans.note_guest(folder, os.getpid())
    assert target.read_text() == "kept"
    orphans.note_guest(tmp_path / "gone", os.getpid())  # no folder (a full disk alike): no error, no note
    assert not (tmp_path / "gone").exists()
