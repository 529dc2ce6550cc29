"""The trial kind: cache keys follow the scenario's own code, the guest code and the image; the
cache keeps finished trials only; an answer counts only for the very trial asked."""

from __future__ import annotations

import textwrap
from pathlib import Path

from lab.cache import RecordCache
from lab.channel import JobLine
from lab.jobs.trial import TrialKind, scenario_fingerprint
from lab.plan import Trial
from lab.record import Record, Status
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
    kind = TrialKind(real_scenarios)
    sid = "tf1-reinit"
    base = kind.key(Trial(sid, Mode.GRAPH, 1), "tf2.15", "sha256:a")
    assert base == kind.key(Trial(sid, Mode.GRAPH, 1), "tf2.15", "sha256:a")
    others = [kind.key(Trial(sid, Mode.EAGER, 1), "tf2.15", "sha256:a"),
              kind.key(Trial(sid, Mode.GRAPH, 2), "tf2.15", "sha256:a"),
              kind.key(Trial(sid, Mode.GRAPH, 1), "tf2.15", "sha256:b")]
    assert base not in others and len(set(others)) == 3


def test_only_finished_trials_are_cached(tmp_path: Path) -> None:
    cache, kind, trial = RecordCache(tmp_path), TrialKind({}), Trial("s", Mode.GRAPH, 1)
    ok = Record("s", "graph", "e", 1, "ok", {"x": 1})
    cache.put("a" * 64, kind.to_cache(ok) or {})
    assert kind.to_cache(Record("s", "graph", "e", 1, "timeout")) is None
    assert cache.get("a" * 64, lambda data: kind.from_cache(trial, "e", data)) == ok
    assert cache.get("b" * 64, lambda data: kind.from_cache(trial, "e", data)) is None


def test_a_cached_record_of_another_trial_is_a_miss(tmp_path: Path) -> None:
    cache, kind = RecordCache(tmp_path), TrialKind({})
    cache.put("a" * 64, Record("s", "graph", "e", 1, "ok", {"x": 1}).to_dict())
    assert cache.get("a" * 64, lambda data: kind.from_cache(Trial("s", Mode.EAGER, 1), "e", data)) is None
    assert cache.get("a" * 64, lambda data: kind.from_cache(Trial("s", Mode.GRAPH, 1), "other", data)) is None


def test_a_cut_short_cache_file_is_a_miss(tmp_path: Path) -> None:
    cache, kind, trial = RecordCache(tmp_path), TrialKind({}), Trial("s", Mode.GRAPH, 1)
    cache.put("c" * 64, Record("s", "graph", "e", 1, "ok", {"x": 1}).to_dict())
    path = next(tmp_path.rglob("*.json"))
    path.write_text(path.read_text()[:10])
    assert cache.get("c" * 64, lambda data: kind.from_cache(trial, "e", data)) is None


def answer(payload: bytes, ended: str = "exit", code: int = 0, tail: str = "") -> JobLine:
    return JobLine(0, 1, {"job": 0, "attempt": 1, "ended": ended, "code": code, "bytes": len(payload),
                          "tail": tail}, payload)


GOOD = (b'{"scenario": "s", "mode": "graph", "status": "ok", "observations": {"x": 1}, "error": null, '
        b'"facts": {"tensorflow": "2.21.0"}, "duration_s": 0.5}')


def test_an_answer_becomes_the_record_of_the_trial_the_host_planned() -> None:
    record = TrialKind({}).accept(Trial("s", Mode.GRAPH, 7), "tf2.15", [answer(GOOD)], {"image": "lab:x"})
    assert record is not None
    assert (record.env, record.seed, record.status, record.observations) == ("tf2.15", 7, Status.OK, {"x": 1})
    assert record.facts == {"tensorflow": "2.21.0", "image": "lab:x"}


def test_an_answer_about_another_trial_or_out_of_schema_is_refused() -> None:
    kind = TrialKind({})
    assert kind.accept(Trial("s", Mode.EAGER, 1), "e", [answer(GOOD)], {}) is None  # another mode
    assert kind.accept(Trial("t", Mode.GRAPH, 1), "e", [answer(GOOD)], {}) is None  # another scenario
    assert kind.accept(Trial("s", Mode.GRAPH, 1), "e", [answer(GOOD.replace(b'"ok"', b'"fine"'))], {}) is None
    assert kind.accept(Trial("s", Mode.GRAPH, 1), "e", [answer(b"[" * 100000 + b"]" * 100000)], {}) is None


def test_a_child_that_died_without_an_answer_says_how_and_its_last_words() -> None:
    tail = "WARNING: deprecated\nF tensorflow/core/x.cc:12] Check failed: bad shape\n"
    record = TrialKind({}).accept(Trial("s", Mode.GRAPH, 1), "e", [answer(b"", "signal", 6, tail)], {})
    assert record is not None and record.status is Status.CRASHED
    assert "killed by SIGABRT" in record.error["message"] and "Check failed: bad shape" in record.error["message"]
    timed_out = TrialKind({}).accept(Trial("s", Mode.GRAPH, 1), "e", [answer(b"", "timeout")], {})
    assert timed_out is not None and timed_out.status is Status.TIMEOUT


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
