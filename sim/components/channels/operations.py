"""Platforms at work: sellers join or leave, platforms invest, decide, close, and report.

:class:`PlatformOperations` is owned by the channel component
(``model.channels.operations``): the weekly stages in which third-party sellers respond to
their sales and platforms' spends build their stocks, the quarterly stages in which
platforms set their take rates and insolvent ones close, the annual review in which firms
choose their channels, and the platform table's rows.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from sim.agents.platform import Platform
from sim.components.channels.state import PLATFORM_COLUMNS, QUARTERS_PER_YEAR
from sim.mechanics.stocks import accumulate_stock
from sim.strategies.base import ChannelSet
from sim.strategies.platform import PlatformView
from sim.strategies.user_code import calling_strategy, checked

if TYPE_CHECKING:
    from sim.components.channels.component import Channels
    from sim.model.market import MarketModel


class PlatformOperations:
    """Platforms' weekly and quarterly stages, firms' channel review, the platform table.

    Args:
        model: the model.
        channels: the channel component that owns these stages.
    """

    def __init__(self, model: MarketModel, channels: Channels):
        self.model = model
        self.channels = channels

    def tables(self) -> dict[str, list[str]]:
        """The platforms table's columns, when the market has platforms."""
        model = self.model
        if not model.platforms:
            return {}
        return {"platforms": PLATFORM_COLUMNS + model.platform_moves.platform_columns}

    def operate(self) -> None:
        """Third-party sellers average their sales and join or leave each marketplace."""
        model, channels = self.model, self.channels
        for k, platform in enumerate(model.platforms):
            if platform.alive and platform.pool is not None:
                listing_units = channels.listing_units
                pool_units = float(listing_units[k, -1]) if len(listing_units) else 0.0
                platform.pool.update(pool_units, platform.take_rate, model.rng)

    def invest(self) -> None:
        """Platforms' weekly spends build their stocks; volume lowers fulfilment cost."""
        model = self.model
        tech = model.technology
        for platform in model.platforms:
            if not platform.alive:
                continue
            platform.experience = float(
                accumulate_stock(platform.experience, platform.spend_experience, *tech.experience)
            )
            platform.efficiency = float(
                accumulate_stock(platform.efficiency, platform.spend_efficiency, *tech.efficiency)
            )
            platform.fulfilment_cost = platform.current_fulfilment_cost()

    def exit_insolvent(self) -> None:
        """Platforms whose cash stayed negative too many quarters in a row close."""
        model, channels = self.model, self.channels
        for platform in model.platforms:
            if platform.alive and platform.distress_quarters >= platform.insolvency_quarters:
                platform.exit(model.week)
                channels.state.member[:, platform.slot] = False
                platform.members = 0

    def channel_options(self) -> tuple[ChannelSet, ...]:
        """Every non-empty set of channels: direct and/or live platforms."""
        model = self.model
        live = [p.slot for p in model.platforms if p.alive]
        options = []
        for direct in (True, False):
            for size in range(len(live) + 1):
                for chosen in itertools.combinations(live, size):
                    if direct or chosen:
                        options.append(ChannelSet(direct, tuple(chosen)))
        return tuple(options)

    def firms_choose_channels(self, initial: bool = False) -> None:
        """Once a year, each firm free to choose picks its channels (strategy decides)."""
        model = self.model
        if not model.platforms:
            return
        if not initial and model.quarter % QUARTERS_PER_YEAR != 0:
            return
        options = self.channel_options()
        for firm in model.firms:
            if not firm.alive or firm.channels_fixed:
                continue
            current = ChannelSet(firm.sells_direct, firm.listed_on)
            with calling_strategy(firm, "choose_channels", model):
                chosen = firm.strategy.choose_channels(
                    model.firm_view(firm), model.market_view(firm), options, current
                )
                checked(chosen, ChannelSet, "choose_channels")
            firm.sells_direct = chosen.direct
            firm.listed_on = tuple(sorted(chosen.platforms))

    def decide(self) -> None:
        """Each live platform's strategy sets its take rate, investment and payout."""
        model = self.model
        for platform in model.platforms:
            if not platform.alive:
                continue
            with calling_strategy(platform, "decide", model):
                view = model.platform_moves.platform_view(platform, self.platform_view(platform))
                model.flywheel.before_platform_decides(platform, view)
                decision = platform.strategy.decide(view)
            platform.take_rate = decision.take_rate
            platform.spend_experience = decision.spend_experience
            platform.spend_efficiency = decision.spend_efficiency
            platform.pay_out(decision.payout)
            if platform.pool is not None:
                platform.pool.reprice(platform.take_rate)

    def platform_view(self, platform: Platform) -> PlatformView:
        """Frozen snapshot of a platform for its strategy."""
        model, channels = self.model, self.channels
        last = platform.last_quarter
        if last.units > 0:
            average_price = last.gmv / last.units
        else:
            offer = channels.offer()
            items = offer.listing_items(platform.slot)
            prices = offer.listing_price(platform.slot)
            average_price = float(items @ prices / items.sum()) if items.sum() > 0 else 0.0
        return PlatformView(
            platform_id=platform.unique_id,
            name=platform.name,
            kind=platform.kind.value,
            week=model.week,
            quarter=model.quarter,
            take_rate=platform.take_rate,
            fulfilment_cost=platform.fulfilment_cost,
            fixed_cost=platform.fixed_cost,
            cash=platform.cash,
            experience=platform.experience,
            efficiency=platform.efficiency,
            sellers=platform.sellers,
            selection=float(channels.offer().listing_items(platform.slot).sum()),
            members=platform.members,
            cost_per_order=platform.cost_per_order(),
            average_price=average_price,
            last_quarter=last,
            previous_quarter=platform.previous_quarter,
        )

    def collect(self) -> None:
        """One row per platform for this week."""
        model, channels = self.model, self.channels
        if not model.platforms:
            return
        population = len(model.population)
        offer = channels.offer()
        for k, platform in enumerate(model.platforms):
            week, pool = platform.week, platform.pool
            on_platform = week.units
            model.datacollector.add_table_row(
                "platforms",
                {
                    "step": model.week,
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
                    **model.research.platform_row(model, platform),
                    **model.platform_moves.platform_row(model, platform),
                },
            )
