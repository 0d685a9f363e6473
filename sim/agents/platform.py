"""Platforms: Mesa agents between brands and consumers, holding a platform strategy.

A platform keeps its own accounts (fees in, fulfilment and fixed costs out), its
capability stocks (experience, efficiency), its cost curve for the units it handles,
its membership programme and, for a marketplace, a pool of small third-party sellers.
The economics are in ``sim.mechanics.platforms``; decisions in ``sim.strategies.platform``.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.mechanics.costs import wright_unit_cost
from sim.mechanics.platforms import seller_flow_probabilities, seller_profit, third_party_price
from sim.scenario.schema_channels import (
    ConnectedKind,
    MembershipSpec,
    PlatformKind,
    PlatformSpec,
    ThirdPartySpec,
)
from sim.strategies.platform import PlatformQuarterReport, PlatformStrategy


@dataclass
class PlatformWeek:
    """What happened on a platform this week (reset every step)."""

    take_rate: float = 0.0
    units: float = 0.0
    owner_units: float = 0.0
    brand_units: float = 0.0
    pool_units: float = 0.0
    member_units: float = 0.0
    gmv: float = 0.0
    pool_sales: float = 0.0
    take: float = 0.0
    membership_revenue: float = 0.0
    fulfilment_cost: float = 0.0
    member_cost: float = 0.0
    fixed_cost: float = 0.0
    connected_cost: float = 0.0
    investment: float = 0.0
    payout: float = 0.0
    satisfaction_sum: float = 0.0
    own_label_margin: float = 0.0

    @property
    def operating_cost(self) -> float:
        """Fulfilment, member perks, fixed and connected-experience costs ($)."""
        return self.fulfilment_cost + self.member_cost + self.fixed_cost + self.connected_cost

    @property
    def operating_profit(self) -> float:
        """Fees, membership revenue and own-label margin less operating cost ($)."""
        return self.take + self.membership_revenue + self.own_label_margin - self.operating_cost

    @property
    def profit(self) -> float:
        """Operating profit less investment spend ($)."""
        return self.operating_profit - self.investment


@dataclass
class PlatformTally:
    """Running totals of a platform's current quarter."""

    units: float = 0.0
    gmv: float = 0.0
    take: float = 0.0
    membership_revenue: float = 0.0
    operating_cost: float = 0.0
    investment: float = 0.0
    own_label_margin: float = 0.0


class SellerPool:
    """The small third-party sellers of a marketplace, as one pool.

    Each seller lists ``items_per_seller`` items at the same price; the pool's sales
    are shared equally. Sellers compare their weekly profit on the marketplace with
    their opportunity cost and flow in or out (``sim.mechanics.platforms``).

    Args:
        spec: the scenario's third-party section.
        weekly_cost: ``kappa``, a seller's weekly cost in this market ($).
    """

    def __init__(self, spec: ThirdPartySpec, weekly_cost: float):
        self.potential = spec.potential_sellers
        self.sellers = spec.initial_sellers
        self.items_per_seller = spec.items_per_seller
        self.unit_cost = spec.unit_cost
        self.markup = spec.markup
        self.pass_through = spec.fee_pass_through
        self.quality = spec.quality
        self.weekly_cost = weekly_cost
        self.sensitivity = spec.profit_sensitivity
        self.join_rate = spec.join_rate
        self.leave_rate = spec.leave_rate
        self.smoothing = 1.0 / spec.memory_weeks
        self.average_units = 0.0
        self.price = third_party_price(self.unit_cost, self.markup, 0.0, self.pass_through)
        self.profit = 0.0
        self.joined = 0
        self.left = 0

    @property
    def items(self) -> float:
        """Items listed by the pool."""
        return self.sellers * self.items_per_seller

    def reprice(self, take_rate: float) -> None:
        """Sellers set their price for the platform's current fee."""
        self.price = third_party_price(self.unit_cost, self.markup, take_rate, self.pass_through)

    def update(self, units: float, take_rate: float, rng: np.random.Generator) -> None:
        """Average this week's sales, then let sellers join or leave.

        Args:
            units: the pool's units this week.
            take_rate: the platform's fee.
            rng: the run's generator (two binomial draws).
        """
        self.average_units += self.smoothing * (units - self.average_units)
        self.profit = seller_profit(
            self.price,
            self.unit_cost,
            take_rate,
            self.average_units,
            self.sellers,
            self.weekly_cost,
        )
        p_join, p_leave = seller_flow_probabilities(
            self.profit, self.weekly_cost, self.join_rate, self.leave_rate, self.sensitivity
        )
        self.joined = int(rng.binomial(self.potential - self.sellers, p_join))
        self.left = int(rng.binomial(self.sellers, p_leave))
        self.sellers += self.joined - self.left


