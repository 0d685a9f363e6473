"""Repeat: learning about customers from repeated interactions (personalisation fit).

Source: Siggelkow and Terwiesch (2019), *Connected Strategy*, ch. 7 ("repeat"): a firm
that interacts with a customer again and again learns that customer's needs
(individual-level learning) and, from its whole customer base, what customers like
them tend to need (population-level learning); both raise the fit of what it offers,
fit adds value, value brings more interactions and more customers. The saturating
learning curves follow the standard exponential learning model (Argote 2013,
*Organizational Learning*, ch. 1). Learning flows only to whoever owns the relationship:
a sale through a platform teaches the platform, not the brand.
"""

from __future__ import annotations

import numpy as np


def individual_fit_update(fit: np.ndarray, rate: float | np.ndarray) -> np.ndarray:
    """Fit after one more interaction: ``f' = f + eta (1 - f)``.

    After ``n`` interactions from ``f0`` the fit is ``1 - (1 - f0)(1 - eta)**n``.

    Args:
        fit: current fit ``f`` in [0, 1].
        rate: ``eta`` in [0, 1], share of the remaining gap closed per interaction.

    Returns:
        Updated fit, same dtype as ``fit``.
    """
    return (fit + rate * (1.0 - fit)).astype(fit.dtype, copy=False)


def population_knowledge(interactions: float, data_scale: float) -> float:
    """What the owner has learned from its whole customer base: ``K = 1 - exp(-D / s)``.

    Args:
        interactions: ``D`` >= 0, interactions (data points) gathered so far.
        data_scale: ``s`` > 0, data at which ``K`` reaches ``1 - 1/e``.

    Returns:
        ``K`` in [0, 1).
    """
    if data_scale <= 0:
        raise ValueError(f"data_scale must be > 0, got {data_scale}")
    return float(1.0 - np.exp(-max(interactions, 0.0) / data_scale))


def effective_fit(
    individual: np.ndarray, knowledge: float | np.ndarray, population_share: float
) -> np.ndarray:
    """Fit a consumer gets: the better of what is known about them and about people.

    ``f_eff = max(f_i, rho K)``: a new customer starts from the population model.

    Args:
        individual: ``f_i`` per consumer.
        knowledge: ``K`` of the owner (scalar, or per column).
        population_share: ``rho`` in [0, 1].

    Returns:
        Effective fit in [0, 1].
    """
    return np.maximum(individual, population_share * np.asarray(knowledge, dtype=individual.dtype))


def curated_fit(fit: np.ndarray, gain: float) -> np.ndarray:
    """Fit of a curated recommendation: ``f + g (1 - f)``.

    A curated offering uses what is known to pick a better-fitting option, closing a
    share ``g`` of the remaining gap (Siggelkow and Terwiesch 2019, ch. 3).

    Args:
        fit: effective fit.
        gain: ``g`` in [0, 1].

    Returns:
        Fit after curation.
    """
    return fit + gain * (1.0 - fit)
