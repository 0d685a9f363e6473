"""The platform's moves in the market, and what owned customers are worth to a brand.

A component held by the model (``model.platform_moves``). Each platform's moves are
switched on in its scenario section ``platforms.k.moves``; a brand's starting strength
and the measure of its data's value in ``owned_customers``. With every move off and
nothing measured, no stage here changes a number or draws from the generator, and the
tables gain no column.

Stages, in the order ``MarketModel.step`` runs them:

- ``offer``: the week's offer gains each platform's own label (listing slot ``F + 1``)
  and its ranking (``sim.mechanics.platform_moves.MovesOffer``);
- ``send_back``: shoppers who last bought through a platform may start and end their
  search there (the return move);
- ``book_week``: own-label sales are booked to the platform; brands' sales through each
  platform are tallied for their dependence;
- ``close_quarter``: dependence is measured, platforms whose data show a best seller may
  launch their copy of it, and the value of each brand's data per owned customer is
  measured;
- ``platform_view``: a platform that prices to hold-up sees brands' anticipated
  dependence where its fee rule reads its power.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.mechanics.demand import NOT_AVAILABLE, logit_probabilities
from sim.mechanics.platform_moves import (
    MovesOffer,
    anticipated_dependence,
    best_seller,
    brand_dependence,
    data_value_per_customer,
    fit_premium,
    interactions_for_knowledge,
    loyal_customers,
    own_label_pays,
    own_label_terms,
    returns_to_platform,
)
from sim.mechanics.platforms import ChannelOffer, channel_utilities

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel

OWN_LABEL = -2
"""Brand code of a purchase of a platform's own label (the third-party pool is -1)."""
DIRECT = 0
WEEKS_PER_QUARTER = 13

PLATFORM_MOVE_COLUMNS = [
    "own_label_of",
    "own_label_units",
    "own_label_price",
    "own_label_quality",
    "own_label_margin",
    "dependence",
    "returned_shoppers",
]
DATA_VALUE_COLUMNS = ["data_value_per_owned", "fit_premium"]


@dataclass
class OwnLabel:
    """A platform's own label: which brand it copies and this week's sales."""

    copied: int = -1
    launched_week: int = -1
    units: float = 0.0
    margin: float = 0.0
    price: float = np.nan
    quality: float = np.nan


