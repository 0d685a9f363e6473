"""Firms: Mesa agents that hold their state and a strategy, and call mechanics."""

from __future__ import annotations

from dataclasses import dataclass

import mesa

from sim.mechanics.costs import wright_unit_cost
from sim.mechanics.heterogeneity import cost_shock_factor, spread_additively, spread_in_logs
from sim.scenario.schema_firms import FirmSpec
from sim.strategies.base import QuarterReport, Strategy


@dataclass
class QuarterTally:
    """Running totals of the current quarter."""

    units: float = 0.0
    revenue: float = 0.0
    operating_profit: float = 0.0
    investment: float = 0.0
    repeat_units: float = 0.0
    satisfaction_sum: float = 0.0
    needs_reached: float = 0.0
    innovation: float = 0.0
    variable_cost: float = 0.0
    fixed_cost: float = 0.0
    direct_units: float = 0.0
    platform_fees: float = 0.0
    returns: float = 0.0
    trust_cost: float = 0.0
    referred_customers: float = 0.0

    def report(self, customers: int, previous: QuarterReport) -> QuarterReport:
        """Close the quarter into a report."""
        growth = (
            (customers - previous.customers) / previous.customers if previous.customers else 0.0
        )
        return QuarterReport(
            units=self.units,
            revenue=self.revenue,
            operating_profit=self.operating_profit,
            investment=self.investment,
            customers=customers,
            customer_growth=growth,
            repeat_rate=self.repeat_units / self.units if self.units else 0.0,
            satisfaction=self.satisfaction_sum / self.units if self.units else 0.0,
            needs_reached=self.needs_reached,
            variable_cost=self.variable_cost,
            fixed_cost=self.fixed_cost,
            direct_units=self.direct_units,
            platform_fees=self.platform_fees,
            returns=self.returns,
            trust_cost=self.trust_cost,
            referred_customers=self.referred_customers,
        )


@dataclass
class WeekFlows:
    """What happened to a firm this week (reset every step)."""

    price: float = 0.0
    unit_cost: float = 0.0
    units: float = 0.0
    revenue: float = 0.0
    variable_cost: float = 0.0
    fixed_cost: float = 0.0
    investment: float = 0.0
    payout: float = 0.0
    repeat_units: float = 0.0
    satisfaction_sum: float = 0.0
    innovation: float = 0.0
    marketing: float = 0.0
    customer_value: float = 0.0
    direct_units: float = 0.0
    platform_units: float = 0.0
    platform_fees: float = 0.0
    connected_cost: float = 0.0
    restructuring: float = 0.0
    research: float = 0.0
    incentive_cost: float = 0.0
    loyalty_cost: float = 0.0
    loyalty_units: float = 0.0
    platform_price: float | None = None
    direct_incentive: float = 0.0
    loyalty_rebate: float = 0.0
    trust_cost: float = 0.0

    @property
    def operating_profit(self) -> float:
        """Revenue less variable, fixed, platform, connected, one-off, defence, trust costs ($)."""
        return (
            self.revenue
            - self.variable_cost
            - self.fixed_cost
            - self.platform_fees
            - self.connected_cost
            - self.restructuring
            - self.incentive_cost
            - self.loyalty_cost
            - self.trust_cost
        )

    @property
    def profit(self) -> float:
        """Operating profit less investment spend ($)."""
        return self.operating_profit - self.investment


