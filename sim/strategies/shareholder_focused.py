"""The shareholder-focused firm: the customer is the investor.

Source: the "business mindset" column of the mindset table (CONCEPTS section 1):
quarterly numbers and annual commitments, precise plans at most a year ahead, little
deviation from plan, management to a proxy (quarterly profit). Pricing is the
profit-maximising best response of logit oligopoly (Anderson, de Palma and Thisse 1992).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from sim.mechanics.stocks import stock_after
from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams

PLAN_MIDPOINT_WEEKS = 7


class ShareholderFocusedParams(StrategyParams):
    """Parameters of :class:`ShareholderFocused`."""

    plan_miss_threshold: float = Field(
        0.2, ge=0, le=10, description="re-plan when quarterly profit misses plan by this share"
    )
    cash_reserve_quarters: float = Field(
        1.0, ge=0, description="quarters of fixed cost kept as cash; the rest is paid out"
    )
    max_weekly_spend: float = Field(
        8000.0, ge=0, description="largest weekly spend per stock the plan considers ($)"
    )
    innovation_cut: float = Field(
        0.5,
        ge=0,
        le=1,
        description="share of the innovation budget cut each time a quarter misses plan",
    )
    relationship_weight: float = Field(
        0.0,
        ge=0,
        le=10,
        description="value of an owned customer relationship per direct unit, share of price",
    )


@dataclass(frozen=True)
class AnnualPlan:
    """The commitment a shareholder-focused firm manages to."""

    year: int
    spend_experience: float
    spend_selection: float
    spend_efficiency: float
    quarterly_profit: float


def spend_grid(maximum: float, levels: int = 8) -> np.ndarray:
    """Zero plus ``levels - 1`` geometric steps up to ``maximum`` ($ per week)."""
    if maximum <= 0:
        return np.zeros(1)
    return np.concatenate([[0.0], maximum * 2.0 ** -np.arange(levels - 2, -1, -1)])


class ShareholderFocused(Strategy):
    """Maximises next quarter's profit; plans yearly; pays out surplus cash.

    Each quarter it sets the price that maximises expected profit against rivals'
    current prices (its market research gives expected demand). Once a year, or when a
    quarter's profit misses the plan by more than ``plan_miss_threshold``, it re-plans its
    weekly investment in experience, selection and efficiency: the spends, from a grid,
    that maximise the coming quarter's projected profit, so an investment is made only
    as far as it pays back within the quarter. Cash above a reserve is paid out. The
    innovation budget is restored with each annual plan and cut by ``innovation_cut``
    every time a quarter misses plan.
    """

    name = "shareholder_focused"
    traits = {
        "customer": "investor",
        "focus": "P&L",
        "horizon_quarters": 1,
        "planning": "annual plan, revised only when a quarter misses it",
        "pricing": "profit-maximising best response to rivals' prices",
        "payout": "cash above a reserve, every quarter",
        "manages_to": "quarterly profit (a proxy)",
        "innovation": "cuts the experiment budget when a quarter misses plan",
        "proxy_focus": 1.0,
        "decision_velocity": 0.5,
    }
    Params = ShareholderFocusedParams

    def __init__(self, **params):
        super().__init__(**params)
        self.plan: AnnualPlan | None = None
        self.innovation_spend = 0.0

    def missed_plan(self, firm: FirmView) -> bool:
        """Whether last quarter's profit fell short of plan by more than the threshold."""
        if self.plan is None:
            return False
        actual = firm.last_quarter.operating_profit - firm.last_quarter.investment
        target = self.plan.quarterly_profit
        return actual < target - self.params.plan_miss_threshold * abs(target)

    def plan_investment(self, firm: FirmView, view: MarketView, price: float) -> AnnualPlan:
        """Choose the weekly spends that maximise the coming quarter's projected profit."""
        research, tech = view.research, view.technology
        grid = spend_grid(self.params.max_weekly_spend)
        weeks = PLAN_MIDPOINT_WEEKS
        best = None
        for spend_x, spend_s in itertools.product(grid, grid):
            experience = stock_after(firm.experience, spend_x, weeks, *tech.experience)
            selection = stock_after(firm.selection, spend_s, weeks, *tech.selection, floor=1.0)
            units = research.demand(price=price, experience=experience, selection=selection)
            weekly = (price - firm.unit_cost) * units - firm.fixed_cost - spend_x - spend_s
            if best is None or weekly > best[0]:
                best = (weekly, spend_x, spend_s, units)
        weekly, spend_x, spend_s, units = best
        best_efficiency = (0.0, 0.0)
        for spend_e in grid[1:]:
            efficiency = stock_after(firm.efficiency, spend_e, weeks, *tech.efficiency)
            cost = firm.unit_cost * (1.0 + firm.efficiency) / (1.0 + efficiency)
            gain = (firm.unit_cost - cost) * units - spend_e
            if gain > best_efficiency[0]:
                best_efficiency = (gain, spend_e)
        committed = self.innovation_spend + firm.marketing_spend
        return AnnualPlan(
            year=view.quarter // 4,
            spend_experience=float(spend_x),
            spend_selection=float(spend_s),
            spend_efficiency=float(best_efficiency[1]),
            quarterly_profit=13.0 * (weekly + best_efficiency[0] - committed),
        )

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """Best-response price, annual (or corrective) investment plan, payout."""
        price = view.research.best_response_price(firm.unit_cost, firm.price)
        note = ""
        if self.plan is None or view.quarter // 4 != self.plan.year:
            self.innovation_spend = firm.innovation_budget
            self.plan = self.plan_investment(firm, view, price)
            note = "annual plan"
        elif self.missed_plan(firm):
            self.innovation_spend *= 1.0 - self.params.innovation_cut
            self.plan = self.plan_investment(firm, view, price)
            note = "missed plan: re-planned"
        reserve = self.params.cash_reserve_quarters * 13.0 * firm.fixed_cost
        return Decision(
            price=price,
            spend_experience=self.plan.spend_experience,
            spend_selection=self.plan.spend_selection,
            spend_efficiency=self.plan.spend_efficiency,
            payout=max(0.0, firm.cash - reserve),
            note=note,
            spend_innovation=self.innovation_spend,
        )
