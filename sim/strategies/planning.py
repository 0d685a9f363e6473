"""What both built-in mindsets share: the planner's settings and the quarterly routine.

:class:`PlanningStrategy` runs the :class:`~sim.strategies.planner.Planner` on a schedule
(its plan rigidity), keeps its plan between re-plans, prices by the plan's price rule,
pays out what the plan does not need (its payout policy, from retained earnings only)
and asks investors for the equity a better plan needs, showing them the plan. A
subclass supplies the objective (:meth:`PlanningStrategy.score`) and its mindset's
defaults; which parameters define the mindset is listed in ``mindset_parameters``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from sim.strategies.base import (
    Decision,
    FirmView,
    FundingPlan,
    MarketView,
    Strategy,
    StrategyParams,
)
from sim.strategies.planner import (
    WEEKS_PER_QUARTER,
    Plan,
    Planner,
    PlanTerms,
    PriceOption,
    Projection,
    SpendMask,
    repeat_price,
)

# The fields of PlannerParams that define a mindset; the rest are implementation constants.
MINDSET_FIELDS = frozenset(
    {
        "horizon_years",
        "hurdle_rate",
        "continuing_years",
        "replan_quarters",
        "plan_miss_threshold",
        "innovation_cut",
        "payout_share",
        "relationship_weight",
    }
)


class PlannerParams(StrategyParams):
    """Parameters every planning mindset has (defaults: the shared implementation constants).

    Mindset parameters (each subclass sets its own defaults): ``horizon_years``,
    ``hurdle_rate``, ``continuing_years``, ``replan_quarters``, ``plan_miss_threshold``,
    ``innovation_cut``, ``payout_share``, ``relationship_weight``. Implementation
    constants, the same for every mindset: the candidate prices (``thin_margin``,
    ``margin_multiples``, ``max_margin``), the spend grid (``spend_share``,
    ``spend_levels``) and the financing rules (``reserve_quarters``, ``credit_use``).
    """

    horizon_years: float = Field(1.0, gt=0, le=30, description="plan horizon (years) [mindset]")
    hurdle_rate: float = Field(
        0.15, ge=0, le=2, description="annual rate at which the plan discounts profit [mindset]"
    )
    continuing_years: float = Field(
        1.0,
        ge=0,
        le=30,
        description="years of the run rate at the horizon's end the plan counts as continuing "
        "value (0 = profit within the horizon only) [mindset]",
    )
    replan_quarters: int = Field(
        4,
        ge=1,
        le=40,
        description="quarters between scheduled re-plans (4 = an annual plan, 1 = re-planned "
        "every quarter) [mindset: plan rigidity, decision speed]",
    )
    plan_miss_threshold: float = Field(
        0.2,
        ge=0,
        le=10,
        description="re-plan between schedules when quarterly profit misses plan by this "
        "share [mindset]",
    )
    innovation_cut: float = Field(
        0.5,
        ge=0,
        le=1,
        description="share of the innovation budget cut each time a quarter misses plan [mindset]",
    )
    payout_share: float = Field(
        1.0,
        ge=0,
        le=1,
        description="share of the cash the plan does not need paid out each quarter (from "
        "retained earnings only) [mindset]",
    )
    relationship_weight: float = Field(
        0.0,
        ge=0,
        le=10,
        description="value of an owned customer relationship per direct unit, share of price "
        "[mindset]",
    )
    price_for_repeat: bool = Field(
        True,
        description="candidate prices include the best response counting the repeat "
        "purchases a sale brings within the horizon",
    )
    thin_margin: float = Field(
        0.15, ge=0, le=5, description="thinnest markup over full unit cost considered"
    )
    margin_multiples: list[float] = Field(
        [1.0, 2.0, 4.0, 8.0],
        min_length=1,
        description="markups considered, as multiples of thin_margin (>= 1 each), besides "
        "the best responses to rivals' prices",
    )
    max_margin: float = Field(
        1.0, ge=0, le=10, description="widest markup considered (best responses aside)"
    )
    spend_share: float = Field(
        0.25,
        gt=0,
        le=10,
        description="top of the weekly spend grid of each stock, as a share of the market's "
        "weekly spending at the candidate price (needs per week x price)",
    )
    spend_levels: int = Field(
        6, ge=1, le=20, description="levels of the spend grid below its top (each half the next)"
    )
    reserve_quarters: float = Field(
        1.0,
        ge=0,
        le=20,
        description="liquidity a plan keeps at every point: quarters of fixed cost and "
        "committed spend, in cash and the usable credit line",
    )
    credit_use: float = Field(
        0.5, ge=0, le=1, description="share of the credit line a plan may draw"
    )


class PlanningStrategy(Strategy):
    """A mindset that plans with the shared planner; subclasses define :meth:`score`."""

    Params: ClassVar[type[PlannerParams]] = PlannerParams
    params: PlannerParams
    new_plan_note = "plan"

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.plan: Plan | None = None
        self.wanted: Plan | None = None
        self.period: int | None = None
        self.drawdown = 0.0
        self.fresh = False
        self.innovation_spend = 0.0

    @property
    def horizon_weeks(self) -> float:
        """The plan's horizon in weeks."""
        return 52.0 * self.params.horizon_years

    def terms(self) -> PlanTerms:
        """The planner's settings from this strategy's parameters."""
        p = self.params
        return PlanTerms(
            horizon_weeks=self.horizon_weeks,
            discount_rate=p.hurdle_rate,
            continuing_years=p.continuing_years,
            thin_margin=p.thin_margin,
            margin_multiples=tuple(p.margin_multiples),
            max_margin=p.max_margin,
            repeat_pricing=p.price_for_repeat,
            spend_share=p.spend_share,
            spend_levels=p.spend_levels,
            reserve_quarters=p.reserve_quarters,
            credit_use=p.credit_use,
        )

    def score(self, projected: Projection) -> np.ndarray:
        """The objective of every candidate in a projection (higher is better)."""
        raise NotImplementedError

    def allowed(self, firm: FirmView) -> SpendMask | None:
        """``mask(x, s)`` of permitted experience and selection spends (arrays), or None."""
        return None

    def committed(self, firm: FirmView) -> float:
        """Weekly spends the plan takes as given: experiments, marketing, research ($)."""
        return self.innovation_spend + firm.marketing_spend + firm.spend_research

    def make_plan(self, firm: FirmView, view: MarketView) -> tuple[Plan, Plan | None]:
        """Run the planner: the chosen plan and, if any, a better one that needs equity."""
        planner = Planner(firm, view, self.terms(), self.committed(firm))
        equity = firm.investor_patience_quarters > 0
        return planner.choose(self.score, self.allowed(firm), equity)

    def missed_plan(self, firm: FirmView) -> bool:
        """Whether last quarter's profit fell short of plan by more than the threshold."""
        if self.plan is None:
            return False
        actual = firm.last_quarter.operating_profit - firm.last_quarter.investment
        target = WEEKS_PER_QUARTER * self.plan.surplus[0]
        return actual < target - self.params.plan_miss_threshold * abs(target)

    def update_plan(self, firm: FirmView, view: MarketView) -> str:
        """Re-plan when due (schedule) or after a miss; returns the note."""
        period = view.quarter // self.params.replan_quarters
        if self.plan is None or period != self.period:
            self.innovation_spend = firm.innovation_budget
            note = self.new_plan_note
        elif self.missed_plan(firm):
            self.innovation_spend *= 1.0 - self.params.innovation_cut
            note = "missed plan: re-planned"
        else:
            self.wanted = None
            self.fresh = False
            return ""
        self.period = period
        self.fresh = True
        self.plan, self.wanted = self.make_plan(firm, view)
        self.drawdown = max(0.0, firm.cash - self.plan.min_cash)
        return note

    @property
    def current_plan(self) -> Plan:
        """The plan in force (:meth:`update_plan` makes one before it is used)."""
        if self.plan is None:
            raise RuntimeError("no plan yet: update_plan runs before the plan is used")
        return self.plan

    def price_now(self, firm: FirmView, view: MarketView) -> float:
        """Today's price by the plan's price rule (a markup follows unit cost)."""
        option: PriceOption = self.current_plan.price
        research = view.research
        if self.fresh:
            return option.price
        if option.rule == "markup":
            cost = firm.unit_cost + firm.connected_unit_cost
            return cost * (1.0 + option.margin) / (1.0 - firm.take_share)
        price = research.best_response_price(firm.unit_cost, firm.price)
        if option.rule == "repeat response":
            price = repeat_price(research, firm.unit_cost, price, self.terms())
        return price

    def payout(self, firm: FirmView, spend_research: float) -> float:
        """Pay out ``payout_share`` of the cash the plan does not need, from earnings only.

        The plan needs its lowest projected cash (``drawdown`` below today's) plus a
        reserve of ``reserve_quarters`` of fixed cost and all planned weekly spends.
        """
        plan = self.current_plan
        weekly = firm.fixed_cost + self.committed(firm) + plan.spends + spend_research
        reserve = self.params.reserve_quarters * WEEKS_PER_QUARTER * weekly
        free = min(firm.cash - self.drawdown - reserve, firm.retained_earnings)
        return self.params.payout_share * max(0.0, free)

    def funding(self) -> tuple[float, FundingPlan | None]:
        """Equity asked now and the plan shown: a better plan's need, or the plan's own."""
        plan = self.current_plan
        asked = 0.0
        if self.wanted is not None:
            plan, asked = self.wanted, self.wanted.needed
        elif plan.needed > 0:
            asked = plan.needed
        shown = FundingPlan(plan.units_now, plan.weeks, plan.units, plan.surplus)
        return asked, shown

    def research_spend(self, firm: FirmView, view: MarketView, price: float) -> float:
        """Weekly research spend (research with noise on); none by default."""
        return 0.0

    def base_decision(self, firm: FirmView, view: MarketView) -> Decision:
        """The plan's price, spends, research, payout and funding request as a decision."""
        note = self.update_plan(firm, view)
        plan = self.current_plan
        price = self.price_now(firm, view)
        spend_research = self.research_spend(firm, view, price)
        asked, shown = self.funding()
        return Decision(
            price=price,
            spend_experience=plan.spend_experience,
            spend_selection=plan.spend_selection,
            spend_efficiency=plan.spend_efficiency,
            payout=self.payout(firm, spend_research),
            note=note,
            spend_innovation=self.innovation_spend,
            spend_research=spend_research,
            equity_request=asked,
            funding_plan=shown,
        )

    @staticmethod
    def with_fields(decision: Decision, **changes: Any) -> Decision:
        """The decision with some fields changed."""
        return dataclasses.replace(decision, **changes)
