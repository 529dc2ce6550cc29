"""Faults around real containers (and the local guest beside them): after each, the finished
records are saved, no container and no temporary folder of the lab is left, and nothing is
written outside --out."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Tuple

import pytest

from tests.faults.conftest import ENV, PEAK, assert_nothing_left, containers_of, lines_in, records_of, wait_for

pytestmark = pytest.mark.docker


def test_forged_guest_lines_are_refused_and_never_become_paths_or_cached(lab, docker_client) -> None:
    cache = lab.tmp / "cache"
    proc = lab.start("run", "fault-forge", "fault-ok", "--mode", "eager", "--env", "local", "--env", ENV,
                     "--out", str(lab.out), LAB_RECORD_CACHE=str(cache))
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err
    records = records_of(lab.out)
    for env in ("local", ENV):
        forge, ok = records[(env, "fault-forge", "eager")], records[(env, "fault-ok", "eager")]
        assert forge.ok and forge.observations["forged"] == 8 and "lab-forged" not in forge.observations
        assert forge.observations["channels_reached"] == []  # no descriptor of its worker or launcher
        assert forge.facts["tensorflow"] != "lab-forged" and (forge.env, forge.seed) == (env, 1)
        assert ok.ok and ok.observations == {"helper": 1}
    written = records[(ENV, "fault-forge", "eager")].observations["written"]
    assert not [w for w in written if w.startswith(("/io/", "/lab/"))]  # /io and /lab are read-only
    assert sorted(p.relative_to(lab.out / "records").as_posix() for p in (lab.out / "records").rglob("*.json")) == [
        f"{env}/{s}.eager.json" for env in ("local", ENV) for s in ("fault-forge", "fault-ok")]
    assert not list(Path("/tmp").glob("lab-forged*")) and not list(lab.root.rglob("lab-forged*"))
    # The local twin may write in its own scratch folder, and records that path as its own
    # observation ("written"); nothing else cached may carry the token.
    cached = [_without_written(p.read_text()) for p in cache.rglob("*") if p.is_file()]
    assert cached and not any("lab-forged" in text for text in cached)
    assert_nothing_left(lab, docker_client, proc.pid)


def _without_written(text: str) -> str:
    """A cached file's text, a record's "written" observation left out."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict) and isinstance(data.get("observations"), dict):
        data = dict(data, observations={k: v for k, v in data["observations"].items() if k != "written"})
    return json.dumps(data)


def test_scenarios_outside_the_project_run_and_editing_their_helper_reruns_them(lab, docker_client) -> None:
    cache = lab.tmp / "cache"

    def run(n: int) -> Tuple[int, object]:
        out = lab.out / str(n)
        done = lab.run("run", "fault-ok", "--mode", "eager", "--env", ENV, "--out", str(out),
                       LAB_RECORD_CACHE=str(cache))
        assert done.returncode == 0, done.stderr
        manifest = json.loads((out / "manifest.json").read_text())
        return manifest["envs"][ENV]["cached_trials"], records_of(out)[(ENV, "fault-ok", "eager")]

    assert run(1)[0] == 0
    assert run(2)[0] == 1
    (lab.scenarios / "_shared.py").write_text("VALUE = 2\n")
    cached, record = run(3)
    assert cached == 0 and record.observations == {"helper": 2}
    assert lab.scratch_left() == []


def test_docker_rm_f_of_the_running_container_keeps_its_finished_records(lab, docker_client) -> None:
    lab.knobs(SLEEP_S=600.0)
    # One worker: the batch stays in one container (the schedule may split it over the cores).
    proc = lab.start("compare-all", "fault-ok", "fault-slow", "--env", ENV, "--out", str(lab.out), "--no-cache",
                     "--workers", "1")
    wait_for(lambda: lines_in(lab, "docker", docker_client, proc.pid) >= 2, "fault-ok's two records")
    (container,) = containers_of(docker_client, proc.pid)
    subprocess.run(["docker", "rm", "-f", container.id], check=True, capture_output=True)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err
    assert "Traceback" not in err
    records = records_of(lab.out)
    assert records[(ENV, "fault-ok", "graph")].ok and records[(ENV, "fault-ok", "eager")].ok
    slow = records[(ENV, "fault-slow", "graph")]
    assert slow.status.value == "crashed" and "while running fault-slow[graph]" in slow.error["message"]
    assert "docker rm -f" in slow.error["message"] or "removed by another process" in slow.error["message"]
    assert_nothing_left(lab, docker_client, proc.pid)


