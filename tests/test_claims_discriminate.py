"""Every claim names its article sentence and is decided by its observations, not by a constant.

Each claim's predicate is judged on the real records of the whole matrix (the committed
baseline). A predicate that a constant could stand in for gives one verdict on every record
where it applies; a real one gives HOLDS on some and REFUTED on others. Where the matrix agrees
everywhere, the records are perturbed (one observation the predicate read, or all of them at
once, or one set equal to another) until a verdict flips: the predicate must read evidence that
decides it both ways. A claim's premise, likewise, must be met on some records or perturbations
and missing on others.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest

from lab.judge import judge_claim
from lab.record import Record
from lab.scenario import load_scenarios
from lab.verdict import Verdict

BASELINE = Path(__file__).parent.parent / "baselines" / "compare-all.json"
DECIDED = (Verdict.HOLDS, Verdict.REFUTED)
SCENARIOS = load_scenarios()


def _records(sid: str) -> List[Record]:
    envs = json.loads(BASELINE.read_text())["envs"]
    out = []
    for env, entry in sorted(envs.items()):
        for mode, trial in sorted(entry["scenarios"].get(sid, {}).get("trials", {}).items()):
            if trial["status"] == "ok":
                out.append(Record(sid, mode, env, trial["seed"], "ok", trial["observations"]))
    return out


def _leaves(value: Any) -> Iterator[Any]:
    """Perturbations of one JSON observation: each leaf changed, and a few changes to the whole."""
    if isinstance(value, bool):
        yield not value
    elif isinstance(value, (int, float)):
        yield from (value + 1, -value, 0, value * 2, value * 1000, value / 1000, 1, -1, None)
    elif isinstance(value, str):
        yield from (value + "_other", "", "Tensor", "model_scope/layer1/kernel:0")
    elif value is None:
        yield from (0.0, 1.0)
    elif isinstance(value, list):
        yield from ([], list(reversed(value)), [value[0]] * len(value) if value else [0.0])
        for i, item in enumerate(value[:8]):
            for changed in _leaves(item):
                yield value[:i] + [changed] + value[i + 1:]
    elif isinstance(value, dict):
        if value.get("kind") == "exception":
            yield {"kind": "no_exception"}
        elif value.get("kind") == "no_exception":
            yield {"kind": "exception", "type": "ValueError", "message": "perturbed"}
        for key, item in value.items():
            if key not in ("kind", "dtype", "shape"):
                for changed in _leaves(item):
                    yield {**value, key: changed}


def _uniform(value: Any, number: float) -> Any:
    """Every number in the observation set to `number` (tensors become constant)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, list, dict)):
        return value
    if isinstance(value, (int, float)):
        return type(value)(number)
    if isinstance(value, list):
        return [_uniform(v, number) for v in value]
    return {k: (v if k in ("kind", "dtype", "shape", "type") else _uniform(v, number)) for k, v in value.items()}


