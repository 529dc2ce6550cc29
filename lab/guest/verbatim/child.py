"""One program in the current process, which is fresh (forked or new): output to files, a result.

The program is a real file (program.py in its folder), so tracebacks, `inspect.getsource` and
AutoGraph (which reads a `tf.function`'s source to convert its Python `if` and `for`) see it.
`python -m lab.guest.verbatim.child PROGRAM FOLDER FD` is the one-process-per-run way, used to
prove that a forked child gives the same outcome, and by the benchmark.
"""

from __future__ import annotations

import builtins
import io
import os
import random
import signal
import sys
import time
import traceback
from typing import Any, Dict, Optional

PROGRAM = "program.py"
# A program that writes a huge file is stopped by an error, not a full disk.
MAX_FILE_BYTES = 256 << 20


def write_program(text: str, folder: str) -> str:
    path = os.path.join(folder, PROGRAM)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _line_of(exc: BaseException, path: str) -> Optional[int]:
    """The line of the program (not of TensorFlow) where the exception passed last."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    if line is None and isinstance(exc, SyntaxError) and exc.filename == path:
        line = exc.lineno
    return line


def _error(exc: BaseException, path: str) -> Dict[str, Any]:
    lines = str(exc).strip().splitlines()
    message = lines[0] if lines else ""
    if isinstance(exc, SyntaxError):
        message = exc.msg or message
    return {"type": type(exc).__name__, "message": message[:500], "line": _line_of(exc, path)}


def _reseed() -> None:
    # A forked child inherits its parent's random states; a fresh interpreter draws new ones.
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:
            numpy.random.seed()
        except Exception:  # a stand-in numpy in tests
            pass


def _streams() -> None:
    """Unbuffered text on fds 0-2, which the worker made the program's pipes (and no input): what
    was printed survives a crash of the program, in the order it was printed."""
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                  write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                  write_through=True)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))


def _limit() -> None:
    try:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit raises instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
    except (ImportError, ValueError, OSError):
        pass


def execute(path: str, folder: str) -> Dict[str, Any]:
    """Run the program at `path` as a script's __main__ in `folder`; the outcome as plain data."""
    os.chdir(folder)
    _streams()
    _reseed()
    _limit()
    start = time.perf_counter()
    status, error = "ran", None
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        code = compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return {"status": "syntax_error", "error": _error(exc, path), "duration_s": 0.0}
    namespace = {"__name__": "__main__", "__builtins__": builtins, "__file__": path}
    sys.argv = [path]
    try:
        exec(code, namespace)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            status, error = "raised", {"type": "SystemExit", "message": str(exc.code)[:500],
                                       "line": _line_of(exc, path)}
    except BaseException as exc:  # the program's failure is its outcome
        status, error = "raised", _error(exc, path)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    return {"status": status, "error": error, "duration_s": round(time.perf_counter() - start, 6)}


if __name__ == "__main__":
    from lab.guest.answer import send

    try:
        send(int(sys.argv[3]), execute(sys.argv[1], sys.argv[2]))
    finally:
        os._exit(0)
