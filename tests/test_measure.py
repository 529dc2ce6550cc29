"""lab.measure against scipy: the CDFs, KS statistics and critical values twins rely on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lab.guest import measure

stats = pytest.importorskip("scipy.stats")


def test_the_tabulated_normal_cdf_matches_scipy_to_1e_8() -> None:
    z = np.linspace(-10, 10, 100_001)
    assert np.max(np.abs(measure.standard_normal_cdf(z) - stats.norm.cdf(z))) < 1e-8
    assert np.max(np.abs(measure.normal_cdf(z, std=0.3, mean=0.5) - stats.norm.cdf(z, 0.5, 0.3))) < 1e-8


def test_the_truncated_normal_matches_scipy_truncnorm_and_its_std_is_tensorflows_constant() -> None:
    x = np.linspace(-1, 1, 10_001)
    expected = stats.truncnorm(-2, 2, scale=0.25).cdf(x)
    assert np.max(np.abs(measure.truncated_normal_cdf(x, 0.25) - expected)) < 1e-8
    # TensorFlow divides by this constant to keep the std after truncation (init_ops.py).
    assert measure.truncated_normal_std() == pytest.approx(0.87962566103423978, abs=1e-12)
    assert measure.truncated_normal_std(3.0) == pytest.approx(stats.truncnorm(-3, 3).std(), abs=1e-12)


def test_the_uniform_cdf_is_clipped_outside_its_interval() -> None:
    assert measure.uniform_cdf([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0], -1.0, 1.0).tolist() == [0, 0, 0.5, 0.75, 1, 1]


@pytest.mark.parametrize("sample_of", [
    lambda rng: rng.normal(0, 0.1, 5000),
    lambda rng: rng.uniform(-0.1, 0.1, 5000),
    lambda rng: np.round(rng.normal(0, 0.1, 5000).astype(np.float32), 2),  # with ties
], ids=["normal", "uniform", "ties"])
def test_the_one_sample_ks_statistic_is_scipys(sample_of) -> None:
    x = sample_of(np.random.default_rng(7))
    for ours, cdf in [(lambda v: measure.normal_cdf(v, 0.1), stats.norm(0, 0.1).cdf),
                      (lambda v: measure.uniform_cdf(v, -0.1, 0.1), stats.uniform(-0.1, 0.2).cdf),
                      (lambda v: measure.truncated_normal_cdf(v, 0.1), stats.truncnorm(-2, 2, scale=0.1).cdf)]:
        assert measure.ks_statistic(x, ours) == pytest.approx(stats.kstest(x, cdf).statistic, abs=1e-7)


def test_the_two_sample_ks_statistic_is_scipys() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=3000), rng.normal(0.1, 1, size=2000)
    assert measure.ks_two_sample(a, b) == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-12)


def test_critical_values_are_the_asymptotic_kolmogorov_quantiles() -> None:
    assert measure.ks_critical(10_000, alpha=0.01) == pytest.approx(1.6276 / 100, rel=1e-4)
    for alpha in (0.01, 0.001, 1e-4):
        assert measure.ks_critical(1, alpha) == pytest.approx(stats.kstwobign.isf(alpha), rel=1e-3)
    assert measure.ks_critical(100, 0.001, m=300) == pytest.approx(measure.ks_critical(75, 0.001))


def test_fit_report_tells_a_truncated_normal_from_a_normal_with_the_same_std() -> None:
    rng = np.random.default_rng(11)
    std = 0.05
    scale = std / measure.truncated_normal_std()
    truncated = stats.truncnorm(-2, 2, scale=scale).rvs(100_000, random_state=rng)
    report = measure.fit_report(truncated, normal_std=std)
    assert report["n"] == 100_000 and report["std"] == pytest.approx(std, rel=0.01)
    assert report["max_abs"] <= 2 * scale
    assert report["rejects_normal"] is True and report["rejects_truncated_normal"] is False
    assert report["ks_critical"] == pytest.approx(2.2253 / math.sqrt(100_000), rel=1e-4)
    assert set(report) == {"n", "mean", "std", "min", "max", "max_abs", "ks_critical", "ks_normal",
                           "rejects_normal", "ks_truncated_normal", "rejects_truncated_normal", "histogram",
                           "normal_std"}
    assert report["normal_std"] == std


def test_fit_report_against_a_uniform_accepts_it_and_rejects_a_narrower_limit() -> None:
    x = np.random.default_rng(5).uniform(-0.2, 0.2, 50_000).astype(np.float32)
    assert measure.fit_report(x, uniform_limit=0.2)["rejects_uniform"] is False
    assert measure.fit_report(x, uniform_limit=0.19)["rejects_uniform"] is True


def test_results_are_plain_python_values() -> None:
    report = measure.fit_report(np.arange(10, dtype=np.float32), uniform_limit=10.0, normal_std=3.0)
    histogram = report.pop("histogram")
    assert all(type(v) in (int, float, bool) for v in report.values())
    assert {type(v) for v in histogram["counts"]} == {int} and {type(v) for v in histogram["edges"]} == {float}


def test_the_histogram_is_bounded_and_counts_every_value() -> None:
    x = np.random.default_rng(3).normal(0, 0.1, 1_000_000)
    hist = measure.fit_report(x, normal_std=0.1)["histogram"]
    assert len(hist["counts"]) == measure.HISTOGRAM_BINS and len(hist["edges"]) == measure.HISTOGRAM_BINS + 1
    assert sum(hist["counts"]) == x.size
    assert hist["edges"][0] == x.min() and hist["edges"][-1] == x.max()
    # The bins agree with numpy's own histogram of the same range: the counts are the sample's.
    assert hist["counts"] == np.histogram(x, bins=hist["edges"])[0].tolist()
