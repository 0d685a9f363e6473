"""What a channel choice compares: the offer by channel, and the shoppers.

:class:`ChannelOffer` holds the supply side of a week's channel choice (firms' direct
stores, platforms, their listings and the third-party seller pool); :class:`Shoppers`
the demand side (the consumers with a need). Both are frozen; what-if variants are new
offers (``with_firm``, ``with_channels``, ``scale_platform``).

Pure data and numpy: no Mesa, no model state.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.mechanics.defences import parity_listing_price


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
