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
from typing import Any, Dict, List, Optional, Tuple

PROGRAM = "program.py"
# A program that writes a huge file is stopped by an error, not a full disk.
MAX_FILE_BYTES = 256 << 20


def write_program(text: str, folder: str) -> str:
    path = os.path.join(folder, PROGRAM)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def where(exc: BaseException, paths: List[str]) -> Tuple[Optional[int], Optional[int]]:
    """(index into `paths`, line) of the innermost frame of the exception that lies in one of
    `paths` (the program, or a session's cells), not in TensorFlow: where it passed last."""
    found: Tuple[Optional[int], Optional[int]] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename in paths:
            found = (paths.index(frame.filename), frame.lineno)
    if found[0] is None and isinstance(exc, SyntaxError) and exc.filename in paths:
        found = (paths.index(exc.filename), exc.lineno)
    return found


def error_of(exc: BaseException, paths: List[str], session: bool = False) -> Dict[str, Any]:
    """type, message (its first line), line, and for a session which of its cells (`paths`) raised:
    a one-cell session (a script) too, whose line is only placed by that index."""
    lines = str(exc).strip().splitlines()
    message = lines[0] if lines else ""
    if isinstance(exc, SyntaxError):
        message = exc.msg or message
    elif isinstance(exc, SystemExit):
        message = str(exc.code)
    index, line = where(exc, paths)
    error: Dict[str, Any] = {"type": type(exc).__name__, "message": message[:500], "line": line}
    if session:
        error["cell"] = index
    return error


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


def prepare_process() -> None:
    """A fresh child's output, random states and file-size limit, before a document's code runs."""
    _streams()
    _reseed()
    _limit()


def execute(path: str, folder: str) -> Dict[str, Any]:
    """Run the program at `path` as a script's __main__ in `folder`; the outcome as plain data."""
    os.chdir(folder)
    prepare_process()
    start = time.perf_counter()
    status, error = "ran", None
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        code = compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return {"status": "syntax_error", "error": error_of(exc, [path]), "duration_s": 0.0}
    namespace = {"__name__": "__main__", "__builtins__": builtins, "__file__": path}
    sys.argv = [path]
    try:
        exec(code, namespace)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            status, error = "raised", error_of(exc, [path])
    except BaseException as exc:  # the program's failure is its outcome
        status, error = "raised", error_of(exc, [path])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    return {"status": status, "error": error, "duration_s": round(time.perf_counter() - start, 6)}


if __name__ == "__main__":
    from lab.guest.answer import end, send

    try:
        send(int(sys.argv[3]), execute(sys.argv[1], sys.argv[2]))
        end()
    finally:
        os._exit(0)
