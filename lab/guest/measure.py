"""Guest-side measurements twins may import: summaries and Kolmogorov-Smirnov tests, numpy only.

The container images have numpy but not scipy, so the normal CDF is built here from math.erf.
Everything returns plain Python floats and bools, ready for obs.record(). numpy is imported
inside the functions, so the host can import this module (and load scenarios) without it.
Python 3.9 compatible: it runs in the TF 2.5 image.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, Optional, Tuple

ALPHA = 1e-4
"""Default significance level: small, so a sample from the right distribution is rejected once
in ten thousand tests and verdicts stay stable across seeds and environments, while a wrong one
(a truncated normal for a normal: sup |F - G| = 0.0167) is still rejected from 100k values on."""

TRUNCATION = 2.0
"""Where TensorFlow's truncated normal cuts: at two standard deviations of the underlying normal."""

# The standard normal CDF is tabulated with math.erf on [-_Z_MAX, _Z_MAX] and interpolated
# linearly: with step h the error is at most h**2 / 8 * max|phi'| < 1e-8, far below any KS
# critical value used here; beyond the table Phi is within 1e-19 of 0 or 1.
_Z_MAX = 9.0
_Z_STEPS = 36000
_table: Optional[Tuple[Any, Any]] = None


def _phi_table() -> Tuple[Any, Any]:
    global _table
    if _table is None:
        import numpy as np

        z = np.linspace(-_Z_MAX, _Z_MAX, _Z_STEPS + 1)
        p = np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in z])
        _table = (z, p)
    return _table


def standard_normal_cdf(z: Any) -> Any:
    """Phi(z) element-wise, for a number or an array."""
    import numpy as np

    grid, p = _phi_table()
    return np.interp(np.asarray(z, dtype=np.float64), grid, p)


def normal_cdf(x: Any, std: float = 1.0, mean: float = 0.0) -> Any:
    """CDF of N(mean, std**2)."""
    import numpy as np

    return standard_normal_cdf((np.asarray(x, dtype=np.float64) - mean) / std)


def uniform_cdf(x: Any, low: float, high: float) -> Any:
    """CDF of the uniform distribution on [low, high]."""
    import numpy as np

    return np.clip((np.asarray(x, dtype=np.float64) - low) / (high - low), 0.0, 1.0)


def truncated_normal_std(bound: float = TRUNCATION) -> float:
    """Standard deviation of N(0, 1) truncated to [-bound, bound] (0.8796... for bound 2)."""
    mass = math.erf(bound / math.sqrt(2.0))
    density = math.exp(-bound * bound / 2.0) / math.sqrt(2.0 * math.pi)
    return math.sqrt(1.0 - 2.0 * bound * density / mass)


def truncated_normal_cdf(x: Any, scale: float, bound: float = TRUNCATION) -> Any:
    """CDF of N(0, scale**2) truncated to [-bound * scale, bound * scale] (scipy's truncnorm(-b, b, scale=s))."""
    import numpy as np

    z = np.clip(np.asarray(x, dtype=np.float64) / scale, -bound, bound)
    low = float(standard_normal_cdf(-bound))
    high = float(standard_normal_cdf(bound))
    return (standard_normal_cdf(z) - low) / (high - low)


def ks_statistic(sample: Any, cdf: Callable[[Any], Any], presorted: bool = False) -> float:
    """One-sample Kolmogorov-Smirnov statistic D = sup |F_n(x) - F(x)|, as scipy's kstest."""
    import numpy as np

    x = np.asarray(sample, dtype=np.float64).ravel()
    if not presorted:
        x = np.sort(x)
    n = x.size
    f = cdf(x)
    d_plus = np.max(np.arange(1, n + 1) / n - f)
    d_minus = np.max(f - np.arange(0, n) / n)
    return float(max(d_plus, d_minus))


def ks_critical(n: int, alpha: float = ALPHA, m: Optional[int] = None) -> float:
    """Asymptotic KS critical value c(alpha) / sqrt(n) (two-sample: c * sqrt((n + m) / (n m))).

    c(alpha) = sqrt(-ln(alpha / 2) / 2): 1.63 for alpha 0.01, 1.95 for 0.001, 2.23 for 1e-4.
    D above it rejects.
    """
    c = math.sqrt(-math.log(alpha / 2.0) / 2.0)
    effective = n if m is None else n * m / (n + m)
    return c / math.sqrt(effective)


def ks_two_sample(a: Any, b: Any) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: sup |F_a(x) - F_b(x)| (scipy's ks_2samp)."""
    import numpy as np

    xa = np.sort(np.asarray(a, dtype=np.float64).ravel())
    xb = np.sort(np.asarray(b, dtype=np.float64).ravel())
    points = np.concatenate([xa, xb])
    fa = np.searchsorted(xa, points, side="right") / xa.size
    fb = np.searchsorted(xb, points, side="right") / xb.size
    return float(np.max(np.abs(fa - fb)))


def describe(sample: Any) -> Dict[str, Any]:
    """n, mean, std (population), min, max and max |x| of a sample, as plain Python numbers."""
    import numpy as np

    x = np.asarray(sample, dtype=np.float64).ravel()
    return {"n": int(x.size), "mean": float(x.mean()), "std": float(x.std()),
            "min": float(x.min()), "max": float(x.max()), "max_abs": float(np.abs(x).max())}


HISTOGRAM_BINS = 50
"""Bins of the histogram a fit_report keeps: enough to see a truncated normal's cut-off edges,
small enough (about 100 numbers) that a record holding a dozen of them stays small."""


def histogram(sample: Any, bins: int = HISTOGRAM_BINS) -> Dict[str, Any]:
    """Counts and edges of `bins` equal bins over [min, max]: the drawn values, bounded in size,
    for the report's plots (the sample itself is too large to keep)."""
    import numpy as np

    counts, edges = np.histogram(np.asarray(sample, dtype=np.float64).ravel(), bins=bins)
    return {"counts": [int(c) for c in counts], "edges": [float(e) for e in edges]}


def fit_report(sample: Any, uniform_limit: Optional[float] = None, normal_std: Optional[float] = None,
               alpha: float = ALPHA) -> Dict[str, Any]:
    """describe(sample), plus KS statistics against the named candidates and whether each rejects,
    the candidates' parameters, and a histogram of the sample.

    uniform_limit: against U(-limit, limit). normal_std: against N(0, std**2) and against the
    truncated normal TensorFlow draws from (cut at +-2 underlying sigma, rescaled so that its
    std is still normal_std).
    """
    import numpy as np

    x = np.sort(np.asarray(sample, dtype=np.float64).ravel())
    out = describe(x)
    out["ks_critical"] = ks_critical(x.size, alpha)
    out["histogram"] = histogram(x)
    candidates: Dict[str, Callable[[Any], Any]] = {}
    if uniform_limit is not None:
        limit = out["uniform_limit"] = float(uniform_limit)  # the report draws the density from it
        candidates["uniform"] = lambda v: uniform_cdf(v, -limit, limit)
    if normal_std is not None:
        out["normal_std"] = float(normal_std)
        std, scale = normal_std, normal_std / truncated_normal_std()
        candidates["normal"] = lambda v: normal_cdf(v, std)
        candidates["truncated_normal"] = lambda v: truncated_normal_cdf(v, scale)
    for name, cdf in candidates.items():
        d = ks_statistic(x, cdf, presorted=True)
        out[f"ks_{name}"] = d
        out[f"rejects_{name}"] = d > out["ks_critical"]
    return out


# Readers of a fit_report, for claims: plain Python, so they also run on the host.


def spans(fit: Dict[str, Any], limit: float, fill: float = 0.99) -> bool:
    """All values lie in [-limit, limit] (up to float32 rounding) and the largest |x| reaches `fill` of it.

    For n uniform draws, max |x| < 0.99 limit has probability 0.99**n: 3e-6 for n = 1280.
    """
    return fill * limit <= fit["max_abs"] <= limit * (1 + 1e-6)


def std_matches(fit: Dict[str, Any], std: float) -> bool:
    """Mean 0 and standard deviation `std`, within sampling error.

    The mean within 5 standard errors (std / sqrt(n)) of 0; the std within 3 / sqrt(n) of
    `std`, relative: over 4 standard errors of a normal sample's std (1 / sqrt(2 n)).
    """
    n = fit["n"]
    return abs(fit["mean"]) <= 5 * std / math.sqrt(n) and abs(fit["std"] / std - 1) <= 3 / math.sqrt(n)
