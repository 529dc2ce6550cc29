"""The architecture as the tree shows it: TensorFlow only in the guest and the scenarios."""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path
from typing import Dict, List, Set

from lab.scenario import ROOT


def test_only_the_guest_and_the_scenarios_import_tensorflow() -> None:
    # Import statements only (this file names the module in a string, which is no import); the
    # example documents are code the verbatim runner runs in an environment, as the scenarios are.
    found = subprocess.run(["git", "grep", "-nE", r"^\s*(import|from) tensorflow", "--", ".", ":!lab/guest/",
                            ":!scenarios/", ":!examples/*.md"],
                           cwd=ROOT, capture_output=True, text=True)
    assert found.returncode == 1, found.stdout  # git grep: 1 means no match


def test_the_host_side_never_imports_tensorflow_while_loading_and_judging(real_scenarios) -> None:
    code = ("import sys; from lab.scenario import load_scenarios; from lab import pipeline, judge; load_scenarios(); "
            "print('tensorflow' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]



# The floors of lab/, lowest first: a module imports only from its own floor or below, at module
# level or inside a function alike. The guest is shipped on its own; the model below the stages;
# the stages below the reports; the library (lab.api) below its costumes (the CLI, the plugin).
FLOORS = [
    ("guest", ["lab.guest"]),
    ("model", ["lab.errors", "lab.status", "lab.text", "lab.cores", "lab.scratch", "lab.locking", "lab.values",
               "lab.schemas", "lab.plan", "lab.selection", "lab.releases", "lab.record", "lab.verdict",
               "lab.scenario", "lab.channel", "lab.cache", "lab.atomic", "lab.stopping", "lab.sandbox",
               "lab.orphans"]),
    ("jobs and documents", ["lab.environments.shipment", "lab.jobs", "lab.schedule", "lab.verbatim"]),
    ("judging and environments", ["lab.judge", "lab.environments"]),
    ("execute", ["lab.execute"]),
    ("stages", ["lab.pipeline", "lab.baseline", "lab.shards", "lab.bisect", "lab.merge", "lab.results",
                "lab.listing", "lab.housekeeping"]),
    ("reports", ["lab.reports"]),
    ("library", ["lab.api", "lab.probes"]),
    ("costumes", ["lab.cli", "lab.pytest_plugin"]),
]
# The package facades: `lab.run` and `lab.verbatim(...)` load lab.api on first use (PEP 562), so
# that the shipped lab/__init__.py stays standard library only. They are the only way up.
FACADES = {"lab", "lab.verbatim"}


def _modules() -> Dict[str, Path]:
    found = {}
    for path in (ROOT / "lab").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(modules: Dict[str, Path]) -> Dict[str, Set[str]]:
    """Each lab module's lab imports, wherever in the module they are."""
    def owner(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    edges: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        targets: Set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {owner(a.name) for a in node.names if a.name.startswith("lab")}
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lab"):
                targets |= {owner(f"{node.module}.{a.name}") for a in node.names}
        edges[name] = {t for t in targets if t and t != name}
    return edges


def floor_of(module: str) -> int:
    if module == "lab":  # lab/__init__.py is shipped with the guest (and holds __version__)
        return 0
    best = (-1, -1)  # (length of the longest matching prefix, floor)
    for index, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[0]:
                best = (len(prefix), index)
    assert best[1] >= 0, f"{module} has no floor: add it to FLOORS"
    return best[1]


def test_no_module_imports_from_a_floor_above_its_own() -> None:
    edges = _imports(_modules())
    upward = sorted(f"{m} ({FLOORS[floor_of(m)][0]}) imports {t} ({FLOORS[floor_of(t)][0]})"
                    for m, targets in edges.items() if m not in FACADES
                    for t in targets if floor_of(t) > floor_of(m))
    assert upward == []


def test_the_import_graph_of_lab_has_no_circle() -> None:
    edges = {m: {t for t in ts if t not in FACADES} for m, ts in _imports(_modules()).items() if m not in FACADES}
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    circles: List[List[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert circles == []


def test_every_module_of_lab_has_a_floor() -> None:
    assert [m for m in _modules() if m not in FACADES and floor_of(m) < 0] == []


def test_the_guest_is_linted_for_python_3_7(tmp_path: Path) -> None:
    # A walrus is Python 3.8: the guest's own ruff settings must refuse it, the host's need not.
    probe = ROOT / "lab" / "guest" / "_lint_probe_37.py"
    probe.write_text("def f(x):\n    if (y := x):\n        return y\n")
    try:
        found = subprocess.run([sys.executable, "-m", "ruff", "check", str(probe)], cwd=ROOT, capture_output=True,
                               text=True)
    finally:
        probe.unlink()
    assert found.returncode == 1 and "Python 3.7" in found.stdout


# A silenced type error says why on its line, as a ruff noqa does: `# type: ignore[code]  # why`.
_REASONED_IGNORE = re.compile(r"# type: ignore\[[\w-]+(, [\w-]+)*\]  # \S")


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    bare = []
    for path in sorted((ROOT / "lab").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
        bare += [f"{path.relative_to(ROOT)}:{t.start[0]}: {t.string}" for t in tokens
                 if t.type == tokenize.COMMENT and re.match(r"#\s*type:\s*ignore", t.string)
                 and not _REASONED_IGNORE.match(t.string)]
    assert bare == []
