"""The kernel oracle: a notebook run as Jupyter runs it, and what each of its cells did.

`run_notebook(path)` executes the notebook with nbclient (`allow_errors=True`, the `python3` kernel
of this interpreter's venv, a time limit per cell like `lab verbatim --timeout`) in a scratch
folder, and gives one `KernelCell` per non-empty code cell: 'ran', 'raised' (with the exception's
type), 'timeout', or 'shell' (the cell holds only shell commands and magics, as IPython itself
transforms it). Cells are numbered as lab numbers them: 1-based among all the notebook's cells.

Shell commands are not run unless asked (`run_shell=True`): a notebook's `!pip install ...` must not
change the venv the tests run in, and `lab verbatim` does not run them either. `%%writefile` and
the cell magics whose body is Python (`%%time`, ...) are not 'shell': they run. A test helper,
not a test module (pytest collects only test_*.py).
"""

from __future__ import annotations

import ast
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

RUNS_PYTHON = {"writefile", "time", "timeit", "capture", "prun"}
"""Cell magics a kernel runs as Python (or that write a file a later cell reads)."""
_IPYTHON_CALLS = {"system", "getoutput", "run_line_magic", "run_cell_magic"}
_SETUP = "import sys as _lab_sys\nprint(_lab_sys.executable)\ndel _lab_sys\n"
_NO_SHELL = ("_lab_ip = get_ipython()\n"
             "_lab_ip.system = _lab_ip.system_raw = _lab_ip.system_piped = lambda *a, **k: None\n"
             "_lab_ip.getoutput = lambda *a, **k: []\n"
             "del _lab_ip\n")


@dataclass(frozen=True)
class KernelCell:
    """What one code cell did in the kernel."""

    cell: int
    """1-based position among all the notebook's cells (as Block.cell)."""
    outcome: str
    """'ran', 'raised', 'timeout', 'shell'; 'crashed' (the kernel died in it) or 'not_run' (died before)."""
    exception: str = ""
    """For 'raised': the exception's type (`ename`), e.g. 'ModuleNotFoundError'."""
    stdout: str = ""
    value: Optional[str] = None
    """The text/plain of its `Out[n]`, if the kernel showed one."""


def is_shell(source: str) -> bool:
    """A cell that IPython turns into shell and magic calls only (no Python of its own runs)."""
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return False
    calls = [node.value for node in tree.body if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
    if not tree.body or len(calls) != len(tree.body):
        return False
    for call in calls:
        name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if name not in _IPYTHON_CALLS:
            return False
        first = call.args[0] if call.args else None
        if name == "run_cell_magic" and isinstance(first, ast.Constant) and first.value in RUNS_PYTHON:
            return False
    return True


class _Client(NotebookClient):
    """nbclient, remembering which cells ran past the time limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = -1
        self.timed_out: Set[int] = set()
        self.on_cell_execute = self._started

    def _started(self, cell: Any, cell_index: int) -> None:
        self.current = cell_index

    async def _async_handle_timeout(self, timeout: int, cell: Any = None) -> Any:
        self.timed_out.add(self.current)
        return await super()._async_handle_timeout(timeout, cell)


def run_notebook(path: Path, timeout_s: float = 60, run_shell: bool = False, folder: Optional[Path] = None,
                 python: str = sys.executable) -> List[KernelCell]:
    """Each non-empty code cell's outcome in a python3 kernel of `python`, run in `folder` (a new
    scratch folder when None); AssertionError if the kernel is some other interpreter."""
    notebook = nbformat.read(str(path), as_version=4)
    setup = nbformat.v4.new_code_cell(_SETUP + ("" if run_shell else _NO_SHELL))
    notebook.cells.insert(0, setup)
    with tempfile.TemporaryDirectory(prefix="lab-oracle-") as scratch:
        where = str(folder or scratch)
        client = _Client(notebook, timeout=int(timeout_s), kernel_name="python3", allow_errors=True,
                         interrupt_on_timeout=True, resources={"metadata": {"path": where}})
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
        died = None
        try:
            client.execute(env=env)
        except DeadKernelError:
            died = client.current
    kernel_python = "".join(o.get("text", "") for o in setup.outputs if o.get("name") == "stdout").strip()
    assert died == 0 or os.path.realpath(kernel_python) == os.path.realpath(python), (
        f"the python3 kernel ran {kernel_python!r}, not {python!r}")
    return _outcomes(notebook.cells, client.timed_out, died)


def _outcomes(cells: List[Any], timed_out: Set[int], died: Optional[int]) -> List[KernelCell]:
    found: List[KernelCell] = []
    for index, cell in enumerate(cells[1:], 1):  # index: in the run notebook, the setup cell first
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        outputs: List[Dict[str, Any]] = cell.get("outputs", [])
        stdout = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream"
                         and o.get("name") == "stdout")
        values = [o["data"]["text/plain"] for o in outputs if o.get("output_type") == "execute_result"
                  and "text/plain" in o.get("data", {})]
        errors = [o.get("ename", "") for o in outputs if o.get("output_type") == "error"]
        if died is not None and index >= died:
            outcome = "crashed" if index == died else "not_run"
        elif is_shell(cell.source):
            outcome = "shell"
        elif index in timed_out:
            outcome = "timeout"
        else:
            outcome = "raised" if errors else "ran"
        found.append(KernelCell(index, outcome, errors[0] if outcome == "raised" else "", stdout,
                                values[0] if values else None))
    return found
