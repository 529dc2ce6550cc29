"""Hostile twins beside honest ones: no trial speaks for another, no answer stalls or bloats the
host, nothing a twin starts outlives the run, and a stop signal keeps what finished. Each honest
record must equal the record a clean run of the honest scenarios alone makes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

from tests.faults.conftest import (
    ENV,
    PEAK,
    ROOT,
    Lab,
    assert_nothing_left,
    lines_in,
    need_made,
    records_of,
    wait_for,
)

HONEST = ("fault-ok", "tf1-reinit")
"""A fixture scenario and one of the articles' (real TensorFlow, both modes)."""
HOSTILE = ("hostile-forge", "hostile-nest", "hostile-flood", "hostile-escape", "hostile-session")


def scenario_path(lab: Lab) -> str:
    """The fault scenarios and the project's own."""
    return f"{lab.scenarios}{os.pathsep}{ROOT / 'scenarios'}"


def need(env: str, request: pytest.FixtureRequest) -> Any:
    """The Docker client for an image env (a skip or failure without Docker), None otherwise; a
    skip for tf1.15 when its venv is not made (`lab envs build tf1.15`)."""
    if env == "tf1.15":
        need_made(env)
    return request.getfixturevalue("docker_client") if env == ENV else None


def finished(lab: Lab, env: str, client: Any, pid: int) -> int:
    return lines_in(lab, "docker", client, pid) if client is not None else lines_in(lab, "local")


def honest_records(out: Path, env: str) -> Dict[Tuple[str, str], Any]:
    return {(s, m): r.comparable() for (e, s, m), r in records_of(out).items() if e == env and s in HONEST}


@pytest.mark.parametrize("env", ["local", "tf1.15", ENV])
def test_a_hostile_batch_stopped_by_sigterm_leaves_every_honest_record_as_a_clean_run_makes_it(
        lab: Lab, env: str, request: pytest.FixtureRequest) -> None:
    client = need(env, request)
    token = f"lab-hostile-{uuid.uuid4().hex[:12]}"
    lab.knobs(NEST_DEPTH=200_000, NEWLINES_MB=256, SLEEP_S=600.0, SPAWN_TOKEN=token)
    scenarios = scenario_path(lab)
    clean = lab.run("run", *HONEST, "--env", env, "--no-cache", "--out", str(lab.out / "clean"),
                    LAB_SCENARIOS=scenarios)
    assert clean.returncode == 0, clean.stderr[-2000:]
    # One guest (--workers 1: the schedule does not split the batch, whose parts' logs would go with
    # their guests), its jobs in plan order: fault-slow's twins come last.
    proc = lab.start("run", *HOSTILE, *HONEST, "fault-slow", "--env", env, "--no-cache", "--workers", "1",
                     "--out", str(lab.out / "hostile"), LAB_SCENARIOS=scenarios)
    # Every trial but fault-slow's (its graph twin sleeps) has ended: then SIGTERM, as `timeout`
    # or a CI cancel sends it, to the lab alone.
    trials = 2 * (len(HOSTILE) + len(HONEST))
    wait_for(lambda: finished(lab, env, client, proc.pid) >= trials, f"{trials} trials to end", 300, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err[-3000:]
    assert "Traceback" not in err
    hostile = lab.out / "hostile"
    assert honest_records(hostile, env) == honest_records(lab.out / "clean", env)
    assert len(honest_records(hostile, env)) == 2 * len(HONEST)
    records = records_of(hostile)
    assert not records[(env, "fault-slow", "graph")].ok
    assert records[(env, "hostile-escape", "eager")].status.value == "error"
    wait_for(lambda: not lab.processes(token), "every process of the run to end", 30)
    assert_nothing_left(lab, client, proc.pid)


@pytest.mark.docker
def test_a_forged_record_never_outlives_its_batch_through_the_cache(lab: Lab, docker_client: Any) -> None:
    cache = str(lab.tmp / "cache")
    envs = ["--env", "local", "--env", ENV]
    scenarios = scenario_path(lab)
    forged = lab.run("run", "hostile-forge", "fault-ok", *envs, "--out", str(lab.out / "forged"),
                     LAB_RECORD_CACHE=cache, LAB_SCENARIOS=scenarios)
    assert forged.returncode in (0, 4), forged.stderr[-2000:]
    # fault-ok alone, as one reruns a suspect scenario: from the cache, its record is its own.
    alone = lab.run("run", "fault-ok", *envs, "--out", str(lab.out / "alone"), LAB_RECORD_CACHE=cache,
                    LAB_SCENARIOS=scenarios)
    clean = lab.run("run", "fault-ok", *envs, "--no-cache", "--out", str(lab.out / "clean"),
                    LAB_SCENARIOS=scenarios)
    assert alone.returncode == 0 and clean.returncode == 0, alone.stderr[-2000:] + clean.stderr[-2000:]
    for env in ("local", ENV):
        for mode in ("graph", "eager"):
            key = (env, "fault-ok", mode)
            expected = records_of(lab.out / "clean")[key]
            assert expected.observations == {"helper": 1} and "FORGED" not in str(expected.facts)
            assert records_of(lab.out / "alone")[key].comparable() == expected.comparable()
            assert records_of(lab.out / "forged")[key].comparable() == expected.comparable()
    assert_nothing_left(lab, None, 0)  # (lab.run: no pid to find its containers by)


@pytest.mark.docker
def test_a_twin_answering_with_a_huge_line_or_a_newline_flood_costs_the_host_neither_memory_nor_time(
        lab: Lab, docker_client: Any) -> None:
    lab.knobs(LINE_MB=800, NEWLINES_MB=256)
    # The subprocess's timeout bounds the host's time: reading 256 MiB of empty lines one by one
    # took minutes, and an 800 MB line held the host at 1.6 GB.
    done = subprocess.run([sys.executable, "-c", PEAK, "run", "hostile-line", "hostile-flood", "fault-ok", "--mode",
                           "graph", "--env", "local", "--env", ENV, "--no-cache", "--out", str(lab.out)],
                          env=lab.environ(), cwd=lab.root, text=True, capture_output=True, timeout=300)
    assert done.returncode == 4, done.stderr[-2000:]  # the two hostile twins did not finish
    peak = int(done.stderr.split("peak-rss-mb ")[1].split()[0])
    assert peak < 200, f"the lab's peak RSS was {peak} MB"
    records = records_of(lab.out)
    for env in ("local", ENV):
        assert records[(env, "fault-ok", "graph")].observations == {"helper": 1}
        for hostile in ("hostile-line", "hostile-flood"):
            assert records[(env, hostile, "graph")].status.value == "crashed"
    assert_nothing_left(lab, None, 0)  # (lab.run: no pid to find its containers by)


def test_a_runaway_process_in_a_session_of_its_own_is_ended_with_its_trial(lab: Lab) -> None:
    token = f"lab-hostile-{uuid.uuid4().hex[:12]}"
    lab.knobs(SPAWN_TOKEN=token)
    done = lab.run("run", "hostile-session", "fault-ok", "--mode", "graph", "--no-cache", "--out", str(lab.out))
    assert done.returncode == 0, done.stderr[-2000:]
    assert records_of(lab.out)[("local", "hostile-session", "graph")].observations == {"spawned": True}
    assert lab.processes(token) == []
    assert_nothing_left(lab, None, 0)
