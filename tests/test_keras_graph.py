"""Keras in a tf.compat.v1 graph with real TensorFlow (Keras 3 locally): optimizers, models, names, defaults."""

from __future__ import annotations

import pytest

from lab.verdict import Verdict
from tests.real_runs import both, run_real, verdicts
from tests.real_runs import observations as obs

IDS = ("keras-optimizer-graph", "keras-model-graph", "keras-name-scope", "init-defaults")


@pytest.fixture(scope="module")
def outcome():
    return run_real(IDS)


def test_keras_3_optimizers_build_an_update_in_a_graph_that_a_session_cannot_run(outcome) -> None:
    graph, eager = obs(outcome, "keras-optimizer-graph", "graph"), obs(outcome, "keras-optimizer-graph", "eager")
    for name in ("SGD", "Adam"):
        assert graph[f"{name}_resource_error"]["type"] == "TypeError"
        assert graph[f"{name}_ref_error"]["type"] == "AttributeError"  # a TF1 reference variable
        assert eager[f"{name}_resource_after"] < eager[f"{name}_resource_before"] == 1.0
    assert eager["SGD_resource_after"] == pytest.approx(0.8)  # 1 - 0.1 * d(v^2)/dv
    assert verdicts(outcome, "keras-optimizer-graph", 1) == {"graph": Verdict.REFUTED, "eager": Verdict.HOLDS}
    assert verdicts(outcome, "keras-optimizer-graph", 3) == {"graph": Verdict.REFUTED, "eager": Verdict.INCONCLUSIVE}


def test_a_keras_model_has_no_weights_until_called_and_keras_3_refuses_compat_v1(outcome) -> None:
    for mode in ("graph", "eager"):
        o = obs(outcome, "keras-model-graph", mode)
        assert (o["variables_after_creation"], o["variables_after_call"]) == (0, 1)
        assert o["compat_v1_optimizer_error"]["kind"] == "exception"
        assert o["compat_v1_layers_error"]["type"] == "AttributeError"
    assert verdicts(outcome, "keras-model-graph", 1) == both(Verdict.REFUTED)
    assert verdicts(outcome, "keras-model-graph", 2) == both(Verdict.HOLDS)
    assert verdicts(outcome, "keras-model-graph", 3) == both(Verdict.REFUTED)


def test_keras_3_names_a_kernel_kernel_whatever_the_name_scope(outcome) -> None:
    for mode in ("graph", "eager"):
        o = obs(outcome, "keras-name-scope", mode)
        assert o["first_kernel_name"] == o["second_kernel_name"] == "kernel"
        assert o["first_kernel_path"] == "layer1/kernel"
    assert verdicts(outcome, "keras-name-scope", 1) == both(Verdict.REFUTED)


def test_the_defaults_are_glorot_uniform_with_a_zero_dense_bias(outcome) -> None:
    for mode in ("graph", "eager"):
        o = obs(outcome, "init-defaults", mode)
        assert o["dense_kernel_784x128"]["max_abs"] == pytest.approx((6 / 912) ** 0.5, rel=0.01)
        assert o["get_variable_kernel_128x10"]["max_abs"] == pytest.approx((6 / 138) ** 0.5, rel=0.02)
    assert [verdicts(outcome, "init-defaults", c)["graph"] for c in range(1, 6)] == [
        Verdict.HOLDS, Verdict.REFUTED, Verdict.REFUTED, Verdict.HOLDS, Verdict.REFUTED]
