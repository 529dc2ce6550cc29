"""Trials in a guest process on this machine: what the local and interpreter kinds share."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import IO, List, Mapping, Optional, Sequence, Set

from lab.environments.base import GuestJob, GuestRun
from lab.environments.shipment import Shipment, collect, write_request
from lab.errors import EnvironmentUnavailable
from lab.plan import Trial
from lab.record import Status
from lab.scratch import scratch_dir

# Guests run by this process, by process-group id, so Ctrl-C can end them.
_running: Set[int] = set()
_lock = threading.Lock()
EXIT_NO_TENSORFLOW = 3  # lab.guest's code; kept here so the host never imports the guest's entry
LOG_TAIL_BYTES = 64 << 10


def check_interpreter(python: str, how: str) -> None:
    """One line (EnvironmentUnavailable, exit 3) when `python` cannot be an interpreter at all."""
    path = Path(python)
    if not path.exists():
        raise EnvironmentUnavailable(f"interpreter {python} not found: {how}")
    if path.is_dir() or not os.access(path, os.X_OK):
        raise EnvironmentUnavailable(f"interpreter {python} is not an executable file: {how}")


def tail_lines(path: Path, lines: int = 40) -> List[str]:
    """The last lines of a log, read from its end only (a twin may print hundreds of MB)."""
    if not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - LOG_TAIL_BYTES))
        text = handle.read().decode(errors="replace")
    return text.strip().splitlines()[-lines:]


def log_tail(path: Path, lines: int = 3) -> str:
    """The last `lines` lines of a log, joined into one."""
    return " | ".join(tail_lines(path, lines))


def run_guest(env: str, python: str, trials: Sequence[Trial], shipment: Shipment, timeout_s: float,
              install_hint: str, extra_env: Optional[Mapping[str, str]] = None) -> GuestRun:
    """Run a batch in ONE process of `python`: one TensorFlow import, and a TF abort cannot take
    the CLI down. Records come back through a file, apart from TensorFlow's log noise."""
    with scratch_dir(env) as tmp:
        work = Path(tmp)
        request, records, log, freeze = (work / n for n in ("request.json", "records.jsonl", "guest.log", "freeze.txt"))
        write_request(request, trials, shipment)
        variables = guest_variables(shipment, extra_env)
        command = [python, "-m", "lab.guest", "--request", str(request), "--out", str(records), "--freeze", str(freeze)]
        try:
            with open(log, "wb") as log_file:
                code = _run_group(command, log_file, variables, timeout_s, tmp)
        except subprocess.TimeoutExpired:
            return GuestRun(collect(env, trials, records, Status.TIMEOUT, f"the batch ran past {timeout_s:g}s",
                                    log=tail_lines(log)).records)
        except OSError as exc:
            raise EnvironmentUnavailable(
                f"interpreter {python} cannot be started ({exc.strerror}): {install_hint}") from None
        installed = freeze.read_text().split() if freeze.exists() else []
        if code == EXIT_NO_TENSORFLOW:
            raise EnvironmentUnavailable(f"{python} has no TensorFlow ({log_tail(log, 1)}): {install_hint}")
        detail = f"the environment's process exited with code {code}"
        return GuestRun(collect(env, trials, records, Status.CRASHED, detail, log=tail_lines(log)).records, installed)


def guest_variables(shipment: Shipment, extra_env: Optional[Mapping[str, str]] = None) -> dict:
    """The guest's environment variables: this one's, with only the shipment on the path."""
    variables = dict(os.environ)
    # Only the shipment: the guest must not reach host modules by accident.
    variables["PYTHONPATH"] = str(shipment.root)
    variables.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # The container images set this too: oneDNN reorders float math, and records
    # should not depend on which environment ran them.
    variables.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    variables.update(extra_env or {})
    return variables


def run_job(python: str, job: GuestJob, shipment: Shipment, timeout_s: float, install_hint: str,
            extra_env: Optional[Mapping[str, str]] = None) -> None:
    """A job's guest entry in ONE process of `python`, in a temporary folder, like run_guest."""
    with scratch_dir("job") as tmp:
        io = Path(tmp)
        job.write(io)
        # Programs a job runs (the verbatim runner's) draw no plots on a screen, and hash alike.
        variables = {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", **guest_variables(shipment, extra_env)}
        command = [python, "-m", job.module, "--request", str(io / "request.json"), "--out", str(io / "results.jsonl")]
        log = io / "guest.log"
        try:
            with open(log, "wb") as log_file:
                code = _run_group(command, log_file, variables, timeout_s, tmp)
        except subprocess.TimeoutExpired:
            job.collect(io, Status.TIMEOUT, f"the batch ran past {timeout_s:g}s")
            return
        except OSError as exc:
            raise EnvironmentUnavailable(
                f"interpreter {python} cannot be started ({exc.strerror}): {install_hint}") from None
        if code == EXIT_NO_TENSORFLOW:
            raise EnvironmentUnavailable(f"{python} has no TensorFlow ({log_tail(log, 1)}): {install_hint}")
        job.collect(io, Status.CRASHED, f"the environment's process exited with code {code}: {log_tail(log)}")


def _run_group(command: Sequence[str], log: IO[bytes], variables: Mapping[str, str], timeout_s: float,
               cwd: str) -> int:
    """Run the guest in a process group of its own and, past the timeout, kill the whole group:
    a guest may start processes of its own (TensorFlow 1's eager twins run in a second one)."""
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=dict(variables),
                            stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
    with _lock:
        _running.add(proc.pid)
    try:
        return proc.wait(timeout=timeout_s)
    except BaseException:  # the timeout, or Ctrl-C: nothing of the guest outlives the lab
        _kill_group(proc.pid)
        proc.wait()
        raise
    finally:
        with _lock:
            _running.discard(proc.pid)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def stop_guests() -> None:
    """Kill every guest process group this lab process started (Ctrl-C): having a session of
    their own, they do not get the terminal's interrupt. Their finished records are kept."""
    with _lock:
        running = list(_running)
    for pid in running:
        _kill_group(pid)
