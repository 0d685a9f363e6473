"""Channel choice: a shopper picks a brand's own store, a platform, or nothing.

Sources:

- Nested logit: McFadden (1978); Train (2009), *Discrete Choice Methods with
  Simulation*, ch. 4. The top level compares channels by multinomial logit; a platform
  enters with the log-sum of its listings (:mod:`sim.mechanics.platforms.listings`).
- Two-sided markets: Rochet and Tirole (2003), "Platform competition in two-sided
  markets", *JEEA* 1(4); Armstrong (2006), "Competition in two-sided markets", *RAND
  Journal of Economics* 37(3): a platform is worth more to buyers the more sellers
  (items) it lists, through ``beta_i ln(n_k)``.
- Consumer surplus as the log-sum over ``alpha_i``: Small and Rosen (1981).

Pure functions over numpy arrays: no Mesa, no model state.
"""

from __future__ import annotations

import numpy as np

from sim.mechanics.defences import incentive_utility, loyalty_utility
from sim.mechanics.demand import NOT_AVAILABLE, choice_utilities, logit_probabilities
from sim.mechanics.platforms.listings import (
    listing_probabilities,
    listing_values,
    platform_value,
)
from sim.mechanics.platforms.offer import ChannelOffer, Shoppers

DIRECT = 0
NO_CHANNEL = -1


