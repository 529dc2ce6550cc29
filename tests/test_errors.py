"""The one exit-code table: the README's is the code's, and every command exits by it."""

from __future__ import annotations

import re

from lab.errors import EnvironmentUnavailable, ExitCode, LabError, ScenarioError, UsageError
from lab.scenario import ROOT


def readme_table() -> dict:
    """The README's exit codes: {code: its line}."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| (.+) \|$", section, re.MULTILINE)}


def test_the_readme_lists_exactly_the_codes_of_the_table_in_the_code() -> None:
    assert sorted(readme_table()) == sorted(int(code) for code in ExitCode)


def test_every_anticipated_error_exits_by_the_table() -> None:
    assert LabError.exit_code is ExitCode.ERROR
    assert UsageError.exit_code is ScenarioError.exit_code is ExitCode.USAGE
    assert EnvironmentUnavailable.exit_code is ExitCode.ENVIRONMENT


def test_no_command_spells_an_exit_code_of_its_own() -> None:
    # A literal code in typer.Exit(...) or a `return 3` in the CLI would be a second mapping.
    found = []
    for path in (ROOT / "lab").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"typer\.Exit\(\d|EXIT_CODE\s*=|\bexit_code\s*=\s*\d", line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
