"""Third-party sellers on a marketplace: their price, their profit, and their flow in and out.

Sources:

- Pass-through of a fee into price: Weyl and Fabinger (2013), "Pass-through as an
  economic tool", *JPE* 121(3).
- The sellers' side of the cross-side network effect: Armstrong (2006), "Competition in
  two-sided markets", *RAND Journal of Economics* 37(3); Parker and Van Alstyne (2005),
  "Two-sided network effects: a theory of information product design", *Management
  Science* 51(10): more buyers raise a seller's profit and draw sellers in; more sellers
  widen the selection and draw buyers.

Pure functions: no Mesa, no model state.
"""

from __future__ import annotations

import numpy as np


def third_party_price(
    unit_cost: float, markup: float, take_rate: float, pass_through: float
) -> float:
    """Price set by small third-party sellers.

    ``p3 = c3 (1 + m3) (1 - tau) ** -theta``: with full pass-through (``theta = 1``) the
    seller keeps its margin ``c3 m3`` and buyers bear the fee; with none (``theta = 0``)
    the seller absorbs it (Weyl and Fabinger 2013).

    Args:
        unit_cost: ``c3`` ($ per unit), > 0.
        markup: ``m3`` >= 0.
        take_rate: ``tau`` in [0, 1).
        pass_through: ``theta`` in [0, 1].

    Returns:
        Price ($ per unit).
    """
    if not 0.0 <= take_rate < 1.0:
        raise ValueError(f"take_rate must be in [0, 1), got {take_rate}")
    return unit_cost * (1.0 + markup) * (1.0 - take_rate) ** (-pass_through)


def seller_profit(
    price: float, unit_cost: float, take_rate: float, units: float, sellers: int, cost: float
) -> float:
    """Weekly profit of one third-party seller.

    ``pi = (p3 (1 - tau) - c3) u / max(n, 1) - kappa``: the margin after the platform's
    fee on the seller's share of the pool's sales, less its weekly cost of being there.

    Args:
        price: ``p3`` ($).
        unit_cost: ``c3`` ($).
        take_rate: ``tau``.
        units: ``u``, the pool's weekly units (averaged).
        sellers: ``n``, sellers on the platform.
        cost: ``kappa``, a seller's weekly cost ($).

    Returns:
        $ per seller per week.
    """
    return (price * (1.0 - take_rate) - unit_cost) * units / max(sellers, 1) - cost


def seller_flow_probabilities(
    profit: float,
    cost_scale: float,
    join_rate: float,
    leave_rate: float,
    sensitivity: float = 1.0,
) -> tuple[float, float]:
    """Weekly probabilities that an outside seller joins and an inside one leaves.

    ``P(join) = r_in sigma(z)``, ``P(leave) = r_out sigma(-z)``, ``z = s pi / kappa``,
    with ``sigma`` the logistic function: sellers flow in while the platform pays more
    than their opportunity cost and out while it pays less. This is the sellers' side
    of the cross-side network effect (Armstrong 2006): more buyers raise ``pi``. In a
    steady state ``n / (M - n) = (r_in / r_out) exp(z)``.

    Args:
        profit: ``pi``, a seller's weekly profit ($).
        cost_scale: ``kappa`` > 0, the scale of profits that matters ($).
        join_rate: ``r_in`` in [0, 1].
        leave_rate: ``r_out`` in [0, 1].
        sensitivity: ``s`` > 0.

    Returns:
        ``(p_join, p_leave)``.
    """
    z = sensitivity * profit / cost_scale if cost_scale > 0 else np.sign(profit) * 50.0
    z = float(np.clip(z, -50.0, 50.0))
    attract = 1.0 / (1.0 + np.exp(-z))
    return join_rate * attract, leave_rate * (1.0 - attract)
