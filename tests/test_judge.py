"""Judging claims on records and comparing graph with eager, driven by the fake runner."""

from __future__ import annotations

from lab.environments.fake import FakeEnvironment
from lab.judge import judge
from lab.pipeline import parse_modes, select
from lab.reports.pairs import mode_diff
from lab.verdict import Verdict
from tests.support import result_of, trials_of

TENSOR_3 = {"kind": "tensor", "dtype": "float32", "shape": [], "values": 3.0}
TENSOR_1 = {"kind": "tensor", "dtype": "float32", "shape": [], "values": 1.0}


def run_fake(scenarios, canned):
    trials = trials_of(select(scenarios, ["fixture-assign"]), parse_modes([]))
    return result_of(FakeEnvironment(canned), scenarios, trials)


def verdicts(outcome, mode):
    return [j.verdict for j in outcome.judgements if j.mode == mode]


def test_truthy_holds_falsy_refutes_and_a_missing_key_is_inconclusive(fixture_scenarios) -> None:
    outcome = run_fake(fixture_scenarios, {("fixture-assign", "graph"): {"after_assign": TENSOR_3},
                                           ("fixture-assign", "eager"): {"after_assign": TENSOR_1}})
    assert verdicts(outcome, "graph") == [Verdict.HOLDS, Verdict.REFUTED, Verdict.INCONCLUSIVE]
    assert verdicts(outcome, "eager") == [Verdict.REFUTED, Verdict.HOLDS, Verdict.INCONCLUSIVE]
    missing = outcome.judgements[2]
    assert missing.reason == "no observation 'never_recorded' in the graph twin"


def test_a_verdict_carries_exactly_the_observations_its_predicate_read(fixture_scenarios) -> None:
    outcome = run_fake(fixture_scenarios, {("fixture-assign", "graph"): {"after_assign": TENSOR_3, "other": 5},
                                           ("fixture-assign", "eager"): {"after_assign": TENSOR_3}})
    assert outcome.judgements[0].evidence == {"after_assign": TENSOR_3}


def test_an_errored_twin_makes_every_claim_inconclusive_with_its_error(fixture_scenarios) -> None:
    outcome = run_fake(fixture_scenarios, {("fixture-assign", "graph"): RuntimeError("boom"),
                                           ("fixture-assign", "eager"): "crashed"})
    assert {j.verdict for j in outcome.judgements} == {Verdict.INCONCLUSIVE}
    assert "graph twin error: RuntimeError: boom" in outcome.judgements[0].reason
    assert "eager twin crashed" in outcome.judgements[3].reason
    assert not all(r.ok for r in outcome.records)


def test_a_predicate_that_raises_is_inconclusive_not_a_crash(fixture_scenarios) -> None:
    scenario = fixture_scenarios["fixture-assign"]
    from lab.record import Record

    # A large tensor keeps only statistics, so value() cannot give the predicate its values.
    large = {"kind": "tensor", "dtype": "float32", "shape": [100], "summary": {"mean": 0.0}}
    record = Record("fixture-assign", "graph", "fake", 1, "ok", {"after_assign": large})
    first = judge(scenario, record)[0]
    assert first.verdict is Verdict.INCONCLUSIVE and "predicate raised" in first.reason


def test_mode_diff_pairs_keys_and_flags_the_one_sided_ones(fixture_scenarios) -> None:
    outcome = run_fake(fixture_scenarios, {("fixture-assign", "graph"): {"a": 1, "b": 2},
                                           ("fixture-assign", "eager"): {"a": 1, "b": 3, "c": 4}})
    diffs = {d.key: d for d in mode_diff(*outcome.records)}
    assert diffs["a"].same and not diffs["b"].same
    assert diffs["c"].in_eager and not diffs["c"].in_graph and not diffs["c"].same


def test_a_claim_not_applicable_in_a_mode_is_inconclusive_there_with_its_reason() -> None:
    from lab.guest.catalog import Claim
    from lab.judge import judge_claim
    from lab.record import Record

    claim = Claim("the node's output is cached", lambda o: o["runs"] == 1, not_in=("eager",), why="no node in eager")
    eager = judge_claim(1, claim, Record("s", "eager", "fake", 1, "ok", {"runs": 1}))
    graph = judge_claim(1, claim, Record("s", "graph", "fake", 1, "ok", {"runs": 3}))
    assert (eager.verdict, eager.reason) == (Verdict.INCONCLUSIVE, "not applicable in this mode: no node in eager")
    assert graph.verdict is Verdict.REFUTED


def test_an_undecided_predicate_is_inconclusive_with_its_reason() -> None:
    from lab.guest.catalog import Claim
    from lab.guest.predicates import unless_raised
    from lab.judge import judge_claim
    from lab.record import Record

    claim = Claim("the loop trains", unless_raised("error", lambda o: o["trained"], "the loop"))
    raised = {"error": {"kind": "exception", "type": "TypeError", "message": "no fetch"}}
    judged = judge_claim(1, claim, Record("s", "graph", "fake", 1, "ok", raised))
    assert (judged.verdict, judged.reason) == (Verdict.INCONCLUSIVE, "the loop raised TypeError: no fetch")
    ran = {"error": {"kind": "no_exception"}, "trained": True}
    assert judge_claim(1, claim, Record("s", "graph", "fake", 1, "ok", ran)).verdict is Verdict.HOLDS
