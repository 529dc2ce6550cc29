"""The host's wheel cache: an env whose locked files are all there starts no pip."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
from pathlib import Path

import pytest

from lab.environments.declared import get_env
from lab.environments.image import wheels
from lab.errors import EnvironmentUnavailable


def lock_of(tmp_path: Path, files: dict) -> Path:
    """A hashed lock naming each of `files` (project name -> file path)."""
    lines = []
    for name, path in files.items():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines += [f"{name}==1.0 \\", f"    --hash=sha256:{digest}"]
    lock = tmp_path / "lock.txt"
    lock.write_text("\n".join(lines) + "\n")
    return lock


def test_an_env_whose_locked_files_are_all_cached_starts_no_pip(tmp_path: Path, monkeypatch) -> None:
    dest = tmp_path / "wheels"
    dest.mkdir()
    files = {"alpha": dest / "alpha-1.0-py3-none-any.whl", "beta": dest / "beta-1.0.tar.gz"}
    for path in files.values():
        path.write_bytes(path.name.encode())
    (dest / "stranger-2.0-py3-none-any.whl").write_bytes(b"not in the lock")
    env = dataclasses.replace(get_env("tf2.15"), lock=lock_of(tmp_path, files))

    def no_pip(*args, **kwargs):
        raise AssertionError("pip was started")

    monkeypatch.setattr(subprocess, "Popen", no_pip)
    assert sorted(wheels.download(env, dest=dest)) == sorted(files.values())


def test_a_missing_locked_file_is_downloaded_and_a_failing_pip_is_one_line(tmp_path: Path, monkeypatch) -> None:
    dest = tmp_path / "wheels"
    dest.mkdir()
    present = dest / "alpha-1.0-py3-none-any.whl"
    present.write_bytes(b"alpha")
    elsewhere = tmp_path / "beta-1.0-py3-none-any.whl"
    elsewhere.write_bytes(b"beta")
    env = dataclasses.replace(get_env("tf2.15"), lock=lock_of(tmp_path, {"alpha": present, "beta": elsewhere}))
    started = []

    class FailingPip:
        def __init__(self, cmd, **kwargs):
            started.append(cmd)
            self.stdout = iter(["ERROR: no such host\n"])
            self.returncode = 1

        def wait(self):
            return self.returncode

    monkeypatch.setattr(subprocess, "Popen", FailingPip)
    with pytest.raises(EnvironmentUnavailable) as info:
        wheels.download(env, dest=dest)
    assert len(started) == 1 and "download" in started[0]
    assert "\n" not in str(info.value) and "no such host" in str(info.value)
