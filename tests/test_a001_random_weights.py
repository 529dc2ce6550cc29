"""Article 001 with real TensorFlow: what happens to intended weights, checked against hand-derived facts."""

from __future__ import annotations

import math

import pytest

from lab.guest.predicates import flat, value
from lab.scenario import Mode
from lab.verdict import Verdict
from tests.real_runs import observations as obs
from tests.real_runs import run_real, verdicts

IDS = ("uninit-no-initial-value", "uninit-read-before-init", "rebind-weights-in-loop", "assign-keeps-variable",
       "rebind-after-training", "scoped-weights", "scoped-naming-hierarchy")
X, Y, LR = [1.0, 2.0, 3.0], [1.0, 0.0], 0.1


@pytest.fixture(scope="module")
def outcome():
    return run_real(IDS)


def both(graph, eager):
    return {"graph": graph, "eager": eager}


def hand_gradient(weights):
    """d/dW of mean((x W - y)^2) over the two outputs: x_i * (x W - y)_j (the 2/n factor is 1)."""
    w = value(weights)
    residual = [sum(X[i] * w[i][j] for i in range(3)) - Y[j] for j in range(2)]
    return [[X[i] * residual[j] for j in range(2)] for i in range(3)]


def approx(a, b, rel=1e-5):
    xs, ys = flat(a), flat(b)
    return len(xs) == len(ys) and all(math.isclose(p, q, rel_tol=rel, abs_tol=1e-6) for p, q in zip(xs, ys))


def test_a_variable_without_an_initial_value_cannot_be_created_in_either_mode(outcome) -> None:
    for mode in Mode:
        caught = obs(outcome, "uninit-no-initial-value", mode.value)["declare_without_initial_value"]
        assert caught["kind"] == "exception" and caught["type"] == "ValueError"
        assert "initial_value" in caught["message"]
    assert verdicts(outcome, "uninit-no-initial-value", 1) == both(Verdict.REFUTED, Verdict.REFUTED)
    assert verdicts(outcome, "uninit-no-initial-value", 2) == both(Verdict.HOLDS, Verdict.HOLDS)


def test_the_fix_draws_standard_normal_weights(outcome) -> None:
    for mode in Mode:
        fixed = obs(outcome, "uninit-no-initial-value", mode.value)["fixed_weights"]
        assert fixed["shape"] == [784, 10] and abs(fixed["summary"]["std"] - 1.0) < 0.05
    assert verdicts(outcome, "uninit-no-initial-value", 3) == both(Verdict.HOLDS, Verdict.HOLDS)


def test_reading_before_the_initializer_raises_in_graph_and_gives_the_initial_value_in_eager(outcome) -> None:
    graph = obs(outcome, "uninit-read-before-init", "graph")
    eager = obs(outcome, "uninit-read-before-init", "eager")
    assert graph["read_before_init"]["type"] == "FailedPreconditionError" and "value_before_init" not in graph
    assert value(graph["reported_uninitialized"]) == ["weights"] and graph["initialized_before_init"] is False
    assert value(eager["value_before_init"]) == [[0.0, 0.0]] * 3 and eager["initialized_before_init"] is True
    assert verdicts(outcome, "uninit-read-before-init", 1) == both(Verdict.HOLDS, Verdict.REFUTED)
    # Never arbitrary memory: graph refuses the read; eager has no uninitialized variable to read.
    assert verdicts(outcome, "uninit-read-before-init", 3) == both(Verdict.REFUTED, Verdict.INCONCLUSIVE)


def test_rebinding_the_name_leaves_the_variable_untouched(outcome) -> None:
    for mode in Mode:
        o = obs(outcome, "rebind-weights-in-loop", mode.value)
        assert o["variable_after_loop"] == o["variable_before_loop"]
        assert o["rebound_is_variable"] is False
    assert verdicts(outcome, "rebind-weights-in-loop", 1) == both(Verdict.REFUTED, Verdict.REFUTED)
    assert verdicts(outcome, "rebind-weights-in-loop", 2) == both(Verdict.HOLDS, Verdict.HOLDS)


def test_the_rebound_tensor_gets_a_graph_gradient_but_no_tape_gradient_and_cannot_be_applied(outcome) -> None:
    graph = obs(outcome, "rebind-weights-in-loop", "graph")
    eager = obs(outcome, "rebind-weights-in-loop", "eager")
    # tf.gradients differentiates w.r.t. any graph tensor; a tape only watches variables.
    assert graph["gradient_is_none"] is False and eager["gradient_is_none"] is True
    assert graph["apply_gradients_to_rebound"]["kind"] == "exception"
    assert graph["rebound_type"] in ("Tensor", "SymbolicTensor") and eager["rebound_type"] == "EagerTensor"


