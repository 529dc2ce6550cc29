"""Faults the host meets before or around any environment: a hung Docker daemon, broken
scenario modules, bad options, Ctrl-C while loading, leftovers of killed labs, mixed versions."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from lab.cli import main
from lab.scratch import remove_stale_scratch
from tests.faults.conftest import ENV, Lab


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_docker_daemon_that_never_answers_is_named_within_seconds_and_given_up(lab, tmp_path) -> None:
    pytest.importorskip("docker", reason="the docker Python package is not installed")
    path = tmp_path / "d.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(8)
    held = []

    def take_and_never_answer() -> None:
        try:
            while True:
                held.append(server.accept())
        except OSError:  # the test closed the socket
            pass

    threading.Thread(target=take_and_never_answer, daemon=True).start()
    started = time.monotonic()
    proc = lab.start("run", "fault-ok", "--env", ENV, DOCKER_HOST=f"unix://{path}", LAB_DOCKER_TIMEOUT="4")
    first = proc.stderr.readline()
    noted = time.monotonic() - started
    _, rest = proc.communicate(timeout=60)
    server.close()
    assert f"lab: waiting for the Docker daemon at unix://{path} to answer" in first and noted < 15
    assert proc.returncode == 3
    assert rest.strip().splitlines() == [
        (f"lab: error: the Docker daemon at unix://{path} took the connection but did not answer within 4s "
         "(set LAB_DOCKER_TIMEOUT to wait longer); restart it: start it with `sudo dockerd &` or "
         "`sudo containers/start-docker.sh`")]
    assert time.monotonic() - started < 40


@pytest.mark.parametrize(("text", "where"), [
    ("def broken(:\n", "broken.py:1: syntax error"),
    ("import os\nimport no_such_module_for_lab\n", "broken.py:2: importing it raised ModuleNotFoundError"),
], ids=["syntax-error", "import-error"])
def test_a_broken_scenario_module_is_one_line_with_its_file_and_line(lab, text, where) -> None:
    (lab.scenarios / "broken.py").write_text(text)
    done = lab.run("list")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("lab: error: ") and where in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--seed", "-1"], "--seed -1 is out of range: use an integer from 0 to 4294967295"),
    (["--seed", str(2**32)], f"--seed {2**32} is out of range"),
    (["--timeout", "inf"], "inf is not a number of seconds from 1 to 604800 (7 days)"),
    (["--timeout", "nan"], "nan is not a number of seconds from 1 to 604800 (7 days)"),
    (["--out", "/proc/lab-results"], "--out /proc/lab-results cannot be written"),
    (["--out", "FILE/results"], "cannot be written (Not a directory"),
], ids=["seed-negative", "seed-2**32", "timeout-inf", "timeout-nan", "out-in-proc", "out-under-a-file"])
def test_bad_options_are_one_line_before_any_work(tmp_path, capsys, args, message) -> None:
    (tmp_path / "FILE").write_text("")
    args = [a.replace("FILE", str(tmp_path / "FILE")) for a in args]
    assert main(["run", "tf1-reinit", "--mode", "eager", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lab: error: ") and message in err


def test_ctrl_c_while_scenarios_load_is_one_line_and_exit_130(lab) -> None:
    (lab.scenarios / "slow_import.py").write_text(
        "import pathlib, time\npathlib.Path(__file__).with_name('loading').touch()\ntime.sleep(60)\n")
    proc = lab.start("list")
    deadline = time.monotonic() + 60
    while not (lab.scenarios / "loading").exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip() == "lab: interrupted"


def test_lab_clean_removes_dead_labs_folders_and_results_only_when_asked(lab, tmp_path) -> None:
    dead, live = lab.tmp / f"lab-{dead_pid()}-shipment-x", lab.tmp / f"lab-{os.getpid()}-shipment-y"
    for folder in (dead, live, lab.root / "results" / "20240101T000000Z" / "records"):
        folder.mkdir(parents=True)
    (dead / "lab").mkdir()
    done = lab.run("clean")
    assert done.returncode == 0, done.stderr
    assert f"removed temporary folder {dead}" in done.stdout
    assert not dead.exists() and live.exists() and (lab.root / "results" / "20240101T000000Z").exists()
    done = lab.run("clean", "--results")
    assert done.returncode == 0 and "removed results folder results/20240101T000000Z" in done.stdout
    assert not (lab.root / "results" / "20240101T000000Z").exists() and live.exists()


def test_the_stale_sweep_leaves_links_and_other_names_alone(tmp_path: Path) -> None:
    target = tmp_path / "keep"
    target.mkdir()
    (tmp_path / f"lab-{dead_pid()}-shipment-link").symlink_to(target)
    (tmp_path / "lab-shipment-old").mkdir()
    assert remove_stale_scratch(tmp_path) == []
    assert target.exists() and (tmp_path / "lab-shipment-old").exists()


def test_lab_run_sweeps_what_a_killed_lab_left(lab: Lab, capsys) -> None:
    dead = lab.tmp / f"lab-{dead_pid()}-local-x"
    dead.mkdir()
    # A run that fails its usage checks sweeps nothing; one that reaches the pipeline does.
    done = lab.run("run", "fault-ok", "--mode", "eager", "--python", "/nonexistent/python")
    assert done.returncode == 3 and not dead.exists()


def test_a_plan_file_with_a_seed_out_of_range_is_one_line_before_any_work(lab: Lab) -> None:
    plan = lab.root / "plan.json"
    made = lab.run("plan", "fault-ok", "--env", "local", "--shard", "1/1", "--out", str(plan))
    assert made.returncode == 0, made.stderr
    plan.write_text(json.dumps(dict(json.loads(plan.read_text()), seed=-5)))
    done = lab.run("run", "--plan", str(plan), "--out", str(lab.out))
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and "has seed -5" in done.stderr and "running" not in done.stderr


def test_a_python_that_is_no_python_is_an_environment_not_ready_not_a_crashed_trial(lab: Lab) -> None:
    done = lab.run("run", "fault-ok", "--mode", "graph", "--python", "/bin/true", "--out", str(lab.out))
    assert done.returncode == 3, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("lab: error: ")]
    assert len(errors) == 1 and "/bin/true exited at once without running lab's guest" in errors[0]
    assert "while running" not in done.stdout + done.stderr
