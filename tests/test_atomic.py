"""lab/atomic.py: a place checked before any work, and files written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab import atomic
from lab.errors import ExitCode, UsageError


def test_probing_a_folder_as_a_file_names_a_file_to_write_instead(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        atomic.probe(tmp_path, "--out")
    assert str(caught.value) == f"--out {tmp_path} is a folder: name the file to write, e.g. {tmp_path / 'out'}"
    assert caught.value.exit_code == ExitCode.USAGE


def test_probing_under_a_file_says_it_is_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    target = tmp_path / "plain" / "deeper" / "report.md"
    with pytest.raises(UsageError) as caught:
        atomic.probe(target, "--report")
    assert str(caught.value) == (f"--report {target} cannot be written (Not a directory: {tmp_path / 'plain'}); "
                                 "choose another --report")


def test_a_probe_that_cannot_write_says_why_in_one_line() -> None:
    target = Path("/proc/lab-no-such-folder/out.json")
    with pytest.raises(UsageError) as caught:
        atomic.probe(target, "--out")
    assert str(caught.value) == f"--out {target} cannot be written (No such file or directory); choose another --out"


def test_a_probe_removes_the_folders_it_made_and_its_probe_file(tmp_path: Path) -> None:
    atomic.probe(tmp_path / "a" / "b" / "c.json", "--out")
    assert list(tmp_path.iterdir()) == []


def test_a_probe_of_a_folder_to_write_in_leaves_nothing_behind(tmp_path: Path) -> None:
    atomic.probe(tmp_path / "results" / "run", "--out", folder=True)
    assert list(tmp_path.iterdir()) == []


def test_a_probe_keeps_folders_that_existed_and_their_files(tmp_path: Path) -> None:
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "old.txt").write_text("old")
    atomic.probe(tmp_path / "kept", "--out", folder=True)
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == ["old.txt"]


def test_write_text_makes_the_parents_and_writes_the_text_whole(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "report.md"
    atomic.write_text(target, "héllo\n" * 1000)
    assert target.read_text(encoding="utf-8") == "héllo\n" * 1000
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.md"]


def test_write_bytes_replaces_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "verdicts.json"
    target.write_bytes(b"old and longer than the new one")
    atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"


def test_a_failed_write_is_an_output_error_with_exit_3_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.mkdir()  # the rename over it fails
    (target / "inside").write_text("kept")
    with pytest.raises(atomic.OutputError) as caught:
        atomic.write_text(target, "text")
    assert caught.value.exit_code == ExitCode.ENVIRONMENT == 3
    assert str(caught.value).startswith(f"could not write {target} (")
    assert str(caught.value).endswith("the files written before it are kept; free some space (or fix the folder) "
                                      "and run again")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]
    assert (target / "inside").read_text() == "kept"


def test_a_write_under_a_file_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(atomic.OutputError):
        atomic.write_text(tmp_path / "plain" / "report.md", "text")
    assert (tmp_path / "plain").read_text() == "x"


def test_copy_puts_the_source_bytes_at_the_target(tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(bytes(range(256)) * 3)
    atomic.copy(source, tmp_path / "out" / "copy.bin")
    assert (tmp_path / "out" / "copy.bin").read_bytes() == bytes(range(256)) * 3


def test_copy_of_a_missing_source_raises_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic.copy(tmp_path / "missing", tmp_path / "copy")
    assert list(tmp_path.iterdir()) == []


def test_a_written_file_gets_the_mode_the_umask_gives_not_mkstemps_owner_only(tmp_path: Path) -> None:
    from lab import atomic

    target = tmp_path / "report.md"
    atomic.write_text(target, "report\n")
    assert target.stat().st_mode & 0o777 == 0o666 & ~atomic.UMASK
    plain = tmp_path / "plain.md"
    plain.write_text("report\n")
    assert target.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
