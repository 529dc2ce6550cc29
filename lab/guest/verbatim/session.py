"""A document's cells in order, in one state, as a kernel runs them: the fork chain.

Each cell runs in a child forked from the process that holds the state the cells before it left
(for the first cell, the worker's own warm state). A cell that ends by itself (it ran or raised)
leaves its child holding the new state, and that child goes on as the chain; a cell that runs past
its limit, or whose process dies, is discarded, and the next cell is forked again from the state
before it. Every node waits for the one it forked, so the job's child is the last to exit.

A process forks safely only while it has one thread. TensorFlow's runtime does not survive a fork:
a child forked after an op ran hangs in its first `tf.function` or Session call (its inter-op
threads are gone). So from the first cell that leaves a second thread, the cells run in that
process one after another, as in a kernel: a cell past its limit is interrupted (KeyboardInterrupt,
as Jupyter's interrupt) and the next cell continues from what it left; one that does not stop
ends the process, and a process that dies ends the session there, as a dead kernel does.

Each cell is a real file (io/cellN.py), so tracebacks, `inspect.getsource` and AutoGraph read it.
Statements run one at a time, and the last one's value is kept where a kernel shows `Out[n]`.
Each cell's result goes through the job's pipe as one line, `CELL JSON`; the worker, which runs
none of this code, labels it with the job: a document can only speak for its own cells.
Standard library only, Python 3.7 and up.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import select
import signal
import sys
import time
import types
from typing import Any, Dict, List, Optional

from lab.guest.output import HEAD, TAIL, shown
from lab.guest.verbatim.child import error_of, prepare_process

GRACE_S = 5.0
"""How long an interrupted cell has to stop before its process is ended."""
KERNEL_ARGV = ["ipykernel_launcher.py", "-f", "kernel.json"]
"""A kernel's sys.argv: code that parses it (argparse, absl flags) fails as it does in Jupyter."""


def threads() -> int:
    """How many threads this process has (0 where /proc does not say: then it never forks)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


def kept(data: bytes) -> Dict[str, Any]:
    """Bytes as the reports show them: the start and the end, with a note of what was left out."""
    size = len(data)
    return shown(data[:HEAD], data[-TAIL:], size) if size > HEAD + TAIL else shown(data, b"", size)


def read_kept(path: str) -> Dict[str, Any]:
    """A cell's output file as `kept` shows it, reading only its start and its end."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return {"text": "", "bytes": 0}
    try:
        size = os.fstat(fd).st_size
        if size <= HEAD + TAIL:
            return kept(os.read(fd, size))
        head = os.read(fd, HEAD)
        os.lseek(fd, size - TAIL, os.SEEK_SET)
        return shown(head, os.read(fd, TAIL), size)
    finally:
        os.close(fd)


def shown_text(value: Any) -> str:
    """The text a kernel shows for a value: IPython's pretty printer where it is installed, else repr."""
    try:
        from IPython.lib.pretty import pretty
    except Exception:  # no IPython in this environment: repr is what its pretty printer falls back to
        return repr(value)
    # IPython has no annotations there
    return str(pretty(value, max_width=79))  # type: ignore[no-untyped-call]  # IPython's pretty is untyped


