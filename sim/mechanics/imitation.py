"""Imitation: copying a rival's business model once it has proven itself, imperfectly, late.

Sources: Lieberman and Asaba (2006), "Why do firms imitate each other?", *Academy of
Management Review* 31(2): firms imitate rivals whose results signal a superior model
(information-based imitation), and imitation follows visible success with a delay.
Rivkin (2000), "Imitation of complex strategies", *Management Science* 46(6): a strategy
of many interacting choices is hard to copy whole; the imitator sees only the visible
parts and reaches only part of the original's performance. Mansfield, Schwartz and
Wagner (1981), "Imitation costs and patents", *Economic Journal* 91: imitation takes
time and costs, on average, about two thirds of the innovator's cost.

What an imitator can see of a target (firm ``j``) is its offer as customers meet it:
its price, its channels, its connected experience and the capability stocks customers
feel (experience and selection). It sees them ``L`` quarters late (the time to notice a
success, study it and launch a copy). It cannot see process efficiency, brand quality
or customer data. The rules:

- Proven model: firm ``j`` is proven at quarter ``t`` when its observed unit share was
  at least ``s*`` at each of the ``Q`` quarter ends ``t - L - Q + 1, ..., t - L``.
- Target: among proven firms other than the imitator, the one with the highest
  observed share (ties: the older slot).
- Stocks: the imitator closes a fraction ``f`` of the gap to the observed stock and
  never loses what it has: ``x' = x + f max(0, x_j(t - L) - x)``.
- Price position: the imitator launches at the target's observed price relative to the
  market's unit-weighted mean price, applied to today's mean price:
  ``p' = p_j(t - L) / pbar(t - L) * pbar(t)``.

All functions are pure: arrays and numbers in, arrays and numbers out.
"""

from __future__ import annotations

import numpy as np


def proven_models(share_history: np.ndarray, threshold: float, quarters: int) -> np.ndarray:
    """Which firms have proven their model: observed share ``>= threshold`` for ``quarters``.

    Args:
        share_history: ``(T, F)`` unit shares observed at the last ``T`` quarter ends, oldest
            first, as the imitator sees them (already lagged). Firms that did not exist
            yet have share 0.
        threshold: ``s*``, the share that counts as success, in (0, 1].
        quarters: ``Q`` >= 1, consecutive quarters the share must hold.

    Returns:
        ``(F,)`` boolean mask; all False while fewer than ``Q`` quarters are observed.
    """
    history = np.asarray(share_history, dtype=float)
    if quarters < 1:
        raise ValueError(f"quarters must be >= 1, got {quarters}")
    if history.ndim != 2 or history.shape[0] < quarters:
        width = history.shape[-1] if history.ndim == 2 else 0
        return np.zeros(width, dtype=bool)
    return np.all(history[-quarters:] >= threshold, axis=0)


def imitation_target(observed_share: np.ndarray, proven: np.ndarray, imitator: int = -1) -> int:
    """The proven firm with the highest observed share (ties: lowest slot); -1 if none.

    Args:
        observed_share: ``(F,)`` observed unit shares (lagged).
        proven: ``(F,)`` mask of proven models.
        imitator: the imitator's own slot, never its own target (-1: not a firm yet).

    Returns:
        The target's slot, or -1.
    """
    eligible = np.asarray(proven, dtype=bool).copy()
    if 0 <= imitator < len(eligible):
        eligible[imitator] = False
    if not eligible.any():
        return -1
    shares = np.where(eligible, np.asarray(observed_share, dtype=float), -np.inf)
    return int(np.argmax(shares))


def copied_stock(own: float, observed: float, fraction: float) -> float:
    """Stock after an imperfect copy: ``x + f max(0, x_j - x)``.

    Args:
        own: the imitator's stock before copying.
        observed: the target's stock as observed (lagged).
        fraction: ``f`` in [0, 1], share of the gap the copy closes.

    Returns:
        The imitator's new stock (never below ``own``).
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    return own + fraction * max(0.0, observed - own)


def copied_price(observed_price: float, observed_mean_price: float, mean_price: float) -> float:
    """Launch price at the target's observed price position: ``p_j / pbar_then * pbar_now``.

    Args:
        observed_price: the target's price when observed ($).
        observed_mean_price: the market's unit-weighted mean price then ($, > 0).
        mean_price: the market's unit-weighted mean price now ($, > 0).

    Returns:
        The launch price ($); the observed price itself when either mean is not positive.
    """
    if observed_mean_price <= 0 or mean_price <= 0:
        return float(observed_price)
    return float(observed_price) / observed_mean_price * mean_price


def mean_price(prices: np.ndarray, units: np.ndarray) -> float:
    """Unit-weighted mean price ``sum p q / sum q``; the plain mean if nothing sold ($)."""
    prices, units = np.asarray(prices, dtype=float), np.asarray(units, dtype=float)
    if len(prices) == 0:
        return 0.0
    total = units.sum()
    return float(prices @ units / total) if total > 0 else float(prices.mean())
