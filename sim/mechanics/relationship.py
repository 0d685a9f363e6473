"""What a sale is worth beyond itself: the repeat purchases that habit brings.

A consumer who last bought from a firm carries a habit bonus toward it at the next need
(Dube, Hitsch and Rossi 2010, "State dependence and alternative explanations for consumer
inertia"). Seen from one firm, each consumer is in one of two states at each need:

- H, the firm holds the relationship (the last purchase was from it): the consumer buys
  from the firm with probability ``s_h``, from a rival with ``r_h`` (and moves to O), or
  not at all (and stays in H, as the last purchase is unchanged);
- O, a rival holds it or nobody does: the consumer buys from the firm with ``s_0`` (and
  moves to H), otherwise stays in O.

The difference in expected units from the firm over the next ``N`` needs between a
consumer starting in H and one starting in O is

``G = (s_h - s_0) (1 - rho^N) / (1 - rho)``, with ``rho = (1 - r_h) - s_0``,

the units a sale today adds later (``G = (s_h - s_0) N`` when ``rho = 1``). Priced at the
firm's markup ``m`` this is the relationship value of a sale, ``V = m G``, and a firm that
counts it prices as if its unit cost were ``c - V`` (the dynamic pricing of customer
lifetime value, Gupta, Lehmann and Stuart 2004).
"""

from __future__ import annotations

import numpy as np


def repeat_units_gained(
    share_with_habit: np.ndarray | float,
    share_without_habit: np.ndarray | float,
    rival_share_with_habit: np.ndarray | float,
    needs: np.ndarray | float,
) -> np.ndarray:
    """Units a sale today adds over the next ``needs`` needs, ``G`` of the module docstring.

    Args:
        share_with_habit: ``s_h``, probability of buying from the firm in state H.
        share_without_habit: ``s_0``, probability of buying from the firm in state O.
        rival_share_with_habit: ``r_h``, probability of buying from a rival in state H.
        needs: ``N`` >= 0, needs over the horizon (may be fractional).

    Returns:
        ``G`` per consumer (>= 0 when ``s_h >= s_0``).
    """
    s_h = np.asarray(share_with_habit, dtype=float)
    s_0 = np.asarray(share_without_habit, dtype=float)
    r_h = np.asarray(rival_share_with_habit, dtype=float)
    n = np.asarray(needs, dtype=float)
    # s_0 <= s_h and r_h <= 1 - s_h make rho a probability difference in [0, 1].
    rho = np.clip(1.0 - r_h - s_0, 0.0, 1.0)
    gap = 1.0 - rho
    safe = np.where(gap > 1e-12, gap, 1.0)
    geometric = np.where(gap > 1e-12, (1.0 - np.power(rho, n)) / safe, n)
    return (s_h - s_0) * geometric