class Chain:
    """The cells of one document, run in order from the current process (the job's child)."""

    def __init__(self, spec: Dict[str, Any], fd: int, folder: str) -> None:
        self.cells: List[Dict[str, Any]] = list(spec["cells"])
        self.timeout_s = float(spec["cell_timeout_s"])
        self.fd = fd
        self.io = os.path.join(folder, "io")
        self.cwd = os.path.join(folder, "doc")
        self.in_process = False
        self.fired = False
        module = types.ModuleType("__main__")
        module.__dict__["__builtins__"] = builtins
        self.main = module

    def run(self) -> None:
        """Every cell, in order; returns when the last has its line (or this node's part is over)."""
        os.makedirs(self.io)
        os.makedirs(self.cwd)
        os.chdir(self.cwd)  # the document's scratch folder, which every cell of the chain shares
        prepare_process()
        sys.modules["__main__"] = self.main
        sys.argv = list(KERNEL_ARGV)
        sys.path.insert(0, "")  # a kernel imports from its working folder (a module a cell wrote there)
        k = 0
        while k < len(self.cells):
            if self.cells[k].get("kind") == "shell":
                self.write(k, {"status": "shell", "duration_s": 0.0})
                k += 1
            elif not self.in_process and threads() == 1:
                k = self.fork(k)
            else:
                self.in_process = True
                self.write(k, self.run_cell(k))
                k += 1

    def write(self, k: int, result: Dict[str, Any]) -> None:
        data = b"%d " % k + json.dumps(result).encode() + b"\n"
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def fork(self, k: int) -> int:
        """Cell k in a child of this process; the index this process goes on from (it exits when the
        child took the chain over and has ended)."""
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            os.setpgid(0, 0)  # a group of its own: its holder ends it, and what it started, at its limit
            self.write(k, self.run_cell(k, forked=True))
            os.write(write_fd, b"1")  # the chain is this process's now
            os.close(write_fd)
            return k + 1
        os.close(write_fd)
        handed = _handover(read_fd, self.timeout_s)
        os.close(read_fd)
        if handed:
            self.follow(pid, k)
        if handed is None:
            _kill(pid)
            _, status = os.waitpid(pid, 0)
            self.write(k, self.ended(k, {"status": "timeout", "how": "discarded"}))
        else:
            _, status = os.waitpid(pid, 0)
            self.write(k, self.ended(k, dict(_death(status), how="discarded")))
        return k + 1

    def follow(self, pid: int, k: int) -> None:
        """Wait for the child that took the chain over after cell k; when it died in a later cell (one it
        ran in its own process), say so for that cell: the session ends there. Then this node exits."""
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            os._exit(0)
        started = [j for j in range(k + 1, len(self.cells)) if os.path.exists(self._path(j, "out"))]
        last = started[-1] if started else k
        if last > k and not os.path.exists(self._path(last, "done")):
            death = _death(status)
            if death.get("signal") == signal.SIGALRM:  # its interrupted cell did not stop in time
                death = {"status": "timeout", "how": "stopped"}
            self.write(last, self.ended(last, dict(death, how=death.get("how", "ended"))))
        os._exit(0)

    def ended(self, k: int, result: Dict[str, Any]) -> Dict[str, Any]:
        """The line of a cell whose process did not finish it: what it printed, from its files."""
        return dict(result, stdout=read_kept(self._path(k, "out")), stderr=read_kept(self._path(k, "err")),
                    duration_s=0.0, forked=result.get("how") == "discarded")

    def _path(self, k: int, what: str) -> str:
        return os.path.join(self.io, f"{k}.{what}")

    def run_cell(self, k: int, forked: bool = False) -> Dict[str, Any]:
        """Cell k in this process: its output in files, its statements one at a time, its value."""
        for target, what in ((1, "out"), (2, "err")):
            fd = os.open(self._path(k, what), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, target)
            os.close(fd)
        cell = self.cells[k]
        path = os.path.join(self.io, f"cell{k + 1}.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(cell["text"])
        start = time.perf_counter()
        result = self._execute(cell, path, forked)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # the cell replaced or closed it: what reached the file is what it printed
                pass
        result.update(duration_s=round(time.perf_counter() - start, 6), forked=forked,
                      stdout=read_kept(self._path(k, "out")), stderr=read_kept(self._path(k, "err")))
        if not forked:
            with open(self._path(k, "done"), "w"):
                pass  # a later death of this process is not this cell's
        return result

    def _execute(self, cell: Dict[str, Any], path: str, forked: bool) -> Dict[str, Any]:
        try:
            tree = ast.parse(cell["text"], path)
        except (SyntaxError, ValueError) as exc:  # a kernel runs nothing of a cell that does not parse
            return {"status": "syntax_error", "error": error_of(exc, self._cell_files(), session=True)}
        nodes = list(tree.body)
        last = nodes.pop() if cell.get("shows_value") and nodes and isinstance(nodes[-1], ast.Expr) else None
        namespace = self.main.__dict__
        shown = None
        if not forked:
            self._arm()
        try:
            for node in nodes:  # one at a time, as IPython runs them: those before a failing one have run
                tree.body = [node]
                exec(compile(tree, path, "exec", dont_inherit=True), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), path, "eval", dont_inherit=True), namespace)
                if value is not None:
                    namespace["_"] = value
                    shown = kept(shown_text(value).encode("utf-8", errors="replace"))["text"]
        except BaseException as exc:  # the cell's failure is its outcome; SystemExit too, as in a kernel
            self._disarm()
            if self.fired:
                return {"status": "timeout", "how": "interrupted"}
            return {"status": "raised", "error": error_of(exc, self._cell_files(), session=True)}
        self._disarm()
        if self.fired:
            return {"status": "timeout", "how": "interrupted"}
        return {"status": "ran", "value": shown}

    def _cell_files(self) -> List[str]:
        return [os.path.join(self.io, f"cell{i + 1}.py") for i in range(len(self.cells))]

    def _arm(self) -> None:
        """A cell in this process gets a KeyboardInterrupt at its limit, as Jupyter interrupts a kernel;
        a cell still running `GRACE_S` later is ended with its process (SIGALRM's default action)."""
        self.fired = False

        def fire(signum: int, frame: Any) -> None:
            self.fired = True
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.setitimer(signal.ITIMER_REAL, GRACE_S)
            raise KeyboardInterrupt

        signal.signal(signal.SIGALRM, fire)
        signal.setitimer(signal.ITIMER_REAL, self.timeout_s)

    def _disarm(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)


def _handover(fd: int, timeout_s: float) -> Optional[bool]:
    """True when the child took the chain over, False when it ended without doing so, None at the limit."""
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            ready, _, _ = select.select([fd], [], [], left)
        except InterruptedError:
            continue
        if ready:
            return os.read(fd, 1) == b"1"


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _death(status: int) -> Dict[str, Any]:
    if os.WIFSIGNALED(status):
        return {"status": "crashed", "signal": os.WTERMSIG(status)}
    return {"status": "crashed", "exit": os.WEXITSTATUS(status)}
