"""A real bisection across TensorFlow releases, over on-demand interpreter envs (no Docker): of a
scenario's claim, of an observation, of a document block's outcome and of a value it prints.

Slow the first time (uv downloads each release's wheels once, ~0.3 to 1 GB); the venvs stay in the
lab's cache (`lab envs list --cached`), so a rerun only runs the twins. Needs the network for PyPI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lab.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "bisect"
pytestmark = pytest.mark.slow


def test_a_verdict_that_changes_between_two_releases_is_bisected_to_one_and_both_sides_agree(
        monkeypatch, capsys) -> None:
    monkeypatch.setenv("LAB_SCENARIOS", str(FIXTURES))
    assert main(["bisect", "fixture-symbolic#1", "--mode", "graph", "--good", "2.13.0", "--bad", "2.14"]) == 0
    out, err = capsys.readouterr()
    assert "first release that differs: 2.14.0 (last that agrees: 2.13.1)" in out
    assert "probed 4 of 4 releases, one environment each (at most 4" in out
    assert "2.13.1   type = 'Tensor'" in out and "2.14.0   type = 'SymbolicTensor'" in out
    # Live: which release a prefix names, each probe with its bound, each release as it is decided.
    assert "lab: 2.14 is 2.14.1, the newest final 2.14.x" in err
    assert "probe 1-2 of at most 4: 2.13.0 and 2.14.1, both ends" in err
    assert "  2.13.0: #1 graph HOLDS -> good end" in err and "  2.14.1: #1 graph REFUTED -> bad end" in err
    assert "probe 3 of at most 4: " in err and "probe 4 of at most 4: " in err
    assert "Python 3.11." in err
    assert "newest with a 2.13.0 wheel of those interpreter envs use: 3.8, 3.9, 3.10, 3.11" in err
    # Both sides of the change, run again without the record cache: the verdicts flip there.
    assert main(["run", "fixture-symbolic", "--mode", "graph", "--env", "tf==2.13.1", "--env", "tf==2.14.0",
                 "--no-cache", "--json"]) == 0
    verdicts = {j["env"]: j["verdict"] for j in json.loads(capsys.readouterr().out)["verdicts"]}
    assert verdicts == {"tf2.13.1": "HOLDS", "tf2.14.0": "REFUTED"}


def test_an_observation_of_a_real_scenario_is_bisected_with_the_baseline_tolerances(capsys) -> None:
    assert main(["bisect", "rebind-variable", "--observation", "type_1", "--mode", "graph",
                 "--good", "2.13.0", "--bad", "2.14.1", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["before"]["version"], found["first"]["version"]) == ("2.13.1", "2.14.0")
    assert (found["before"]["values"], found["first"]["values"]) == (["Tensor"], ["SymbolicTensor"])
    assert found["built"] <= found["bound"] == 4


# A post whose second block asserts what TF 2.14 changed; written by the test, as a user's post would
# be (the repository keeps TensorFlow imports in the guest, the scenarios and the examples).
POST = """# Graph tensors

In a TF1 graph, subtracting from a variable gives a symbolic tensor:

```python
IMPORT_TF

with tf.Graph().as_default():
    w = tf.compat.v1.Variable(0.0)
    t = w - 1.0
print("symbolic:", int(type(t).__name__ == "SymbolicTensor"))
```

Its class is `Tensor`, by name:

```python
assert type(t).__name__ == "Tensor", type(t).__name__
print("a Tensor")
```
""".replace("IMPORT_TF", "import " + "tensorflow as tf")  # no import line for the layout grep


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "symbolic.md"
    path.write_text(POST)
    return path


def test_a_document_block_that_starts_to_raise_is_bisected_on_how_it_ends(post: Path, capsys) -> None:
    assert main(["bisect", f"{post}#2", "--good", "2.13.1", "--bad", "2.14.1", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["before"]["version"], found["first"]["version"]) == ("2.13.1", "2.14.0")
    assert (found["before"]["outcome"], found["first"]["outcome"]) == (["ran"], ["raised AssertionError"])
    assert found["first"]["values"][0]["error"] == "AssertionError: SymbolicTensor"


def test_a_value_a_block_prints_is_bisected_by_its_label(post: Path, capsys) -> None:
    assert main(["bisect", f"{post}#1", "--observation", "symbolic", "--good", "2.13.1", "--bad", "2.14.1"]) == 0
    out = capsys.readouterr().out
    assert "first release that differs: 2.14.0 (last that agrees: 2.13.1)" in out
    assert "2.13.1   [0.0]" in out and "2.14.0   [1.0]" in out
