"""The CI matrix workflow: it lints clean, takes its envs from matrix.toml, and calls real lab commands."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import typer

from lab.cli import app

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "matrix.yml"
CI_MATRIX = ROOT / "containers" / "ci_matrix.py"
MATRIX_TOML = ROOT / "containers" / "matrix.toml"

# The lab commands the workflow's jobs are designed to run, each with its subcommand words.
PLANNED: List[Tuple[str, ...]] = [("envs", "build"), ("compare-all",), ("merge",), ("check",), ("report",)]
# Commands the workflow already calls but the CLI does not have yet: they are being added in
# the same change. Their existence check is an expected failure, and strict, so the day the
# command lands the XPASS fails the suite and this entry must be deleted.
def run_commands() -> List[str]:
    """Every `run:` command of the workflow, read from the text (PyYAML is not a dependency)."""
    return [m.group(1).strip() for m in re.finditer(r"^\s*(?:-\s+)?run:\s*(.*)$", WORKFLOW.read_text(), re.MULTILINE)]


def lab_invocations() -> Dict[Tuple[str, ...], List[str]]:
    """Each planned command the workflow runs -> the --options it passes."""
    found: Dict[Tuple[str, ...], List[str]] = {}
    for command in run_commands():
        words = shlex.split(command)
        if words[0] != "lab":
            continue
        planned = [p for p in PLANNED if tuple(words[1:1 + len(p)]) == p]
        assert planned, f"{command!r} is none of the planned commands {PLANNED}"
        found[planned[0]] = [w.split("=", 1)[0] for w in words if w.startswith("--")]
    return found


def test_actionlint_reports_nothing() -> None:
    # The dev extra installs the binary next to this interpreter; an unactivated venv has no PATH to it.
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if exe is None:
        pytest.fail("actionlint not found: it is a dev dependency, `pip install -e '.[dev]'`")
    # actionlint also runs shellcheck on every run: script when shellcheck is on PATH.
    result = subprocess.run([exe, "-no-color", "-oneline", str(WORKFLOW)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_every_run_command_is_one_line_so_these_tests_see_it() -> None:
    # A block scalar (`run: |`) would hide its lines from the checks below.
    assert run_commands() and not [c for c in run_commands() if c[:1] in ("|", ">")]


def test_the_env_jobs_matrix_comes_from_ci_matrix_py_not_from_a_list_in_the_yaml() -> None:
    text = WORKFLOW.read_text()
    assert "run: python containers/ci_matrix.py --github-output" in text
    assert "matrix: ${{ steps.envs.outputs.matrix }}" in text
    assert "matrix: ${{ fromJSON(needs.matrix.outputs.matrix) }}" in text
    assert "fail-fast: false" in text
    declared = tomllib.loads(MATRIX_TOML.read_text())["env"]
    names = list(declared)
    expected = {"env": names, "include": [{"env": n, "python": e["python"]} for n, e in declared.items()
                                          if e.get("kind") == "interpreter"]}
    assert expected["include"], "the matrix has an interpreter env (tf1.15)"
    assert [n for n in names if n in text] == []  # written once, in matrix.toml


def test_ci_matrix_py_prints_the_env_names_of_matrix_toml_in_order(tmp_path: Path) -> None:
    declared = tomllib.loads(MATRIX_TOML.read_text())["env"]
    names = list(declared)
    expected = {"env": names, "include": [{"env": n, "python": e["python"]} for n, e in declared.items()
                                          if e.get("kind") == "interpreter"]}
    assert expected["include"], "the matrix has an interpreter env (tf1.15)"
    output = tmp_path / "github_output"
    # -S: no site-packages, so the script needs only the standard library and lab's source, as in
    # the workflow's matrix job (tomllib is in the standard library from 3.11, which CI uses).
    flags = ["-S"] if sys.version_info >= (3, 11) else []
    result = subprocess.run([sys.executable, *flags, str(CI_MATRIX), "--github-output"], cwd=tmp_path,
                            env={"GITHUB_OUTPUT": str(output)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
    key, value = output.read_text().rstrip("\n").split("=", 1)
    assert (key, json.loads(value)) == ("matrix", expected)


def test_the_workflow_runs_each_planned_lab_command() -> None:
    assert sorted(lab_invocations()) == sorted(PLANNED)


@pytest.mark.parametrize(
    "words",
    [pytest.param(p, id=" ".join(p)) for p in PLANNED],
)
def test_each_lab_command_the_workflow_runs_exists_with_its_options(words: Tuple[str, ...]) -> None:
    command = typer.main.get_command(app)
    for word in words:
        subcommands = getattr(command, "commands", {})
        assert word in subcommands, f"`lab {' '.join(words)}`: the CLI has no {word!r} command"
        command = subcommands[word]
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    assert [o for o in lab_invocations()[words] if o not in options] == []
