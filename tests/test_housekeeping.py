"""lab/housekeeping.py: what the cache root holds, its size, and pruning it by age."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from lab import housekeeping
from lab.errors import UsageError

DAY = housekeeping.DAY_S


def _file(path: Path, size: int, age_days: float = 0.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    when = time.time() - age_days * DAY
    os.utime(path, (when, when))
    return path


def _aged(path: Path, age_days: float) -> None:
    when = time.time() - age_days * DAY
    os.utime(path, (when, when))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    _file(tmp_path / "records" / "ab" / "one.json", 100, age_days=10)
    _file(tmp_path / "records" / "cd" / "two.json", 50, age_days=1)
    _file(tmp_path / "venvs" / "tf2.15" / "bin" / "python", 300)
    _file(tmp_path / "venvs" / "tf2.15" / "lib" / "x.py", 20)
    _aged(tmp_path / "venvs" / "tf2.15", 30)
    _file(tmp_path / "venvs" / "tf2.9" / "bin" / "python", 7)
    (tmp_path / "not-a-folder").write_text("ignored")
    return tmp_path


def test_info_lists_each_folder_with_its_files_size_and_newest(root: Path) -> None:
    parts = {p.name: p for p in housekeeping.info(root)}
    assert list(parts) == ["records", "venvs"]
    records = parts["records"]
    assert (records.entries, records.bytes) == (2, 150)
    assert records.newest == (root / "records" / "cd" / "two.json").stat().st_mtime
    assert records.what == "trial records and verbatim results (the record cache)"


def test_a_venv_counts_as_one_entry_with_the_size_of_its_files(root: Path) -> None:
    venvs = next(p for p in housekeeping.info(root) if p.name == "venvs")
    assert (venvs.entries, venvs.bytes) == (2, 327)
    assert venvs.newest == (root / "venvs" / "tf2.9").stat().st_mtime


def test_an_empty_folder_has_no_newest_entry(tmp_path: Path) -> None:
    (tmp_path / "wheels").mkdir()
    assert housekeeping.info(tmp_path) == [housekeeping.Part("wheels", tmp_path / "wheels", 0, 0, None)]


def test_a_missing_cache_root_holds_nothing(tmp_path: Path) -> None:
    assert housekeeping.info(tmp_path / "nowhere") == []


def test_a_folder_the_lab_does_not_know_has_no_description(tmp_path: Path) -> None:
    _file(tmp_path / "mystery" / "f", 1)
    assert housekeeping.info(tmp_path)[0].what == ""


def test_the_cache_root_is_lab_cache_dir_when_set(tmp_path: Path, monkeypatch) -> None:
    _file(tmp_path / "wheels" / "a.whl", 4)
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    assert [(p.name, p.bytes) for p in housekeeping.info()] == [("wheels", 4)]


def test_pruning_by_age_removes_only_older_entries_and_returns_the_bytes_freed(root: Path) -> None:
    removed = []
    freed = housekeeping.prune(5, root, note=removed.append)
    assert freed == 100 + 320
    assert sorted(p.relative_to(root).as_posix() for p in removed) == ["records/ab/one.json", "venvs/tf2.15"]
    assert (root / "records" / "cd" / "two.json").is_file() and (root / "venvs" / "tf2.9" / "bin" / "python").is_file()
    assert not (root / "venvs" / "tf2.15").exists()


def test_pruning_without_an_age_removes_every_entry(root: Path) -> None:
    assert housekeeping.prune(None, root) == 150 + 327
    assert [(p.name, p.entries, p.bytes) for p in housekeeping.info(root)] == [("records", 0, 0), ("venvs", 0, 0)]


def test_a_symlink_is_removed_itself_and_its_target_kept(tmp_path: Path) -> None:
    target = _file(tmp_path / "outside" / "big", 1000)
    link = tmp_path / "root" / "venvs" / "linked"
    link.parent.mkdir(parents=True)
    link.symlink_to(target.parent)
    housekeeping.prune(None, tmp_path / "root")
    assert not link.is_symlink() and target.read_bytes() == b"x" * 1000


@pytest.mark.parametrize("days", [-1.0, float("nan")])
def test_a_negative_or_nan_age_is_one_line(tmp_path: Path, days: float) -> None:
    with pytest.raises(UsageError) as caught:
        housekeeping.prune(days, tmp_path)
    assert str(caught.value) == f"--older-than {days}: give a number of days, 0 or more"


@pytest.mark.parametrize(("size", "text"), [(0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (1_500_000, "1.5 MB"),
                                        (2_345_000_000, "2.3 GB"), (5_000_000_000_000, "5000.0 GB")])
def test_sizes_read_in_decimal_units(size: float, text: str) -> None:
    assert housekeeping.human(size) == text
