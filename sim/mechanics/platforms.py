"""Platforms: channel choice, the seller comparison, take rates, third-party sellers.

Sources:

- Two-sided markets: Rochet and Tirole (2003), "Platform competition in two-sided
  markets", *JEEA* 1(4); Armstrong (2006), "Competition in two-sided markets", *RAND
  Journal of Economics* 37(3): each side's benefit from joining grows with the number of
  participants on the other side (the cross-side network effect), and the platform's
  fee (here a take rate on sales) divides the surplus between the sides.
- Parker and Van Alstyne (2005), "Two-sided network effects: a theory of information
  product design", *Management Science* 51(10): a platform may subsidise one side to
  grow the other.
- Nested logit: McFadden (1978), "Modelling the choice of residential location"; Train
  (2009), *Discrete Choice Methods with Simulation*, ch. 4. A consumer first picks a
  channel (a brand's own store, a platform, or nothing), then, on a platform, a seller
  among its listings. The listing comparison is sharper than the channel comparison
  (price transparency ``mu >= 1``: listings shown side by side), and the platform's value
  is the log-sum (inclusive value) of its listings.
- Pass-through of a fee into price: Weyl and Fabinger (2013), "Pass-through as an
  economic tool", *JPE* 121(3).
- Diffusion of awareness: Bass (1969), "A new product growth model for consumer
  durables", *Management Science* 15(5).

Everything here is a pure function over numpy arrays: no Mesa, no model state.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.mechanics.defences import incentive_utility, loyalty_utility, parity_listing_price
from sim.mechanics.demand import NOT_AVAILABLE, choice_utilities, logit_probabilities

DIRECT = 0
NO_CHANNEL = -1


# ---------------------------------------------------------------------------
# The second comparison: sellers on a platform


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


# ---------------------------------------------------------------------------
# Channel choice: direct stores, platforms, or nothing


@dataclass(frozen=True)
class ChannelOffer:
    """What is on offer this week, by channel (the supply side of the channel choice).

    Firms are indexed ``0..F-1``, platforms ``0..K-1``. On platform k, listing slot
    ``j < F`` is firm j's listing and slot ``F`` the pool of third-party sellers; a slot
    with zero items is not listed. A firm charges one price in every channel (price
    parity) and lists its whole selection.

    Attributes:
        quality: ``q_j`` (utils), ``(F,)``.
        price: ``p_j`` ($), ``(F,)``.
        selection: items of each firm, ``(F,)``.
        experience: ``x_j``, experience the firm itself delivers, ``(F,)``.
        direct_bonus: experience added to direct purchases (respond to desire), ``(F,)``.
        direct_open: firm j sells direct and is in the market, ``(F,)`` bool.
        listed: firm j is listed on platform k and in the market, ``(K, F)`` bool.
        platform_open: platform k is in the market, ``(K,)`` bool.
        platform_experience: experience the platform adds to a purchase through it
            (fulfilment, or an aggregator's search ease, plus any respond bonus), ``(K,)``.
        seller_delivers: True for aggregators, whose buyers get the seller's own
            experience; False for marketplaces, which fulfil, ``(K,)`` bool.
        transparency: ``mu_k`` >= 1, ``(K,)``.
        member_bonus: experience units added to members' purchases, ``(K,)``.
        member_loyalty: utils a member gets from choosing the platform, ``(K,)``.
        pool_items: items listed by third-party sellers, ``(K,)``.
        pool_price: third-party sellers' price ($), ``(K,)``.
        pool_quality: their quality (utils), ``(K,)``.
        take_rate: ``tau_k``, share of each sale the platform keeps, ``(K,)``.
        price_factor: multiplier on every listing price on k (1 = as posted), ``(K,)``.
        items_factor: multiplier on every listing's items on k (1 = as listed), ``(K,)``.
        platform_price: price each firm asks on platforms ($), ``(F,)``, NaN where a
            firm's listings follow its direct price; None = all follow it
            (``sim.mechanics.defences``).
        parity: platform k imposes narrow price parity, ``(K,)`` bool; None = none.
        incentive: $ of value each firm gives every direct buyer, ``(F,)``; None = 0.
        rebate: $ each firm's loyalty programme returns to members, ``(F,)``; None = 0.
        habit_boost: share added to members' habit while a programme runs.
        direct_friction: utils of the steps of buying direct from each firm (<= 0),
            ``(F,)``; None = no friction.
        platform_friction: utils of the steps of buying through each platform, ``(K,)``.
    """

    quality: np.ndarray
    price: np.ndarray
    selection: np.ndarray
    experience: np.ndarray
    direct_bonus: np.ndarray
    direct_open: np.ndarray
    listed: np.ndarray
    platform_open: np.ndarray
    platform_experience: np.ndarray
    seller_delivers: np.ndarray
    transparency: np.ndarray
    member_bonus: np.ndarray
    member_loyalty: np.ndarray
    pool_items: np.ndarray
    pool_price: np.ndarray
    pool_quality: np.ndarray
    take_rate: np.ndarray
    price_factor: np.ndarray | None = None
    items_factor: np.ndarray | None = None
    platform_price: np.ndarray | None = None
    parity: np.ndarray | None = None
    incentive: np.ndarray | None = None
    rebate: np.ndarray | None = None
    habit_boost: float = 0.0
    direct_friction: np.ndarray | None = None
    platform_friction: np.ndarray | None = None

    @property
    def n_firms(self) -> int:
        """Number of firm slots F."""
        return len(self.price)

    @property
    def n_platforms(self) -> int:
        """Number of platforms K."""
        return len(self.platform_open)

    @property
    def direct_experience(self) -> np.ndarray:
        """Experience of a direct purchase from each firm, ``(F,)``."""
        return self.experience + self.direct_bonus

    def listing_items(self, platform: int) -> np.ndarray:
        """Items of each listing slot on a platform, ``(F+1,)``."""
        items = np.empty(self.n_firms + 1)
        np.multiply(self.listed[platform], self.selection, out=items[:-1])
        items[-1] = self.pool_items[platform]
        if self.items_factor is not None:
            items *= self.items_factor[platform]
        return items

    @property
    def channel_prices(self) -> bool:
        """Whether any firm's listing price can differ from its direct price."""
        return self.platform_price is not None or self.parity is not None

    def firm_listing_price(self, platform: int) -> np.ndarray:
        """Price platform k shows for each firm's listing ($), ``(F,)``, parity applied."""
        if not self.channel_prices:
            return self.price
        asked = self.price
        if self.platform_price is not None:
            asked = np.where(np.isnan(self.platform_price), self.price, self.platform_price)
        parity = self.parity is not None and bool(self.parity[platform])
        return parity_listing_price(self.price, asked, parity)

    def listing_price(self, platform: int) -> np.ndarray:
        """Price of each listing slot on a platform ($), ``(F+1,)``."""
        price = np.empty(self.n_firms + 1)
        price[:-1] = self.firm_listing_price(platform)
        price[-1] = self.pool_price[platform]
        if self.price_factor is not None:
            price *= self.price_factor[platform]
        return price

    def listing_quality(self, platform: int) -> np.ndarray:
        """Quality of each listing slot on a platform (utils), ``(F+1,)``."""
        quality = np.empty(self.n_firms + 1)
        quality[:-1] = self.quality
        quality[-1] = self.pool_quality[platform]
        return quality

    def listing_experience(self, platform: int) -> np.ndarray:
        """Experience delivered by each listing's seller itself, ``(F+1,)``."""
        experience = np.zeros(self.n_firms + 1)
        if self.seller_delivers[platform]:
            experience[:-1] = self.experience
        return experience

    def listings(self, platform: int) -> tuple[np.ndarray, np.ndarray]:
        """Listed slots of a platform and their items: ``(slots, items)``."""
        items = self.listing_items(platform)
        slots = np.flatnonzero(items > 0)
        return slots, items[slots]

    def platform_selection(self) -> np.ndarray:
        """Items listed on each platform (its selection), ``(K,)``."""
        return np.array([self.listing_items(k).sum() for k in range(self.n_platforms)])

    def with_firm(
        self,
        slot: int,
        price: float | None = None,
        selection: float | None = None,
        experience: float | None = None,
        platform_price: float | None = None,
        incentive: float | None = None,
        rebate: float | None = None,
    ) -> ChannelOffer:
        """The offer if firm ``slot`` changed its price, stocks or defences.

        A price change applies in every channel where the firm is present (unless it asks
        a platform price of its own); the defences apply to its direct channel.
        """
        changes: dict[str, Any] = {}
        for name, value in (("price", price), ("selection", selection), ("experience", experience)):
            if value is not None:
                changes[name] = _set(getattr(self, name), slot, value)
        defaults = {"platform_price": np.nan, "incentive": 0.0, "rebate": 0.0}
        for name, value in (
            ("platform_price", platform_price),
            ("incentive", incentive),
            ("rebate", rebate),
        ):
            if value is None:
                continue
            current = getattr(self, name)
            if current is None:
                current = np.full(self.n_firms, defaults[name])
            changes[name] = _set(current, slot, value)
        return dataclasses.replace(self, **changes)

    def firm_only(self, slot: int) -> ChannelOffer:
        """The offer reduced to firm ``slot``'s direct store (no listings)."""
        one = slice(slot, slot + 1)

        def part(array):
            return None if array is None else array[one]

        return dataclasses.replace(
            self,
            quality=self.quality[one],
            price=self.price[one],
            selection=self.selection[one],
            experience=self.experience[one],
            direct_bonus=self.direct_bonus[one],
            direct_open=np.ones(1, dtype=bool),
            listed=np.zeros((self.n_platforms, 1), dtype=bool),
            platform_price=part(self.platform_price),
            incentive=part(self.incentive),
            rebate=part(self.rebate),
            direct_friction=part(self.direct_friction),
        )

    def with_channels(self, slot: int, direct: bool, platforms: tuple[int, ...]) -> ChannelOffer:
        """The offer if firm ``slot`` sold through exactly these channels."""
        direct_open = self.direct_open.copy()
        direct_open[slot] = direct
        listed = self.listed.copy()
        listed[:, slot] = False
        listed[list(platforms), slot] = True
        return dataclasses.replace(self, direct_open=direct_open, listed=listed)

    def scale_platform(
        self, platform: int, price_factor: float = 1.0, items_factor: float = 1.0
    ) -> ChannelOffer:
        """The offer with every listing price and item count on one platform scaled."""
        prices = np.ones(self.n_platforms) if self.price_factor is None else self.price_factor
        items = np.ones(self.n_platforms) if self.items_factor is None else self.items_factor
        return dataclasses.replace(
            self,
            price_factor=_set(prices, platform, prices[platform] * price_factor),
            items_factor=_set(items, platform, items[platform] * items_factor),
        )


def _set(array: np.ndarray, index: int, value: float) -> np.ndarray:
    changed = np.array(array, dtype=float, copy=True)
    changed[index] = value
    return changed


@dataclass(frozen=True)
class Shoppers:
    """The demand side of the channel choice: the consumers who are shopping.

    Attributes:
        price_sensitivity: ``alpha_i``, ``(N,)``.
        selection_taste: ``beta_i``, ``(N,)``.
        experience_taste: ``gamma_i``, ``(N,)``.
        expectation: ``e_i``, ``(N,)``.
        habit_strength: ``h_i``, ``(N,)``.
        last_firm: brand bought last (-1 none), ``(N,)``.
        last_channel: channel of the last purchase (-1 none, 0 direct, k+1 platform k).
        aware: knows firm j as a direct option, ``(N, F)`` bool.
        aware_platform: knows platform k, ``(N, K)`` bool.
        member: member of platform k's programme, ``(N, K)`` bool.
        fit_direct: fit term (utils) of each firm's direct channel, ``(N, F)`` or None.
        fit_platform: fit term (utils) of each platform, ``(N, K)`` or None.
    """

    price_sensitivity: np.ndarray
    selection_taste: np.ndarray
    experience_taste: np.ndarray
    expectation: np.ndarray
    habit_strength: np.ndarray
    last_firm: np.ndarray
    last_channel: np.ndarray
    aware: np.ndarray
    aware_platform: np.ndarray
    member: np.ndarray
    fit_direct: np.ndarray | None = None
    fit_platform: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.price_sensitivity)


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
    with ``W_ik`` the listings' log-sum (:func:`platform_value`), ``n_k`` the platform's
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


