"""The second comparison: a shopper on a platform picks a seller among its listings.

Sources:

- Nested logit: McFadden (1978), "Modelling the choice of residential location"; Train
  (2009), *Discrete Choice Methods with Simulation*, ch. 4. On a platform the listings
  are shown side by side, so their comparison is sharper than the comparison between
  channels (price transparency ``mu >= 1``), and the platform's value to a shopper is
  the log-sum (inclusive value) of its listings.

Pure functions over numpy arrays: no Mesa, no model state.
"""

from __future__ import annotations

import numpy as np

from sim.mechanics.demand import NOT_AVAILABLE


def listing_values(
    quality: np.ndarray,
    price: np.ndarray,
    experience: np.ndarray,
    price_sensitivity: np.ndarray,
    experience_taste: np.ndarray,
) -> np.ndarray:
    """Value of each listing on a platform to each consumer.

    ``V_is = q_s - alpha_i p_s + gamma_i x_s``, where ``x_s`` is the experience the
    seller itself delivers (an aggregator sends the buyer on to the seller; on a
    marketplace the platform fulfils, so ``x_s`` is 0 and the platform's experience
    enters one level up).

    Args:
        quality: ``q_s`` (utils), shape ``(L,)``.
        price: ``p_s`` ($ per unit), shape ``(L,)``.
        experience: ``x_s`` delivered by the seller (experience units), ``(L,)``.
        price_sensitivity: ``alpha_i`` (utils per $), ``(N,)``.
        experience_taste: ``gamma_i`` (utils per experience unit), ``(N,)``.

    Returns:
        ``(N, L)`` listing values (utils), in Fortran order (one listing per column).
    """
    values = np.empty((len(price_sensitivity), len(price)), order="F")
    for s, (q, p, x) in enumerate(zip(quality, price, experience, strict=True)):
        column = values[:, s]
        np.multiply(price_sensitivity, -p, out=column)
        column += q
        if x:
            column += experience_taste * x
    return values


def platform_value(values: np.ndarray, items: np.ndarray, transparency: float) -> np.ndarray:
    """Value of a platform's listings: an item-weighted log-sum.

    ``W_i = (1/mu) ln( sum_s (N_s / N) exp(mu V_is) )`` with ``N_s`` the items of
    listing s and ``N = sum_s N_s``. ``W`` lies between the item-weighted mean and the
    best of the ``V_is`` and tends to the best as ``mu`` grows (a transparent comparison
    finds the best deal). Breadth itself (``N``) is valued one level up, like a store's
    selection. Computed listing by listing (few listings, many consumers).

    Args:
        values: ``(N, L)`` listing values.
        items: ``(L,)`` items per listing (0 = not listed).
        transparency: ``mu >= 1``.

    Returns:
        ``(N,)`` platform values; ``-inf`` when nothing is listed.
    """
    listed = np.flatnonzero(items > 0)
    total = float(items[listed].sum())
    if total <= 0:
        return np.full(values.shape[0], NOT_AVAILABLE)
    mu = float(transparency)
    top = np.full(values.shape[0], NOT_AVAILABLE)
    for s in listed:
        np.maximum(top, values[:, s], out=top)
    accumulated = np.zeros(values.shape[0])
    term = np.empty(values.shape[0])
    for s in listed:
        np.subtract(values[:, s], top, out=term)
        term *= mu
        np.exp(term, out=term)
        term *= items[s] / total
        accumulated += term
    return top + np.log(accumulated) / mu


def listing_probabilities(values: np.ndarray, items: np.ndarray, transparency: float):
    """Probability of buying from each listing, given the consumer shops this platform.

    ``P(s | i) = N_s exp(mu V_is) / sum_r N_r exp(mu V_ir)``: a consumer is as likely
    to look for each item, and among listings that carry it the price-transparent
    comparison (``mu``) decides.

    Args:
        values: ``(N, L)`` listing values.
        items: ``(L,)`` items per listing (0 = not listed).
        transparency: ``mu >= 1``.

    Returns:
        ``(N, L)`` probabilities; rows sum to one (zero columns for unlisted slots).
    """
    n, slots = values.shape
    listed = np.flatnonzero(items > 0)
    mu = float(transparency)
    top = np.full(n, NOT_AVAILABLE)
    for s in listed:
        np.maximum(top, values[:, s], out=top)
    probabilities = np.zeros((n, slots), order="F")
    for s in listed:
        column = probabilities[:, s]
        np.subtract(values[:, s], top, out=column)
        column *= mu
        np.exp(column, out=column)
        column *= items[s]
    total = probabilities.sum(axis=1)
    probabilities /= total[:, None]
    return probabilities
