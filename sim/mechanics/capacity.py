"""Capacity that binds: rationing, re-choice, an order pipeline and the default order.

A firm sells at most its capacity (units per week). When more shoppers choose it than it
can serve, the ones served are drawn at random (random rationing: every shopper who chose
the firm has the same chance to be served, the efficient-rationing alternative of serving
the highest-value shoppers first being the other textbook rule; Tirole 1988, *The Theory
of Industrial Organization*, section 5.3.1; Davidson and Deneckere 1986, "Long-run
competition in capacity, short-run competition in price, and the Cournot model"). A
shopper turned away chooses again among the firms with capacity left and the outside
option, by the same logit: with ``O`` the open alternatives,

``P(k | turned away) = exp(V_k) / sum_{m in O} exp(V_m)``,   k in O (outside always open).

Re-choice can overfill another firm, so rounds repeat until no firm is over its capacity;
each round fills at least one firm, so there are at most ``F`` rounds.

Capacity is built with a lead time (Kydland and Prescott 1982, "Time to build and
aggregate fluctuations"): an order placed in week ``t`` adds its units in week
``t + L``. Orders are paid when placed, ``C = c_K * dK`` (a capital cost per unit of
weekly capacity); installed capacity then costs ``k`` a week as the capacity share of the
fixed cost (``sim/components/finance.py``). Identity: capacity added = orders placed ``L`` weeks
earlier.

The default order covers the demand projected at the horizon at which the order arrives,
with headroom: ``dK = max(0, h * q_hat(T) - K - K_on_order)``, ``q_hat(T) = max(0, q_1 +
(q_1 - q_0) T / 13)``, where ``q_1`` and ``q_0`` are the weekly demand (units sold plus
shoppers turned away) of the last and the previous quarter and ``T`` the horizon in weeks
(a linear trend, the simplest forecast a planner would use).

All functions are pure apart from draws from a generator passed in.
"""

from __future__ import annotations

import numpy as np

WEEKS_PER_QUARTER = 13


def rationing_limits(capacity: np.ndarray) -> np.ndarray:
    """Whole units each firm can sell this week: ``floor(K_j)`` (0 for negative).

    Args:
        capacity: ``(F,)`` capacity in units per week.

    Returns:
        ``(F,)`` integer limits.
    """
    return np.floor(np.maximum(np.asarray(capacity, dtype=float), 0.0) + 1e-9).astype(np.int64)


