"""What-if demand of one firm: its units if it changed price, stocks, defences or channels.

Exactly :func:`sim.mechanics.platforms.channel_choice.channel_demand` on a changed offer,
computed from cached utilities so a strategy can ask dozens of questions per decision.

Pure numpy: no Mesa, no model state.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.mechanics.defences import loyalty_utility
from sim.mechanics.demand import NOT_AVAILABLE
from sim.mechanics.platforms.channel_choice import (
    channel_listing_values,
    channel_utilities,
    direct_habit_target,
)
from sim.mechanics.platforms.listings import listing_probabilities, platform_value
from sim.mechanics.platforms.offer import ChannelOffer, Shoppers


class FirmWhatIf:
    """Fast what-if demand for one firm: its units if it changed price, stocks or channels.

    Exactly :func:`~sim.mechanics.platforms.channel_choice.channel_demand` evaluated on
    ``offer.with_firm(...)`` / ``offer.with_channels(...)`` for the firm, but computed from
    cached utilities: a change of one firm moves only its direct column and, on platforms
    where it is (or would be) listed, its listing value, its items and the platform's
    selection. A strategy asks dozens of such questions per decision.

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
