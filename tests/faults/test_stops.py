"""Stops from outside: SIGTERM and SIGHUP are Ctrl-C (what finished is saved, guests and
containers stopped, temporary folders removed, exit 128 + the signal); a guest never outlives
its lab for long, and `lab clean` ends one that did only when it proves it the lab's own."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import List

import pytest

from tests.faults.conftest import (
    ENV,
    LAB,
    Lab,
    assert_nothing_left,
    lines_in,
    records_of,
    wait_for,
)


@functools.lru_cache(maxsize=1)
def _has_sandbox_option() -> bool:
    done = subprocess.run([*LAB, "run", "--help"], capture_output=True, text=True, timeout=60)
    return "--no-sandbox" in done.stdout


def no_sandbox() -> List[str]:
    """--no-sandbox where this lab has it. A stopped launcher keeps an unsandboxed guest alive;
    a sandboxed one dies with its lab whatever its launcher does (bwrap's own process does)."""
    return ["--no-sandbox"] if _has_sandbox_option() else []


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def guest_of(lab_pid: int) -> int:
    """The guest the lab process `lab_pid` started (its child running lab.guest), or 0."""
    for name in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{name}/stat").read_bytes()
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(b")", 1)[1].split()[1]) == lab_pid and (b"lab.guest" in cmdline or b"bwrap" in cmdline):
            return int(name)
    return 0


@pytest.mark.docker
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_saves_what_finished_and_ends_guests_containers_and_folders(
        lab: Lab, docker_client, signum: int, code: int) -> None:
    lab.knobs(SLEEP_S=600.0)
    proc = lab.start("compare-all", "fault-ok", "fault-slow", "--mode", "graph", "--env", "local", "--env", ENV,
                     "--out", str(lab.out), "--no-cache")
    wait_for(lambda: lines_in(lab, "docker", docker_client, proc.pid) >= 1 and lines_in(lab, "local") >= 1,
             "fault-ok's records", proc=proc)
    proc.send_signal(signum)  # to the lab alone, as timeout(1), a CI runner or a batch scheduler sends it
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err[-3000:]
    assert "Traceback" not in err and "lab: interrupted" in err
    records = records_of(lab.out)
    for env in ("local", ENV):
        assert records[(env, "fault-ok", "graph")].ok
        assert not records[(env, "fault-slow", "graph")].ok
    assert (lab.out / "report.md").is_file() and (lab.out / "junit.xml").is_file()
    wait_for(lambda: not lab.processes(), "the local guest to end", 30)
    assert_nothing_left(lab, docker_client, proc.pid)


def test_sigterm_while_scenarios_load_is_one_line_and_exit_143(lab: Lab) -> None:
    (lab.scenarios / "slow_import.py").write_text(
        "import pathlib, time\npathlib.Path(__file__).with_name('loading').touch()\ntime.sleep(60)\n")
    proc = lab.start("list")
    wait_for((lab.scenarios / "loading").exists, "the scenarios to load", 60, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert err.strip() == "lab: interrupted"


@pytest.mark.parametrize("sandboxed", [True, False], ids=["sandbox", "no-sandbox"])
def test_after_kill_9_of_the_lab_its_local_guest_ends_itself(lab: Lab, sandboxed: bool) -> None:
    lab.knobs(SLEEP_S=600.0)
    proc = lab.start("run", "fault-slow", "--mode", "graph", "--no-cache", *([] if sandboxed else no_sandbox()))
    wait_for(lambda: guest_of(proc.pid), "the guest", 120, proc)
    assert guest_of(proc.pid) in lab.processes()  # what the wait below watches finds the guest
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    wait_for(lambda: not lab.processes(), "the dead lab's guest to end", 30)


def test_lab_clean_ends_a_dead_labs_guest_only_when_it_proves_it_its_own(lab: Lab) -> None:
    lab.knobs(SLEEP_S=600.0)
    proc = lab.start("run", "fault-slow", "--mode", "graph", "--no-cache", *no_sandbox())
    wait_for(lambda: guest_of(proc.pid), "the guest", 120, proc)
    launcher = guest_of(proc.pid)
    # A launcher stopped when its lab dies (a debugger, a SIGSTOP) cannot end itself: the guest lives on.
    os.kill(launcher, signal.SIGSTOP)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert lab.processes()
    # Two processes a dead lab's folder names that are not provably its guests: a start time
    # that differs (the pid was reused), and a working folder elsewhere.
    strangers = []
    for name, start_offset, cwd in (("reused", 1, None), ("elsewhere", 0, lab.root)):
        folder = lab.tmp / f"lab-{dead_pid()}-local-{name}"
        folder.mkdir()
        stranger = subprocess.Popen(["sleep", "600"], cwd=str(cwd or folder))
        strangers.append(stranger)
        started = int(Path(f"/proc/{stranger.pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[19])
        (folder / "guest.json").write_text(json.dumps({"pid": stranger.pid, "start": started + start_offset}))
    try:
        cleaned = lab.run("clean")
        assert cleaned.returncode == 0, cleaned.stderr
        assert f"ended the guest {launcher} of a lab that is gone" in cleaned.stdout
        wait_for(lambda: not [p for p in lab.processes() if p not in {s.pid for s in strangers}],
                 "the dead lab's guest to end", 30)
        assert [s.poll() for s in strangers] == [None, None]
        assert lab.scratch_left() == []
    finally:
        for stranger in strangers:
            stranger.kill()
            stranger.wait()
