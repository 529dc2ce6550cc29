"""Scenarios are discovered from a directory and validated with messages that name the problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lab.errors import ScenarioError
from lab.scenario import Mode, load_scenarios

HEADER = "from lab.scenario import Claim, Source, scenario\nS = Source('a.txt', 'Example 1')\n"


def write(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(HEADER + textwrap.dedent(body))
    return path


GOOD = """
@scenario("good-one", source=S, claims=[Claim("x is 1", lambda o: o["x"] == 1)])
class Good:
    '''Summary line.'''
    def graph(tf, obs): obs.record("x", 1)
    def eager(tf, obs): obs.record("x", 1)
"""


def test_a_valid_scenario_loads_with_its_parts(tmp_path: Path) -> None:
    write(tmp_path, "good.py", GOOD)
    (s,) = load_scenarios([tmp_path]).values()
    assert (s.id, s.summary, s.source.article, len(s.claims)) == ("good-one", "Summary line.", "a.txt", 1)
    assert set(s.twins) == {Mode.GRAPH, Mode.EAGER}
    assert 'obs.record("x", 1)' in s.code(Mode.GRAPH)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (GOOD.replace("    def eager(tf, obs): obs.record(\"x\", 1)\n", ""), "missing the eager twin"),
        (GOOD.replace('"good-one"', '"Good_One"'), "must be kebab-case"),
        (GOOD.replace('lambda o: o["x"] == 1', "None"), "has no predicate"),
        (GOOD.replace("'''Summary line.'''", "pass"), "one-line docstring"),
        (GOOD.replace('Claim("x is 1", lambda o: o["x"] == 1)', '"x is 1"'), "must be a Claim"),
        (GOOD.replace('lambda o: o["x"] == 1)', 'lambda o: o["x"] == 1, not_in=("eager",))'), "say why"),
        (GOOD.replace('lambda o: o["x"] == 1)', 'lambda o: o["x"] == 1, not_in=("tf1",), why="w")'),
         "not_in must be a tuple of modes"),
    ],
    ids=["missing-twin", "bad-id", "claim-without-predicate", "no-summary", "claim-not-a-claim", "not-in-without-why",
         "not-in-unknown-mode"],
)
def test_a_malformed_scenario_is_rejected_with_a_precise_message(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "bad.py", body)
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenarios([tmp_path])
    assert str(path) in str(info.value) and "Good" in str(info.value)


def test_a_duplicate_id_names_both_modules(tmp_path: Path) -> None:
    first = write(tmp_path, "a.py", GOOD)
    second = write(tmp_path, "b.py", GOOD)
    with pytest.raises(ScenarioError, match="duplicate scenario id 'good-one'") as info:
        load_scenarios([tmp_path])
    assert str(first) in str(info.value) and str(second) in str(info.value)


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenarios([tmp_path / "nope"])


def test_loading_never_imports_tensorflow(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = "import sys; from lab.scenario import load_scenarios; load_scenarios(); print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
