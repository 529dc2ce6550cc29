"""A guest process on this machine: what the local and interpreter kinds share.

The guest's stdout is the channel its results come back on (a pipe: no path a job could open);
its stderr goes to a log. The guest's launcher ends every descendant when its deadline passes,
when it is asked to stop, and when this process dies; this side ends the launcher at the time
limit, and its whole group if it does not go.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import List, Mapping, Optional, Set

from lab.environments.batch import Batch, GuestRun
from lab.environments.shipment import Shipment
from lab.errors import EnvironmentUnavailable
from lab.record import Status
from lab.scratch import scratch_dir

# Guests run by this process, by process-group id, so Ctrl-C can end them.
_running: Set[int] = set()
_lock = threading.Lock()
EXIT_NO_TENSORFLOW = 3  # lab.guest's code; kept here so the host never imports the guest's entry
LOG_TAIL_BYTES = 64 << 10
STOP_GRACE_S = 5.0
"""How long the launcher has to end its descendants after SIGTERM, before its group is killed."""
DEADLINE_MARGIN_S = 10.0
"""The guest ends itself this long after the host's time limit: the host ends it first, but a host
killed with -9 cannot."""


def check_interpreter(python: str, how: str) -> None:
    """One line (EnvironmentUnavailable, exit 3) when `python` cannot be an interpreter at all."""
    path = Path(python)
    if not path.exists():
        raise EnvironmentUnavailable(f"interpreter {python} not found: {how}")
    if path.is_dir() or not os.access(path, os.X_OK):
        raise EnvironmentUnavailable(f"interpreter {python} is not an executable file: {how}")


def tail_text(path: Path) -> str:
    """The end of a log, read from its end only (a guest may print hundreds of MB)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - LOG_TAIL_BYTES))
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


def tail_lines(path: Path, lines: int = 40) -> List[str]:
    return tail_text(path).strip().splitlines()[-lines:]


def log_tail(path: Path, lines: int = 3) -> str:
    """The last `lines` lines of a log, joined into one."""
    return " | ".join(tail_lines(path, lines))


def guest_variables(shipment: Shipment, extra_env: Optional[Mapping[str, str]] = None) -> dict:
    """The guest's environment variables: this one's, with only the shipment on the path."""
    variables = dict(os.environ)
    # Only the shipment: the guest must not reach host modules by accident.
    variables["PYTHONPATH"] = str(shipment.root)
    variables.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # The container images set this too: oneDNN reorders float math, and records
    # should not depend on which environment ran them.
    variables.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    # Programs a job runs (a document's) draw no plots on a screen, and hash alike.
    variables.setdefault("MPLBACKEND", "Agg")
    variables.setdefault("PYTHONHASHSEED", "0")
    variables.update(extra_env or {})
    return variables


def run_guest(python: str, batch: Batch, shipment: Shipment, timeout_s: float, install_hint: str,
              extra_env: Optional[Mapping[str, str]] = None) -> GuestRun:
    """The batch in ONE guest process of `python`: one TensorFlow import, a child per job, and a
    TensorFlow abort cannot take the CLI down."""
    with scratch_dir(batch.env) as tmp:
        work = Path(tmp)
        request, log = work / "request.json", work / "guest.log"
        batch.write(request, shipment.scenario_dirs, timeout_s)
        command = [python, *batch.arguments(str(request), timeout_s + DEADLINE_MARGIN_S, os.getpid())]
        try:
            with open(log, "wb") as log_file:
                code = _run(command, batch, log_file.fileno(), guest_variables(shipment, extra_env), timeout_s, tmp)
        except OSError as exc:
            raise EnvironmentUnavailable(
                f"interpreter {python} cannot be started ({exc.strerror}): {install_hint}") from None
        if code is None:
            return batch.result(Status.TIMEOUT, f"the batch ran past {timeout_s:g}s", tail_text(log))
        if code == EXIT_NO_TENSORFLOW:
            raise EnvironmentUnavailable(f"{python} has no TensorFlow ({log_tail(log, 1)}): {install_hint}")
        return batch.result(Status.CRASHED, f"the environment's process exited with code {code}", tail_text(log))


def _run(command: List[str], batch: Batch, log: int, variables: Mapping[str, str], timeout_s: float,
         cwd: str) -> Optional[int]:
    """Run the guest in a session of its own, feed its channel to the batch; its exit code, or
    None when it ran past `timeout_s` (then it and everything it started are ended)."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=dict(variables),
                            stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
    with _lock:
        _running.add(proc.pid)
    deadline = time.monotonic() + timeout_s
    try:
        assert proc.stdout is not None
        channel = proc.stdout.fileno()
        os.set_blocking(channel, False)
        with selectors.DefaultSelector() as selector:
            selector.register(channel, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    _stop(proc)
                    return None
                if selector.select(min(left, 1.0)):
                    try:
                        data = os.read(channel, 1 << 20)
                    except BlockingIOError:
                        continue
                    if not data:
                        break
                    batch.feed(data)
        return proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _stop(proc)
        return None
    except BaseException:  # Ctrl-C: nothing of the guest outlives the lab
        _stop(proc)
        raise
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
        with _lock:
            _running.discard(proc.pid)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the launcher, which ends its descendants (new sessions included); its group is
    killed if it has not gone after a grace period."""
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=STOP_GRACE_S)
    except (subprocess.TimeoutExpired, OSError):
        pass
    _kill_group(proc.pid)
    proc.wait()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def stop_guests() -> None:
    """End every guest this lab process started (Ctrl-C, SIGTERM): having a session of their own,
    they do not get the terminal's interrupt. Their finished records are kept."""
    with _lock:
        running = list(_running)
    for pid in running:
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