def choose_with_surplus(
    utilities: np.ndarray,
    outside_utility: float,
    price_sensitivity: np.ndarray,
    uniforms: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Logit choice with an outside option, and each chooser's expected surplus.

    The same draw as ``sim.mechanics.demand.sample_choices`` applied to
    ``logit_probabilities`` (the first alternative whose cumulative weight exceeds a
    uniform share of the total, outside option first), and the same log-sum surplus as
    ``consumer_surplus``, computed in one pass over the alternatives. Alternatives are
    few and choosers many, so the work runs column by column (fastest when
    ``utilities`` is in Fortran order, as :func:`channel_utilities` returns it).

    Args:
        utilities: ``(N, A)`` utilities (``-inf`` = not available).
        outside_utility: ``u0``.
        price_sensitivity: ``alpha_i`` (utils per $), ``(N,)``.
        uniforms: U[0, 1) per chooser.

    Returns:
        ``(choice, surplus)``: choice 0 = outside, ``a + 1`` = alternative a; surplus
        ``(ln(exp(u0) + sum_a exp(V_ia)) - u0) / alpha_i`` in $.
    """
    n, alternatives = utilities.shape
    top = np.full(n, float(outside_utility))
    for a in range(alternatives):
        np.maximum(top, utilities[:, a], out=top)
    outside = np.exp(outside_utility - top)
    total = outside.copy()
    cumulative = np.empty((alternatives, n))
    weight = np.empty(n)
    for a in range(alternatives):
        np.subtract(utilities[:, a], top, out=weight)
        np.exp(weight, out=weight)
        total += weight
        cumulative[a] = total
    threshold = uniforms * total
    choice = (outside <= threshold).astype(np.int64)
    for a in range(alternatives - 1):
        choice += cumulative[a] <= threshold
    surplus = (top + np.log(total) - outside_utility) / price_sensitivity
    return np.minimum(choice, alternatives), surplus


def direct_habit_target(last_firm: np.ndarray, last_channel: np.ndarray) -> np.ndarray:
    """The firm a consumer has a direct habit with: the last brand, if bought direct.

    A purchase through a platform leaves the habit with the platform, not the brand.

    Args:
        last_firm: brand bought last (-1 none).
        last_channel: channel of that purchase (0 direct).

    Returns:
        Firm index per consumer, -1 where the last purchase was not direct.
    """
    return np.where(last_channel == DIRECT, last_firm, NO_CHANNEL).astype(last_firm.dtype)


def platform_utilities(
    offer: ChannelOffer, shoppers: Shoppers, platform: int, listing_utils: np.ndarray
) -> np.ndarray:
    """Top-level utility of one platform for every shopper.

    ``U_ik = W_ik + beta_i ln(n_k) + gamma_i (x_k + b_k m_ik - e_i) + h_i [last_i = k]
    + l_k m_ik + fit_ik``, ``-inf`` where the shopper does not know k or k is closed,
    with ``W_ik`` the listings' log-sum
    (:func:`~sim.mechanics.platforms.listings.platform_value`), ``n_k`` the platform's
    selection (items listed), ``m_ik`` membership.

    Args:
        offer: the offer.
        shoppers: the shoppers.
        platform: k.
        listing_utils: ``(N, L)`` values of k's listed slots (:func:`channel_listing_values`).

    Returns:
        ``(N,)`` utilities.
    """
    _, items = offer.listings(platform)
    selection = float(items.sum())
    n = len(shoppers)
    if not offer.platform_open[platform] or selection <= 0:
        return np.full(n, NOT_AVAILABLE)
    value = platform_value(listing_utils, items, float(offer.transparency[platform]))
    value += shoppers.selection_taste * np.log(max(selection, 1.0))
    value += shoppers.experience_taste * (
        offer.platform_experience[platform] - shoppers.expectation
    )
    if offer.member_bonus[platform] or offer.member_loyalty[platform]:
        member = shoppers.member[:, platform]
        bonus = offer.member_bonus[platform] * shoppers.experience_taste
        value += np.where(member, bonus + offer.member_loyalty[platform], 0.0)
    value += np.where(shoppers.last_channel == platform + 1, shoppers.habit_strength, 0.0)
    if shoppers.fit_platform is not None:
        value += shoppers.fit_platform[:, platform]
    value[~shoppers.aware_platform[:, platform]] = NOT_AVAILABLE
    return value


def channel_listing_values(
    offer: ChannelOffer,
    shoppers: Shoppers,
    platform: int,
    slots: np.ndarray | None = None,
) -> np.ndarray:
    """Listing values on one platform for every shopper.

    Args:
        offer: the offer.
        shoppers: the shoppers.
        platform: k.
        slots: listing slots to evaluate (default: the listed ones).

    Returns:
        ``(N, len(slots))`` values.
    """
    if slots is None:
        slots, _ = offer.listings(platform)
    return listing_values(
        offer.listing_quality(platform)[slots],
        offer.listing_price(platform)[slots],
        offer.listing_experience(platform)[slots],
        shoppers.price_sensitivity,
        shoppers.experience_taste,
    )


def channel_utilities(offer: ChannelOffer, shoppers: Shoppers) -> np.ndarray:
    """Utilities of every channel: the direct stores of the F firms, then K platforms.

    Direct store j: the market engine's utility (``sim.mechanics.demand.choice_utilities``)
    with the habit kept only for a brand last bought direct, plus the consumer's fit
    with the firm. Platforms: :func:`platform_utilities`.

    Args:
        offer: the offer.
        shoppers: the shoppers.

    Returns:
        ``(N, F + K)`` utilities (``-inf`` = not available).
    """
    n, n_firms = len(shoppers), offer.n_firms
    out = np.empty((n, n_firms + offer.n_platforms), order="F")
    available = shoppers.aware & offer.direct_open[None, :]
    out[:, :n_firms] = choice_utilities(
        offer.quality,
        offer.price,
        np.log(np.maximum(offer.selection, 1.0)),
        offer.direct_experience,
        shoppers.price_sensitivity,
        shoppers.selection_taste,
        shoppers.experience_taste,
        shoppers.expectation,
        shoppers.habit_strength,
        direct_habit_target(shoppers.last_firm, shoppers.last_channel),
        available,
    )
    if shoppers.fit_direct is not None:
        out[:, :n_firms] += shoppers.fit_direct
    add_direct_defences(out[:, :n_firms], offer, shoppers)
    for k in range(offer.n_platforms):
        if not offer.platform_open[k]:
            out[:, n_firms + k] = NOT_AVAILABLE
            continue
        values = channel_listing_values(offer, shoppers, k)
        out[:, n_firms + k] = platform_utilities(offer, shoppers, k, values)
        if offer.platform_friction is not None:
            out[:, n_firms + k] += offer.platform_friction[k]
    return out


def add_direct_defences(direct: np.ndarray, offer: ChannelOffer, shoppers: Shoppers) -> None:
    """Add the direct channel's incentive, loyalty and friction terms in place (utils).

    ``V_ij += alpha_i d_j + [target_i = j] L_i(r_j) + f_j`` with ``d_j`` the direct
    incentive, ``L_i`` the loyalty utility of a member (a consumer whose last purchase
    was direct from j) and ``f_j`` the friction of the direct path
    (``sim.mechanics.defences``). Nothing is added when the offer has none of them.

    Args:
        direct: ``(N, F)`` direct-store utilities, changed in place.
        offer: the offer.
        shoppers: the shoppers.
    """
    if offer.incentive is not None:
        for j in np.flatnonzero(offer.incentive > 0):
            direct[:, j] += incentive_utility(shoppers.price_sensitivity, float(offer.incentive[j]))
    if offer.rebate is not None and (offer.rebate > 0).any():
        target = direct_habit_target(shoppers.last_firm, shoppers.last_channel)
        rows = np.flatnonzero(target >= 0)
        firms = target[rows]
        direct[rows, firms] += loyalty_utility(
            shoppers.habit_strength[rows],
            shoppers.price_sensitivity[rows],
            offer.rebate[firms],
            offer.habit_boost,
        )
    if offer.direct_friction is not None:
        direct += offer.direct_friction[None, :]


def channel_demand(
    offer: ChannelOffer, shoppers: Shoppers, outside_utility: float, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Expected units by channel and listing from a weighted set of shoppers.

    Args:
        offer: the offer.
        shoppers: the shoppers (a sample).
        outside_utility: ``u0``.
        weights: ``(N,)`` expected shopping trips each shopper stands for.

    Returns:
        ``(direct (F,), listings (K, F+1))`` expected weekly units: bought direct from
        each firm, and bought through each platform from each listing.
    """
    utilities = channel_utilities(offer, shoppers)
    probabilities = logit_probabilities(utilities, outside_utility)[:, 1:]
    n_firms = offer.n_firms
    direct = weights @ probabilities[:, :n_firms]
    width = len(offer.listing_items(0)) if offer.n_platforms else n_firms + 1
    listings = np.zeros((offer.n_platforms, width))
    for k in range(offer.n_platforms):
        through = weights * probabilities[:, n_firms + k]
        if through.sum() <= 0:
            continue
        slots, items = offer.listings(k)
        values = channel_listing_values(offer, shoppers, k, slots)
        inner = listing_probabilities(values, items, float(offer.transparency[k]))
        listings[k, slots] = through @ inner
    return direct, listings