class Platform(mesa.Agent):
    """A marketplace or an aggregator, run by a platform strategy.

    Args:
        model: the model.
        spec: the platform's scenario section.
        slot: index among the platforms (its channel is ``slot + 1``).
        strategy: the platform strategy object.
        owner_slots: firm slots whose sales here are first-party.
        consumers: number of consumers in the market (scales sellers' weekly cost).
    """

    def __init__(
        self,
        model: mesa.Model,
        spec: PlatformSpec,
        slot: int,
        strategy: PlatformStrategy,
        owner_slots: tuple[int, ...],
        consumers: int,
    ):
        super().__init__(model)
        self.name = spec.name
        self.kind = spec.kind
        self.slot = slot
        self.strategy = strategy
        self.strategy_name = spec.strategy if ":" not in spec.strategy else strategy.name
        self.take_rate = spec.take_rate
        self.experience = spec.experience
        self.efficiency = 0.0
        self.transparency = spec.price_transparency
        self.fixed_cost = spec.fixed_cost
        self.initial_fulfilment_cost = spec.fulfilment_cost
        self.reference_units = spec.reference_units
        self.progress_ratio = spec.progress_ratio
        self.cumulative_units = spec.reference_units
        self.cash = spec.cash
        self.insolvency_quarters = spec.insolvency_quarters
        self.awareness_innovation = spec.awareness_innovation
        self.awareness_imitation = spec.awareness_imitation
        self.owner_slots = owner_slots
        self.membership = spec.membership
        self.connected = spec.connected
        self.pool = (
            SellerPool(
                spec.third_party, spec.third_party.cost_per_1000_consumers * consumers / 1000
            )
            if spec.third_party is not None
            else None
        )
        if self.pool is not None:
            self.pool.reprice(self.take_rate)
        self.alive = True
        self.exit_step: int | None = None
        self.distress_quarters = 0
        self.spend_experience = 0.0
        self.spend_efficiency = 0.0
        self.cumulative_payout = 0.0
        self.members = 0
        self.customers = 0
        self.aware = 0
        self.data_interactions = 0.0
        self.knowledge = 0.0
        self.satisfaction = 0.0
        self.week = PlatformWeek()
        self.tally = PlatformTally()
        self.last_quarter = PlatformQuarterReport()
        self.previous_quarter = PlatformQuarterReport()
        self.fulfilment_cost = self.current_fulfilment_cost()

    # ------------------------------------------------------------------ state

    @property
    def is_marketplace(self) -> bool:
        """Hosts sellers and fulfils orders."""
        return self.kind is PlatformKind.marketplace

    @property
    def sellers(self) -> int:
        """Third-party sellers on the platform (0 without a pool)."""
        return self.pool.sellers if self.pool is not None else 0

    def membership_open(self, week: int) -> bool:
        """Whether the membership programme is running in ``week``."""
        return self.open_membership(week) is not None

    def open_membership(self, week: int) -> MembershipSpec | None:
        """The membership programme's terms if it is running in ``week``, else None."""
        terms = self.membership
        return terms if terms is not None and week >= terms.launch_step else None

    def offers(self, kind: ConnectedKind) -> bool:
        """Whether the platform offers this connected experience."""
        return self.connected is kind

    def current_fulfilment_cost(self) -> float:
        """Cost per unit handled: Wright's law on units handled, over ``1 + efficiency``.

        Aggregators fulfil nothing and have no fulfilment cost.
        """
        if not self.is_marketplace:
            return 0.0
        wright = wright_unit_cost(
            self.initial_fulfilment_cost,
            self.cumulative_units,
            self.reference_units,
            self.progress_ratio,
        )
        return float(wright) / (1.0 + self.efficiency)

    def weekly_spend(self) -> float:
        """Investment spend per week ($)."""
        return self.spend_experience + self.spend_efficiency

    # ------------------------------------------------------------------ books

    def start_week(self) -> None:
        """Reset the week's flows."""
        self.week = PlatformWeek(take_rate=self.take_rate)

    def book_week(
        self,
        owner_units: float,
        brand_units: float,
        pool_units: float,
        gmv: float,
        pool_sales: float,
        member_units: float,
        connected_cost: float,
        week: int,
    ) -> None:
        """Book a week: fees in, costs out, into cash; move down the fulfilment curve.

        ``cash' = cash + tau GMV + fee M - c_f Q - c_m Q_m - F - connected - I``.

        Args:
            owner_units: first-party units (the owner's retail).
            brand_units: units of other brands listed here.
            pool_units: third-party pool units.
            gmv: value of all sales through the platform ($).
            pool_sales: of which, sales of the third-party pool ($).
            member_units: units bought by members.
            connected_cost: cost of the platform's connected experience this week ($).
            week: the current week (membership launch).
        """
        w = self.week
        w.take_rate = self.take_rate
        w.owner_units, w.brand_units, w.pool_units = owner_units, brand_units, pool_units
        w.units = owner_units + brand_units + pool_units
        w.member_units = member_units
        w.gmv = gmv
        w.pool_sales = pool_sales
        w.take = self.take_rate * gmv
        terms = self.open_membership(week)
        if terms is not None:
            w.membership_revenue = self.members * terms.fee
            w.member_cost = member_units * terms.unit_cost
        w.fulfilment_cost = self.fulfilment_cost * w.units
        w.fixed_cost = self.fixed_cost
        w.connected_cost = connected_cost
        w.investment = self.weekly_spend()
        self.cash += w.profit
        self.cumulative_units += w.units
        t = self.tally
        t.units += w.units
        t.gmv += gmv
        t.take += w.take
        t.membership_revenue += w.membership_revenue
        t.operating_cost += w.operating_cost
        t.investment += w.investment

    def book_satisfaction(self, satisfaction_sum: float) -> None:
        """Record the summed satisfaction of this week's buyers through the platform."""
        self.week.satisfaction_sum = satisfaction_sum
        self.satisfaction = satisfaction_sum / self.week.units if self.week.units else 0.0

    def close_quarter(self, power: float) -> None:
        """Turn the quarter's tally into ``last_quarter``; count distress."""
        t = self.tally
        self.previous_quarter = self.last_quarter
        self.last_quarter = PlatformQuarterReport(
            units=t.units,
            gmv=t.gmv,
            take=t.take,
            membership_revenue=t.membership_revenue,
            operating_cost=t.operating_cost,
            operating_profit=t.take + t.membership_revenue + t.own_label_margin - t.operating_cost,
            investment=t.investment,
            power=power,
            sellers=self.sellers,
            members=self.members,
        )
        self.tally = PlatformTally()
        self.distress_quarters = self.distress_quarters + 1 if self.cash < 0 else 0

    def cost_per_order(self) -> float:
        """Full cost of a unit handled at last quarter's volume ($); fulfilment cost if none."""
        units = self.last_quarter.units
        if units <= 0:
            return self.fulfilment_cost
        return self.last_quarter.operating_cost / units

    def pay_out(self, amount: float) -> float:
        """Pay shareholders up to the cash available; returns what was paid."""
        paid = min(max(amount, 0.0), max(self.cash, 0.0))
        self.cash -= paid
        self.week.payout += paid
        self.cumulative_payout += paid
        return paid

    def exit(self, step: int) -> None:
        """Close the platform: listings and memberships end; the record stays."""
        self.alive = False
        self.exit_step = step
        self.spend_experience = self.spend_efficiency = 0.0

    def __repr__(self) -> str:
        return f"Platform({self.name!r}, {self.kind.value}, take={self.take_rate:.3f})"