class FirmWhatIf:
    """Fast what-if demand for one firm: its units if it changed price, stocks or channels.

    Exactly :func:`channel_demand` evaluated on ``offer.with_firm(...)`` /
    ``offer.with_channels(...)`` for the firm, but computed from cached utilities: a
    change of one firm moves only its direct column and, on platforms where it is (or
    would be) listed, its listing value, its items and the platform's selection. A
    strategy asks dozens of such questions per decision.

    Args:
        offer: the offer now.
        shoppers: the consumers (a sample).
        outside_utility: ``u0``.
        weights: expected shopping trips per consumer.
        slot: the firm.
        utilities: ``channel_utilities(offer, shoppers)`` if already computed (several
            firms' what-ifs on one sample can share it).
    """

    def __init__(
        self,
        offer: ChannelOffer,
        shoppers: Shoppers,
        outside_utility: float,
        weights: np.ndarray,
        slot: int,
        utilities: np.ndarray | None = None,
    ):
        self.offer, self.shoppers, self.slot = offer, shoppers, slot
        self.outside = outside_utility
        self.weights = weights
        n_firms = offer.n_firms
        self.utilities = channel_utilities(offer, shoppers) if utilities is None else utilities
        # The firm's direct column if it were open, from its current utility terms.
        open_offer = offer.with_channels(slot, True, tuple(np.flatnonzero(offer.listed[:, slot])))
        alone = open_offer.firm_only(slot)
        own = dataclasses.replace(
            shoppers,
            aware=shoppers.aware[:, slot : slot + 1],
            last_firm=np.where(shoppers.last_firm == slot, 0, -1),
            fit_direct=None if shoppers.fit_direct is None else shoppers.fit_direct[:, [slot]],
        )
        self.direct_base = channel_utilities(alone, own)[:, 0]
        # Members of the firm's loyalty programme: last bought direct from it.
        self.member = direct_habit_target(shoppers.last_firm, shoppers.last_channel) == slot
        # Per platform: the rest of the platform's utility, and the other listings.
        self.platform_rest: list[np.ndarray | None] = []
        self.others = []
        for k in range(offer.n_platforms):
            slots, items = offer.listings(k)
            keep = slots != slot
            values = channel_listing_values(offer, shoppers, k, slots[keep])
            self.others.append((values, items[keep]))
            if not offer.platform_open[k]:
                self.platform_rest.append(None)
                continue
            rest = shoppers.experience_taste * (offer.platform_experience[k] - shoppers.expectation)
            if offer.member_bonus[k] or offer.member_loyalty[k]:
                bonus = offer.member_bonus[k] * shoppers.experience_taste
                rest = rest + np.where(shoppers.member[:, k], bonus + offer.member_loyalty[k], 0.0)
            rest = rest + np.where(shoppers.last_channel == k + 1, shoppers.habit_strength, 0.0)
            if shoppers.fit_platform is not None:
                rest = rest + shoppers.fit_platform[:, k]
            if offer.platform_friction is not None:
                rest = rest + offer.platform_friction[k]
            rest = np.where(shoppers.aware_platform[:, k], rest, NOT_AVAILABLE)
            self.platform_rest.append(rest)
        self.n_firms = n_firms
        # The logit denominator's part that no change of this firm can touch: the
        # outside option and the other firms' direct stores (log-sum, shifted by ``top``).
        others = np.delete(self.utilities[:, :n_firms], slot, axis=1)
        self.top = np.maximum(others.max(axis=1, initial=NOT_AVAILABLE), outside_utility)
        self.fixed_sum = np.exp(outside_utility - self.top) + np.exp(
            others - self.top[:, None]
        ).sum(axis=1)

    def units(
        self,
        price: float | None = None,
        selection: float | None = None,
        experience: float | None = None,
        direct: bool | None = None,
        platforms: tuple[int, ...] | None = None,
        **defences: float | None,
    ) -> tuple[float, np.ndarray]:
        """Expected weekly units of the firm: ``(direct, per platform (K,))``.

        Args:
            price: new price (current if None).
            selection: new selection (current if None).
            experience: new own experience (current if None).
            direct: sells direct (current if None).
            platforms: platforms it lists on (current if None).
            **defences: ``platform_price``, ``incentive``, ``rebate`` as in
                :meth:`units_detail`.
        """
        direct_units, _, platform_units = self.units_detail(
            price, selection, experience, direct, platforms, **defences
        )
        return direct_units, platform_units

    def listing_price_at(self, platform: int, price: float, platform_price: float | None):
        """Price platform k would show for the firm's listing ($), parity applied.

        ``platform_price`` None keeps the firm's current ask; NaN follows ``price``.
        """
        offer, j = self.offer, self.slot
        asked = platform_price
        if asked is None:
            asked = np.nan if offer.platform_price is None else float(offer.platform_price[j])
        if np.isnan(asked):
            asked = price
        if offer.parity is not None and offer.parity[platform]:
            return min(asked, price)
        return asked

    def units_detail(
        self,
        price: float | None = None,
        selection: float | None = None,
        experience: float | None = None,
        direct: bool | None = None,
        platforms: tuple[int, ...] | None = None,
        platform_price: float | None = None,
        incentive: float | None = None,
        rebate: float | None = None,
    ) -> tuple[float, float, np.ndarray]:
        """Expected weekly units: ``(direct, of which by loyalty members, per platform)``.

        Args:
            price: new direct price (current if None); listings follow it unless the
                firm asks a platform price of its own.
            selection: new selection (current if None).
            experience: new own experience (current if None).
            direct: sells direct (current if None).
            platforms: platforms it lists on (current if None).
            platform_price: price asked on platforms (current if None).
            incentive: direct-channel incentive in $ (current if None).
            rebate: loyalty rebate in $ (current if None).
        """
        offer, shoppers, j = self.offer, self.shoppers, self.slot
        alpha, beta, gamma = (
            shoppers.price_sensitivity,
            shoppers.selection_taste,
            shoppers.experience_taste,
        )
        old_price, old_selection = offer.price[j], offer.selection[j]
        old_experience = offer.experience[j]
        price = old_price if price is None else price
        selection = old_selection if selection is None else selection
        experience = old_experience if experience is None else experience
        direct = bool(offer.direct_open[j]) if direct is None else direct
        listed = tuple(np.flatnonzero(offer.listed[:, j])) if platforms is None else platforms
        if direct:
            column = (
                self.direct_base
                - alpha * (price - old_price)
                + beta * (np.log(max(selection, 1.0)) - np.log(max(old_selection, 1.0)))
                + gamma * (experience - old_experience)
            )
            if incentive is not None or rebate is not None:
                column = column + self.defence_change(incentive, rebate)
            own_direct = np.where(shoppers.aware[:, j], column, NOT_AVAILABLE)
        else:
            own_direct = np.full(len(shoppers), NOT_AVAILABLE)
        platform_columns = [self.utilities[:, self.n_firms + k] for k in range(offer.n_platforms)]
        own_values = {}
        for k in range(offer.n_platforms):
            rest = self.platform_rest[k]
            if rest is None:
                continue
            values, items = self.others[k]
            on_k = k in listed
            if on_k:
                shown = (
                    price
                    if not offer.channel_prices and platform_price is None
                    else self.listing_price_at(k, price, platform_price)
                )
                own = (
                    offer.quality[j]
                    - alpha
                    * shown
                    * (offer.price_factor[k] if offer.price_factor is not None else 1)
                    + (gamma * experience if offer.seller_delivers[k] else 0.0)
                )
                factor = offer.items_factor[k] if offer.items_factor is not None else 1.0
                values = np.column_stack([values, own])
                items = np.append(items, selection * factor)
                own_values[k] = (values, items)
            elif not (offer.listed[k, j]):
                continue  # nothing about k changed
            total = float(items.sum())
            if total <= 0:
                platform_columns[k] = np.full(len(shoppers), NOT_AVAILABLE)
                continue
            w = platform_value(values, items, float(offer.transparency[k]))
            platform_columns[k] = w + beta * np.log(max(total, 1.0)) + rest
        # logit over: fixed part (outside, rivals' stores), own store, the platforms
        top = np.maximum(self.top, own_direct)
        for column in platform_columns:
            top = np.maximum(top, column)
        own_weight = np.exp(own_direct - top)
        platform_weights = [np.exp(column - top) for column in platform_columns]
        denominator = self.fixed_sum * np.exp(self.top - top) + own_weight
        for weight in platform_weights:
            denominator += weight
        direct_share = own_weight / denominator
        direct_units = float(self.weights @ direct_share) if direct else 0.0
        member_units = (
            float(self.weights[self.member] @ direct_share[self.member]) if direct else 0.0
        )
        platform_units = np.zeros(offer.n_platforms)
        for k, (values, items) in own_values.items():
            inner = listing_probabilities(values, items, float(offer.transparency[k]))[:, -1]
            platform_units[k] = self.weights @ (platform_weights[k] / denominator * inner)
        return direct_units, member_units, platform_units

    def defence_change(self, incentive: float | None, rebate: float | None):
        """Change of the direct utility if the firm's incentive or rebate changed (utils)."""
        offer, shoppers, j = self.offer, self.shoppers, self.slot
        change: float | np.ndarray = 0.0
        if incentive is not None:
            old = 0.0 if offer.incentive is None else float(offer.incentive[j])
            change = change + shoppers.price_sensitivity * (incentive - old)
        if rebate is not None:
            old = 0.0 if offer.rebate is None else float(offer.rebate[j])
            gain = loyalty_utility(
                shoppers.habit_strength, shoppers.price_sensitivity, rebate, offer.habit_boost
            ) - loyalty_utility(
                shoppers.habit_strength, shoppers.price_sensitivity, old, offer.habit_boost
            )
            change = change + np.where(self.member, gain, 0.0)
        return change