def test_assign_and_apply_gradients_take_the_sgd_step_computed_by_hand(outcome) -> None:
    for mode in (Mode.EAGER,):  # in a graph, Keras 3's SGD raises at the session run (checked below)
        o = obs(outcome, "assign-keeps-variable", mode.value)
        g1 = hand_gradient(o["initial"])
        assert approx(o["gradient_1"], g1)
        step1 = [[w - LR * g for w, g in zip(rw, rg)] for rw, rg in zip(value(o["initial"]), g1)]
        assert approx(o["after_assign"], step1)
        g2 = hand_gradient(o["after_assign"])
        assert approx(o["gradient_2"], g2)
        step2 = [[w - LR * g for w, g in zip(rw, rg)] for rw, rg in zip(step1, g2)]
        assert approx(o["after_apply_gradients"], step2, rel=1e-4)
        assert o["name"] == o["name_after_apply_gradients"] == "weights:0"
    for claim in (1, 2):
        assert verdicts(outcome, "assign-keeps-variable", claim) == both(Verdict.HOLDS, Verdict.HOLDS)
    graph = obs(outcome, "assign-keeps-variable", "graph")
    assert graph["apply_gradients_run_error"]["type"] == "TypeError"  # a Keras 3 variable is no Session fetch
    assert graph["after_apply_gradients"] == graph["after_assign"]
    assert verdicts(outcome, "assign-keeps-variable", 3) == both(Verdict.REFUTED, Verdict.HOLDS)


def test_the_trained_value_survives_a_later_rebinding(outcome) -> None:
    for mode in (Mode.EAGER,):
        o = obs(outcome, "rebind-after-training", mode.value)
        g = hand_gradient(o["initial"])
        trained = [[w - LR * d for w, d in zip(rw, rg)] for rw, rg in zip(value(o["initial"]), g)]
        assert approx(o["after_training_step"], trained)
        assert o["variable_after_rebind"] == o["after_training_step"]
    assert verdicts(outcome, "rebind-after-training", 1) == both(Verdict.REFUTED, Verdict.REFUTED)


def test_name_scopes_prefix_variable_names_in_both_modes(outcome) -> None:
    for mode in Mode:
        o = obs(outcome, "scoped-weights", mode.value)
        assert (o["weights1_name"], o["weights2_name"]) == ("model_scope/weights:0", "another_scope/weights:0")
        assert set(flat(o["weights1"])) == {0.0}
    assert verdicts(outcome, "scoped-weights", 1) == both(Verdict.HOLDS, Verdict.HOLDS)
    # Two variables of one name in one scope are two variables as well: the scopes are not why.
    assert verdicts(outcome, "scoped-weights", 2) == both(Verdict.REFUTED, Verdict.REFUTED)


def test_a_variable_from_another_scope_whose_initializer_did_not_run_cannot_be_read(outcome) -> None:
    assert obs(outcome, "scoped-weights", "graph")["read_uninitialized_weights2"]["type"] == "FailedPreconditionError"
    assert verdicts(outcome, "scoped-weights", 3) == both(Verdict.HOLDS, Verdict.HOLDS)
    assert verdicts(outcome, "scoped-weights", 4) == both(Verdict.REFUTED, Verdict.INCONCLUSIVE)


def test_graph_uniquifies_repeated_names_and_eager_does_not(outcome) -> None:
    graph = obs(outcome, "scoped-naming-hierarchy", "graph")
    eager = obs(outcome, "scoped-naming-hierarchy", "eager")
    assert graph["second_model_layer1_name"] == "model_scope_1/layer1/weights:0"
    assert eager["second_model_layer1_name"] == eager["layer1_name"] == "model_scope/layer1/weights:0"
    assert (graph["unscoped_a_name"], graph["unscoped_b_name"]) == ("weights:0", "weights_1:0")
    assert eager["unscoped_a_name"] == eager["unscoped_b_name"] == "weights:0"
    assert verdicts(outcome, "scoped-naming-hierarchy", 2) == both(Verdict.HOLDS, Verdict.REFUTED)
    assert verdicts(outcome, "scoped-naming-hierarchy", 3) == both(Verdict.REFUTED, Verdict.HOLDS)
