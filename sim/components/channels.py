"""The market with channels: platforms, relationships and the connected customer journey.

``MarketModel`` mixes in :class:`ChannelStages`. When a scenario has platforms,
connected experiences or learning (``Scenario.channels_active``), the consumer step
becomes the journey of Siggelkow and Terwiesch (2019):

1. *recognize*: needs arise (coached customers more often); shoppers may discover a
   platform (Bass 1969); subscribers to automatic execution are served before they ask;
2. *request*: everyone else chooses a channel (a brand's own store, a platform, or
   nothing) and, on a platform, a seller among its listings by a price-transparent
   comparison (``sim.mechanics.platforms``);
3. *respond*: buyers meet the experience of the channel (a marketplace fulfils; an
   aggregator sends them on to the seller) and judge it against expectations;
4. *repeat*: whoever owns the relationship (the brand for a direct sale, the platform
   otherwise) gets the habit, the data and the learning (``sim.mechanics.learning``);
   a brand bought through a platform fades from the buyer's mind.

Platforms then book fees and costs, third-party sellers join or leave, and every
quarter platforms set their take rate, firms review their channels once a year, and the
flywheel meter measures the loop. Without channels every stage here is a no-op and the
market engine's original stages run unchanged.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np

from sim.agents.consumer import NO_FIRM
from sim.agents.platform import Platform
from sim.components.platform_moves import OWN_LABEL
from sim.components.research import RESEARCH_PLATFORM_COLUMNS
from sim.mechanics.demand import NOT_AVAILABLE, sample_choices
from sim.mechanics.experience import ratchet_expectations, realised_experience, satisfaction
from sim.mechanics.journey import auto_cancellation, auto_enrolment, coached_need_rate
from sim.mechanics.learning import (
    curated_fit,
    effective_fit,
    individual_fit_update,
    population_knowledge,
)
from sim.mechanics.platforms import (
    ChannelOffer,
    Shoppers,
    bass_adoption_probability,
    channel_utilities,
    choose_with_surplus,
    fade_awareness,
    listing_probabilities,
    listing_values,
    membership_value,
)
from sim.mechanics.stocks import accumulate_stock
from sim.scenario import ConnectedKind, PlatformKind
from sim.strategies.base import ChannelSet, MarketResearch, PlatformOption
from sim.strategies.channel_research import ChannelMarketResearch
from sim.strategies.platform import PlatformView, resolve_platform_strategy
from sim.strategies.user_code import calling_strategy, checked

POOL = -1
NO_CHANNEL = -1
DIRECT = 0
QUARTERS_PER_YEAR = 4

CHANNEL_FIRM_COLUMNS = [
    "direct_units",
    "platform_units",
    "platform_share",
    "platform_fees",
    "net_revenue",
    "connected_cost",
    "owned_customers",
    "fit",
    "knowledge",
    "channels",
    "connected",
]

PLATFORM_COLUMNS = [
    "step",
    "platform_id",
    "name",
    "kind",
    "strategy",
    "take_rate",
    "fee_rate",
    "sellers",
    "sellers_joined",
    "sellers_left",
    "seller_profit",
    "third_party_price",
    "selection",
    "purchases",
    "owner_units",
    "brand_units",
    "pool_units",
    "third_party_share",
    "gmv",
    "pool_sales",
    "pool_revenue",
    "take",
    "membership_revenue",
    "members",
    "fulfilment_cost",
    "operating_cost",
    "operating_profit",
    "investment",
    "payout",
    "cumulative_payout",
    "cash",
    "experience",
    "efficiency",
    "satisfaction",
    "customers",
    "aware_share",
    "power",
    "knowledge",
    "connected",
    "alive",
    *RESEARCH_PLATFORM_COLUMNS,
]


@dataclass
class ChannelColumns:
    """Per-consumer state that exists only when channels are on (row i = consumer i).

    Attributes:
        last_channel: channel of the last purchase: -1 none, 0 direct, k+1 platform k.
        aware_platform: knows platform k, ``(N, K)`` bool.
        member: member of platform k's programme, ``(N, K)`` bool.
        auto_firm: firm fulfilling this consumer's needs automatically (-1 none).
        auto_platform: platform doing so (-1 none).
        fit_firm: individual fit with each firm, ``(N, F)`` float32, or None.
        fit_platform: individual fit with each platform, ``(N, K)`` float32, or None.
    """

    last_channel: np.ndarray
    aware_platform: np.ndarray
    member: np.ndarray
    auto_firm: np.ndarray
    auto_platform: np.ndarray
    fit_firm: np.ndarray | None
    fit_platform: np.ndarray | None

    @classmethod
    def create(
        cls,
        n: int,
        n_firms: int,
        awareness: list[float],
        learning: bool,
        rng: np.random.Generator,
    ) -> ChannelColumns:
        """Columns at the start: no purchases, platform awareness drawn per platform."""
        aware = np.ones((n, len(awareness)), dtype=bool)
        for k, share in enumerate(awareness):
            if share <= 0.0:
                aware[:, k] = False
            elif share < 1.0:
                aware[:, k] = rng.random(n) < share
        return cls(
            last_channel=np.full(n, NO_CHANNEL, dtype=np.int16),
            aware_platform=aware,
            member=np.zeros((n, len(awareness)), dtype=bool),
            auto_firm=np.full(n, -1, dtype=np.int32),
            auto_platform=np.full(n, -1, dtype=np.int16),
            fit_firm=np.zeros((n, n_firms), dtype=np.float32) if learning else None,
            fit_platform=np.zeros((n, len(awareness)), dtype=np.float32) if learning else None,
        )

    def add_firm_column(self) -> None:
        """Room for a firm that enters (no fit yet)."""
        if self.fit_firm is not None:
            pad = np.zeros((self.fit_firm.shape[0], 1), dtype=self.fit_firm.dtype)
            self.fit_firm = np.concatenate([self.fit_firm, pad], axis=1)

    def fit_firms(self, n_firms: int) -> None:
        """Make sure there is a fit column for each of ``n_firms`` firm slots."""
        while self.fit_firm is not None and self.fit_firm.shape[1] < n_firms:
            self.add_firm_column()


@dataclass
class WeekPurchases:
    """This week's purchases, one entry per buyer.

    Attributes:
        rows: consumer rows.
        brand: firm slot bought from, or -1 for a third-party seller.
        channel: 0 direct, k+1 through platform k.
        automatic: fulfilled by automatic execution (no comparison).
        felt: satisfaction of the purchase (after the respond stage).
    """

    rows: np.ndarray
    brand: np.ndarray
    channel: np.ndarray
    automatic: np.ndarray
    felt: np.ndarray | None = None


class ChannelStages:
    """Stages and views of the market with channels (mixed into ``MarketModel``)."""

    # ------------------------------------------------------------------ set-up

    def setup_channels(self) -> None:
        """Create platforms, fix channels given by the scenario, add consumer columns."""
        from sim.components.flywheel import FlywheelMeter

        spec = self.spec
        self.channel_mode = spec.channels_active
        self.platforms: list[Platform] = []
        self.channel_columns: ChannelColumns | None = None
        self.purchases_week: WeekPurchases | None = None
        self.listing_units = np.zeros((0, len(self.firms) + 1))
        self.quarter_purchases = 0.0
        self.offer: ChannelOffer | None = None
        self.flywheel = FlywheelMeter(spec.flywheel_meter)
        if not self.channel_mode:
            return
        n = spec.consumers.count
        spec_slots, slot = {}, 0
        for firm_spec in spec.firms:
            spec_slots[firm_spec.name] = tuple(range(slot, slot + firm_spec.count))
            slot += firm_spec.count
        slot_of_platform = {platform.name: k for k, platform in enumerate(spec.platforms)}
        for k, platform_spec in enumerate(spec.platforms):
            strategy = resolve_platform_strategy(platform_spec.strategy)(
                **platform_spec.strategy_params
            )
            owners = spec_slots.get(platform_spec.owner, ()) if platform_spec.owner else ()
            self.platforms.append(Platform(self, platform_spec, k, strategy, owners, n))
        for firm_spec in spec.firms:
            if firm_spec.channels is None:
                continue
            for j in spec_slots[firm_spec.name]:
                firm = self.firms[j]
                firm.sells_direct = "direct" in firm_spec.channels
                firm.listed_on = tuple(
                    sorted(slot_of_platform[c] for c in firm_spec.channels if c != "direct")
                )
        self.channel_columns = ChannelColumns.create(
            n,
            len(self.firms),
            [platform.initial_awareness for platform in spec.platforms],
            spec.learning.fit_value > 0,
            self.rng,
        )
        self.listing_units = np.zeros((len(self.platforms), len(self.firms) + 1))
        for k, platform in enumerate(self.platforms):
            platform.aware = int(self.channel_columns.aware_platform[:, k].sum())

    def channel_tables(self) -> dict[str, list[str]]:
        """Extra data-collector tables: platforms (if any) and the flywheel meter."""
        from sim.components.flywheel import FLYWHEEL_COLUMNS

        tables = {"flywheel": FLYWHEEL_COLUMNS}
        if self.platforms:
            tables["platforms"] = PLATFORM_COLUMNS + self.platform_moves.platform_columns
        return tables

    @property
    def extra_tables(self) -> tuple[str, ...]:
        """Names of the tables beyond ``firms`` this model records."""
        return tuple(self.channel_tables())

    # ------------------------------------------------------------------ views

    def channel_offer(self) -> ChannelOffer:
        """What every channel offers now (works with and without platforms)."""
        firms, platforms = self.firms, self.platforms
        connected = self.spec.connected
        alive = self.alive_mask
        n_firms, n_platforms = len(firms), len(platforms)
        listed = np.zeros((n_platforms, n_firms), dtype=bool)
        for j, firm in enumerate(firms):
            for k in firm.listed_on:
                listed[k, j] = alive[j] and platforms[k].alive
        respond = ConnectedKind.respond_to_desire
        member_on = [p.membership_open(self.week) for p in platforms]
        offer = ChannelOffer(
            quality=self.firm_quality(),
            price=self.firm_vector("price"),
            selection=self.firm_vector("selection"),
            experience=self.firm_vector("experience"),
            direct_bonus=np.array(
                [connected.respond_bonus if f.connected is respond else 0.0 for f in firms]
            ),
            direct_open=alive & np.array([firm.sells_direct for firm in firms], dtype=bool),
            listed=listed,
            platform_open=np.array([p.alive for p in platforms], dtype=bool),
            platform_experience=np.array(
                [
                    p.experience + (connected.respond_bonus if p.offers(respond) else 0.0)
                    for p in platforms
                ]
            ),
            seller_delivers=np.array(
                [p.kind is PlatformKind.aggregator for p in platforms], dtype=bool
            ),
            transparency=np.array([p.transparency for p in platforms]),
            member_bonus=np.array(
                [
                    p.membership.delivery_bonus if on else 0.0
                    for p, on in zip(platforms, member_on, strict=True)
                ]
            ),
            member_loyalty=np.array(
                [
                    p.membership.loyalty_bonus if on else 0.0
                    for p, on in zip(platforms, member_on, strict=True)
                ]
            ),
            pool_items=np.array([p.pool.items if p.pool else 0.0 for p in platforms]),
            pool_price=np.array([p.pool.price if p.pool else 0.0 for p in platforms]),
            pool_quality=np.array([p.pool.quality if p.pool else 0.0 for p in platforms]),
            take_rate=np.array([p.take_rate for p in platforms]),
            **self.defences.offer_fields(self),
        )
        return self.platform_moves.offer(self, offer)  # (moves) own label, ranking

    def shoppers(self, rows: np.ndarray) -> Shoppers:
        """The consumers at ``rows`` as the channel choice sees them (fit in utils)."""
        cols, state = self.population.columns, self.channel_columns
        n_platforms = len(self.platforms)
        if state is None:
            last_channel = np.where(cols.last_firm[rows] >= 0, DIRECT, NO_CHANNEL)
            aware_platform = np.ones((len(rows), n_platforms), dtype=bool)
            member = np.zeros((len(rows), n_platforms), dtype=bool)
        else:
            last_channel = state.last_channel[rows]
            aware_platform = state.aware_platform[rows]
            member = state.member[rows]
        fit_direct = fit_platform = None
        if state is not None and state.fit_firm is not None:
            fit_direct, fit_platform = self.fit_terms(rows)
        return Shoppers(
            price_sensitivity=cols.price_sensitivity[rows],
            selection_taste=cols.selection_taste[rows],
            experience_taste=cols.experience_taste[rows],
            expectation=cols.expectation[rows],
            habit_strength=cols.habit_strength[rows],
            last_firm=cols.last_firm[rows],
            last_channel=last_channel,
            aware=cols.aware[rows],
            aware_platform=aware_platform,
            member=member,
            fit_direct=fit_direct,
            fit_platform=fit_platform,
        )

    def fit_terms(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Utility of fit, ``phi f_eff``, per consumer and firm / platform (float32).

        ``f_eff = max(f_io, rho K_o)``, raised by curation where the owner curates.
        """
        learning, state = self.spec.learning, self.channel_columns
        state.fit_firms(len(self.firms))  # firms may have entered since
        curated = ConnectedKind.curated_offering
        gain = self.spec.connected.curation_gain
        terms = []
        for fit, owners in ((state.fit_firm, self.firms), (state.fit_platform, self.platforms)):
            value = fit[rows]
            floor = learning.population_share * np.array(
                [owner.knowledge for owner in owners], dtype=np.float32
            )
            np.maximum(value, floor[None, :], out=value)
            for o, owner in enumerate(owners):
                if owner.connected is curated:
                    value[:, o] = curated_fit(value[:, o], gain)
            value *= np.float32(learning.fit_value)
            terms.append(value)
        return terms[0], terms[1]

    def platform_view(self, platform: Platform) -> PlatformView:
        """Frozen snapshot of a platform for its strategy."""
        last = platform.last_quarter
        if last.units > 0:
            average_price = last.gmv / last.units
        else:
            offer = self.channel_offer()
            items = offer.listing_items(platform.slot)
            prices = offer.listing_price(platform.slot)
            average_price = float(items @ prices / items.sum()) if items.sum() > 0 else 0.0
        return PlatformView(
            platform_id=platform.unique_id,
            name=platform.name,
            kind=platform.kind.value,
            week=self.week,
            quarter=self.quarter,
            take_rate=platform.take_rate,
            fulfilment_cost=platform.fulfilment_cost,
            fixed_cost=platform.fixed_cost,
            cash=platform.cash,
            experience=platform.experience,
            efficiency=platform.efficiency,
            sellers=platform.sellers,
            selection=float(self.channel_offer().listing_items(platform.slot).sum()),
            members=platform.members,
            cost_per_order=platform.cost_per_order(),
            average_price=average_price,
            last_quarter=last,
            previous_quarter=platform.previous_quarter,
        )

    def platform_options(self) -> tuple[PlatformOption, ...]:
        """The platforms a firm could sell through."""
        return tuple(
            PlatformOption(p.slot, p.name, p.kind.value, p.strategy_name, p.take_rate)
            for p in self.platforms
            if p.alive
        )

    def channel_market_research(
        self, firm, rows: np.ndarray, research: MarketResearch
    ) -> ChannelMarketResearch:
        """The firm's research sample evaluated with the channel choice."""
        base = {field.name: getattr(research, field.name) for field in dataclasses.fields(research)}
        return ChannelMarketResearch(
            **base,
            offer=self.channel_offer(),
            shoppers=self.shoppers(rows),
            extra_unit_cost=self.connected_unit_cost(firm),
        )

    def connected_unit_cost(self, owner) -> float:
        """Cost per unit of the owner's connected experience, where it is per unit ($)."""
        connected = self.spec.connected
        if owner.connected is ConnectedKind.respond_to_desire:
            return connected.respond_unit_cost
        if owner.connected is ConnectedKind.automatic_execution:
            return connected.auto_unit_cost
        return 0.0

    def take_share(self, firm) -> float:
        """Share of last quarter's revenue the firm paid to platforms."""
        last = firm.last_quarter
        return last.platform_fees / last.revenue if last.revenue > 0 else 0.0

    # ------------------------------------------------------------------ recognize

    def coach_owners(self) -> tuple[np.ndarray, np.ndarray]:
        """Which firms and platforms coach their customers now: ``(firms, platforms)``."""
        coach = ConnectedKind.coach_behaviour
        firms = np.array([f.alive and f.connected is coach for f in self.firms], dtype=bool)
        platforms = np.array([p.alive and p.offers(coach) for p in self.platforms], dtype=bool)
        return firms, platforms

    def coached_among(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Whether each consumer's relationship owner coaches them (all, or ``rows``)."""
        cols, state = self.population.columns, self.channel_columns
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
        cols = self.population.columns
        self.coached = None
        if not self.channel_mode:
            return cols.need_rate
        owners = self.coach_owners()
        if not owners[0].any() and not owners[1].any():
            return cols.need_rate
        key = (owners[0].tobytes(), owners[1].tobytes())
        if getattr(self, "_coach_key", None) != key:
            self._coach_key = key
            self._coached = self.coached_among()
            self._lifted_need = coached_need_rate(
                cols.need_rate, np.ones(len(cols), dtype=bool), self.spec.connected.coach_lift
            )
        self.coached = self._coached
        return np.where(self._coached, self._lifted_need, cols.need_rate)

    def shoppers_discover_platforms(self) -> None:
        """Platforms open the week; shoppers who do not know one may discover it (Bass)."""
        if not self.platforms:
            return
        state, rows = self.channel_columns, self.choosers
        population = len(self.population)
        for k, platform in enumerate(self.platforms):
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
            found = unaware[self.rng.random(len(unaware)) < probability]
            state.aware_platform[found, k] = True
            platform.aware += len(found)

    def automatic_execution(self) -> None:
        """Subscribers' needs are met by their provider before they ask: no comparison."""
        if not self.channel_mode:
            return
        state, rows = self.channel_columns, self.choosers
        auto = ConnectedKind.automatic_execution
        by_firm = state.auto_firm[rows]
        by_platform = state.auto_platform[rows].astype(np.int32)
        firm_ok = np.array([f.alive and f.sells_direct and f.connected is auto for f in self.firms])
        platform_ok = np.array([p.alive and p.offers(auto) for p in self.platforms], dtype=bool)
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
            cols = self.population.columns
            prompted = self.coached[rows] & (self.need_draws[rows] >= cols.need_rate[rows])
            prompted &= self.auto_kind == 0
            last_channel = state.last_channel[rows]
            owner_column = np.where(
                last_channel == DIRECT,
                cols.last_firm[rows],
                len(self.firms) + last_channel.astype(np.int32) - 1,
            )
            self.prompted_by[prompted] = owner_column[prompted]

    # ------------------------------------------------------------------ request

    def consumers_choose_channels(self) -> None:
        """Shoppers choose a channel, then a seller on a platform; subscribers are served."""
        cols = self.population.columns
        rows = self.choosers
        offer = self.offer = self.channel_offer()
        n_firms = offer.n_firms
        shoppers = self.shoppers(rows)
        utilities = channel_utilities(offer, shoppers)
        prompted = np.flatnonzero(self.prompted_by >= 0)
        if len(prompted):
            coach_column = self.prompted_by[prompted]
            kept = utilities[prompted, coach_column]
            utilities[prompted] = NOT_AVAILABLE
            utilities[prompted, coach_column] = kept
        self.platform_moves.send_back(self, rows, utilities)  # (moves) return to platform
        outside = self.spec.market.outside_utility
        compare = self.auto_kind == 0
        alpha = cols.price_sensitivity[rows]
        everyone_compares = bool(compare.all())
        compared = utilities if everyone_compares else utilities[compare]
        choice, surplus_each = choose_with_surplus(
            compared,
            outside,
            alpha if everyone_compares else alpha[compare],
            self.rng.random(len(compared)),
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
        self.stats.surplus_total = float(surplus)
        self.needs_reached = self.count_reached(utilities, offer)

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
            slot = slots[sample_choices(inner, self.rng.random(len(on_k)))]
            brand[on_k] = np.where(slot >= n_firms, POOL - (slot - n_firms), slot)
        automatic = np.zeros(len(position), dtype=bool)
        automatic[n_picked:] = True
        self.purchases_week = WeekPurchases(rows[position], brand, channel, automatic)
        branded = brand >= 0
        self.buyers = rows[position][branded]
        self.bought_from = brand[branded].astype(np.int32)

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

    def market_clears_channels(self) -> None:
        """Units, revenue, fees and costs are booked to firms, platforms and sellers."""
        bought, offer = self.purchases_week, self.offer
        cols = self.population.columns
        n_firms, n_platforms = offer.n_firms, offer.n_platforms
        direct = bought.channel == DIRECT
        direct_units = np.bincount(bought.brand[direct], minlength=n_firms).astype(float)
        listing_units = np.zeros((n_platforms, n_firms + 1))
        for k in range(n_platforms):
            on_k = (bought.channel == k + 1) & (bought.brand != OWN_LABEL)
            slot = np.where(bought.brand[on_k] >= 0, bought.brand[on_k], n_firms)
            listing_units[k] = np.bincount(slot, minlength=n_firms + 1)
        self.listing_units = listing_units
        firm_units = direct_units + listing_units[:, :n_firms].sum(axis=0)
        branded = bought.brand >= 0
        repeat = branded & (cols.last_firm[bought.rows] == bought.brand)
        repeat_units = np.bincount(bought.brand[repeat], minlength=n_firms)
        auto_direct = bought.automatic & direct
        auto_units = np.bincount(bought.brand[auto_direct], minlength=n_firms)
        if offer.channel_prices:
            shown = self.defences.shown_prices(offer)
            fees = (offer.take_rate[:, None] * shown * listing_units[:, :n_firms]).sum(axis=0)
        else:
            fees = offer.price * (offer.take_rate @ listing_units[:, :n_firms])
        for firm in self.firms:
            if not firm.alive:
                continue
            j = firm.slot
            firm.book_sales(
                float(firm_units[j]), float(repeat_units[j]), float(self.needs_reached[j])
            )
            firm.book_channel_costs(
                float(direct_units[j]),
                float(firm_units[j] - direct_units[j]),
                float(fees[j]),
                self.connected_cost(firm, float(direct_units[j]), float(auto_units[j])),
            )
        self.defences.book(self, bought, offer, direct_units, listing_units)
        take_total = membership_fees = pool_revenue = owner_units_total = 0.0
        for k, platform in enumerate(self.platforms):
            if not platform.alive:
                continue
            units = listing_units[k]
            owner = float(sum(units[j] for j in platform.owner_slots))
            on_k = bought.channel == k + 1
            members = float(self.channel_columns.member[bought.rows[on_k], k].sum())
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
                connected_cost=self.connected_cost(platform, float(units.sum()), automatic),
                week=self.week,
            )
            take_total += platform.week.take
            membership_fees += platform.week.membership_revenue
            pool_revenue += pool_sales * (1.0 - platform.take_rate)
            owner_units_total += owner
        pool_units = float(listing_units[:, n_firms].sum())
        self.stats.units_by_slot = firm_units
        self.stats.purchases = int(firm_units.sum() + pool_units)
        if offer.channel_prices:
            shown = self.defences.shown_prices(offer)
            firm_spending = offer.price @ direct_units + (shown * listing_units[:, :n_firms]).sum()
        else:
            firm_spending = offer.price @ firm_units
        self.stats.spending = float(firm_spending + offer.pool_price @ listing_units[:, -1])
        self.stats.repeat_purchases = int(repeat.sum())
        self.stats.platform_purchases = int(listing_units.sum())
        self.stats.platform_take = float(take_total)
        self.stats.membership_fees = float(membership_fees)
        self.stats.pool_units = int(pool_units)
        self.stats.pool_revenue = float(pool_revenue)
        self.stats.owner_units = int(owner_units_total)
        self.stats.automatic_purchases = int(bought.automatic.sum())
        self.platform_moves.book_week(self, bought, offer, direct_units, listing_units)
        self.quarter_purchases += self.stats.purchases

    def connected_cost(self, owner, units: float, automatic_units: float) -> float:
        """Weekly cost of an owner's connected experience ($).

        respond to desire: per unit sold with it; curated offering: a fixed weekly cost;
        coach behaviour: per coached customer (its own customers); automatic execution:
        per unit fulfilled automatically.
        """
        connected = self.spec.connected
        match owner.connected:
            case ConnectedKind.respond_to_desire:
                return connected.respond_unit_cost * units
            case ConnectedKind.curated_offering:
                return connected.curation_fixed_cost
            case ConnectedKind.coach_behaviour:
                customers = getattr(owner, "owned_customers", None)
                if customers is None:
                    customers = owner.customers
                return connected.coach_cost_per_customer * customers
            case ConnectedKind.automatic_execution:
                return connected.auto_unit_cost * automatic_units
        return 0.0

    # ------------------------------------------------------------------ respond

    def consumers_experience_channels(self) -> None:
        """Buyers meet the channel's experience, judge it, and remember the channel."""
        bought, offer = self.purchases_week, self.offer
        cols, state = self.population.columns, self.channel_columns
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
            self.spec.consumers.experience_noise_sd,
            self.rng.standard_normal(len(rows)),
        )
        expectation = cols.expectation[rows]
        felt = satisfaction(experienced, expectation)
        branded = brand >= 0
        sums = np.bincount(brand[branded], weights=felt[branded], minlength=n_firms)
        for firm in self.firms:
            if firm.alive:
                firm.book_satisfaction(float(sums[firm.slot]))
        previous = state.last_channel[rows]
        for k, platform in enumerate(self.platforms):
            on_k = channel == k + 1
            platform.book_satisfaction(float(felt[on_k].sum()))
            platform.customers += int(on_k.sum()) - int((previous == k + 1).sum())
        cols.expectation[rows] = ratchet_expectations(
            expectation, experienced, self.spec.consumers.expectation_adaptation
        )
        cols.last_satisfaction[rows] = felt
        cols.last_firm[rows] = np.where(branded, brand, NO_FIRM)
        state.last_channel[rows] = channel
        self.adopters += int(np.count_nonzero(cols.purchases[rows] == 0))
        cols.purchases[rows] += 1
        bought.felt = felt
        if getattr(self, "_coached", None) is not None:
            self._coached[rows] = self.coached_among(rows)

    # ------------------------------------------------------------------ repeat

    def relationships_learn(self) -> None:
        """Relationship owners get the habit, data and learning; brands fade on platforms."""
        if not self.channel_mode:
            return
        bought = self.purchases_week
        cols, state = self.population.columns, self.channel_columns
        fade = self.spec.relationships.awareness_fade
        via_platform = (bought.channel > 0) & (bought.brand >= 0)
        if fade > 0 and via_platform.any():
            rows, brands = bought.rows[via_platform], bought.brand[via_platform]
            cols.aware[rows, brands] = fade_awareness(
                cols.aware[rows, brands], self.rng.random(len(rows)), fade
            )
        if state.fit_firm is not None:
            self.learn_from_interactions()
        self.automatic_sign_ups()

    def learn_from_interactions(self) -> None:
        """Individual fit and population knowledge grow for the relationship's owner."""
        bought, state = self.purchases_week, self.channel_columns
        state.fit_firms(len(self.firms))
        learning = self.spec.learning
        per_1000 = len(self.population) / 1000.0
        groups = (
            (state.fit_firm, self.firms, bought.channel == DIRECT, bought.brand),
            (state.fit_platform, self.platforms, bought.channel > 0, bought.channel - 1),
        )
        for fit, owners, mask, owner_index in groups:
            if not owners or not mask.any():
                continue
            multiplier = np.array(
                [
                    learning.connected_multiplier if o.connected is not ConnectedKind.none else 1.0
                    for o in owners
                ]
            )
            rows, index = bought.rows[mask], owner_index[mask].astype(np.int64)
            rate = np.minimum(1.0, learning.individual_rate * multiplier[index]).astype(np.float32)
            fit[rows, index] = individual_fit_update(fit[rows, index], rate)
            data = np.bincount(index, minlength=len(owners)) * multiplier
            for o, owner in enumerate(owners):
                owner.data_interactions += float(data[o])
                owner.knowledge = population_knowledge(
                    owner.data_interactions / per_1000, learning.data_scale
                )

    def automatic_sign_ups(self) -> None:
        """Direct buyers of automatic-execution offerers may subscribe; disappointed cancel."""
        bought, state = self.purchases_week, self.channel_columns
        auto = ConnectedKind.automatic_execution
        firm_offers = np.array([f.connected is auto for f in self.firms])
        platform_offers = np.array([p.offers(auto) for p in self.platforms], dtype=bool)
        if not firm_offers.any() and not platform_offers.any():
            return
        connected = self.spec.connected
        cancel = bought.automatic & auto_cancellation(bought.felt, connected.auto_cancel_below)
        state.auto_firm[bought.rows[cancel]] = -1
        state.auto_platform[bought.rows[cancel]] = -1
        owner_offers = np.zeros(len(bought.rows), dtype=bool)
        direct = bought.channel == DIRECT
        owner_offers[direct] = firm_offers[bought.brand[direct]]
        if len(platform_offers):
            via = bought.channel > 0
            owner_offers[via] = platform_offers[bought.channel[via] - 1]
        candidates = np.flatnonzero(owner_offers & ~bought.automatic)
        if not len(candidates):
            return
        joins = candidates[auto_enrolment(self.rng.random(len(candidates)), connected.auto_enrol)]
        rows, channel = bought.rows[joins], bought.channel[joins]
        is_direct = channel == DIRECT
        state.auto_firm[rows] = np.where(is_direct, bought.brand[joins], -1)
        state.auto_platform[rows] = np.where(is_direct, -1, channel - 1)

    # ------------------------------------------------------------------ platforms

    def platforms_operate(self) -> None:
        """Third-party sellers average their sales and join or leave each marketplace."""
        for k, platform in enumerate(self.platforms):
            if platform.alive and platform.pool is not None:
                pool_units = float(self.listing_units[k, -1]) if len(self.listing_units) else 0.0
                platform.pool.update(pool_units, platform.take_rate, self.rng)

    def platforms_invest(self) -> None:
        """Platforms' weekly spends build their stocks; volume lowers fulfilment cost."""
        tech = self.technology
        for platform in self.platforms:
            if not platform.alive:
                continue
            platform.experience = float(
                accumulate_stock(platform.experience, platform.spend_experience, *tech.experience)
            )
            platform.efficiency = float(
                accumulate_stock(platform.efficiency, platform.spend_efficiency, *tech.efficiency)
            )
            platform.fulfilment_cost = platform.current_fulfilment_cost()

    # ------------------------------------------------------------------ quarter

    def close_channel_quarter(self) -> None:
        """Count owned relationships and fit; platforms close books; members renew."""
        if not self.channel_mode:
            for firm in self.firms:
                firm.owned_customers = firm.last_quarter.customers
            return
        cols, state = self.population.columns, self.channel_columns
        state.fit_firms(len(self.firms))
        direct = (state.last_channel == DIRECT) & (cols.last_firm >= 0)
        owners = cols.last_firm[direct]
        owned = np.bincount(owners, minlength=len(self.firms))
        fit_sum = np.zeros(len(self.firms))
        if state.fit_firm is not None and len(owners):
            knowledge = np.array([f.knowledge for f in self.firms], dtype=np.float32)
            own_fit = effective_fit(
                state.fit_firm[np.flatnonzero(direct), owners],
                knowledge[owners],
                self.spec.learning.population_share,
            )
            fit_sum = np.bincount(owners, weights=own_fit, minlength=len(self.firms))
        for firm in self.firms:
            firm.owned_customers = int(owned[firm.slot])
            firm.mean_fit = fit_sum[firm.slot] / owned[firm.slot] if owned[firm.slot] else 0.0
        total = self.quarter_purchases
        for platform in self.platforms:
            power = platform.tally.units / total if total > 0 else 0.0
            platform.close_quarter(power)
        self.quarter_purchases = 0.0
        self.renew_memberships()
        self.platform_moves.close_quarter(self)  # (moves) dependence, own label, data value

    def renew_memberships(self) -> None:
        """Consumers join or keep a membership when it is worth its fee to them."""
        cols, state = self.population.columns, self.channel_columns
        for k, platform in enumerate(self.platforms):
            if not (platform.alive and platform.membership_open(self.week)):
                state.member[:, k] = False
                platform.members = 0
                continue
            terms = platform.membership
            value = membership_value(
                cols.need_rate,
                state.last_channel == k + 1,
                cols.experience_taste,
                cols.price_sensitivity,
                terms.delivery_bonus,
                terms.loyalty_bonus,
            )
            state.member[:, k] = state.aware_platform[:, k] & (value >= terms.fee) & (value > 0)
            platform.members = int(state.member[:, k].sum())

    def measure_flywheel(self) -> None:
        """The flywheel meter records this quarter's links and loop gains."""
        if not self.spec.flywheel_meter.enabled:
            return
        for row in self.flywheel.measure(self):
            self.datacollector.add_table_row("flywheel", row)

    def exit_insolvent_platforms(self) -> None:
        """Platforms whose cash stayed negative too many quarters in a row close."""
        for platform in self.platforms:
            if platform.alive and platform.distress_quarters >= platform.insolvency_quarters:
                platform.exit(self.week)
                self.channel_columns.member[:, platform.slot] = False
                platform.members = 0

    def channel_options(self) -> tuple[ChannelSet, ...]:
        """Every non-empty set of channels: direct and/or live platforms."""
        live = [p.slot for p in self.platforms if p.alive]
        options = []
        for direct in (True, False):
            for size in range(len(live) + 1):
                for chosen in itertools.combinations(live, size):
                    if direct or chosen:
                        options.append(ChannelSet(direct, tuple(chosen)))
        return tuple(options)

    def firms_choose_channels(self, initial: bool = False) -> None:
        """Once a year, each firm free to choose picks its channels (strategy decides)."""
        if not self.platforms:
            return
        if not initial and self.quarter % QUARTERS_PER_YEAR != 0:
            return
        options = self.channel_options()
        for firm in self.firms:
            if not firm.alive or firm.channels_fixed:
                continue
            current = ChannelSet(firm.sells_direct, firm.listed_on)
            with calling_strategy(firm, "choose_channels", self):
                chosen = firm.strategy.choose_channels(
                    self.firm_view(firm), self.market_view(firm), options, current
                )
                checked(chosen, ChannelSet, "choose_channels")
            firm.sells_direct = chosen.direct
            firm.listed_on = tuple(sorted(chosen.platforms))

    def platforms_decide(self) -> None:
        """Each live platform's strategy sets its take rate, investment and payout."""
        for platform in self.platforms:
            if not platform.alive:
                continue
            with calling_strategy(platform, "decide", self):
                view = self.platform_moves.platform_view(platform, self.platform_view(platform))
                self.flywheel.before_platform_decides(platform, view)
                decision = platform.strategy.decide(view)
            platform.take_rate = decision.take_rate
            platform.spend_experience = decision.spend_experience
            platform.spend_efficiency = decision.spend_efficiency
            platform.pay_out(decision.payout)
            if platform.pool is not None:
                platform.pool.reprice(platform.take_rate)

    # ------------------------------------------------------------------ collect

    def channel_firm_columns(self, firm) -> dict:
        """The firm table's channel columns for this week."""
        week = firm.week
        units = week.direct_units + week.platform_units
        return {
            "direct_units": week.direct_units,
            "platform_units": week.platform_units,
            "platform_share": week.platform_units / units if units else 0.0,
            "platform_fees": week.platform_fees,
            "net_revenue": week.revenue - week.platform_fees,
            "connected_cost": week.connected_cost,
            "owned_customers": firm.owned_customers,
            "fit": firm.mean_fit,
            "knowledge": firm.knowledge,
            "channels": "+".join(firm.channel_names),
            "connected": firm.connected.value,
        }

    def collect_platforms(self) -> None:
        """One row per platform for this week."""
        if not self.platforms:
            return
        population = len(self.population)
        offer = self.channel_offer()
        for k, platform in enumerate(self.platforms):
            week, pool = platform.week, platform.pool
            on_platform = week.units
            self.datacollector.add_table_row(
                "platforms",
                {
                    "step": self.week,
                    "platform_id": platform.unique_id,
                    "name": platform.name,
                    "kind": platform.kind.value,
                    "strategy": platform.strategy_name,
                    "take_rate": platform.take_rate,
                    "fee_rate": week.take_rate,
                    "sellers": platform.sellers,
                    "sellers_joined": pool.joined if pool else 0,
                    "sellers_left": pool.left if pool else 0,
                    "seller_profit": pool.profit if pool else 0.0,
                    "third_party_price": pool.price if pool else 0.0,
                    "selection": float(offer.listing_items(k).sum()),
                    "purchases": on_platform,
                    "owner_units": week.owner_units,
                    "brand_units": week.brand_units,
                    "pool_units": week.pool_units,
                    "third_party_share": (on_platform - week.owner_units) / on_platform
                    if on_platform
                    else 0.0,
                    "gmv": week.gmv,
                    "pool_sales": week.pool_sales,
                    "pool_revenue": week.pool_sales * (1.0 - week.take_rate),
                    "take": week.take,
                    "membership_revenue": week.membership_revenue,
                    "members": platform.members,
                    "fulfilment_cost": platform.fulfilment_cost,
                    "operating_cost": week.operating_cost,
                    "operating_profit": week.operating_profit,
                    "investment": week.investment,
                    "payout": week.payout,
                    "cumulative_payout": platform.cumulative_payout,
                    "cash": platform.cash,
                    "experience": platform.experience,
                    "efficiency": platform.efficiency,
                    "satisfaction": platform.satisfaction,
                    "customers": platform.customers,
                    "aware_share": platform.aware / population if population else 0.0,
                    "power": platform.last_quarter.power,
                    "knowledge": platform.knowledge,
                    "connected": platform.connected.value,
                    "alive": platform.alive,
                    **self.research.platform_row(self, platform),
                    **self.platform_moves.platform_row(self, platform),
                },
            )