def _flipped(value: Any) -> Any:
    """Every boolean in the observation negated (a test's "rejects", a flag)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, list):
        return [_flipped(v) for v in value]
    if isinstance(value, dict):
        return {k: _flipped(v) for k, v in value.items()}
    return value


def _verdict(sid: str, index: int, record: Record, observations: Dict[str, Any]) -> Verdict:
    claim = SCENARIOS[sid].claims[index - 1]
    altered = Record(record.scenario, record.mode, record.env, record.seed, "ok", observations)
    return judge_claim(index, claim, altered).verdict


def _fields(values: List[Any]) -> Set[str]:
    return {f for v in values if isinstance(v, dict) for f in v if f not in ("kind", "dtype", "shape")}


def _perturbed_from(sid: str, index: int, record: Record, base: Dict[str, Any]) -> Set[Verdict]:
    claim = SCENARIOS[sid].claims[index - 1]
    read = list(judge_claim(index, claim, Record(sid, record.mode, record.env, record.seed, "ok", base)).evidence)
    seen: Set[Verdict] = set()
    for key in read:  # one observation changed
        for changed in _leaves(base[key]):
            seen.add(_verdict(sid, index, record, {**base, key: changed}))
        for other in read:  # one observation equal to another (a weight back at its initial value)
            seen.add(_verdict(sid, index, record, {**base, key: base[other]}))
    # One field changed alike in every observation that has it (a predicate over all([...]) stops
    # reading at the first that fails, so the others must change too).
    for field in _fields([base[k] for k in read]):
        sample = next(base[k][field] for k in read if isinstance(base[k], dict) and field in base[k])
        for changed in _leaves(sample):
            alike = {k: {**v, field: changed} for k, v in base.items() if isinstance(v, dict) and field in v}
            seen.add(_verdict(sid, index, record, {**base, **alike}))
    for number in (0.0, 1.0, 2.0, -1.0):  # every number read set alike
        seen.add(_verdict(sid, index, record, {**base, **{k: _uniform(base[k], number) for k in read}}))
    seen.add(_verdict(sid, index, record, {**base, **{k: _flipped(base[k]) for k in read}}))
    return seen


def _perturbed(sid: str, index: int, record: Record, others: List[Record]) -> Set[Verdict]:
    """Verdicts on perturbations of the record, alone and with the observations of another record
    of the scenario (the other mode, another env) put in its place: a pair where it must differ."""
    seen: Set[Verdict] = set()
    bases = [dict(record.observations)] + [{**record.observations, **o.observations} for o in others]
    for base in bases:
        seen |= _perturbed_from(sid, index, record, base)
        if set(DECIDED) <= seen:
            break
    return seen


CLAIMS: List[Tuple[str, int]] = [(sid, i) for sid, s in sorted(SCENARIOS.items()) for i in range(1, len(s.claims) + 1)]


@pytest.mark.parametrize(("sid", "index"), CLAIMS, ids=[f"{sid}#{i}" for sid, i in CLAIMS])
def test_the_claim_quotes_its_article_and_its_predicate_is_no_constant(sid: str, index: int) -> None:
    claim = SCENARIOS[sid].claims[index - 1]
    assert claim.quote.strip(), f"{sid} #{index} names no article sentence (quote=...)"
    records = [r for r in _records(sid) if not claim.not_applicable(r.mode.value)]
    assert records, f"{sid} #{index}: no finished record in the baseline where it applies"
    verdicts = {judge_claim(index, claim, r).verdict for r in records}
    for record in records:
        if set(DECIDED) <= verdicts:
            break
        verdicts |= _perturbed(sid, index, record, [r for r in _records(sid) if r is not record])
    assert set(DECIDED) <= verdicts, (f"{sid} #{index} ({claim.text}): only {sorted(v.value for v in verdicts)} "
                                      "on the matrix's records and their perturbations: a constant would do")


@pytest.mark.parametrize("constant", [True, False])
def test_the_check_rejects_a_constant_put_in_place_of_a_predicate(constant: bool, monkeypatch) -> None:
    import dataclasses

    for sid, index in CLAIMS[::9]:
        scenario = SCENARIOS[sid]
        claims = list(scenario.claims)
        claims[index - 1] = dataclasses.replace(claims[index - 1], check=lambda o: constant)
        monkeypatch.setitem(SCENARIOS, sid, dataclasses.replace(scenario, claims=tuple(claims)))
        with pytest.raises(AssertionError, match="a constant would do"):
            test_the_claim_quotes_its_article_and_its_predicate_is_no_constant(sid, index)
        monkeypatch.setitem(SCENARIOS, sid, scenario)


def _premise_outcomes(premise: Any, observations: Dict[str, Any]) -> Set[bool]:
    from lab.judge import Observations

    try:
        return {bool(premise.occurred(Observations(observations)))}
    except Exception:  # a perturbation the premise cannot read says nothing either way
        return set()


def _premise_read(premise: Any, observations: Dict[str, Any]) -> List[str]:
    from lab.judge import Observations

    seen = Observations(observations)
    premise.occurred(seen)
    return seen.read


PREMISED = [(sid, i) for sid, i in CLAIMS if SCENARIOS[sid].claims[i - 1].premise is not None]


@pytest.mark.parametrize(("sid", "index"), PREMISED, ids=[f"{sid}#{i}" for sid, i in PREMISED])
def test_the_claims_premise_is_decided_by_its_observations_both_ways(sid: str, index: int) -> None:
    # A premise that a constant could stand in for would never leave a claim INCONCLUSIVE, or always.
    premise = SCENARIOS[sid].claims[index - 1].premise
    seen: Set[bool] = set()
    records = _records(sid)
    for record in records:
        bases = [dict(record.observations)] + [{**record.observations, **o.observations} for o in records]
        for base in bases:
            seen |= _premise_outcomes(premise, base)
            for key in _premise_read(premise, base) if _premise_outcomes(premise, base) else []:
                for changed in _leaves(base[key]):
                    seen |= _premise_outcomes(premise, {**base, key: changed})
            if seen == {True, False}:
                return
    assert seen == {True, False}, f"{sid} #{index}: premise {premise.text!r} only ever {seen}"
