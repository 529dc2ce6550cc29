"""Article 004 with real TensorFlow: rebinding vs assignment ops, checked against hand-derived values."""

from __future__ import annotations

import math

import pytest

from lab.verdict import Verdict
from tests.real_runs import both, run_real, verdicts
from tests.real_runs import observations as obs

IDS = ("rebind-variable", "apply-gradients-update", "assign-sub-update", "assign-ops", "assign-inside-tape",
       "rebind-variable-square-loss", "rebind-variable-tf-function", "rebind-variable-train-step",
       "assign-sub-deferred")
MODES = ("graph", "eager")


@pytest.fixture(scope="module")
def outcome():
    return run_real(IDS)


@pytest.mark.parametrize("mode", MODES)
def test_rebinding_runs_all_ten_iterations_and_counts_down_by_the_unit_gradient(outcome, mode) -> None:
    # d(t)/dt is 1 even for the rebound tensor, so the printed value is -k, not static.
    o = obs(outcome, "rebind-variable", mode)
    assert o["iterations_completed"] == 10
    assert [o[f"gradient_{k}"] for k in range(1, 11)] == [1.0] * 10
    assert [o[f"value_{k}"] for k in range(1, 11)] == [-float(k) for k in range(1, 11)]
    assert all(o[f"error_{k}"] == {"kind": "no_exception"} for k in range(1, 11))
    assert o["original_after_loop"] == 0.0


def test_rebinding_leaves_a_tensor_behind_the_name(outcome) -> None:
    assert obs(outcome, "rebind-variable", "eager")["type_1"] == "EagerTensor"
    assert obs(outcome, "rebind-variable", "eager")["type_before_loop"] == "ResourceVariable"
    assert obs(outcome, "rebind-variable", "graph")["type_before_loop"] == "RefVariable"
    assert verdicts(outcome, "rebind-variable", 1) == both(Verdict.HOLDS)
    assert verdicts(outcome, "rebind-variable", 2) == both(Verdict.HOLDS)
    assert verdicts(outcome, "rebind-variable", 3) == both(Verdict.REFUTED)


@pytest.mark.parametrize("mode", MODES)
def test_assign_sub_takes_minus_a_tenth_per_iteration(outcome, mode) -> None:
    assigned = obs(outcome, "assign-sub-update", mode)
    assert all(math.isclose(assigned[f"value_{k}"], -0.1 * k, rel_tol=1e-5) for k in range(1, 11))
    assert verdicts(outcome, "assign-sub-update", 1)[mode] is Verdict.HOLDS


def test_the_articles_sgd_applies_gradients_eagerly_and_raises_at_the_session_run_on_keras_3(outcome) -> None:
    applied = obs(outcome, "apply-gradients-update", "eager")
    assert [applied[f"value_{k}"] for k in range(1, 11)] == [obs(outcome, "assign-sub-update", "eager")[f"value_{k}"]
                                                             for k in range(1, 11)]
    assert obs(outcome, "apply-gradients-update", "graph")["training_error"]["type"] == "TypeError"
    assert verdicts(outcome, "apply-gradients-update", 1) == {"graph": Verdict.REFUTED, "eager": Verdict.HOLDS}


def test_with_a_square_loss_the_rebound_tensor_has_no_tape_gradient_on_the_second_iteration(outcome) -> None:
    graph, eager = obs(outcome, "rebind-variable-square-loss", "graph"), obs(outcome, "rebind-variable-square-loss",
                                                                               "eager")
    # loss = (w - 1)^2 at w = 0: gradient -2, so w becomes 2; tf.gradients keeps going (2, 0, 2, ...).
    assert graph["iterations_completed"] == 10 and [graph[f"value_{k}"] for k in (1, 2, 3)] == [2.0, 0.0, 2.0]
    assert eager["iterations_completed"] == 1 and eager["gradient_2"] is None
    assert eager["error_2"]["type"] == "ValueError"
    assert verdicts(outcome, "rebind-variable-square-loss", 1) == both(Verdict.REFUTED)
    assert verdicts(outcome, "rebind-variable-square-loss", 2) == {"graph": Verdict.REFUTED, "eager": Verdict.HOLDS}
    assert verdicts(outcome, "rebind-variable-square-loss", 3) == both(Verdict.HOLDS)