class Firm(mesa.Agent):
    """A firm: prices, costs, capability stocks, cash, and the strategy that decides."""

    def __init__(
        self,
        model: mesa.Model,
        spec: FirmSpec,
        name: str,
        slot: int,
        strategy: Strategy,
        birth_step: int = 0,
    ):
        super().__init__(model)
        self.name = name
        self.slot = slot
        self.strategy = strategy
        self.strategy_name = spec.strategy if ":" not in spec.strategy else strategy.name
        self.quality = spec.quality
        if spec.quality_sd > 0:
            self.quality += spec.quality_sd * float(model.rng.standard_normal())
        self.price = spec.price
        self.initial_cost = spec.unit_cost
        self.reference_units = spec.reference_units
        self.progress_ratio = spec.progress_ratio
        self.fixed_cost = spec.fixed_cost
        self.experience = spec.experience
        self.selection = spec.selection
        self.draw_capabilities(spec, model.rng)
        # Fading demand (utils) and cost (log points) shocks, set by sim.components.heterogeneity.
        self.demand_shock = 0.0
        self.cost_shock = 0.0
        self.efficiency = 0.0
        self.cash = spec.cash
        self.cumulative_units = spec.reference_units
        self.alive = True
        self.exit_step: int | None = None
        self.exit_reason = ""
        self.spend_experience = 0.0
        self.spend_selection = 0.0
        self.spend_efficiency = 0.0
        self.cumulative_payout = 0.0
        self.distress_quarters = 0
        self.week = WeekFlows()
        self.tally = QuarterTally()
        self.last_quarter = QuarterReport()
        self.previous_quarter = QuarterReport()
        self.satisfaction = 0.0
        self.repeat_rate = 0.0
        self.unit_cost = self.current_unit_cost()
        # Channels, relationships and connected strategy (set up by the model).
        self.sells_direct = True
        self.listed_on: tuple[int, ...] = ()
        self.channels_fixed = spec.channels is not None
        self.connected = spec.connected
        self.data_interactions = 0.0
        self.knowledge = 0.0
        self.owned_customers = 0
        self.coached_customers = 0
        self.mean_fit = 0.0
        # Research with noise (sim/components/research.py): spend, and the research last
        # handed over.
        self.spend_research = 0.0
        self.research_sample = 0
        self.research_error = 0.0
        # Channel defences decided by the strategy (sim.mechanics.defences), off at start.
        self.platform_price: float | None = None
        self.direct_incentive = 0.0
        self.loyalty_rebate = 0.0
        self.brand_strength = 0.0
        self.defences_allowed = spec.defences
        self.init_lifecycle(spec, birth_step)

    def init_lifecycle(self, spec: FirmSpec, birth_step: int) -> None:
        """Day 1 / Day 2 state: vitality, culture, experiments, value, tenure."""
        traits = self.strategy.traits
        self.birth_step = birth_step
        self.initial_age_years = spec.age_years
        self.spec_awareness = spec.initial_awareness
        self.marketing_spend = spec.marketing_spend
        self.innovation_budget = spec.innovation_budget
        self.spend_innovation = 0.0
        self.owner = spec.owner
        self.direct_relationship = spec.direct_relationship
        self.vitality = spec.vitality
        self.initial_proxy_focus = (
            spec.proxy_focus
            if spec.proxy_focus is not None
            else float(traits.get("proxy_focus", 0.5))
        )
        self.proxy_focus = self.initial_proxy_focus
        self.proxy_drift_per_doubling = spec.proxy_drift_per_doubling
        self.proxy_skepticism = spec.proxy_skepticism
        self.proxy_gap = 0.0
        self.trend_eagerness = spec.trend_eagerness
        self.decision_velocity = (
            spec.decision_velocity
            if spec.decision_velocity is not None
            else float(traits.get("decision_velocity", 0.5))
        )
        self.decision_lag = 0
        self.pending: list = []
        self.experiments = 0
        self.successes = 0
        self.failures = 0
        self.launches: list[tuple[int, float]] = []
        self.trends_adopted: set[int] = set()
        self.peak_customer_share = 0.0
        self.quarterly_operating_profit: list[float] = []
        self.quarterly_revenue: list[float] = []
        self.peak_trailing_revenue = 0.0
        self.unit_share = 0.0
        self.irrelevant_quarters = 0
        self.in_stasis = False
        self.irrelevant = False
        self.declining = False
        self.at_top = False
        self.top_since: int | None = None
        self.market_value = max(0.0, self.cash)
        self.initial_cash = self.cash
        self.value_base: float | None = None
        self.cumulative_customer_value = 0.0
        self.quarter_innovation = 0.0

    def book_one_off_cost(self, amount: float) -> None:
        """Pay a one-off operating cost now (restructuring), booked in operating profit."""
        self.cash -= amount
        self.week.restructuring += amount
        self.tally.operating_profit -= amount

    def spend_once(self, amount: float) -> None:
        """Pay a one-off investment now (booked in this week's flows)."""
        self.cash -= amount
        self.week.investment += amount
        self.tally.investment += amount

    def draw_capabilities(self, spec: FirmSpec, rng) -> None:
        """Founding draws of experience, selection and unit cost around the template.

        Drawn in that order, each only when its spread is above 0 (``experience_sd``,
        ``selection_sd``, ``unit_cost_sd``; see ``sim.mechanics.heterogeneity``).
        """
        if spec.experience_sd > 0:
            z = float(rng.standard_normal())
            self.experience = spread_additively(spec.experience, spec.experience_sd, z)
        if spec.selection_sd > 0:
            z = float(rng.standard_normal())
            self.selection = max(spread_in_logs(spec.selection, spec.selection_sd, z), 1.0)
        if spec.unit_cost_sd > 0:
            z = float(rng.standard_normal())
            self.initial_cost = spread_in_logs(spec.unit_cost, spec.unit_cost_sd, z)

    def age_years(self, week: int) -> float:
        """Age in years at ``week`` (age at start plus weeks since birth)."""
        return self.initial_age_years + (week - self.birth_step) / 52.0

    def current_unit_cost(self) -> float:
        """Wright's-law cost at the cumulative volume, divided by ``1 + efficiency``.

        A cost shock ``omega`` (``sim.components.heterogeneity``) multiplies it by ``exp(omega)``.
        """
        wright = wright_unit_cost(
            self.initial_cost, self.cumulative_units, self.reference_units, self.progress_ratio
        )
        cost = float(wright) / (1.0 + self.efficiency)
        if self.cost_shock:
            cost *= cost_shock_factor(self.cost_shock)
        return cost

    def weekly_spend(self) -> float:
        """Total weekly investment spend ($), innovation, marketing and research included."""
        return (
            self.spend_experience
            + self.spend_selection
            + self.spend_efficiency
            + self.spend_innovation
            + self.marketing_spend
            + self.spend_research
        )

    def book_sales(self, units: float, repeat_units: float, needs_reached: float) -> None:
        """Book a week of sales and costs into cash; move down the cost curve.

        ``cash' = cash + p q - c q - F - I`` (payouts are booked at decisions).

        Args:
            units: units sold this week.
            repeat_units: of which to buyers whose last purchase was from this firm.
            needs_reached: consumers with a need this week who knew this firm.
        """
        week = self.week
        week.price = self.price
        week.unit_cost = self.unit_cost
        week.units = units
        week.revenue = self.price * units
        week.variable_cost = self.unit_cost * units
        week.fixed_cost = self.fixed_cost
        week.investment = self.weekly_spend()
        week.innovation = self.spend_innovation
        week.marketing = self.marketing_spend
        week.research = self.spend_research
        week.repeat_units = repeat_units
        week.direct_units = units
        self.cash += week.profit
        self.cumulative_units += units
        self.repeat_rate = repeat_units / units if units else 0.0
        tally = self.tally
        tally.units += units
        tally.revenue += week.revenue
        tally.operating_profit += week.operating_profit
        tally.investment += week.investment
        tally.repeat_units += repeat_units
        tally.needs_reached += needs_reached
        tally.innovation += self.spend_innovation
        tally.variable_cost += week.variable_cost
        tally.fixed_cost += week.fixed_cost
        tally.direct_units += units

    def book_channel_costs(
        self,
        direct_units: float,
        platform_units: float,
        platform_fees: float,
        connected_cost: float,
    ) -> None:
        """Book the week's channel split, platform fees and connected-experience costs.

        Called after :meth:`book_sales`; fees and connected costs come out of cash and
        operating profit: ``cash' = cash - fees - connected``.

        Args:
            direct_units: units sold through the firm's own channel.
            platform_units: units sold through platforms.
            platform_fees: take paid to platforms ($).
            connected_cost: cost of the connected experience this week ($).
        """
        week = self.week
        week.direct_units = direct_units
        week.platform_units = platform_units
        week.platform_fees = platform_fees
        week.connected_cost = connected_cost
        self.cash -= platform_fees + connected_cost
        tally = self.tally
        tally.operating_profit -= platform_fees + connected_cost
        tally.direct_units -= platform_units
        tally.platform_fees += platform_fees

    def book_defences(
        self,
        revenue_change: float,
        incentive_cost: float,
        loyalty_cost: float,
        loyalty_units: float,
    ) -> None:
        """Book channel prices and defence costs after :meth:`book_channel_costs`.

        ``cash' = cash + dR - C_incentive - C_loyalty``, with ``dR`` the revenue that
        listings priced apart from the direct price add (or take away).

        Args:
            revenue_change: ``sum_k (p_k - p) u_k`` over the platforms ($).
            incentive_cost: cost of the direct incentive this week ($).
            loyalty_cost: cost of the loyalty programme this week ($).
            loyalty_units: units members bought direct this week.
        """
        week, tally = self.week, self.tally
        week.revenue += revenue_change
        week.incentive_cost = incentive_cost
        week.loyalty_cost = loyalty_cost
        week.loyalty_units = loyalty_units
        week.platform_price = self.platform_price
        week.direct_incentive = self.direct_incentive
        week.loyalty_rebate = self.loyalty_rebate
        change = revenue_change - incentive_cost - loyalty_cost
        self.cash += change
        tally.revenue += revenue_change
        tally.operating_profit += change

    @property
    def channel_names(self) -> list[str]:
        """Channels the firm sells through: ``direct`` and platform names."""
        names = ["direct"] if self.sells_direct else []
        return names + [self.model.platforms[k].name for k in self.listed_on]

    def book_trust_costs(self, cost: float, returns: float, referred: float) -> None:
        """Book the week's cost of removing consumers' doubt (after :meth:`book_sales`).

        ``cost`` (refunds, collections, try-on kits, review publishing, referral rewards)
        comes out of cash and operating profit: ``cash' = cash - cost``.

        Args:
            cost: the week's trust cost ($).
            returns: units returned this week.
            referred: referred new customers this week.
        """
        self.week.trust_cost += cost
        self.cash -= cost
        tally = self.tally
        tally.operating_profit -= cost
        tally.trust_cost += cost
        tally.returns += returns
        tally.referred_customers += referred

    def book_satisfaction(self, satisfaction_sum: float) -> None:
        """Record the summed satisfaction of this week's buyers."""
        self.week.satisfaction_sum = satisfaction_sum
        self.satisfaction = satisfaction_sum / self.week.units if self.week.units else 0.0
        self.tally.satisfaction_sum += satisfaction_sum

    def close_quarter(self, customers: int) -> None:
        """Turn the quarter's tally into ``last_quarter`` and start a new tally."""
        self.previous_quarter = self.last_quarter
        self.last_quarter = self.tally.report(customers, self.previous_quarter)
        self.quarter_innovation = self.tally.innovation
        self.tally = QuarterTally()
        self.distress_quarters = self.distress_quarters + 1 if self.cash < 0 else 0
        if self.alive:
            self.quarterly_operating_profit.append(self.last_quarter.operating_profit)
            self.quarterly_revenue.append(self.last_quarter.revenue)

    def pay_out(self, amount: float) -> float:
        """Pay shareholders up to the cash available; returns what was paid."""
        paid = min(max(amount, 0.0), max(self.cash, 0.0))
        self.cash -= paid
        self.week.payout += paid
        self.cumulative_payout += paid
        return paid

    def start_week(self) -> None:
        """Reset the week's flows (price and unit cost in force are carried in)."""
        self.week = WeekFlows(price=self.price, unit_cost=self.unit_cost)

    def exit(self, step: int, reason: str) -> None:
        """Leave the market: stop selling and spending; keep the record.

        Cash left over is paid to shareholders (liquidation); the shares are then
        worth nothing.
        """
        self.alive = False
        self.exit_step = step
        self.exit_reason = reason
        self.spend_experience = self.spend_selection = self.spend_efficiency = 0.0
        self.spend_innovation = self.marketing_spend = 0.0
        self.spend_research = 0.0
        self.pending = []
        self.at_top = False
        self.top_since = None
        if self.cash > 0:
            self.pay_out(self.cash)
        self.market_value = 0.0

    def __repr__(self) -> str:
        return f"Firm({self.name!r}, {self.strategy_name}, price={self.price:.2f})"
