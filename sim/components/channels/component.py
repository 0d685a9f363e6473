"""The market with channels, held by the model as a component (``model.channels``).

:class:`Channels` owns the channel state (the consumers' channel columns, the week's
listing units, the quarter's purchases), builds the platforms, and answers what every
channel offers and how shoppers see it. Its stages are grouped by the customer journey:
:class:`~sim.components.channels.journey.Journey` (recognize, request, respond),
:class:`~sim.components.channels.relationships.Relationships` (repeat, the quarter's
relationships and memberships) and
:class:`~sim.components.channels.operations.PlatformOperations` (platforms at work).
Without channels every stage is a no-op and the plain market's stages run unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.agents.firm import Firm
from sim.agents.platform import Platform
from sim.components.channels.journey import Journey
from sim.components.channels.operations import PlatformOperations
from sim.components.channels.relationships import Relationships
from sim.components.channels.state import (
    CHANNEL_FIRM_COLUMNS,
    DIRECT,
    NO_CHANNEL,
    ChannelColumns,
)
from sim.mechanics.learning import curated_fit
from sim.mechanics.platforms import ChannelOffer, Shoppers
from sim.scenario.schema_channels import ConnectedKind, PlatformKind
from sim.strategies.base import MarketResearch, PlatformOption
from sim.strategies.channel_research import ChannelMarketResearch
from sim.strategies.platform import resolve_platform_strategy

if TYPE_CHECKING:
    from sim.model.market import MarketModel


class Channels:
    """Platforms, relationships and the connected customer journey.

    Building it creates the platforms (into ``model.platforms``), fixes the channels the
    scenario gives firms, and draws the consumers' platform awareness.

    Args:
        model: the model, with its firms and consumers already built.
    """

    name: ClassVar[str] = "channels"
    firm_columns: list[str] = CHANNEL_FIRM_COLUMNS

    def __init__(self, model: MarketModel):
        self.model = model
        spec = model.spec
        self.mode: bool = spec.channels_active
        self.columns: ChannelColumns | None = None
        self.listing_units = np.zeros((0, len(model.firms) + 1))
        self.quarter_purchases = 0.0
        self.journey = Journey(model, self)
        self.relationships = Relationships(model, self)
        self.operations = PlatformOperations(model, self)
        if not self.mode:
            return
        n = spec.consumers.count
        spec_slots: dict[str, tuple[int, ...]] = {}
        slot = 0
        for firm_spec in spec.firms:
            spec_slots[firm_spec.name] = tuple(range(slot, slot + firm_spec.count))
            slot += firm_spec.count
        slot_of_platform = {platform.name: k for k, platform in enumerate(spec.platforms)}
        for k, platform_spec in enumerate(spec.platforms):
            strategy = resolve_platform_strategy(platform_spec.strategy)(
                **platform_spec.strategy_params
            )
            owners = spec_slots.get(platform_spec.owner, ()) if platform_spec.owner else ()
            model.platforms.append(Platform(model, platform_spec, k, strategy, owners, n))
        for firm_spec in spec.firms:
            if firm_spec.channels is None:
                continue
            for j in spec_slots[firm_spec.name]:
                firm = model.firms[j]
                firm.sells_direct = "direct" in firm_spec.channels
                firm.listed_on = tuple(
                    sorted(slot_of_platform[c] for c in firm_spec.channels if c != "direct")
                )
        self.columns = ChannelColumns.create(
            n,
            len(model.firms),
            [platform.initial_awareness for platform in spec.platforms],
            spec.learning.fit_value > 0,
            model.rng,
        )
        self.listing_units = np.zeros((len(model.platforms), len(model.firms) + 1))
        for k, platform in enumerate(model.platforms):
            platform.aware = int(self.columns.aware_platform[:, k].sum())

    @property
    def state(self) -> ChannelColumns:
        """The consumers' channel columns (they exist only in a market with channels)."""
        if self.columns is None:
            raise RuntimeError("channel columns exist only in a market with channels")
        return self.columns

    # ------------------------------------------------------------------ views

    def offer(self) -> ChannelOffer:
        """What every channel offers now (works with and without platforms)."""
        model = self.model
        firms, platforms = model.firms, model.platforms
        connected = model.spec.connected
        alive = model.alive_mask
        n_firms, n_platforms = len(firms), len(platforms)
        listed = np.zeros((n_platforms, n_firms), dtype=bool)
        for j, firm in enumerate(firms):
            for k in firm.listed_on:
                listed[k, j] = alive[j] and platforms[k].alive
        respond = ConnectedKind.respond_to_desire
        programmes = [p.open_membership(model.week) for p in platforms]
        offer = ChannelOffer(
            quality=model.firm_quality(),
            price=model.firm_vector("price"),
            selection=model.firm_vector("selection"),
            experience=model.firm_vector("experience"),
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
                [0.0 if terms is None else terms.delivery_bonus for terms in programmes]
            ),
            member_loyalty=np.array(
                [0.0 if terms is None else terms.loyalty_bonus for terms in programmes]
            ),
            pool_items=np.array([p.pool.items if p.pool else 0.0 for p in platforms]),
            pool_price=np.array([p.pool.price if p.pool else 0.0 for p in platforms]),
            pool_quality=np.array([p.pool.quality if p.pool else 0.0 for p in platforms]),
            take_rate=np.array([p.take_rate for p in platforms]),
            **model.defences.offer_fields(model),
        )
        return model.platform_moves.offer(model, offer)  # (moves) own label, ranking

    def shoppers(self, rows: np.ndarray) -> Shoppers:
        """The consumers at ``rows`` as the channel choice sees them (fit in utils)."""
        model = self.model
        cols, state = model.population.columns, self.columns
        n_platforms = len(model.platforms)
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
        model = self.model
        learning, state = model.spec.learning, self.state
        state.fit_firms(len(model.firms))  # firms may have entered since
        curated = ConnectedKind.curated_offering
        gain = model.spec.connected.curation_gain
        terms = []
        owners_of: tuple[Sequence[Firm | Platform], Sequence[Firm | Platform]] = (
            model.firms,
            model.platforms,
        )
        for fit, owners in zip((state.fit_firm, state.fit_platform), owners_of, strict=True):
            if fit is None:
                raise RuntimeError("fit terms exist only when learning is on")
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

    def platform_options(self) -> tuple[PlatformOption, ...]:
        """The platforms a firm could sell through."""
        model = self.model
        return tuple(
            PlatformOption(p.slot, p.name, p.kind.value, p.strategy_name, p.take_rate)
            for p in model.platforms
            if p.alive
        )

    def market_research(
        self, firm: Firm, rows: np.ndarray, research: MarketResearch
    ) -> ChannelMarketResearch:
        """The firm's research sample evaluated with the channel choice."""
        base = {field.name: getattr(research, field.name) for field in dataclasses.fields(research)}
        return ChannelMarketResearch(
            **base,
            offer=self.offer(),
            shoppers=self.shoppers(rows),
            extra_unit_cost=self.connected_unit_cost(firm),
        )

    def connected_unit_cost(self, owner: Firm | Platform) -> float:
        """Cost per unit of the owner's connected experience, where it is per unit ($)."""
        model = self.model
        connected = model.spec.connected
        if owner.connected is ConnectedKind.respond_to_desire:
            return connected.respond_unit_cost
        if owner.connected is ConnectedKind.automatic_execution:
            return connected.auto_unit_cost
        return 0.0

    def take_share(self, firm: Firm) -> float:
        """Share of last quarter's revenue the firm paid to platforms."""
        last = firm.last_quarter
        return last.platform_fees / last.revenue if last.revenue > 0 else 0.0

    def connected_cost(self, owner: Firm | Platform, units: float, automatic_units: float) -> float:
        """Weekly cost of an owner's connected experience ($).

        respond to desire: per unit sold with it; curated offering: a fixed weekly cost;
        coach behaviour: per coached customer (its own customers); automatic execution:
        per unit fulfilled automatically.
        """
        model = self.model
        connected = model.spec.connected
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

    # ------------------------------------------------------------------ collect

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
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
