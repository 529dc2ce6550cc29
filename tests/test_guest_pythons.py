"""The guest under every CPython it supports (3.7 up), with a stand-in TensorFlow.

Each interpreter found under $PYENV_ROOT/versions (default ~/.pyenv) or as pythonX.Y on PATH
runs `python -m lab.guest` on a staged shipment, with tests/fixtures/fake_tensorflow first on
its path: no TensorFlow or numpy is needed, and every Python must write the same records.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from lab.environments.batch import Batch
from lab.environments.shipment import Shipment, stage
from lab.guest.catalog import Mode
from lab.jobs import Kinds
from lab.plan import Trial
from lab.status import Status

FAKE_TENSORFLOW = Path(__file__).parent / "fixtures" / "fake_tensorflow"
# The guest's promise: CPython 3.7 through 3.13; any newer one found is tried as well.
SUPPORTED = [(3, minor) for minor in range(7, 14)]
SEED = 7

SCENARIO_MODULE = '''
"""Twins that record plain Python values only: they run under a stand-in TensorFlow."""

import random

from lab.guest import Claim, Source, scenario

SOURCE = Source("fixture.txt", "guest under every Python")


@scenario("guest-plain", source=SOURCE, claims=[Claim("records an int", lambda o: o["int"] == 42)])
class Plain:
    """Ints, floats, strings, containers and caught exceptions; the same in both modes."""

    def graph(tf, obs):
        Plain.common(tf, obs)

    def eager(tf, obs):
        Plain.common(tf, obs)

    @staticmethod
    def common(tf, obs):
        obs.record("int", 42)
        obs.record("big_int", 2 ** 70)
        obs.record("float", 0.1 + 0.2)
        obs.record("nan", float("nan"))
        obs.record("string", "h\\u00e9llo")
        obs.record("none", None)
        obs.record("containers", {"b": (1, 2.5), "a": [True, "x"]})
        obs.record("eager", tf.executing_eagerly())
        obs.record("python_random", random.random())  # the guest seeds Python's generator
        obs.record("seed_calls", list(tf.fake_log))
        with obs.catch("raised"):
            raise ValueError("bad value\\nsecond line")
        with obs.catch("not_raised"):
            pass


@scenario("guest-escapes", source=SOURCE, claims=[Claim("never judged", lambda o: True)])
class Escapes:
    """An exception escapes the eager twin: the trial's status is error."""

    def graph(tf, obs):
        obs.record("before", 1)

    def eager(tf, obs):
        obs.record("before", 1)
        {}["missing"]
