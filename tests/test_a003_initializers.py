"""Article 003 (weight initialization) on real TensorFlow: facts checked by hand, verdicts per mode."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lab.guest.measure import truncated_normal_std
from scenarios.a003_initializers import STEPS
from tests.real_runs import run_real

IDS = ["init-zero-symmetry", "init-glorot-formulas", "init-he-formulas", "init-example-glorot-uniform",
       "init-example-he-normal", "init-example-custom", "init-bias-and-conv", "init-depth-activation-scale"]
SEED = 1


@pytest.fixture(scope="module")
def outcome():
    return run_real(IDS, seed=SEED)


@pytest.fixture(scope="module")
def obs(outcome):
    """(scenario, mode) -> observations."""
    assert [r.status for r in outcome.records] == ["ok"] * len(outcome.records)
    return {(r.scenario, r.mode): r.observations for r in outcome.records}


@pytest.fixture(scope="module")
def verdicts(outcome):
    """(scenario, claim number, mode) -> verdict."""
    return {(j.scenario, j.claim, j.mode): j.verdict.value for j in outcome.judgements}


@pytest.mark.parametrize("mode", ["graph", "eager"])
def test_from_all_zeros_only_the_output_bias_learns_as_computed_by_hand(obs, mode) -> None:
    # Zero weights: the hidden layer outputs 0, so no gradient reaches W1 or W2 (for relu and
    # tanh alike); the output is b2 alone and SGD on the MSE moves it to mean(y) geometrically:
    # b2_k = mean(y) (1 - (1 - 2 lr)^k), so after STEPS steps loss = var(y) + mean(y)^2 0.8^(2 STEPS).
    np.random.seed(SEED)
    x = np.random.normal(size=(32, 4)).astype("float32")
    y = np.sin(x @ np.array([[1.0], [-2.0], [0.5], [1.5]])).astype("float32").astype("float64")
    for act in ("relu", "tanh"):
        report = obs[("init-zero-symmetry", mode)][f"zeros_{act}"]
        assert report["w1_change"] == report["w2_change"] == report["unit_spread"] == 0.0
        assert report["loss_first"] == pytest.approx(np.mean(y ** 2), rel=1e-6)
        assert report["loss_last"] == pytest.approx(np.var(y) + np.mean(y) ** 2 * 0.8 ** (2 * STEPS), rel=1e-5)


def test_identical_weights_move_but_stay_identical_and_the_twins_train_the_same_network(obs) -> None:
    graph, eager = obs[("init-zero-symmetry", "graph")], obs[("init-zero-symmetry", "eager")]
    for act in ("relu", "tanh"):
        assert graph[f"constant_{act}"]["unit_spread"] == 0.0 and graph[f"constant_{act}"]["w1_change"] > 0.05
        assert graph[f"random_{act}"]["unit_spread"] > 0.5
    # Same numpy data and starting weights: GradientDescentOptimizer and Keras SGD agree.
    for key in graph:
        g, e = dict(graph[key]), dict(eager[key])
        assert g.pop("losses") == pytest.approx(e.pop("losses"), rel=1e-5)  # approx compares no nested lists
        assert g == pytest.approx(e, rel=1e-5)


@pytest.mark.parametrize("mode", ["graph", "eager"])
def test_glorot_and_he_match_the_formulas_and_their_normals_are_truncated_at_two_sigma(obs, mode) -> None:
    for scenario, prefix, fans in [("init-glorot-formulas", "glorot", 4000), ("init-he-formulas", "he", 2000)]:
        o = obs[(scenario, mode)]
        # Fans 2000x2000, drawn as a (40, 50, 50) kernel: 100,000 values.
        uniform, normal = o[f"{prefix}_uniform_2000x2000"], o[f"{prefix}_normal_2000x2000"]
        assert uniform["n"] == normal["n"] == 100_000
        limit, std = math.sqrt(6 / fans), math.sqrt(2 / fans)
        assert limit * 0.9999 <= uniform["max_abs"] <= limit * (1 + 1e-6)
        assert normal["std"] == pytest.approx(std, rel=1e-2)  # 5 standard errors of a std from 100,000 values
        # The normal is cut at 2 underlying sigmas, rescaled by 1/0.8796 to keep the std.
        cut = 2 * std / truncated_normal_std()
        assert cut * 0.999 <= normal["max_abs"] <= cut * (1 + 1e-6)
        for shape in ("784x128", "2000x2000"):
            fit = o[f"{prefix}_normal_{shape}"]
            assert fit["rejects_normal"] is True and fit["rejects_truncated_normal"] is False
        # 1280 values cannot tell the two apart (sup |F - G| = 0.0167 against a critical 0.062).
        assert o[f"{prefix}_normal_128x10"]["rejects_normal"] is False


def test_verdicts_on_the_formulas(verdicts) -> None:
    for scenario in ("init-glorot-formulas", "init-he-formulas"):
        for mode in ("graph", "eager"):
            assert [verdicts[(scenario, i, mode)] for i in (1, 2, 3, 4)] == ["HOLDS", "HOLDS", "HOLDS", "REFUTED"]


def test_the_examples_run_eagerly_but_numpy_fails_in_a_graph(obs, outcome) -> None:
    for scenario in ("init-example-glorot-uniform", "init-example-he-normal", "init-example-custom"):
        assert obs[(scenario, "eager")]["runs_as_written"] == {"kind": "no_exception"}
        assert obs[(scenario, "graph")]["runs_as_written"] == {
            "kind": "exception", "type": "NotImplementedError",
            "message": "numpy() is only available when eager execution is enabled."}
        assert obs[(scenario, "eager")]["first_layer_kernel_shape"] == [784, 128]
    if outcome.records[0].facts["keras"].startswith("3."):
        assert obs[("init-example-he-normal", "eager")]["warnings"] == [
            ("UserWarning: Do not pass an `input_shape`/`input_dim` argument to a layer. When using Sequential "
             "models, prefer using an `Input(shape)` object as the first layer in the model instead.")]
        # Keras 3 draws from its own seed generator, not the graph's seed: same kernel in both twins.
        assert (obs[("init-example-glorot-uniform", "graph")]["first_layer_kernel"]
                == obs[("init-example-glorot-uniform", "eager")]["first_layer_kernel"])


def test_the_custom_initializer_has_he_uniforms_limit(obs, verdicts) -> None:
    for mode in ("graph", "eager"):
        o = obs[("init-example-custom", mode)]
        for key, fan_in in [("first_layer_kernel", 784), ("second_layer_kernel", 128), ("he_uniform_kernel", 784)]:
            assert 0.999 * math.sqrt(6 / fan_in) <= o[key]["max_abs"] <= math.sqrt(6 / fan_in) * (1 + 1e-6)
        assert o["ks_custom_vs_he_uniform"] < 0.01
        assert [verdicts[("init-example-custom", i, mode)] for i in (2, 3)] == ["HOLDS", "HOLDS"]


def test_the_examples_run_as_written_eagerly_and_are_not_judged_in_a_graph_they_were_never_run_in(
        outcome, verdicts) -> None:
    for scenario in ("init-example-glorot-uniform", "init-example-he-normal", "init-example-custom"):
        assert [verdicts[(scenario, 1, m)] for m in ("graph", "eager")] == ["INCONCLUSIVE", "HOLDS"]
        (reason,) = [j.reason for j in outcome.judgements if (j.scenario, j.claim, j.mode) == (scenario, 1, "graph")]
        assert reason == (
            "not applicable in this mode: the article's examples are TF2 code, run eagerly: it never runs them in a "
            "TF1 graph, where a tensor has no value until a Session runs it; what the reader sees instead: in a graph "
            "the print line raises NotImplementedError: numpy() is only available when eager execution is enabled, "
            "while a Session reads the first layer's 784x128 kernel")


def test_biases_start_at_zero_unless_configured_and_conv_kernels_take_he_normal(obs, verdicts) -> None:
    for mode in ("graph", "eager"):
        o = obs[("init-bias-and-conv", mode)]
        assert o["dense_bias"]["summary"] == {"mean": 0.0, "std": 0.0, "min": 0.0, "max": 0.0}
        assert o["constant_bias"]["values"] == [0.5] * 10
        assert o["conv_kernel_shape"] == [3, 3, 32, 64]
        assert o["conv_kernel"]["std"] == pytest.approx(math.sqrt(2 / 288), rel=0.02)
        assert [verdicts[("init-bias-and-conv", i, mode)] for i in (1, 2, 3)] == ["HOLDS"] * 3


@pytest.mark.parametrize("mode", ["graph", "eager"])
def test_activation_scale_through_depth_follows_the_variance_arithmetic(obs, verdicts, mode) -> None:
    o = obs[("init-depth-activation-scale", mode)]
    # Glorot with fan_in = fan_out keeps Var(z) = E[a^2]; ReLU halves E[a^2] at each layer, so
    # the std shrinks by 1/sqrt(2) per layer: (1/sqrt(2))**49 = 4.2e-8 from layer 1 to 50.
    assert 1e-9 < o["relu_glorot_uniform"]["last_over_first"] < 1e-6 and o["relu_glorot_uniform"]["vanished"]
    assert 0.25 < o["relu_he_normal"]["last_over_first"] < 4
    # N(0, 1) weights multiply E[a^2] by 256 / 2 per ReLU layer: the std by sqrt(128) = 11.3.
    unscaled = o["relu_unscaled_normal"]
    assert unscaled["std_layer_10"] / unscaled["std_layer_1"] == pytest.approx(128 ** 4.5, rel=0.5)
    assert unscaled["std_layer_50"] == "nan" and unscaled["exploded"] is True
    # First tanh layer, z ~ N(0, 256): P(|tanh z| > 0.99) = 2 (1 - Phi(atanh(0.99) / 16)) = 0.869.
    assert o["tanh_unscaled_normal"]["saturated_layer_1"] == pytest.approx(0.869, abs=0.02)
    assert [verdicts[("init-depth-activation-scale", i, mode)] for i in (1, 2, 3, 4)] == ["HOLDS"] * 4
