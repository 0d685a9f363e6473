"""The flywheel meter: measured elasticities of the links of the loop and its gain.

The flywheel (Bezos' napkin sketch, CONCEPTS section 3) is two loops through traffic:

- selection loop: traffic -> sellers -> selection -> traffic;
- scale loop: traffic (volume) -> cost -> price -> traffic.

Each link is an elasticity, the % response of its head to a 1% change of its tail.
The gain of a loop is the product of its links' elasticities (a 1% rise of traffic
comes back round as ``gain`` % more traffic; Sterman 2000, *Business Dynamics*, ch. 5,
on loop polarity and gain). The two loops meet at traffic, so their gains add: the
flywheel's loop gain. A positive gain means the loop reinforces itself; the larger it
is, the harder the flywheel turns.

Links are measured two ways, both from what the model does, never from its formulas:
links that are consumers' responses (price -> traffic, selection -> traffic) by a demand
experiment on a panel of consumers (shock by ``+-h`` in logs, measure the response);
links that unfold through other agents' behaviour over time (traffic -> sellers,
sellers -> selection, volume -> cost, cost -> price) by the slope of ``ln y`` on
``ln x`` over a rolling window of quarters.
"""

from __future__ import annotations

import numpy as np


def log_log_slope(x: np.ndarray, y: np.ndarray, min_log_spread: float = 0.0) -> float:
    """Least-squares slope of ``ln y`` on ``ln x``: the elasticity of y with respect to x.

    For ``y = A x**b`` the slope is exactly ``b``.

    Args:
        x: positive values of the driver.
        y: positive values of the response.
        min_log_spread: the standard deviation of ``ln x`` below which the slope is not
            identified (returns NaN).

    Returns:
        The elasticity, or NaN when fewer than three usable points or too little spread.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    usable = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if usable.sum() < 3:
        return float("nan")
    lx, ly = np.log(x[usable]), np.log(y[usable])
    spread = lx.std()
    if spread <= 0 or spread < min_log_spread:
        return float("nan")
    dx = lx - lx.mean()
    return float(dx @ (ly - ly.mean()) / (dx @ dx))


def experiment_elasticity(response_down: float, response_up: float, shock: float) -> float:
    """Elasticity from a symmetric experiment: ``(ln R(+h) - ln R(-h)) / (2 h)``.

    Args:
        response_down: response after the driver is scaled by ``exp(-h)``.
        response_up: response after the driver is scaled by ``exp(+h)``.
        shock: ``h`` > 0.

    Returns:
        The elasticity, NaN when a response is not positive.
    """
    if shock <= 0:
        raise ValueError(f"shock must be > 0, got {shock}")
    if response_down <= 0 or response_up <= 0:
        return float("nan")
    return float((np.log(response_up) - np.log(response_down)) / (2.0 * shock))


def loop_gain(*elasticities: float) -> float:
    """Gain of one loop: the product of its links' elasticities (NaN if any is NaN)."""
    return float(np.prod(np.asarray(elasticities, dtype=float)))


def flywheel_gain(*loop_gains: float) -> float:
    """Gain of loops that meet at one node: their sum, over the loops that are measured.

    Returns:
        The sum of the finite gains, NaN when none is finite.
    """
    gains = np.asarray(loop_gains, dtype=float)
    finite = np.isfinite(gains)
    return float(gains[finite].sum()) if finite.any() else float("nan")
