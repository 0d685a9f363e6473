"""Capability stocks built by investment: experience, selection, process efficiency.

Source: Dierickx and Cool (1989), "Asset stock accumulation and sustainability of
competitive advantage": strategic assets are stocks fed by flows of investment and
eroded by depreciation; Nerlove and Arrow (1962) for the depreciating goodwill stock.
Diminishing returns to the weekly flow follow a logarithmic response.
"""

from __future__ import annotations

import numpy as np


def stock_increment(spend: float | np.ndarray, productivity: float, spend_scale: float):
    """Weekly addition to a stock from a weekly spend, with diminishing returns.

    ``g(I) = productivity * ln(1 + I / spend_scale)``; ``g(0) = 0``, ``g' > 0``,
    ``g'' < 0``.

    Args:
        spend: weekly investment ``I`` ($), >= 0.
        productivity: stock units added per log-unit of spend.
        spend_scale: ``s`` > 0, spend at which returns start to diminish ($ per week).

    Returns:
        The addition to the stock (stock units).
    """
    return productivity * np.log1p(np.maximum(spend, 0.0) / spend_scale)


def accumulate_stock(
    stock: float | np.ndarray,
    spend: float | np.ndarray,
    depreciation: float,
    productivity: float,
    spend_scale: float,
    floor: float = 0.0,
):
    """One week of a depreciating stock fed by investment.

    ``S' = max(floor, S (1 - delta) + g(I))`` with ``g`` from :func:`stock_increment`.
    With constant spend the stock converges to ``g(I) / delta``.

    Args:
        stock: current stock ``S``.
        spend: weekly investment ``I`` ($).
        depreciation: weekly depreciation rate ``delta`` in [0, 1).
        productivity: see :func:`stock_increment`.
        spend_scale: see :func:`stock_increment`.
        floor: lowest value the stock can take.

    Returns:
        Next week's stock.
    """
    return np.maximum(
        floor, stock * (1.0 - depreciation) + stock_increment(spend, productivity, spend_scale)
    )


def stock_after(
    stock: float,
    weekly_spend: float,
    weeks: int,
    depreciation: float,
    productivity: float,
    spend_scale: float,
    floor: float = 0.0,
) -> float:
    """Stock after ``weeks`` of constant weekly spend (closed form of the recursion).

    ``S_n = S r**n + g (1 - r**n) / delta`` with ``r = 1 - delta`` (``S + n g`` when
    ``delta = 0``), floored.

    Args:
        stock: starting stock.
        weekly_spend: constant weekly investment ($).
        weeks: number of weeks ``n`` >= 0.
        depreciation: weekly rate ``delta``.
        productivity: see :func:`stock_increment`.
        spend_scale: see :func:`stock_increment`.
        floor: lowest value.

    Returns:
        The stock after ``n`` weeks.
    """
    return float(
        stocks_after(stock, weekly_spend, weeks, depreciation, productivity, spend_scale, floor)
    )


def upkeep_spend(
    stock: float,
    depreciation: float,
    productivity: float,
    spend_scale: float,
    floor: float = 0.0,
) -> float:
    """Weekly spend that holds a stock where it is: ``g(I) = delta (S - floor)``.

    Solving ``productivity * ln(1 + I / s) = delta * (S - floor)`` gives
    ``I = s * (exp(delta * (S - floor) / productivity) - 1)``. Depreciation is counted
    above the floor only, since the stock never falls below it.

    Args:
        stock: the stock ``S`` to hold.
        depreciation: weekly rate ``delta``.
        productivity: see :func:`stock_increment` (0 means the stock cannot be held).
        spend_scale: see :func:`stock_increment`.
        floor: lowest value the stock can take.

    Returns:
        The weekly upkeep ($); ``inf`` if the stock cannot be held, 0 at or below the floor.
    """
    loss = depreciation * max(0.0, stock - floor)
    if loss == 0.0:
        return 0.0
    if productivity <= 0.0:
        return float("inf")
    return float(spend_scale * np.expm1(min(loss / productivity, 700.0)))


def stocks_after(
    stock: float,
    weekly_spend,
    weeks,
    depreciation: float,
    productivity: float,
    spend_scale: float,
    floor: float = 0.0,
) -> np.ndarray:
    """:func:`stock_after` for arrays of spends and horizons (broadcast together)."""
    gain = stock_increment(np.asarray(weekly_spend, dtype=float), productivity, spend_scale)
    weeks = np.asarray(weeks, dtype=float)
    if depreciation == 0.0:
        value = stock + weeks * gain
    else:
        keep = (1.0 - depreciation) ** weeks
        value = stock * keep + gain * (1.0 - keep) / depreciation
    return np.maximum(floor, value)
