"""The record cache: keys follow the scenario's own code, the guest code and the image."""

from __future__ import annotations

import textwrap
from pathlib import Path

from lab.cache import RecordCache, TrialKeys, scenario_fingerprint
from lab.plan import Trial
from lab.record import Record
from lab.scenario import Mode, load_scenarios

MODULE = '''
from lab.scenario import Claim, Source, scenario
S = Source("a.txt", "Example")
SCALE = 1.0


@scenario("first", source=S)
class First:
    """First."""
    def graph(tf, obs): obs.record("x", 1 * SCALE)
    def eager(tf, obs): obs.record("x", 1 * SCALE)


@scenario("second", source=S)
class Second:
    """Second."""
    def graph(tf, obs): obs.record("x", 2)
    def eager(tf, obs): obs.record("x", 2)
'''


def fingerprints(tmp_path: Path, text: str) -> dict:
    directory = tmp_path / f"v{len(list(tmp_path.iterdir()))}"
    directory.mkdir()
    (directory / "mod.py").write_text(textwrap.dedent(text))
    return {sid: scenario_fingerprint(s) for sid, s in load_scenarios([directory]).items()}


def test_editing_one_scenario_changes_only_its_fingerprint(tmp_path: Path) -> None:
    before = fingerprints(tmp_path, MODULE)
    after = fingerprints(tmp_path, MODULE.replace('obs.record("x", 2)', 'obs.record("x", 3)'))
    assert after["first"] == before["first"] and after["second"] != before["second"]


def test_editing_what_the_module_shares_changes_every_fingerprint(tmp_path: Path) -> None:
    before = fingerprints(tmp_path, MODULE)
    after = fingerprints(tmp_path, MODULE.replace("SCALE = 1.0", "SCALE = 2.0"))
    assert after["first"] != before["first"] and after["second"] != before["second"]


def test_keys_differ_by_image_mode_and_seed(real_scenarios) -> None:
    keys = TrialKeys()
    s = real_scenarios["tf1-reinit"]
    base = keys.key(s, Trial(s.id, Mode.GRAPH, 1), "tf2.15", "sha256:a")
    assert base == keys.key(s, Trial(s.id, Mode.GRAPH, 1), "tf2.15", "sha256:a")
    others = [keys.key(s, Trial(s.id, Mode.EAGER, 1), "tf2.15", "sha256:a"),
              keys.key(s, Trial(s.id, Mode.GRAPH, 2), "tf2.15", "sha256:a"),
              keys.key(s, Trial(s.id, Mode.GRAPH, 1), "tf2.15", "sha256:b")]
    assert base not in others and len(set(others)) == 3


def test_only_finished_trials_are_cached(tmp_path: Path) -> None:
    cache = RecordCache(tmp_path)
    ok = Record("s", "graph", "e", 1, "ok", {"x": 1})
    cache.put("a" * 64, ok)
    cache.put("b" * 64, Record("s", "graph", "e", 1, "timeout"))
    assert cache.get("a" * 64) == ok
    assert cache.get("b" * 64) is None


def test_a_cut_short_cache_file_is_a_miss(tmp_path: Path) -> None:
    cache = RecordCache(tmp_path)
    cache.put("c" * 64, Record("s", "graph", "e", 1, "ok", {"x": 1}))
    path = next(tmp_path.rglob("*.json"))
    path.write_text(path.read_text()[:10])
    assert cache.get("c" * 64) is None


def test_a_helper_module_beside_a_scenario_is_importable_and_in_its_key(tmp_path) -> None:
    (tmp_path / "_shared.py").write_text("START = 4.0\n")
    (tmp_path / "uses_helper.py").write_text(
        "from _shared import START\n\nfrom lab.guest import Source, scenario\n\n\n"
        "@scenario('uses-helper', source=Source('x.txt', 'helper'))\nclass UsesHelper:\n"
        "    \"\"\"Reads a constant from the helper beside it.\"\"\"\n\n"
        "    def graph(tf, obs):\n        obs.record('v', START)\n\n"
        "    def eager(tf, obs):\n        obs.record('v', START)\n")
    scenario = load_scenarios([tmp_path])["uses-helper"]
    before = scenario_fingerprint(scenario)
    (tmp_path / "_shared.py").write_text("START = 5.0\n")
    assert scenario_fingerprint(scenario) != before
