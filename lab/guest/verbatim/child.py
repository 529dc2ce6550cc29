"""One program in the current process, which is fresh (forked or new): output to files, a result file.

`python -m lab.guest.verbatim.child PROGRAM RUN_DIR` is the one-process-per-run way, used to prove
that a forked child gives the same outcome, and by the benchmark.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import random
import signal
import sys
import time
import traceback
from typing import Any, Dict, Optional

FILENAME = "<lab-program>"
# A program that prints forever or writes a huge file is stopped by an error, not a full disk.
MAX_FILE_BYTES = 256 << 20
STDOUT, STDERR, RESULT = "stdout.txt", "stderr.txt", "result.json"


def _line_of(exc: BaseException) -> Optional[int]:
    """The line of the program (not of TensorFlow) where the exception passed last."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == FILENAME:
            line = frame.lineno
    if line is None and isinstance(exc, SyntaxError) and exc.filename == FILENAME:
        line = exc.lineno
    return line


def _error(exc: BaseException) -> Dict[str, Any]:
    lines = str(exc).strip().splitlines()
    message = lines[0] if lines else ""
    if isinstance(exc, SyntaxError):
        message = exc.msg or message
    return {"type": type(exc).__name__, "message": message[:500], "line": _line_of(exc)}


def _reseed() -> None:
    # A forked child inherits its parent's random states; a fresh interpreter draws new ones.
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:
            numpy.random.seed()
        except Exception:  # a stand-in numpy in tests
            pass


def _redirect(run_dir: str) -> None:
    for fd, name in ((1, STDOUT), (2, STDERR)):
        target = os.open(os.path.join(run_dir, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    # Unbuffered text on the new files: what was printed survives a crash of the program.
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                  write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                  write_through=True)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))


def _limit() -> None:
    try:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit raises instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    except (ImportError, ValueError, OSError):
        pass


def execute(text: str, run_dir: str) -> Dict[str, Any]:
    """Run `text` as a script's __main__ in `run_dir`; the outcome as plain data. Prints go to files."""
    os.chdir(run_dir)
    _redirect(run_dir)
    _reseed()
    _limit()
    start = time.perf_counter()
    status, error = "ran", None
    try:
        code = compile(text, FILENAME, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return {"status": "syntax_error", "error": _error(exc), "duration_s": 0.0}
    path = os.path.join(run_dir, "program.py")
    namespace = {"__name__": "__main__", "__builtins__": builtins, "__file__": path}
    sys.argv = [path]
    try:
        exec(code, namespace)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            status, error = "raised", {"type": "SystemExit", "message": str(exc.code)[:500], "line": _line_of(exc)}
    except BaseException as exc:  # the program's failure is its outcome
        status, error = "raised", _error(exc)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    return {"status": status, "error": error, "duration_s": round(time.perf_counter() - start, 6)}


def run_and_exit(text: str, run_dir: str) -> None:
    """In a child: execute, write the result beside the output, and leave at once (no atexit, no
    TensorFlow teardown: the parent's state is not this child's to clean)."""
    try:
        result = execute(text, run_dir)
        with open(os.path.join(run_dir, RESULT), "w") as handle:
            json.dump(result, handle)
    finally:
        os._exit(0)


if __name__ == "__main__":
    with open(sys.argv[1]) as program:
        source = program.read()
    run_and_exit(source, sys.argv[2])
