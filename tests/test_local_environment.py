"""The local environment with real TensorFlow: one process per batch, failures become statuses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from lab.errors import EnvironmentUnavailable
from lab.plan import Trial
from lab.scenario import Mode
from tests.conftest import FIXTURE_SCENARIOS
from tests.support import LocalBatch


@pytest.fixture(scope="module")
def batch(fixture_runner):
    trials = [Trial(s, m, 1) for s in ("fixture-assign", "fixture-raises") for m in Mode]
    return fixture_runner.run(trials)


def test_records_come_back_in_trial_order_with_environment_facts(batch) -> None:
    assert [(r.scenario, r.mode) for r in batch] == [("fixture-assign", "graph"), ("fixture-assign", "eager"),
                                                     ("fixture-raises", "graph"), ("fixture-raises", "eager")]
    facts = batch[0].facts
    # The host never imports TensorFlow: the installed distribution's version is the same fact.
    assert facts["tensorflow"] == metadata.version("tensorflow-cpu")
    assert facts["eager"] is False and facts["graph_variables"] == "ref"
    assert batch[1].facts["eager"] is True


def test_the_graph_twin_gets_reference_variables_and_the_eager_twin_resource_ones(batch) -> None:
    assert batch[0].observations["variable_class"] == "RefVariable"
    assert batch[1].observations["variable_class"] == "ResourceVariable"


def test_tensorflow_values_and_caught_exceptions_are_observations(batch) -> None:
    graph, eager = batch[0].observations, batch[1].observations
    assert graph["after_assign"] == eager["after_assign"] == {"kind": "tensor", "dtype": "float32", "shape": [],
                                                              "values": 3.0}
    assert graph["bad_reshape"]["kind"] == eager["bad_reshape"]["kind"] == "exception"
    assert eager["bad_reshape"]["type"] == "InvalidArgumentError"


def test_an_exception_escaping_a_twin_is_an_error_record_not_a_crash(batch) -> None:
    raised, fine = batch[2], batch[3]
    assert raised.status == "error" and raised.error == {"kind": "exception", "type": "RuntimeError",
                                                         "message": "graph twin failed on purpose"}
    assert raised.observations == {"x": 1}  # what it recorded before failing is kept
    assert fine.status == "ok"


def test_a_trial_whose_process_dies_is_crashed_and_the_trials_around_it_run(fixture_runner, monkeypatch) -> None:
    monkeypatch.setenv("LAB_TEST_CRASH", "1")
    trials = [Trial("fixture-assign", Mode.EAGER, 1), Trial("fixture-crash", Mode.GRAPH, 1),
              Trial("fixture-assign", Mode.GRAPH, 1)]
    records = fixture_runner.run(trials)
    assert [r.status for r in records] == ["ok", "crashed", "ok"]  # each trial in a child of its own
    assert "the trial's process exited with code 134" in records[1].error["message"]


def test_a_batch_past_its_timeout_is_marked_and_keeps_the_finished_records(monkeypatch) -> None:
    monkeypatch.setenv("LAB_TEST_SLEEP", "120")
    runner = LocalBatch(scenario_dirs=[FIXTURE_SCENARIOS], timeout_s=20)
    records = runner.run([Trial("fixture-assign", Mode.EAGER, 1), Trial("fixture-sleep", Mode.GRAPH, 1)])
    assert [r.status for r in records] == ["ok", "timeout"]
    assert "ran past 20s" in records[1].error["message"]


def test_an_interpreter_without_tensorflow_is_an_environment_error(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    runner = LocalBatch(python=str(tmp_path / "bare" / "bin" / "python"), scenario_dirs=[FIXTURE_SCENARIOS])
    with pytest.raises(EnvironmentUnavailable, match=r"has no TensorFlow.*pip install tensorflow-cpu"):
        runner.run([Trial("fixture-assign", Mode.EAGER, 1)])


def test_a_missing_interpreter_is_an_environment_error(tmp_path: Path) -> None:
    runner = LocalBatch(python=str(tmp_path / "nope"), scenario_dirs=[FIXTURE_SCENARIOS])
    with pytest.raises(EnvironmentUnavailable, match="not found: pass --python"):
        runner.run([Trial("fixture-assign", Mode.EAGER, 1)])


def test_the_local_identity_covers_the_interpreter_and_the_variables_a_twin_sees(monkeypatch) -> None:
    from lab.environments.local import LocalEnvironment

    env = LocalEnvironment()
    first = env.identity()
    assert first is not None and first.startswith("local:") and env.identity() == first
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")  # the guest's path is the shipment alone
    assert env.identity() == first
    for name, value in [("LAB_TEST_SLEEP", "1"), ("TF_ENABLE_ONEDNN_OPTS", "1"), ("PYTHONHASHSEED", "7")]:
        with monkeypatch.context() as changed:
            changed.setenv(name, value)
            assert env.identity() != first, name
    assert LocalEnvironment(str(Path(sys.executable).parent / "no-such-python")).identity() is None


def test_the_local_identity_covers_the_keras_config_file(monkeypatch, tmp_path: Path) -> None:
    from lab.environments.local import KERAS_DEFAULTS, LocalEnvironment

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    env = LocalEnvironment()
    without = env.identity()
    # The file Keras writes on its first import (the first guest run) changes nothing...
    (tmp_path / "keras.json").write_text(json.dumps(KERAS_DEFAULTS, indent=4))
    assert env.identity() == without
    # ...a setting that changes what twins compute does.
    (tmp_path / "keras.json").write_text(json.dumps(dict(KERAS_DEFAULTS, floatx="float64")))
    float64 = env.identity()
    (tmp_path / "keras.json").write_text("not json")
    assert len({without, float64, env.identity()}) == 3


def test_a_second_local_run_with_nothing_changed_starts_no_guest(fixture_scenarios, tmp_path, monkeypatch) -> None:
    from lab.cache import RecordCache
    from lab.environments.local import LocalEnvironment
    from lab.environments.shipment import Staged
    from lab.execute import Execution
    from lab.plan import Plan
    from lab.schedule import History

    # A Keras home with no config: the first guest's Keras writes its default keras.json there,
    # which must not change the env's identity for the second run.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    (tmp_path / "keras").mkdir()
    # Outside the sandbox: inside it the guest cannot write the user's files, Keras's config included.
    monkeypatch.setattr("lab.sandbox._wanted", False)
    trials = tuple(Trial("fixture-assign", m, 1) for m in Mode)
    the_plan = Plan(trials, ("local",), 1, tuple(Mode))

    def once(env):
        with Staged([FIXTURE_SCENARIOS]) as shipment:
            execution = Execution(the_plan, [env], fixture_scenarios, shipment, 300, RecordCache(tmp_path),
                                  history=History(tmp_path / "durations.json"))
            (outcome,), _ = execution.run()
        return outcome

    first = once(LocalEnvironment())
    assert first.cached == 0 and [r.status.value for r in first.records] == ["ok", "ok"]
    assert (tmp_path / "keras" / "keras.json").is_file()
    again = LocalEnvironment()
    monkeypatch.setattr(again, "run", lambda *a: pytest.fail("a guest was started"))
    second = once(again)
    assert second.cached == 2 and second.records == first.records


def test_a_sandbox_whose_mounts_changed_under_bwrap_is_started_again(fixture_runner, monkeypatch,
                                                                      tmp_path: Path) -> None:
    # bwrap binds / read-only mount by mount; a container's overlay mounted or unmounted at that
    # moment fails it before the guest runs ("Can't bind mount ... remount ...: Invalid argument").
    from lab import sandbox

    starts = tmp_path / "starts"
    flaky = tmp_path / "flaky-bwrap"
    flaky.write_text(f'#!/bin/sh\necho start >> "{starts}"\n'
                     f'if [ "$(wc -l < "{starts}")" -eq 1 ]; then\n'
                     '  echo "bwrap: Can\'t bind mount /oldroot/ on /newroot/: Unable to apply mount flags: remount '
                     '\\"/newroot/var/lib/docker/overlay2/x/merged\\": Invalid argument" >&2; exit 1\nfi\nexec "$@"\n')
    flaky.chmod(0o755)
    monkeypatch.setattr(sandbox, "active", lambda: True)
    monkeypatch.setattr(sandbox, "wrap", lambda command, *rest: [str(flaky), *command])
    monkeypatch.setattr(sandbox, "variables", lambda variables: variables)
    records = fixture_runner.run([Trial("fixture-assign", Mode.GRAPH, 1)])
    assert [r.status for r in records] == ["ok"]
    assert starts.read_text().count("start") == 2


def test_a_bwrap_that_cannot_run_the_guests_command_is_found_by_the_probe_and_said_once(
        tmp_path, monkeypatch, capsys) -> None:
    from lab import sandbox

    real = shutil.which("bwrap")
    if real is None:
        pytest.skip("no bwrap here")
    fake = tmp_path / "bwrap"  # an older bwrap: no --size, which only the guests' command passes
    fake.write_text('#!/bin/sh\nfor a; do [ "$a" = --size ] && '
                    '{ echo "bwrap: Unknown option --size" >&2; exit 1; }; done\n'
                    f'exec {real} "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(sandbox, "_checked", {})
    monkeypatch.setattr(sandbox, "_wanted", True)
    assert sandbox.unavailable() == "bwrap cannot make a sandbox here (bwrap: Unknown option --size)"
    assert sandbox.active() is False and sandbox.active() is False
    assert capsys.readouterr().err.count("lab: warning: local and interpreter guests run without a sandbox") == 1