class PlatformMoves:
    """The platform's moves and the owned-customer measures of one run.

    Args:
        spec: the scenario.
        n_firms: firm slots at start.
    """

    name: ClassVar[str] = "platform_moves"

    def __init__(self, spec, n_firms: int):
        self.spec = spec
        self.moves = [platform.moves for platform in spec.platforms]
        n_platforms = len(self.moves)
        self.own_label_on = any(m.own_label.enabled for m in self.moves)
        self.steering_on = any(m.steering > 0 for m in self.moves)
        self.return_on = any(m.return_share > 0 for m in self.moves)
        self.holdup_on = any(m.holdup_fee for m in self.moves)
        self.active = any(m.active for m in self.moves)
        self.measure = spec.owned_customers.measure_data_value
        self.labels = [OwnLabel() for _ in range(n_platforms)]
        self.through = np.zeros(n_platforms)
        self.listed_total = np.zeros(n_platforms)
        self.brand_units = np.zeros((n_platforms, n_firms))
        self.dependence = np.zeros(n_platforms)
        self.previous_dependence: np.ndarray | None = None
        self.returned = np.zeros(n_platforms)
        self.data_value: dict[int, tuple[float, float]] = {}

    # ------------------------------------------------------------------ tables

    @property
    def platform_columns(self) -> list[str]:
        """Extra columns of the platforms table (none with every move off)."""
        return PLATFORM_MOVE_COLUMNS if self.active else []

    @property
    def firm_columns(self) -> list[str]:
        """Extra columns of the firms table (none unless data value is measured)."""
        return DATA_VALUE_COLUMNS if self.measure else []

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """The firm's data value per owned customer, if measured."""
        if not self.measure:
            return {}
        value, premium = self.data_value.get(firm.slot, (0.0, 0.0))
        return {"data_value_per_owned": value, "fit_premium": premium}

    def platform_row(self, model: MarketModel, platform) -> dict:
        """The platform's moves this week, if any is on."""
        if not self.active:
            return {}
        k, label = platform.slot, self.labels[platform.slot]
        launched = label.copied >= 0
        return {
            "own_label_of": model.firms[label.copied].name if launched else "",
            "own_label_units": label.units,
            "own_label_price": label.price,
            "own_label_quality": label.quality,
            "own_label_margin": label.margin,
            "dependence": float(self.dependence[k]),
            "returned_shoppers": float(self.returned[k]),
        }

    # ------------------------------------------------------------------ start

    def start(self, model: MarketModel) -> None:
        """Brands named in ``owned_customers.starting_strength`` start strong.

        Each brand's loyal consumers are drawn in scenario order (one draw per consumer
        per brand with a loyal share above 0); its data set its population knowledge.
        """
        cols, state = model.population.columns, model.channels.columns
        per_1000 = len(cols) / 1000.0
        scale = self.spec.learning.data_scale
        slots, first = {}, 0
        for firm_spec in self.spec.firms:
            slots[firm_spec.name] = range(first, first + firm_spec.count)
            first += firm_spec.count
        for start in self.spec.owned_customers.starting_strength:
            for slot in slots[start.firm]:
                firm = model.firms[slot]
                if start.knowledge > 0:
                    firm.data_interactions = interactions_for_knowledge(start.knowledge, scale)
                    firm.data_interactions *= per_1000
                    firm.knowledge = start.knowledge
                if start.loyal_share > 0:
                    chosen = loyal_customers(
                        cols.aware[:, firm.slot],
                        cols.last_firm >= 0,
                        model.rng.random(len(cols)),
                        start.loyal_share,
                    )
                    cols.last_firm[chosen] = firm.slot
                    if state is not None:
                        state.last_channel[chosen] = DIRECT

    # ------------------------------------------------------------------ offer

    def own_label_terms(self, model: MarketModel, k: int) -> tuple[float, float, float]:
        """Quality, price and unit cost of platform k's own label now."""
        label, spec = self.labels[k], self.moves[k].own_label
        firm = model.firms[label.copied]
        quality = float(model.firm_quality()[label.copied])
        return own_label_terms(
            quality, firm.price, firm.unit_cost, spec.quality_gap, spec.undercut, spec.cost_ratio
        )

    def offer(self, model: MarketModel, offer: ChannelOffer) -> ChannelOffer:
        """The week's offer with own labels and ranking (unchanged with both off)."""
        if not (self.own_label_on or self.steering_on):
            return offer
        n_platforms = offer.n_platforms
        extra: dict[str, Any] = {}
        if self.own_label_on:
            items, price, quality, cost = (np.zeros(n_platforms) for _ in range(4))
            for k, label in enumerate(self.labels):
                if label.copied < 0 or not offer.platform_open[k]:
                    continue
                quality[k], price[k], cost[k] = self.own_label_terms(model, k)
                share = self.moves[k].own_label.items_share
                items[k] = share * model.firms[label.copied].selection
            extra |= {
                "own_label_items": items,
                "own_label_price": price,
                "own_label_quality": quality,
                "own_label_cost": cost,
            }
        if self.steering_on:
            extra["steering"] = np.array([m.steering for m in self.moves])
        fields = {f.name: getattr(offer, f.name) for f in dataclasses.fields(ChannelOffer)}
        return MovesOffer(**fields, **extra)

    # ------------------------------------------------------------------ request

    def send_back(self, model: MarketModel, rows: np.ndarray, utilities: np.ndarray) -> None:
        """Shoppers who last bought on a platform may compare only its listings this week.

        Shoppers served automatically or prompted by a coach are left alone; a shopper
        is sent back only to a platform open to them. One uniform per other shopper.
        """
        self.returned = np.zeros(len(self.moves))
        if not self.return_on:
            return
        free = np.flatnonzero(
            (model.channels.journey.auto_kind == 0) & (model.channels.journey.prompted_by < 0)
        )
        share = np.array(
            [
                m.return_share if p.alive else 0.0
                for m, p in zip(self.moves, model.platforms, strict=True)
            ]
        )
        last_channel = model.channels.state.last_channel[rows[free]]
        back = returns_to_platform(last_channel, model.rng.random(len(free)), share)
        sent, platform = free[back >= 0], back[back >= 0]
        column = len(model.firms) + platform
        kept = utilities[sent, column]
        open_to_them = kept > NOT_AVAILABLE
        sent, column, kept = sent[open_to_them], column[open_to_them], kept[open_to_them]
        utilities[sent] = NOT_AVAILABLE
        utilities[sent, column] = kept
        self.returned = np.bincount(column - len(model.firms), minlength=len(self.moves)).astype(
            float
        )

    # ------------------------------------------------------------------ clear

    def book_week(self, model: MarketModel, bought, offer, direct_units, listing_units) -> None:
        """Book own-label sales to their platforms; tally brands' sales for dependence."""
        if not self.active:
            return
        n_firms = offer.n_firms
        if self.brand_units.shape[1] < n_firms:
            pad = n_firms - self.brand_units.shape[1]
            self.brand_units = np.pad(self.brand_units, ((0, 0), (0, pad)))
        firm_units = direct_units + listing_units[:, :n_firms].sum(axis=0)
        for k, platform in enumerate(model.platforms):
            label = self.labels[k]
            label.units = label.margin = 0.0
            if not platform.alive:
                continue
            listed = offer.listed[k]
            self.through[k] += float(listing_units[k, :n_firms][listed].sum())
            self.listed_total[k] += float(firm_units[listed].sum())
            self.brand_units[k, :n_firms] += listing_units[k, :n_firms]
            if label.copied < 0:
                continue
            label.price = float(offer.own_label_price[k])
            label.quality = float(offer.own_label_quality[k])
            units = float(np.count_nonzero((bought.channel == k + 1) & (bought.brand == OWN_LABEL)))
            if not units:
                continue
            price = float(offer.listing_price(k)[-1])
            cost = float(offer.own_label_cost[k]) + platform.fulfilment_cost
            label.units, label.margin = units, (price - cost) * units
            week, tally = platform.week, platform.tally
            week.units += units
            week.gmv += price * units
            week.own_label_margin = label.margin
            tally.units += units
            tally.gmv += price * units
            tally.own_label_margin += label.margin
            platform.cash += label.margin
            platform.cumulative_units += units
            model.stats.purchases += int(units)
            model.stats.platform_purchases += int(units)
            model.stats.spending += price * units

    # ------------------------------------------------------------------ quarter

    def close_quarter(self, model: MarketModel) -> None:
        """Measure dependence, launch own labels the data justify, value owned data."""
        if self.active:
            now = np.array(
                [
                    brand_dependence(t, u)
                    for t, u in zip(self.through, self.listed_total, strict=True)
                ]
            )
            self.previous_dependence = now if self.previous_dependence is None else self.dependence
            self.dependence = now
            self.through[:] = 0.0
            self.listed_total[:] = 0.0
            if self.own_label_on:
                self.launch_own_labels(model)
            self.brand_units[:] = 0.0
        if self.measure:
            self.measure_data_value(model)

    def launch_own_labels(self, model: MarketModel) -> None:
        """A platform whose data show a best seller copies it when the demand repays it."""
        for k, platform in enumerate(model.platforms):
            spec, label = self.moves[k].own_label, self.labels[k]
            if not (spec.enabled and platform.alive and label.copied < 0):
                continue
            if model.week < spec.earliest_week:
                continue
            units = self.brand_units[k, : len(model.firms)]
            eligible = np.array(
                [
                    firm.alive and k in firm.listed_on and firm.slot not in platform.owner_slots
                    for firm in model.firms
                ],
                dtype=bool,
            )
            copied = best_seller(units, eligible)
            if copied < 0:
                continue
            label.copied = copied
            _, price, cost = self.own_label_terms(model, k)
            weekly = float(units[copied]) / WEEKS_PER_QUARTER
            launch_cost = spec.launch_cost_per_1000_consumers * len(model.population) / 1000
            if not own_label_pays(price, cost, weekly, spec.payback_weeks, launch_cost):
                label.copied = -1
                continue
            label.launched_week = model.week
            platform.cash -= launch_cost  # booked as this week's investment
            platform.week.investment += launch_cost
            platform.tally.investment += launch_cost
            model.record_event(
                model.firms[copied],
                "own_label",
                f"{platform.name} launched its own copy of {model.firms[copied].name}",
                launch_cost,
            )

    def measure_data_value(self, model: MarketModel) -> None:
        """Per brand: weekly contribution its data earn per owned customer, and fit in $."""
        self.data_value = {}
        cols, state = model.population.columns, model.channels.columns
        if state is None or state.fit_firm is None:
            return
        direct = (state.last_channel == DIRECT) & (cols.last_firm >= 0)
        rows = np.flatnonzero(direct)
        if not len(rows):
            return
        owners = cols.last_firm[rows]
        shoppers = model.channels.shoppers(rows)
        fit_direct = shoppers.fit_direct
        if fit_direct is None:
            return
        utilities = channel_utilities(model.channels.offer(), shoppers)
        outside = self.spec.market.outside_utility
        with_data = logit_probabilities(utilities, outside)[:, 1:]
        for firm in model.firms:
            j = firm.slot
            mine = np.flatnonzero(owners == j)
            if not firm.alive or not len(mine):
                continue
            fit = fit_direct[mine, j].astype(float)
            without = utilities[mine].copy()
            without[:, j] -= fit
            without_data = logit_probabilities(without, outside)[:, 1 + j]
            self.data_value[j] = (
                data_value_per_customer(
                    with_data[mine, j],
                    without_data,
                    cols.need_rate[rows[mine]],
                    firm.price - firm.unit_cost,
                ),
                fit_premium(fit, shoppers.price_sensitivity[mine]),
            )

    # ------------------------------------------------------------------ decide

    def platform_view(self, platform, view):
        """The view a platform's strategy decides on: hold-up replaces power by dependence."""
        if not self.moves or not self.moves[platform.slot].holdup_fee:
            return view
        k = platform.slot
        before = self.dependence if self.previous_dependence is None else self.previous_dependence
        expected = anticipated_dependence(
            float(self.dependence[k]), float(before[k]), self.moves[k].holdup_quarters_ahead
        )
        quarter = dataclasses.replace(view.last_quarter, power=expected)
        return dataclasses.replace(view, last_quarter=quarter)
