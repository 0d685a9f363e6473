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


def one_sided_elasticity(response: float, response_up: float, shock: float) -> float:
    """Elasticity from a one-sided experiment: ``(ln R(+h) - ln R(0)) / h``.

    Used where the unshocked response is already known (the decision itself), so one
    experiment does the work of two; its error is ``O(h)`` where the symmetric
    experiment's is ``O(h**2)`` (for ``R = A x**b`` both are exactly ``b``).

    Args:
        response: response at the driver as it is.
        response_up: response after the driver is scaled by ``exp(+h)``.
        shock: ``h`` > 0.

    Returns:
        The elasticity, NaN when a response is not positive.
    """
    if shock <= 0:
        raise ValueError(f"shock must be > 0, got {shock}")
    if response <= 0 or response_up <= 0:
        return float("nan")
    return float((np.log(response_up) - np.log(response)) / shock)


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


def cost_at_scale(
    wright_cost: float,
    cumulative_units: float,
    reference_units: float,
    progress_ratio: float,
    scale: float,
    fixed_cost: float = 0.0,
    units: float = 0.0,
    other_unit_cost: float = 0.0,
) -> float:
    """Cost per unit if the agent's volume, now and all along, were ``scale`` times as large.

    ``c(s) = c_W (max(s Q / Q0, 1) / max(Q / Q0, 1)) ** -b + F / (s q) + c_o`` with
    ``2 ** -b`` the progress ratio (Wright 1936): the learning part ``c_W`` moves down
    Wright's curve with cumulative volume ``Q`` (flat below the reference ``Q0``), the
    fixed cost ``F`` of the period is spread over the period's units ``q``, and other
    costs per unit ``c_o`` stay. A sustained 1% rise of the rate raises ``Q`` by 1% in
    the long run, so ``d ln c / d ln s`` is the volume -> cost link of the scale loop.

    Args:
        wright_cost: ``c_W``, the learning part of the cost per unit now ($).
        cumulative_units: ``Q``, cumulative units so far.
        reference_units: ``Q0`` > 0, where the learning curve starts.
        progress_ratio: cost multiplier per doubling, in (0, 1].
        scale: ``s`` > 0.
        fixed_cost: ``F``, fixed cost of the period ($); 0 leaves it out.
        units: ``q``, units of the period (needed, > 0, when ``F`` > 0).
        other_unit_cost: ``c_o``, costs per unit that do not move with volume ($).

    Returns:
        Cost per unit at the scaled volume ($).
    """
    if scale <= 0 or reference_units <= 0:
        raise ValueError(f"scale and reference_units must be > 0, got {scale}, {reference_units}")
    if fixed_cost > 0 and units <= 0:
        raise ValueError(f"units must be > 0 to spread a fixed cost, got {units}")
    b = -np.log2(progress_ratio)
    now = max(cumulative_units / reference_units, 1.0)
    scaled = max(scale * cumulative_units / reference_units, 1.0)
    spread = fixed_cost / (scale * units) if fixed_cost > 0 else 0.0
    return float(wright_cost * (scaled / now) ** -b + spread + other_unit_cost)


def seller_steady_state(
    units: float,
    margin: float,
    weekly_cost: float,
    potential: float,
    join_rate: float,
    leave_rate: float,
    sensitivity: float = 1.0,
    tolerance: float = 1e-12,
) -> float:
    """Sellers at rest for a given flow of sales through the pool.

    Sellers join at ``r_in sigma(z)`` and leave at ``r_out sigma(-z)`` a week with
    ``z = s pi / kappa`` and ``pi = m u / n - kappa`` (``sim.mechanics.platforms``:
    ``seller_flow_probabilities`` and ``seller_profit``), so the expected flow is nil when

        ``ln(n / (M - n)) = ln(r_in / r_out) + z(n)``,  ``z`` clipped to [-50, 50].

    The left side runs from -inf to +inf over ``(0, M)``, so a root exists; with
    ``m u >= 0`` the right side falls in ``n`` and the root is unique. Found by bisection.

    Args:
        units: ``u``, the pool's weekly units.
        margin: ``m = p3 (1 - tau) - c3``, a seller's margin per unit after the fee ($).
        weekly_cost: ``kappa`` > 0, a seller's weekly cost ($).
        potential: ``M`` > 0, sellers who could join.
        join_rate: ``r_in`` > 0.
        leave_rate: ``r_out`` > 0.
        sensitivity: ``s`` >= 0.
        tolerance: bisection stops when the bracket is narrower than ``tolerance * M``.

    Returns:
        ``n*``, sellers at rest (continuous).
    """
    if min(weekly_cost, potential, join_rate, leave_rate) <= 0 or sensitivity < 0:
        raise ValueError(
            "weekly_cost, potential, join_rate and leave_rate must be > 0 and sensitivity "
            f">= 0, got {weekly_cost}, {potential}, {join_rate}, {leave_rate}, {sensitivity}"
        )
    log_ratio = np.log(join_rate / leave_rate)

    def excess(n: float) -> float:
        z = float(np.clip(sensitivity * (margin * units / n - weekly_cost) / weekly_cost, -50, 50))
        return np.log(n / (potential - n)) - log_ratio - z

    low, high = 0.0, float(potential)
    while high - low > tolerance * potential:
        middle = 0.5 * (low + high)
        if excess(middle) < 0:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


def price_index(prices: np.ndarray, units: np.ndarray) -> float:
    """Average price paid, weighting each listing by its units: ``sum p u / sum u``.

    Returns:
        $ per unit; NaN when no units.
    """
    prices, units = np.asarray(prices, dtype=float), np.asarray(units, dtype=float)
    total = units.sum()
    return float(prices @ units / total) if total > 0 else float("nan")
