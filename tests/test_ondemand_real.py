"""An on-demand env made for real: a venv from uv's cache of unpacked wheels, hardlinked, in seconds
once the release's wheels are downloaded; it says whether it is made and forgets itself.

Made in a cache root of its own beside lab's (the same filesystem), with lab's release index and
locks copied in and uv's cache shared, so the wheels are downloaded once for every run. Needs PyPI
the first time."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from lab import releases, sandbox
from lab.cache import cache_root
from lab.environments import resolve
from lab.environments.uvtool import uv_cache_dir

pytestmark = pytest.mark.slow
SPEC = "tf==2.14.0"


@pytest.fixture
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    shared, root = uv_cache_dir(), cache_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix="lab-test-ondemand-", dir=root.parent))
    for part in ("index", "locks"):
        if (root / part).is_dir():
            shutil.copytree(root / part, fresh / part)
    monkeypatch.setenv("LAB_CACHE_DIR", str(fresh))
    monkeypatch.setenv("UV_CACHE_DIR", str(shared))
    releases._memo.clear()
    yield fresh
    shutil.rmtree(fresh, ignore_errors=True)


def test_a_second_venv_of_the_same_wheels_is_hardlinked_from_uvs_cache_and_forgotten(fresh_cache: Path) -> None:
    [env] = resolve([SPEC])
    assert env.state().made is False and env.forget() == "no venv yet"
    env.prepare(lambda line: None)  # the first: fills uv's cache when it lacks the wheels
    assert env.forget() == "removed 1 venv(s)" and env.state().made is False
    [again] = resolve([SPEC])
    again.prepare(lambda line: None)
    about, state = again.describe(), again.state(probe=True)
    assert about["installer"] == "uv (hardlinks from its cache)" and about["spec"] == SPEC
    assert about["shared_bytes"] > 300e6  # TensorFlow's files, linked, not copied
    assert about["disk_bytes"] < 0.2 * about["shared_bytes"]  # its own: the bytecode and the venv's scripts
    assert state.made and Path(state.where).parent == fresh_cache / "venvs"
    assert state.versions["tensorflow"] == "2.14.0" and state.versions["python"].startswith("3.11.")
    # its identity is its lock's (and whether the sandbox held: lab.sandbox.keyed)
    assert again.identity() == sandbox.keyed(f"venv:{again.fingerprint()}")  # type: ignore[attr-defined]  # an on-demand venv: resolve() types it as the base
