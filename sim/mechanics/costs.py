"""Costs: Wright's law learning curve and fixed costs spread over volume.

Source: Wright (1936), "Factors affecting the cost of airplanes"; Boston Consulting
Group (1968), *Perspectives on Experience*. Unit cost falls by a constant fraction,
one minus the progress ratio, with every doubling of cumulative output.
"""

from __future__ import annotations

import numpy as np


def learning_exponent(progress_ratio: float) -> float:
    """Wright exponent ``b`` such that ``2 ** -b`` equals the progress ratio.

    Args:
        progress_ratio: cost multiplier per doubling of cumulative volume, in (0, 1].

    Returns:
        ``b = -log2(progress_ratio)`` (0 for a ratio of 1: no learning).
    """
    if not 0.0 < progress_ratio <= 1.0:
        raise ValueError(f"progress_ratio must be in (0, 1], got {progress_ratio}")
    return -float(np.log2(progress_ratio))


def wright_unit_cost(
    initial_cost: float | np.ndarray,
    cumulative_units: float | np.ndarray,
    reference_units: float | np.ndarray,
    progress_ratio: float | np.ndarray,
) -> np.ndarray:
    """Unit cost on Wright's learning curve.

    ``c = c0 (Q / Q0) ** -b`` with ``2 ** -b = progress_ratio``; volumes below the
    reference ``Q0`` (the experience a firm starts with) leave the cost at ``c0``.

    Args:
        initial_cost: ``c0``, unit cost at the reference volume ($ per unit).
        cumulative_units: ``Q``, cumulative units produced.
        reference_units: ``Q0`` > 0, cumulative units at which the cost is ``c0``.
        progress_ratio: cost multiplier per doubling, in (0, 1].

    Returns:
        Unit cost ($ per unit).
    """
    ratio = np.asarray(progress_ratio, dtype=float)
    exponent = -np.log2(ratio)
    doublings_base = np.maximum(
        np.asarray(cumulative_units, dtype=float) / np.asarray(reference_units, dtype=float),
        1.0,
    )
    return np.asarray(initial_cost, dtype=float) * doublings_base ** (-exponent)


def average_cost(unit_cost: float, fixed_cost: float, units: float) -> float:
    """Average cost per unit when fixed costs are spread over volume.

    ``AC = c + F / units`` (scale economies: AC falls towards ``c`` as volume grows).

    Args:
        unit_cost: variable cost ``c`` ($ per unit).
        fixed_cost: fixed cost ``F`` of the period ($).
        units: units sold in the period, > 0.

    Returns:
        Average cost ($ per unit); ``inf`` when ``units`` is 0.
    """
    if units <= 0:
        return float("inf")
    return unit_cost + fixed_cost / units