def test_two_ctrl_c_50_ms_apart_save_the_finished_records(lab, docker_client) -> None:
    lab.knobs(SLEEP_S=600.0)
    proc = lab.start("compare-all", "fault-ok", "fault-slow", "--mode", "graph", "--env", "local", "--env", ENV,
                     "--out", str(lab.out), "--no-cache")
    wait_for(lambda: lines_in(lab, "docker", docker_client, proc.pid) >= 1 and lines_in(lab, "local") >= 1,
             "fault-ok's records")
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does to the foreground group
    time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    records = records_of(lab.out)
    for env in ("local", ENV):
        assert records[(env, "fault-ok", "graph")].ok
        assert not records[(env, "fault-slow", "graph")].ok
    assert_nothing_left(lab, docker_client, proc.pid)


def test_after_kill_9_the_container_ends_itself_and_lab_clean_removes_what_is_left(lab, docker_client) -> None:
    import docker.errors  # present: the docker_client fixture skips without it

    lab.knobs(SLEEP_S=600.0)
    proc = lab.start("run", "fault-slow", "--mode", "graph", "--env", ENV, "--timeout", "5", "--no-cache")
    # Taken while its lab lives: no other lab removes a live lab's container. Once the lab is
    # dead, any lab starting on this machine (another test, another checkout's CI) may sweep it
    # at any moment: every step below allows for that.
    wait_for(lambda: containers_of(docker_client, proc.pid), "the container", proc=proc)
    (container,) = containers_of(docker_client, proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    started = time.monotonic()
    try:
        # The guest ends the slow job at its time limit, and itself at its deadline; or another lab
        # sweeping the dead lab's container kills it (137), then removes it.
        code = container.wait(timeout=60)["StatusCode"]
        if code == 137:
            wait_for(lambda: not containers_of(docker_client, proc.pid), "the sweep that killed it to remove it", 30)
        else:
            assert code in (0, 124)
    except docker.errors.NotFound:
        pass  # swept by another lab meanwhile: it ran no more
    assert time.monotonic() - started < 30
    assert lab.scratch_left()  # the dead lab's shipment and records folder (in this test's own TMPDIR)
    cleaned = lab.run("clean")
    assert cleaned.returncode == 0, cleaned.stderr
    swept_by_another = f"removed container {container.name}" not in cleaned.stdout
    assert swept_by_another or not containers_of(docker_client, proc.pid)
    assert "removed temporary folder" in cleaned.stdout
    assert_nothing_left(lab, docker_client, proc.pid)


def test_the_container_has_no_capabilities_no_new_privileges_and_bounded_files(lab, docker_client) -> None:
    lab.knobs(FILE_MB=300)  # past the 256 MiB a container may write into one file
    done = lab.run("run", "fault-caps", "--mode", "graph", "--env", ENV, "--out", str(lab.out), "--no-cache")
    assert done.returncode == 0, done.stderr
    observed = records_of(lab.out)[(ENV, "fault-caps", "graph")].observations
    assert observed["cap_eff"] == "0000000000000000" and observed["no_new_privs"] == "1"
    assert observed["big_write"] == "File too large"
    assert observed["io_create"] == "Read-only file system"  # no file of its own on the host
    assert lab.scratch_left() == []




def test_a_twin_printing_400_mb_does_not_grow_the_hosts_memory(lab, docker_client) -> None:
    lab.knobs(FLOOD_MB=400)
    done = subprocess.run(
        [__import__("sys").executable, "-c", PEAK, "run", "fault-flood", "--mode", "graph", "--env", "local",
         "--env", ENV, "--out", str(lab.out)],
        env=lab.environ(), cwd=lab.root, text=True, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    peak = int(done.stderr.split("peak-rss-mb ")[1].split()[0])
    assert peak < 200, f"the lab's peak RSS was {peak} MB"
    records = records_of(lab.out)
    assert records[("local", "fault-flood", "graph")].observations["printed_mb"] == 400
    assert records[(ENV, "fault-flood", "graph")].observations["printed_mb"] == 400
    assert lab.scratch_left() == []


def test_an_unserializable_value_fails_its_trial_and_a_crash_names_its_trial_and_cause(lab, docker_client) -> None:
    proc = lab.start("run", "fault-ok", "fault-bigint", "fault-crash", "--mode", "graph", "--env", "local",
                     "--env", ENV, "--out", str(lab.out), "--no-cache")
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 4, err
    records = records_of(lab.out)
    for env in ("local", ENV):
        assert records[(env, "fault-ok", "graph")].ok
        big = records[(env, "fault-bigint", "graph")]
        assert big.status.value == "error" and big.error["type"] == "UnserializableObservation"
        crash = records[(env, "fault-crash", "graph")]
        assert crash.status.value == "crashed"
        message = crash.error["message"]
        assert "the trial's process exited with code 134 before it finished: fatal: the simulated abort" in message
        assert "deprecated" not in message and "long term" not in message
    assert_nothing_left(lab, docker_client, proc.pid)
