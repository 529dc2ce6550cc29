"""A guest process on this machine: what the local and interpreter kinds share.

The guest's stdout is the channel its results come back on (a pipe: no path a job could open);
its stderr goes to a log. The guest's launcher ends every descendant when its deadline passes,
when it is asked to stop, and when this process dies; this side ends the launcher at the time
limit, and its whole group if it does not go. Where bubblewrap works the guest runs in its
sandbox (lab/sandbox.py), unless `--no-sandbox`; its pid and start time are written beside it,
so that a guest that outlived its lab can be proven ours and ended (lab/orphans.py).
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

from lab import orphans, sandbox
from lab.environments.batch import Batch, GuestRun
from lab.environments.shipment import Shipment
from lab.errors import EnvironmentUnavailable
from lab.record import Status
from lab.scratch import scratch_dir
from lab.text import printable

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


def log_tail(path: Path, lines: int = 3, limit: int = 200) -> str:
    """The last `lines` lines of a log, joined into one, printable and at most `limit` characters."""
    return printable(" | ".join(tail_lines(path, lines)), limit)


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
        variables = guest_variables(shipment, extra_env)
        # In the sandbox the guest's parent is bwrap, which dies with this process and takes the
        # guest's whole PID namespace with it: the guest need not watch this process itself.
        boxed = sandbox.active()
        # A relative path would be looked up from the guest's folder (Popen's cwd), not from here.
        program = os.path.abspath(python) if os.sep in python else python
        command = [program, *batch.arguments(str(request), timeout_s + DEADLINE_MARGIN_S, 0 if boxed else os.getpid())]
        if boxed:
            shown = [shipment.root, *filter(None, [sandbox.under_hidden(Path(program))])]
            command, variables = sandbox.wrap(command, work, shown, variables), sandbox.variables(variables)
        for attempt in range(1, SANDBOX_ATTEMPTS + 1):
            try:
                with open(log, "wb") as log_file:
                    code = _run(command, batch, log_file.fileno(), variables, timeout_s, tmp)
            except OSError as exc:
                raise EnvironmentUnavailable(
                    f"interpreter {python} cannot be started ({exc.strerror}): {install_hint}") from None
            if not (boxed and code is not None and not batch.channel.facts and _mount_raced(log_tail(log, 1))):
                break
            time.sleep(0.2 * attempt)  # the mount that vanished under bwrap (a container's) is gone by then
        if code is None:
            return batch.result(Status.TIMEOUT, f"the batch ran past {timeout_s:g}s", tail_text(log))
        if code == EXIT_NO_TENSORFLOW:
            raise EnvironmentUnavailable(f"{python} has no TensorFlow ({log_tail(log, 1)}): {install_hint}")
        said = log_tail(log, 1)
        if not batch.channel.facts and (code == 0 or said.startswith("bwrap: execvp")):
            # It ended without a word of the guest's protocol, well (`--python /bin/true`) or
            # because the sandbox could not start it: not a Python running lab's guest, rather
            # than a guest that died in some job.
            raise EnvironmentUnavailable(f"interpreter {python} exited at once without running lab's guest"
                                         f"{f' ({said})' if said else ''}: {install_hint}")
        return batch.result(Status.CRASHED, f"the environment's process exited with code {code}", tail_text(log))


SANDBOX_ATTEMPTS = 3
"""Starts of a sandboxed guest whose sandbox could not be set up because a mount changed under bwrap."""


def _mount_raced(said: str) -> bool:
    """bwrap's error when a mount it was binding read-only (a container's overlay, mounted or
    unmounted at that moment) changed under it: nothing of the guest ran, so it can start again."""
    return said.startswith("bwrap: ") and "mount" in said


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
        orphans.note_guest(Path(cwd), proc.pid)
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
