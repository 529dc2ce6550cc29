"""The loop over requested programs: each in a fresh child, with a time limit, its output bounded."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional

from lab.guest.verbatim.child import RESULT, STDERR, STDOUT, run_and_exit

HEAD, TAIL = 12 << 10, 4 << 10  # what is kept of each stream: the start, and the end (a traceback)
_DIGIT = re.compile(r"\d")


def bounded(path: str) -> Dict[str, Any]:
    """The text of an output file, at most HEAD + TAIL bytes of it, and its full size."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            if size <= HEAD + TAIL:
                data = handle.read()
            else:
                head = handle.read(HEAD)
                handle.seek(size - TAIL)
                data = head + b"\n[... %d bytes left out ...]\n" % (size - HEAD - TAIL) + handle.read()
    except OSError:
        return {"text": "", "bytes": 0}
    return {"text": data.decode("utf-8", errors="replace"), "bytes": size}


def _start_fork(text: str, run_dir: str) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: a session of its own, so the whole group can be killed
        try:
            os.setsid()
        finally:
            run_and_exit(text, run_dir)
    return pid


def _start_process(text: str, run_dir: str) -> int:
    program = os.path.join(run_dir, "..", os.path.basename(run_dir) + ".py")
    with open(program, "w") as handle:
        handle.write(text)
    proc = subprocess.Popen([sys.executable, "-m", "lab.guest.verbatim.child", program, run_dir],
                            stdin=subprocess.DEVNULL, start_new_session=True)
    return proc.pid


def _wait(pid: int, timeout_s: float) -> Optional[int]:
    """The child's wait status, or None when it ran past the limit (then it and its group are killed)."""
    deadline = time.monotonic() + timeout_s
    pause = 0.001
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            _kill_group(pid)  # what the program started and left behind
            return status
        if time.monotonic() >= deadline:
            _kill_group(pid)
            os.waitpid(pid, 0)
            return None
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_one(text: str, run_dir: str, timeout_s: float, isolation: str) -> Dict[str, Any]:
    """One program in a fresh child: its outcome, output and time."""
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    start = time.monotonic()
    pid = (_start_fork if isolation == "fork" else _start_process)(text, run_dir)
    status = _wait(pid, timeout_s)
    wall = round(time.monotonic() - start, 6)
    outcome: Dict[str, Any] = {}
    try:
        with open(os.path.join(run_dir, RESULT)) as handle:
            outcome = json.load(handle)
    except (OSError, ValueError):
        pass
    if status is None:
        outcome = {"status": "timeout", "error": {"type": "Timeout", "message": f"ran past {timeout_s:g}s",
                                                   "line": None}}
    elif not isinstance(outcome, dict) or "status" not in outcome:
        if os.WIFSIGNALED(status):
            why = f"the program's process was killed by signal {os.WTERMSIG(status)}"
        else:
            why = f"the program's process exited with code {os.WEXITSTATUS(status)} before it finished"
        outcome = {"status": "crashed", "error": {"type": "Crashed", "message": why, "line": None}}
    outcome["stdout"] = bounded(os.path.join(run_dir, STDOUT))
    outcome["stderr"] = bounded(os.path.join(run_dir, STDERR))
    outcome["wall_s"] = wall
    shutil.rmtree(run_dir, ignore_errors=True)
    return outcome


def serve(request: Dict[str, Any], out_path: str, work: str) -> None:
    """Every requested program in order, one result line each, flushed at once (a crash keeps them).
    A program that ran and printed digits runs a second time, so the host can tell a nondeterministic
    block from a deterministic one."""
    timeout_s = float(request.get("timeout_s", 60))
    isolation = request.get("isolation", "fork")
    repeat = int(request.get("repeat", 1))
    runs: List[Dict[str, Any]] = request["runs"]
    with open(out_path, "a") as out:
        for position, run in enumerate(runs):
            run_dir = os.path.join(work, f"run{position}")
            result = run_one(run["text"], run_dir, timeout_s, isolation)
            if repeat > 1 and result["status"] == "ran" and _DIGIT.search(result["stdout"]["text"]):
                again = run_one(run["text"], run_dir, timeout_s, isolation)
                result["repeat"] = {"status": again["status"], "stdout": again["stdout"]}
            result["run"] = run["id"]
            out.write(json.dumps(result) + "\n")
            out.flush()