# ---------------------------------------------------------------------------
# Fees and the third-party seller pool


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


def membership_value(
    need_rate: np.ndarray,
    shops_here: np.ndarray,
    experience_taste: np.ndarray,
    price_sensitivity: np.ndarray,
    delivery_bonus: float,
    loyalty_bonus: float,
) -> np.ndarray:
    """What membership is worth to each consumer, in $ per week.

    ``v_i = lambda_i s_i (gamma_i b + l) / alpha_i``: expected weekly purchases on the
    platform (``s_i`` = 1 if the consumer shops there, else 0) times the value of a
    member's better experience and loyalty perks, in money.

    Args:
        need_rate: ``lambda_i``.
        shops_here: ``s_i`` (bool or share).
        experience_taste: ``gamma_i``.
        price_sensitivity: ``alpha_i`` (utils per $).
        delivery_bonus: ``b``, experience units per member purchase.
        loyalty_bonus: ``l``, utils per member purchase.

    Returns:
        $ per week per consumer.
    """
    return (
        need_rate
        * shops_here
        * (experience_taste * delivery_bonus + loyalty_bonus)
        / (price_sensitivity)
    )


def bass_adoption_probability(innovation: float, imitation: float, adopter_share: float) -> float:
    """Weekly probability an unaware consumer discovers a platform (Bass 1969).

    ``P = p + q F`` with ``F`` the share of consumers who already use it, clipped to
    [0, 1].

    Args:
        innovation: ``p`` (discovery on one's own).
        imitation: ``q`` (discovery through users).
        adopter_share: ``F`` in [0, 1].

    Returns:
        The probability.
    """
    return float(np.clip(innovation + imitation * adopter_share, 0.0, 1.0))


def fade_awareness(aware: np.ndarray, uniforms: np.ndarray, fade: float) -> np.ndarray:
    """Brand awareness after purchases through a platform.

    Each platform purchase of a brand makes the buyer lose the brand as a direct option
    with probability ``fade``: the relationship, and the memory of the purchase, belong
    to the platform ("I bought it on Amazon").

    Args:
        aware: current awareness of the brand bought, per buyer (bool).
        uniforms: U[0, 1) draws, per buyer.
        fade: probability in [0, 1].

    Returns:
        Updated awareness.
    """
    return aware & (uniforms >= fade)
