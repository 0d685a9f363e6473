"""Take rates: the share of each sale a platform keeps, as its strategies set it.

Sources:

- Rochet and Tirole (2003), "Platform competition in two-sided markets", *JEEA* 1(4):
  the fee divides the surplus between the sides and rises with the platform's control
  of the other side.
- Bezos, letters to shareholders (1997, 2018): a customer-obsessed platform passes the
  savings of scale on as lower fees.

Pure functions: no Mesa, no model state.
"""

from __future__ import annotations

import numpy as np


def cost_plus_take_rate(
    cost_per_order: float, average_price: float, margin: float, floor: float, cap: float
) -> float:
    """Take rate that covers the platform's cost per order plus a thin margin.

    ``tau = clip(c_o (1 + m) / p_bar, floor, cap)``: a customer-obsessed platform lets
    its fee fall as scale lowers the cost of an order, passing the saving on.

    Args:
        cost_per_order: ``c_o``, the platform's full cost per unit handled ($).
        average_price: ``p_bar``, mean price of the units sold through it ($), > 0.
        margin: ``m`` >= 0.
        floor: lowest take rate.
        cap: highest take rate.

    Returns:
        The take rate.
    """
    if average_price <= 0:
        return cap
    return float(np.clip(cost_per_order * (1.0 + margin) / average_price, floor, cap))


def power_take_rate(base: float, cap: float, power: float) -> float:
    """Take rate a platform can charge given its power over the market.

    ``tau* = base + (cap - base) power`` with ``power`` in [0, 1] the share of all
    purchases that go through the platform: the more buyers it controls, the less a
    seller can afford to stay away (Rochet and Tirole 2003: the fee rises with the
    platform's control of the other side).

    Args:
        base: take rate with no power.
        cap: take rate with all the market.
        power: share of purchases through the platform, in [0, 1].

    Returns:
        The target take rate.
    """
    return float(base + (cap - base) * np.clip(power, 0.0, 1.0))