def turned_away(firm_of: np.ndarray, keys: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Random rationing: which of a firm's shoppers it cannot serve.

    Among the shoppers who chose firm ``j``, the ``limits[j]`` with the smallest keys are
    served and the rest are turned away (equal keys: the earlier shopper first); with keys
    drawn iid U[0, 1) every subset of ``limits[j]`` shoppers is equally likely to be
    served. Each firm's ``limits[j]``-th smallest key is found by selection
    (``np.partition``), not by sorting all its shoppers.

    Args:
        firm_of: ``(M,)`` firm index (0-based) chosen by each shopper.
        keys: ``(M,)`` random keys, one per shopper.
        limits: ``(F,)`` units each firm can still sell.

    Returns:
        ``(M,)`` boolean, True where the shopper is turned away.
    """
    firm_of, keys = np.asarray(firm_of), np.asarray(keys)
    away = np.zeros(len(firm_of), dtype=bool)
    if len(firm_of) == 0:
        return away
    counts = np.bincount(firm_of)
    for firm in np.flatnonzero(counts):
        limit = int(limits[firm])
        if limit >= counts[firm]:
            continue
        members = np.flatnonzero(firm_of == firm)
        if limit <= 0:
            away[members] = True
            continue
        own = keys[members]
        cutoff = np.partition(own, limit - 1)[limit - 1]
        served = own < cutoff
        ties = np.flatnonzero(own == cutoff)
        served[ties[: limit - int(np.count_nonzero(served))]] = True
        away[members[~served]] = True
    return away


def rechoice_probabilities(weights: np.ndarray, open_alternatives: np.ndarray) -> np.ndarray:
    """Logit probabilities over the open alternatives only.

    Args:
        weights: ``(K, M)`` choice weights ``exp(V_k - m)`` by alternative (row 0 the
            outside option) for ``M`` shoppers.
        open_alternatives: ``(K,)`` boolean, True where an alternative can still serve
            (row 0, the outside option, always can).

    Returns:
        ``(K, M)`` probabilities, 0 on closed alternatives, columns summing to 1.
    """
    masked = weights * np.asarray(open_alternatives, dtype=float)[:, None]
    return masked / masked.sum(axis=0, keepdims=True)


def clear_with_capacity(
    choice: np.ndarray,
    cumulative_weights: np.ndarray,
    capacity: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Serve each firm up to its capacity; turned-away shoppers choose again.

    Draws nothing when no firm is over its capacity.

    Args:
        choice: ``(N,)`` first choices, ``0..F`` (0 = outside option).
        cumulative_weights: ``(F + 1, N)`` cumulative choice weights, as left by
            :func:`sim.mechanics.demand.logit_choose`; not modified.
        capacity: ``(F,)`` capacity this week (units per week).
        rng: the model's generator (rationing keys and re-choice uniforms).

    Returns:
        ``(choice, turned)``: final choices and, per firm, the shoppers it turned away.
    """
    remaining = rationing_limits(capacity)
    n_firms = len(remaining)
    choice = np.array(choice, copy=True)
    turned = np.zeros(n_firms, dtype=np.int64)
    pending = None  # every shopper in the first round, then those turned away
    for _ in range(n_firms + 1):
        picks = choice if pending is None else choice[pending]
        inside = picks > 0
        inside_firm = picks[inside] - 1
        counts = np.bincount(inside_firm, minlength=n_firms)
        over = counts > remaining
        if not over.any():
            break
        keep = over[inside_firm]
        rows = (np.flatnonzero(inside) if pending is None else pending[inside])[keep]
        firm_of = inside_firm[keep]
        away = turned_away(firm_of, rng.random(len(rows)), remaining)
        lost = rows[away]
        turned += np.bincount(firm_of[away], minlength=n_firms)
        remaining = np.maximum(remaining - counts, 0)
        remaining[over] = 0
        choice[lost] = rechoose_columns(
            cumulative_weights,
            lost,
            np.concatenate(([True], remaining > 0)),
            rng.random(len(lost)),
        )
        pending = lost
    return choice, turned


def rechoose(
    cumulative_weights: np.ndarray, open_alternatives: np.ndarray, uniforms: np.ndarray
) -> np.ndarray:
    """Draw a choice among the open alternatives (the logit of :func:`rechoice_probabilities`).

    Args:
        cumulative_weights: ``(K, M)`` cumulative choice weights of ``M`` shoppers.
        open_alternatives: ``(K,)`` boolean, row 0 (the outside option) True.
        uniforms: ``(M,)`` draws from U[0, 1).

    Returns:
        ``(M,)`` chosen rows in ``0..K-1``; 0 where no open alternative has weight.
    """
    return rechoose_columns(cumulative_weights, None, open_alternatives, uniforms)


def rechoose_columns(
    cumulative_weights: np.ndarray,
    columns: np.ndarray | None,
    open_alternatives: np.ndarray,
    uniforms: np.ndarray,
) -> np.ndarray:
    """:func:`rechoose` for some columns of the cumulative weights, read in place.

    The weights are the differences of the cumulative ones, zero where closed. Only the
    rows an open alternative needs are read: a closed row's running sum equals the one
    before it, so it is counted with that row (the same numbers as whole-array diff,
    multiply, cumsum and count).

    Args:
        cumulative_weights: ``(K, N)`` cumulative choice weights.
        columns: the ``M`` columns (shoppers) that choose again; None for all.
        open_alternatives: ``(K,)`` boolean.
        uniforms: ``(M,)`` draws from U[0, 1).

    Returns:
        ``(M,)`` chosen rows in ``0..K-1``; 0 where no open alternative has weight.
    """
    open_alternatives = np.asarray(open_alternatives, dtype=bool)
    n_rows = cumulative_weights.shape[0]

    def row(k: int) -> np.ndarray:
        values = cumulative_weights[k]
        return values if columns is None else np.take(values, columns)

    size = len(uniforms)
    previous = row(0)  # row k - 1 of the cumulative weights, when it was read
    running = previous if open_alternatives[0] else np.zeros(size)
    sums, repeats = [running], [1]  # distinct running sums; how many rows share each
    for k in range(1, n_rows):
        if not open_alternatives[k]:
            repeats[-1] += 1
            previous = None  # type: ignore[assignment]  # re-read from row k - 1 below
            continue
        current = row(k)
        step = np.subtract(current, row(k - 1) if previous is None else previous)
        previous = current
        step += running
        running = step
        sums.append(running)
        repeats.append(1)
    threshold = uniforms * running
    chosen = np.zeros(size, dtype=np.intp)
    below = np.empty(size, dtype=bool)
    for values, count in zip(sums, repeats, strict=True):
        np.less_equal(values, threshold, out=below)
        if count == 1:
            chosen += below
        else:
            chosen += below * np.intp(count)
    np.minimum(chosen, n_rows - 1, out=chosen)
    chosen[running <= 0] = 0
    return chosen


def place_order(
    pipeline: tuple[tuple[int, float], ...], week: int, units: float, lead_weeks: int
) -> tuple[tuple[int, float], ...]:
    """Add an order of ``units`` of weekly capacity, due in week ``week + lead_weeks``.

    Args:
        pipeline: orders outstanding, as ``(due week, units)``.
        week: the week the order is placed.
        units: capacity ordered (units per week, >= 0); 0 adds nothing.
        lead_weeks: ``L`` >= 0, weeks until it arrives.

    Returns:
        The new pipeline.
    """
    if units < 0 or not np.isfinite(units):
        raise ValueError(f"capacity order must be finite and >= 0, got {units}")
    if units == 0:
        return pipeline
    return (*pipeline, (week + lead_weeks, float(units)))


def receive_orders(
    pipeline: tuple[tuple[int, float], ...], week: int
) -> tuple[float, tuple[tuple[int, float], ...]]:
    """Orders due by ``week`` arrive: ``(capacity added, orders still outstanding)``."""
    arrived = sum(units for due, units in pipeline if due <= week)
    return arrived, tuple(item for item in pipeline if item[0] > week)


def projected_demand(
    last_quarter_demand: float, previous_quarter_demand: float, horizon_weeks: float
) -> float:
    """Weekly demand at the horizon on a linear trend: ``max(0, q_1 + (q_1 - q_0) T / 13)``.

    Args:
        last_quarter_demand: ``q_1``, weekly demand (units sold plus turned away) last
            quarter.
        previous_quarter_demand: ``q_0``, the same a quarter earlier (equal to ``q_1``
            when unknown, which projects no trend).
        horizon_weeks: ``T`` >= 0.

    Returns:
        Projected weekly demand (units per week).
    """
    trend = (last_quarter_demand - previous_quarter_demand) / WEEKS_PER_QUARTER
    return max(0.0, last_quarter_demand + trend * horizon_weeks)


def capacity_to_order(
    projected_weekly_demand: float, headroom: float, capacity: float, on_order: float
) -> float:
    """Default order: capacity short of demand at the horizon, ``max(0, h q - K - K_o)``.

    Args:
        projected_weekly_demand: ``q`` at the horizon (units per week).
        headroom: ``h`` >= 1, capacity kept per unit of weekly demand.
        capacity: ``K``, installed capacity.
        on_order: ``K_o``, capacity ordered and not yet arrived.

    Returns:
        Units of weekly capacity to order (>= 0).
    """
    return max(0.0, headroom * projected_weekly_demand - capacity - on_order)
