"""Lasting differences: brand match, firms that differ at founding, shocks that fade.

Sources:

- Brand match (random-coefficient logit). Berry, Levinsohn and Pakes (1995), "Automobile
  prices in market equilibrium"; Train (2009), *Discrete Choice Methods with Simulation*,
  ch. 6 (mixed logit). Consumer i's utility of firm j is
  ``U_ij = V_ij + mu_ij + eps_ij``: ``V_ij`` the systematic utility of
  ``sim.mechanics.demand``, ``eps_ij`` the Gumbel error drawn afresh at every purchase,
  and ``mu_ij ~ N(0, s^2)`` a lasting match drawn once for each (consumer, firm) pair and
  kept for the whole run. Choice probabilities conditional on ``mu`` are logit; integrated
  over ``mu`` they are the mixed logit ``P_ij = integral L_ij(mu) phi(mu) d mu``.
- Firms that differ at founding (Jovanovic 1982; Hopenhayn 1992; Melitz 2003): each firm
  draws its quality, starting experience, selection and unit cost around its template.
  Quality and experience are in utils / experience units and spread additively; unit cost
  and selection are positive and spread in logs, ``c0_j = c0 exp(s_c z_j)`` (median ``c0``).
- Temporary firm-level shocks that fade (Hopenhayn 1992; the AR(1) idiosyncratic
  productivity of Melitz-style firm dynamics): ``x_t = rho x_(t-1) + sigma e_t``,
  ``e_t ~ N(0, 1)``; a demand shock ``xi_j`` adds to every consumer's utility of firm j,
  a cost shock ``omega_j`` multiplies its unit cost by ``exp(omega_j)``.

Everything here is a pure function over numbers and numpy arrays.
"""

from __future__ import annotations

import math

import numpy as np


def brand_match(spread: float, standard_normals: np.ndarray) -> np.ndarray:
    """Lasting matches ``mu_ij = s z_ij`` of consumers with one firm (utils, float32).

    Args:
        spread: ``s`` >= 0, standard deviation of the match across consumers (utils).
        standard_normals: ``z_ij``, standard normal draws, one per consumer.

    Returns:
        The matches as float32 (the utilities they are added to stay float64).
    """
    if spread < 0:
        raise ValueError(f"brand match spread must be >= 0, got {spread}")
    return np.multiply(standard_normals, np.float32(spread), dtype=np.float32)


def ar1_step(
    previous: np.ndarray | float,
    persistence: float,
    sd: float,
    innovations: np.ndarray | float,
) -> np.ndarray:
    """One period of an AR(1) shock: ``x_t = rho x_(t-1) + sigma e_t``.

    A single shock ``sigma e_0`` with no later innovations decays as ``rho^k`` after
    ``k`` periods; the stationary variance is ``sigma^2 / (1 - rho^2)``
    (:func:`ar1_stationary_sd`).

    Args:
        previous: ``x_(t-1)``.
        persistence: ``rho`` in [0, 1).
        sd: ``sigma`` >= 0, sd of the innovation.
        innovations: ``e_t``, standard normal draws shaped like ``previous``.

    Returns:
        ``x_t``.
    """
    if not 0.0 <= persistence < 1.0:
        raise ValueError(f"persistence must be in [0, 1), got {persistence}")
    if sd < 0:
        raise ValueError(f"innovation sd must be >= 0, got {sd}")
    return persistence * np.asarray(previous, dtype=float) + sd * np.asarray(innovations)


def ar1_stationary_sd(persistence: float, sd: float) -> float:
    """Standard deviation of an AR(1) in its stationary state: ``sigma / sqrt(1 - rho^2)``.

    Args:
        persistence: ``rho`` in [0, 1).
        sd: ``sigma`` >= 0, sd of the innovation.

    Returns:
        The stationary sd (the spread of a new firm's first shock).
    """
    if not 0.0 <= persistence < 1.0:
        raise ValueError(f"persistence must be in [0, 1), got {persistence}")
    return sd / math.sqrt(1.0 - persistence * persistence)


def cost_shock_factor(shock: float) -> float:
    """Multiplier of unit cost for a cost shock ``omega``: ``exp(omega)`` (1 at 0).

    Args:
        shock: ``omega`` (log points).

    Returns:
        The factor applied to the unit cost.
    """
    return math.exp(shock)


def spread_additively(centre: float, sd: float, standard_normal: float) -> float:
    """A founding draw around a level: ``centre + sd z`` (quality, experience).

    Args:
        centre: the template's level.
        sd: spread across firms (same unit as ``centre``), >= 0.
        standard_normal: ``z``.

    Returns:
        The firm's level.
    """
    return centre + sd * standard_normal


def spread_in_logs(median: float, log_sd: float, standard_normal: float) -> float:
    """A founding draw of a positive quantity: ``median exp(log_sd z)`` (cost, selection).

    Args:
        median: the template's value, > 0 (the median across firms).
        log_sd: sd of its logarithm across firms, >= 0.
        standard_normal: ``z``.

    Returns:
        The firm's value.
    """
    return median * math.exp(log_sd * standard_normal)
