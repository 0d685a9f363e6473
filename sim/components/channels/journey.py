"""The consumer journey in a market with channels: recognize, request, respond.

:class:`Journey` is owned by the channel component (``model.channels.journey``). Its
stages replace the plain market's consumer stages when the scenario has channels:
needs arise (coached customers more often), shoppers discover platforms, subscribers
are served automatically, everyone else chooses a channel and a seller, the market
clears, and buyers judge the channel's experience. It keeps the week's purchases and
who was served or prompted, which the repeat stage and the other components read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.consumer import NO_FIRM
from sim.components.channels.state import DIRECT, POOL, WeekPurchases
from sim.components.platform_moves import OWN_LABEL
from sim.mechanics.demand import NOT_AVAILABLE, sample_choices
from sim.mechanics.experience import ratchet_expectations, realised_experience, satisfaction
from sim.mechanics.journey import coached_need_rate
from sim.mechanics.platforms import (
    ChannelOffer,
    bass_adoption_probability,
    channel_utilities,
    choose_with_surplus,
    listing_probabilities,
    listing_values,
)
from sim.scenario.schema_channels import ConnectedKind

if TYPE_CHECKING:
    from sim.components.channels.component import Channels
    from sim.model.market import MarketModel


class Journey:
    """The week's consumer stages with channels, and the week's purchases.

    Args:
        model: the model.
        channels: the channel component that owns this journey.
    """

    def __init__(self, model: MarketModel, channels: Channels):
        self.model = model
        self.channels = channels
        self.purchases: WeekPurchases | None = None
        self.week_offer: ChannelOffer | None = None
        self.coached: np.ndarray | None = None
        self.auto_kind = np.zeros(0, dtype=np.int8)
        self.auto_target = np.zeros(0, dtype=np.int64)
        self.prompted_by = np.zeros(0, dtype=np.int32)
        self._coach_key: tuple[bytes, bytes] | None = None
        self._coached: np.ndarray | None = None
        self._lifted_need = np.zeros(0)

    @property
    def bought(self) -> WeekPurchases:
        """This week's purchases (after the request stage)."""
        if self.purchases is None:
            raise RuntimeError("no purchases yet this week: consumers have not chosen")
        return self.purchases

    @property
    def offer_now(self) -> ChannelOffer:
        """The offer consumers chose from this week (after the request stage)."""
        if self.week_offer is None:
            raise RuntimeError("no offer yet this week: consumers have not chosen")
        return self.week_offer

    # ------------------------------------------------------------------ recognize

    def coach_owners(self) -> tuple[np.ndarray, np.ndarray]:
        """Which firms and platforms coach their customers now: ``(firms, platforms)``."""
        model = self.model
        coach = ConnectedKind.coach_behaviour
        firms = np.array([f.alive and f.connected is coach for f in model.firms], dtype=bool)
        platforms = np.array([p.alive and p.offers(coach) for p in model.platforms], dtype=bool)
        return firms, platforms

    def coached_among(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Whether each consumer's relationship owner coaches them (all, or ``rows``)."""
        model, channels = self.model, self.channels
        cols, state = model.population.columns, channels.state
        firms, platforms = self.coach_owners()
        last_firm = cols.last_firm if rows is None else cols.last_firm[rows]
        last_channel = state.last_channel if rows is None else state.last_channel[rows]
        coached = np.zeros(len(last_firm), dtype=bool)
        direct = (last_channel == DIRECT) & (last_firm >= 0)
        coached[direct] = firms[last_firm[direct]]
        for k in np.flatnonzero(platforms):
            coached |= last_channel == k + 1
        return coached

    def need_rates(self) -> np.ndarray:
        """Weekly need probability of every consumer (coached ones need more often).

        Who is coached is kept up to date as purchases change relationships; it is
        recounted in full only when the set of coaching firms and platforms changes.
        """
        model, channels = self.model, self.channels
        cols = model.population.columns
        self.coached = None
        if not channels.mode:
            return cols.need_rate
        owners = self.coach_owners()
        if not owners[0].any() and not owners[1].any():
            return cols.need_rate
        key = (owners[0].tobytes(), owners[1].tobytes())
        if self._coach_key != key or self._coached is None:
            self._coach_key = key
            self._coached = self.coached_among()
            self._lifted_need = coached_need_rate(
                cols.need_rate, np.ones(len(cols), dtype=bool), model.spec.connected.coach_lift
            )
        coached = self.coached = self._coached
        return np.where(coached, self._lifted_need, cols.need_rate)

    def discover_platforms(self) -> None:
        """Platforms open the week; shoppers who do not know one may discover it (Bass)."""
        model, channels = self.model, self.channels
        if not model.platforms:
            return
        state, rows = channels.state, model.choosers
        population = len(model.population)
        for k, platform in enumerate(model.platforms):
            platform.start_week()
            if not platform.alive:
                continue
            probability = bass_adoption_probability(
                platform.awareness_innovation,
                platform.awareness_imitation,
                platform.customers / population,
            )
            if probability <= 0.0:
                continue
            unaware = rows[~state.aware_platform[rows, k]]
            found = unaware[model.rng.random(len(unaware)) < probability]
            state.aware_platform[found, k] = True
            platform.aware += len(found)

    def automatic_execution(self) -> None:
        """Subscribers' needs are met by their provider before they ask: no comparison."""
        model, channels = self.model, self.channels
        if not channels.mode:
            return
        state, rows = channels.state, model.choosers
        auto = ConnectedKind.automatic_execution
        by_firm = state.auto_firm[rows]
        by_platform = state.auto_platform[rows].astype(np.int32)
        firm_ok = np.array(
            [f.alive and f.sells_direct and f.connected is auto for f in model.firms]
        )
        platform_ok = np.array([p.alive and p.offers(auto) for p in model.platforms], dtype=bool)
        served_firm = by_firm >= 0
        lapsed = served_firm & ~firm_ok[np.maximum(by_firm, 0)] if len(firm_ok) else served_firm
        state.auto_firm[rows[lapsed]] = -1
        served_firm &= ~lapsed
        served_platform = (by_platform >= 0) & ~served_firm
        if len(platform_ok):
            lapsed = served_platform & ~platform_ok[np.maximum(by_platform, 0)]
        else:
            lapsed = served_platform
        state.auto_platform[rows[lapsed]] = -1
        served_platform &= ~lapsed
        self.auto_kind = np.zeros(len(rows), dtype=np.int8)
        self.auto_kind[served_firm] = 1
        self.auto_kind[served_platform] = 2
        self.auto_target = np.where(
            served_firm, by_firm, np.where(served_platform, by_platform, -1)
        )
        # Coach behaviour: a need that arose only because the coach raised it is a
        # request to the coach (prompted), not an occasion to compare everyone.
        self.prompted_by = np.full(len(rows), -1, dtype=np.int32)
        if self.coached is not None:
            cols = model.population.columns
            prompted = self.coached[rows] & (model.need_draws[rows] >= cols.need_rate[rows])
            prompted &= self.auto_kind == 0
            last_channel = state.last_channel[rows]
            owner_column = np.where(
                last_channel == DIRECT,
                cols.last_firm[rows],
                len(model.firms) + last_channel.astype(np.int32) - 1,
            )
            self.prompted_by[prompted] = owner_column[prompted]

    # ------------------------------------------------------------------ request

    def consumers_choose(self) -> None:
        """Shoppers choose a channel, then a seller on a platform; subscribers are served."""
        model, channels = self.model, self.channels
        cols = model.population.columns
        rows = model.choosers
        offer = self.week_offer = channels.offer()
        n_firms = offer.n_firms
        shoppers = channels.shoppers(rows)
        utilities = channel_utilities(offer, shoppers)
        prompted = np.flatnonzero(self.prompted_by >= 0)
        if len(prompted):
            coach_column = self.prompted_by[prompted]
            kept = utilities[prompted, coach_column]
            utilities[prompted] = NOT_AVAILABLE
            utilities[prompted, coach_column] = kept
        model.platform_moves.send_back(model, rows, utilities)  # (moves) return to platform
        outside = model.spec.market.outside_utility
        compare = self.auto_kind == 0
        alpha = cols.price_sensitivity[rows]
        everyone_compares = bool(compare.all())
        compared = utilities if everyone_compares else utilities[compare]
        choice, surplus_each = choose_with_surplus(
            compared,
            outside,
            alpha if everyone_compares else alpha[compare],
            model.rng.random(len(compared)),
        )
        surplus = float(surplus_each.sum())
        served = np.flatnonzero(~compare)
        if len(served):
            column = np.where(
                self.auto_kind[served] == 1,
                self.auto_target[served],
                n_firms + self.auto_target[served],
            )
            served_utility = utilities[served, column]
            gain = np.where(np.isfinite(served_utility), served_utility - outside, 0.0)
            surplus += float((gain / alpha[served]).sum())
        model.stats.surplus_total = float(surplus)
        model.needs_reached = self.count_reached(utilities, offer)

        # Buyers: those who compared and bought, then those served automatically.
        picked = choice[choice > 0] - 1
        n_picked = len(picked)
        position = np.concatenate([np.flatnonzero(compare)[choice > 0], served])
        auto_served, target = self.auto_kind[served], self.auto_target[served]
        is_direct = picked < n_firms
        brand = np.concatenate(
            [np.where(is_direct, picked, POOL), np.where(auto_served == 1, target, POOL)]
        ).astype(np.int32)
        channel = np.concatenate(
            [
                np.where(is_direct, DIRECT, picked - n_firms + 1),
                np.where(auto_served == 1, DIRECT, target + 1),
            ]
        ).astype(np.int16)
        # On a platform, the second comparison picks the seller among its listings.
        for k in range(offer.n_platforms):
            on_k = np.flatnonzero(channel == k + 1)
            if not len(on_k):
                continue
            who = rows[position[on_k]]
            slots, items = offer.listings(k)
            values = listing_values(
                offer.listing_quality(k)[slots],
                offer.listing_price(k)[slots],
                offer.listing_experience(k)[slots],
                cols.price_sensitivity[who],
                cols.experience_taste[who],
            )
            inner = listing_probabilities(values, items, offer.transparency[k])
            slot = slots[sample_choices(inner, model.rng.random(len(on_k)))]
            brand[on_k] = np.where(slot >= n_firms, POOL - (slot - n_firms), slot)
        automatic = np.zeros(len(position), dtype=bool)
        automatic[n_picked:] = True
        self.purchases = WeekPurchases(rows[position], brand, channel, automatic)
        branded = brand >= 0
        model.buyers = rows[position][branded]
        model.bought_from = brand[branded].astype(np.int32)
        model.cumulative_surplus += model.stats.surplus_total

    @staticmethod
    def count_reached(utilities: np.ndarray, offer: ChannelOffer) -> np.ndarray:
        """Shoppers who could buy each firm this week, directly or on a platform."""
        n_firms = offer.n_firms
        direct = utilities[:, :n_firms] > NOT_AVAILABLE
        reached = direct.sum(axis=0)
        open_platforms = utilities[:, n_firms:] > NOT_AVAILABLE
        for j in range(n_firms):
            on = offer.listed[:, j]
            if on.any():
                via = open_platforms[:, on].any(axis=1)
                reached[j] += int((via & ~direct[:, j]).sum())
        return reached

    # ------------------------------------------------------------------ clear

    def market_clears(self) -> None:
        """Units, revenue, fees and costs are booked to firms, platforms and sellers.

        The week's consumer surplus is then attributed to brands by units sold.
        """
        model, channels = self.model, self.channels
        bought, offer = self.bought, self.offer_now
        cols = model.population.columns
        n_firms, n_platforms = offer.n_firms, offer.n_platforms
        direct = bought.channel == DIRECT
        direct_units = np.bincount(bought.brand[direct], minlength=n_firms).astype(float)
        listing_units = np.zeros((n_platforms, n_firms + 1))
        for k in range(n_platforms):
            on_k = (bought.channel == k + 1) & (bought.brand != OWN_LABEL)
            slot = np.where(bought.brand[on_k] >= 0, bought.brand[on_k], n_firms)
            listing_units[k] = np.bincount(slot, minlength=n_firms + 1)
        channels.listing_units = listing_units
        firm_units = direct_units + listing_units[:, :n_firms].sum(axis=0)
        branded = bought.brand >= 0
        repeat = branded & (cols.last_firm[bought.rows] == bought.brand)
        repeat_units = np.bincount(bought.brand[repeat], minlength=n_firms)
        auto_direct = bought.automatic & direct
        auto_units = np.bincount(bought.brand[auto_direct], minlength=n_firms)
        if offer.channel_prices:
            shown = model.defences.shown_prices(offer)
            fees = (offer.take_rate[:, None] * shown * listing_units[:, :n_firms]).sum(axis=0)
        else:
            fees = offer.price * (offer.take_rate @ listing_units[:, :n_firms])
        for firm in model.firms:
            if not firm.alive:
                continue
            j = firm.slot
            firm.book_sales(
                float(firm_units[j]), float(repeat_units[j]), float(model.needs_reached[j])
            )
            firm.book_channel_costs(
                float(direct_units[j]),
                float(firm_units[j] - direct_units[j]),
                float(fees[j]),
                channels.connected_cost(firm, float(direct_units[j]), float(auto_units[j])),
            )
        model.defences.book(model, bought, offer, direct_units, listing_units)
        take_total = membership_fees = pool_revenue = owner_units_total = 0.0
        for k, platform in enumerate(model.platforms):
            if not platform.alive:
                continue
            units = listing_units[k]
            owner = float(sum(units[j] for j in platform.owner_slots))
            on_k = bought.channel == k + 1
            members = float(channels.state.member[bought.rows[on_k], k].sum())
            automatic = float((bought.automatic & on_k).sum())
            pool_sales = float(offer.pool_price[k] * units[n_firms])
            listing_price = offer.firm_listing_price(k)
            gmv = float(listing_price @ units[:n_firms]) + pool_sales
            platform.book_week(
                owner_units=owner,
                brand_units=float(units[:n_firms].sum()) - owner,
                pool_units=float(units[n_firms]),
                gmv=gmv,
                pool_sales=pool_sales,
                member_units=members,
                connected_cost=channels.connected_cost(platform, float(units.sum()), automatic),
                week=model.week,
            )
            take_total += platform.week.take
            membership_fees += platform.week.membership_revenue
            pool_revenue += pool_sales * (1.0 - platform.take_rate)
            owner_units_total += owner
        pool_units = float(listing_units[:, n_firms].sum())
        model.stats.units_by_slot = firm_units
        model.stats.purchases = int(firm_units.sum() + pool_units)
        if offer.channel_prices:
            shown = model.defences.shown_prices(offer)
            firm_spending = offer.price @ direct_units + (shown * listing_units[:, :n_firms]).sum()
        else:
            firm_spending = offer.price @ firm_units
        model.stats.spending = float(firm_spending + offer.pool_price @ listing_units[:, -1])
        model.stats.repeat_purchases = int(repeat.sum())
        model.stats.platform_purchases = int(listing_units.sum())
        model.stats.platform_take = float(take_total)
        model.stats.membership_fees = float(membership_fees)
        model.stats.pool_units = int(pool_units)
        model.stats.pool_revenue = float(pool_revenue)
        model.stats.owner_units = int(owner_units_total)
        model.stats.automatic_purchases = int(bought.automatic.sum())
        model.platform_moves.book_week(model, bought, offer, direct_units, listing_units)
        channels.quarter_purchases += model.stats.purchases
        model.lifecycle.attribute_surplus_by_units()
        model.quarter_units += model.stats.purchases

    # ------------------------------------------------------------------ respond

    def consumers_experience(self) -> None:
        """Buyers meet the channel's experience, judge it, and remember the channel."""
        model, channels = self.model, self.channels
        bought, offer = self.bought, self.offer_now
        cols, state = model.population.columns, channels.state
        rows, brand, channel = bought.rows, bought.brand, bought.channel
        n_firms = offer.n_firms
        delivered = np.zeros(len(rows))
        direct = channel == DIRECT
        delivered[direct] = offer.direct_experience[brand[direct]]
        for k in range(offer.n_platforms):
            on_k = channel == k + 1
            if not on_k.any():
                continue
            base = (
                offer.platform_experience[k] + offer.member_bonus[k] * state.member[rows[on_k], k]
            )
            if offer.seller_delivers[k]:
                sellers = brand[on_k]
                base = base + np.where(sellers >= 0, offer.experience[np.maximum(sellers, 0)], 0.0)
            delivered[on_k] = base
        experienced = realised_experience(
            delivered,
            model.spec.consumers.experience_noise_sd,
            model.rng.standard_normal(len(rows)),
        )
        expectation = cols.expectation[rows]
        felt = satisfaction(experienced, expectation)
        branded = brand >= 0
        sums = np.bincount(brand[branded], weights=felt[branded], minlength=n_firms)
        for firm in model.firms:
            if firm.alive:
                firm.book_satisfaction(float(sums[firm.slot]))
        previous = state.last_channel[rows]
        for k, platform in enumerate(model.platforms):
            on_k = channel == k + 1
            platform.book_satisfaction(float(felt[on_k].sum()))
            platform.customers += int(on_k.sum()) - int((previous == k + 1).sum())
        cols.expectation[rows] = ratchet_expectations(
            expectation, experienced, model.spec.consumers.expectation_adaptation
        )
        cols.last_satisfaction[rows] = felt
        cols.last_firm[rows] = np.where(branded, brand, NO_FIRM)
        state.last_channel[rows] = channel
        model.adopters += int(np.count_nonzero(cols.purchases[rows] == 0))
        cols.purchases[rows] += 1
        bought.felt = felt
        if self._coached is not None:
            self._coached[rows] = self.coached_among(rows)