'''

TRIALS = [("guest-plain", "graph"), ("guest-plain", "eager"), ("guest-escapes", "eager")]


def _seeded_random(seed: int) -> float:
    state = random.getstate()
    random.seed(seed)
    try:
        return random.random()
    finally:
        random.setstate(state)


def _plain(eager: bool, seed_calls: List[str]) -> Dict[str, Any]:
    return {
        "int": 42,
        "big_int": 2 ** 70,
        "float": 0.1 + 0.2,
        "nan": "nan",
        "string": "h\u00e9llo",
        "none": None,
        "containers": {"a": [True, "x"], "b": [1, 2.5]},
        "eager": eager,
        "python_random": _seeded_random(SEED),
        "seed_calls": seed_calls,
        "raised": {"kind": "exception", "type": "ValueError", "message": "bad value"},
        "not_raised": {"kind": "no_exception"},
    }


# TF 2 seeds through tf.random.set_seed (records must not change); TF 1.15 lacks it and gets
# compat.v1.set_random_seed. graph_mode seeds the fresh Graph as well.
EXPECTED = {
    "2.99.0": [
        _plain(False, [f"random.set_seed({SEED})", f"graph.set_random_seed({SEED})"]),
        _plain(True, [f"random.set_seed({SEED})"]),
        {"before": 1},
    ],
    "1.15.5": [
        _plain(False, [f"compat.v1.set_random_seed({SEED})", f"graph.set_random_seed({SEED})"]),
        _plain(True, [f"compat.v1.set_random_seed({SEED})"]),
        {"before": 1},
    ],
}


def _pyenv_python(version: Tuple[int, int]) -> Optional[Path]:
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = []
    for folder in root.glob(f"{version[0]}.{version[1]}.*"):
        match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", folder.name)  # CPython releases, not 3.13.0t or pypy
        python = folder / "bin" / "python"
        if match and python.is_file():
            found.append((int(match.group(3)), python))
    return max(found)[1] if found else None


def find_python(version: Tuple[int, int]) -> Optional[str]:
    """A CPython X.Y: pyenv's newest patch release, else pythonX.Y on PATH."""
    python = _pyenv_python(version)
    if python is not None:
        return str(python)
    return shutil.which(f"python{version[0]}.{version[1]}")


def _versions() -> List[Tuple[int, int]]:
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    newer = set()
    for folder in root.glob("3.*"):
        match = re.fullmatch(r"3\.(\d+)\.\d+", folder.name)
        if match and int(match.group(1)) > SUPPORTED[-1][1]:
            newer.add((3, int(match.group(1))))
    return SUPPORTED + sorted(newer)


VERSIONS = _versions()
IDS = [f"py{major}.{minor}" for major, minor in VERSIONS]


@pytest.fixture(params=VERSIONS, ids=IDS)
def python(request: pytest.FixtureRequest) -> str:
    version = request.param
    found = find_python(version)
    if found is None:
        pytest.skip(f"no CPython {version[0]}.{version[1]} under $PYENV_ROOT/versions or on PATH")
    probe = subprocess.run([found, "-c", ("import platform, sys; print(platform.python_implementation(), "
                                          "'%d.%d' % sys.version_info[:2])")],
                           capture_output=True, text=True, timeout=60)
    if probe.stdout.split() != ["CPython", f"{version[0]}.{version[1]}"]:
        pytest.skip(f"{found} is not CPython {version[0]}.{version[1]}: {probe.stdout.strip() or probe.stderr[-200:]}")
    return found


@pytest.fixture
def shipment(tmp_path: Path) -> Shipment:
    scenarios = tmp_path / "scenario-src"
    scenarios.mkdir()
    (scenarios / "guest_pythons.py").write_text(SCENARIO_MODULE)
    return stage([scenarios], tmp_path / "shipment")


def _env(shipment: Shipment, tf_version: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "TF_ENABLE_ONEDNN_OPTS",
                        "TF_USE_LEGACY_KERAS")}
    env["PYTHONPATH"] = os.pathsep.join([str(shipment.root), str(FAKE_TENSORFLOW)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["FAKE_TENSORFLOW_VERSION"] = tf_version
    return env


@pytest.mark.parametrize("tf_version", sorted(EXPECTED), ids=lambda v: f"tf{v}")
def test_guest_runs_and_records_plain_values(python: str, shipment: Shipment, tmp_path: Path,
                                             tf_version: str) -> None:
    batch = Batch("local", [Trial(s, Mode(m), SEED) for s, m in TRIALS], Kinds({}))
    request = tmp_path / "request.json"
    batch.write(request, shipment.scenario_dirs, 60.0)
    run = subprocess.run([python, "-s", *batch.arguments(str(request), 120.0)], cwd=tmp_path,
                         env=_env(shipment, tf_version), capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    batch.feed(run.stdout)
    done = batch.result(Status.CRASHED, "the guest stopped")
    assert done.refused == 0 and batch.channel.done
    records = done.outcomes
    assert [(r.scenario, r.mode.value) for r in records] == list(TRIALS)
    assert [r.status.value for r in records] == ["ok", "ok", "error"]
    assert [r.error for r in records[:2]] == [None, None]
    assert records[2].error == {"kind": "exception", "type": "KeyError", "message": "'missing'"}
    assert [dict(r.observations) for r in records] == EXPECTED[tf_version]
    version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, timeout=60).stdout.strip()
    for record in records:
        facts = record.facts
        # numpy is optional to the guest: some of these Pythons have it, which changes no observation.
        assert (facts["tensorflow"], facts["python"], facts["keras_package"]) == (tf_version, version, "tensorflow")
    assert [r.facts["eager"] for r in records] == [False, True, True]
    assert records[0].facts["graph_variables"] == "ref"
    frozen = done.freeze
    assert frozen and all(re.fullmatch(r"[a-z0-9][a-z0-9-]*==\S+", line) for line in frozen if line), frozen


def test_guest_imports_only_the_standard_library(python: str, shipment: Shipment) -> None:
    # The stand-in TensorFlow is on the path, so an import of it at module level would show.
    code = ("import json, sys\n"
            "import lab.guest, lab.guest.__main__\n"
            "import lab.guest.catalog, lab.guest.observe, lab.guest.measure\n"
            "import lab.guest.predicates, lab.guest.trial, lab.guest.facts\n"
            "print(json.dumps(sorted(m for m in ('numpy', 'tensorflow') if m in sys.modules)))\n")
    run = subprocess.run([python, "-s", "-c", code], cwd=shipment.root, env=_env(shipment, "2.99.0"),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []

