"""Confidence intervals over replications: Student-t, and paired differences.

Pure functions over arrays (:mod:`sim.experiments.analysis` applies them to a sweep's
runs table). Replication ``r`` of a sweep uses the same seed at every design point
(common random numbers), so the paired difference removes the noise both runs share;
the Welch interval that ignores the pairing is reported beside it to show the gain.

Sources: Student (1908), "The probable error of a mean", *Biometrika* 6(1); Welch
(1947), "The generalization of Student's problem when several different population
variances are involved", *Biometrika* 34(1-2).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats


def t_interval(values: Any, conf: float = 0.95) -> tuple[float, float, float, float, int]:
    """Mean with a Student-t confidence interval.

    Args:
        values: observations (NaN ignored).
        conf: confidence level in (0, 1).

    Returns:
        ``(mean, low, high, sd, n)``; the bounds are NaN with fewer than 2 observations,
        and equal the mean when every observation is the same.
    """
    if not 0 < conf < 1:
        raise ValueError(f"conf must be in (0, 1), got {conf}")
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return (mean, np.nan, np.nan, np.nan, n)
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + conf / 2, n - 1)) * sd / np.sqrt(n)
    return (mean, mean - half, mean + half, sd, n)


@dataclass(frozen=True)
class PairedComparison:
    """Mean difference ``a - b`` of paired observations, with its confidence interval.

    Attributes:
        outcome: what was compared.
        a: description of the first side.
        b: description of the second side.
        n_pairs: number of pairs (replications sharing a seed).
        mean_a: mean of ``a``.
        mean_b: mean of ``b``.
        mean_diff: mean of ``a - b``.
        sd_diff: standard deviation of the differences.
        ci_low: lower bound of the paired interval.
        ci_high: upper bound of the paired interval.
        p_value: two-sided paired t-test of a zero mean difference.
        unpaired_ci_low: lower bound of the Welch interval that ignores the pairing.
        unpaired_ci_high: upper bound of the Welch interval.
        correlation: correlation of ``a`` and ``b`` across pairs (what pairing exploits).
        conf: confidence level.
    """

    outcome: str
    a: str
    b: str
    n_pairs: int
    mean_a: float
    mean_b: float
    mean_diff: float
    sd_diff: float
    ci_low: float
    ci_high: float
    p_value: float
    unpaired_ci_low: float
    unpaired_ci_high: float
    correlation: float
    conf: float

    def as_dict(self) -> dict[str, Any]:
        """The fields as a mapping (a row of a comparison table)."""
        return asdict(self)


def paired_ci(a: Any, b: Any, conf: float = 0.95) -> dict[str, Any]:
    """Paired mean difference of two equally long samples, with both intervals.

    Pairs where either side is NaN are dropped.

    Args:
        a: first sample (pair ``i`` is ``a[i]``, ``b[i]``).
        b: second sample.
        conf: confidence level.

    Returns:
        ``n_pairs, mean_a, mean_b, mean_diff, sd_diff, ci_low, ci_high, p_value,
        unpaired_ci_low, unpaired_ci_high, correlation``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples must have the same length, got {a.shape} and {b.shape}")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    d = a - b
    mean, low, high, sd, n = t_interval(d, conf)
    result = {
        "n_pairs": n,
        "mean_a": float(a.mean()) if n else np.nan,
        "mean_b": float(b.mean()) if n else np.nan,
        "mean_diff": mean,
        "sd_diff": sd,
        "ci_low": low,
        "ci_high": high,
        "p_value": np.nan,
        "unpaired_ci_low": np.nan,
        "unpaired_ci_high": np.nan,
        "correlation": np.nan,
    }
    if n >= 2:
        if sd > 0:
            t = mean / (sd / np.sqrt(n))
            result["p_value"] = float(2 * stats.t.sf(abs(t), n - 1))
        else:
            result["p_value"] = 1.0 if mean == 0 else 0.0
        va, vb = a.var(ddof=1) / n, b.var(ddof=1) / n
        se = np.sqrt(va + vb)
        if se > 0:
            dof = (va + vb) ** 2 / (va**2 / (n - 1) + vb**2 / (n - 1))
            half = float(stats.t.ppf(0.5 + conf / 2, dof)) * se
        else:
            half = 0.0
        result["unpaired_ci_low"] = float(a.mean() - b.mean() - half)
        result["unpaired_ci_high"] = float(a.mean() - b.mean() + half)
        if a.std() > 0 and b.std() > 0:
            result["correlation"] = float(np.corrcoef(a, b)[0, 1])
    return result
