"""Article 004 with real TensorFlow: rebinding vs assignment ops, checked against hand-derived values."""

from __future__ import annotations

import math

import pytest

from lab.verdict import Verdict
from tests.real_runs import both, run_real, verdicts
from tests.real_runs import observations as obs

IDS = ("rebind-variable", "apply-gradients-update", "assign-sub-update", "assign-ops", "assign-inside-tape")
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
def test_apply_gradients_and_assign_sub_agree_on_minus_a_tenth_per_iteration(outcome, mode) -> None:
    applied, assigned = obs(outcome, "apply-gradients-update", mode), obs(outcome, "assign-sub-update", mode)
    trajectory = [applied[f"value_{k}"] for k in range(1, 11)]
    assert trajectory == [assigned[f"value_{k}"] for k in range(1, 11)]
    assert all(math.isclose(v, -0.1 * k, rel_tol=1e-5) for k, v in enumerate(trajectory, 1))
    assert verdicts(outcome, "apply-gradients-update", 1)[mode] is Verdict.HOLDS
    assert verdicts(outcome, "assign-sub-update", 1)[mode] is Verdict.HOLDS


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