@pytest.mark.parametrize("mode", MODES)
def test_inside_a_tf_function_the_identity_loss_counts_down_and_the_square_loss_raises(outcome, mode) -> None:
    o = obs(outcome, "rebind-variable-tf-function", mode)
    assert o["identity_printed"] == [-float(k) for k in range(1, 11)] and o["original_after_loop"] == 0.0
    assert o["square_error"]["type"] == "ValueError"
    assert [verdicts(outcome, "rebind-variable-tf-function", c)[mode] for c in (1, 2, 3)] == [
        Verdict.REFUTED, Verdict.HOLDS, Verdict.HOLDS]


@pytest.mark.parametrize("mode", MODES)
def test_a_per_call_train_step_starts_from_the_variable_each_call_so_it_prints_minus_one_every_time(outcome,
                                                                                                  mode) -> None:
    # Beside the whole loop in one tf.function (-1, -2, ... -10): each call computes 0.0 - 1.
    o = obs(outcome, "rebind-variable-train-step", mode)
    assert o["iterations_completed"] == 10 and o["original_after_loop"] == 0.0
    assert [o[f"value_{k}"] for k in range(1, 11)] == [-1.0] * 10
    assert [verdicts(outcome, "rebind-variable-train-step", c)[mode] for c in (1, 2)] == [Verdict.HOLDS] * 2


def test_assign_sub_waits_for_the_session_in_a_graph_and_applies_at_once_eagerly(outcome) -> None:
    assert obs(outcome, "assign-sub-deferred", "graph")["value_after_assign_sub_created"] == 0.0
    assert obs(outcome, "assign-sub-deferred", "eager")["value_after_assign_sub_created"] == -1.0
    assert verdicts(outcome, "assign-sub-deferred", 1) == {"graph": Verdict.HOLDS, "eager": Verdict.REFUTED}
    assert verdicts(outcome, "assign-sub-deferred", 2) == both(Verdict.HOLDS)


@pytest.mark.parametrize("mode", MODES)
def test_assign_ops_live_only_under_compat_v1(outcome, mode) -> None:
    o = obs(outcome, "assign-ops", mode)
    for name in ("assign", "assign_add", "assign_sub"):
        assert o[f"tf_has_{name}"] is False
        assert o[f"compat_v1_has_{name}"] is True
    assert o["tf_assign_error"]["type"] == "AttributeError"
    assert [o["after_assign"], o["after_assign_add"], o["after_assign_sub"]] == [5.0, 7.0, 4.0]
    assert verdicts(outcome, "assign-ops", 1)[mode] is Verdict.REFUTED
    assert verdicts(outcome, "assign-ops", 2)[mode] is Verdict.REFUTED
    assert verdicts(outcome, "assign-ops", 3)[mode] is Verdict.HOLDS


@pytest.mark.parametrize("mode", MODES)
def test_assign_sub_after_the_tape_updates_exactly_like_inside_it(outcome, mode) -> None:
    o = obs(outcome, "assign-inside-tape", mode)
    for placement in ("inside", "after"):
        assert o[f"{placement}_error"] == {"kind": "no_exception"}
        assert [o[f"{placement}_gradient_{k}"] for k in (1, 2, 3)] == [1.0, 1.0, 1.0]
        assert all(math.isclose(o[f"{placement}_value_{k}"], -0.1 * k, rel_tol=1e-5) for k in (1, 2, 3))
    assert verdicts(outcome, "assign-inside-tape", 1)[mode] is Verdict.HOLDS
    assert verdicts(outcome, "assign-inside-tape", 2)[mode] is Verdict.REFUTED
    assert verdicts(outcome, "assign-inside-tape", 3)[mode] is Verdict.REFUTED
