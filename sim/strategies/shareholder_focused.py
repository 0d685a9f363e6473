"""The shareholder-focused firm: the customer is the investor.

Source: the "business mindset" column of the mindset table (CONCEPTS section 1):
quarterly numbers and annual commitments, precise plans at most a year ahead, little
deviation from plan, management to a proxy (quarterly profit). Pricing is the
profit-maximising best response of logit oligopoly (Anderson, de Palma and Thisse 1992),
with the value of the repeat purchases a sale brings within the plan's horizon
(``sim.mechanics.relationship``). Investments are judged by discounted profit within the
horizon at a hurdle rate (the capital-budgeting rule of a manager who must show the
return inside the plan).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from sim.mechanics.acquisition import value_over_horizon
from sim.mechanics.finance import discount_factor
from sim.mechanics.stocks import stocks_after, upkeep_spend
from sim.strategies.base import (
    Decision,
    FirmView,
    MarketView,
    RivalView,
    Strategy,
    StrategyParams,
)
from sim.strategies.defence_choice import choose_defences, choose_marketing, discounted_weeks
from sim.strategies.trust_view import choose_remedies, with_remedies

WEEKS_PER_QUARTER = 13
REPEAT_VALUE_TOLERANCE = 1e-3


class ShareholderFocusedParams(StrategyParams):
    """Parameters of :class:`ShareholderFocused`."""

    horizon_years: float = Field(
        1.0, gt=0, le=5, description="plan horizon: investments must pay back within it (years)"
    )
    hurdle_rate: float = Field(
        0.15, ge=0, le=2, description="annual rate at which the plan discounts profit"
    )
    continuing_years: float = Field(
        1.0,
        ge=0,
        le=30,
        description="years of the run rate at the horizon's end the plan counts as continuing "
        "value (0 = profit within the horizon only)",
    )
    plan_miss_threshold: float = Field(
        0.2, ge=0, le=10, description="re-plan when quarterly profit misses plan by this share"
    )
    cash_reserve_quarters: float = Field(
        1.0, ge=0, description="quarters of fixed cost and planned spend kept as cash"
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
    price_for_repeat: bool = Field(
        True,
        description="count the repeat purchases a sale brings within the horizon when pricing",
    )
    buys_research: bool = Field(
        True,
        description="where research is bought (research with noise on), buy respondents when "
        "the pricing loss they avoid exceeds their cost",
    )
    trust_remedies: bool = Field(
        True,
        description="decides remedies for consumers' doubt (guarantee, try-on, reviews, "
        "referral reward) when the scenario switches trust on; false = never offers them",
    )


@dataclass(frozen=True)
class AnnualPlan:
    """The commitment a shareholder-focused firm manages to."""

    year: int
    spend_experience: float
    spend_selection: float
    spend_efficiency: float
    quarterly_profit: float
    upkeep_experience: float = 0.0
    upkeep_selection: float = 0.0


def spend_grid(maximum: float, levels: int = 8, extra: tuple[float, ...] = ()) -> np.ndarray:
    """Candidate weekly spends: zero, geometric steps up to ``maximum``, and ``extra`` ($).

    ``extra`` (upkeep levels, say) are kept when within ``[0, maximum]``.
    """
    if maximum <= 0:
        return np.zeros(1)
    steps = maximum * 2.0 ** -np.arange(levels - 2, -1, -1)
    kept = [x for x in extra if 0.0 <= x <= maximum]
    return np.unique(np.concatenate([[0.0], steps, kept]))


def plan_weights(
    horizon_weeks: float, hurdle_rate: float, continuing_years: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weeks at which the plan evaluates profit, and the discounted weeks each stands for.

    The plan's quarters are evaluated at their middles (6.5, 19.5, ... weeks), each
    standing for 13 weeks discounted at the hurdle rate; the run rate at the horizon's end
    stands for ``52 * continuing_years`` more weeks, discounted from the horizon's end.

    Returns:
        ``(weeks, weights)``: evaluation weeks and their weights (discounted weeks).
    """
    quarters = max(1, math.ceil(horizon_weeks / WEEKS_PER_QUARTER - 1e-9))
    weeks = WEEKS_PER_QUARTER * (np.arange(quarters) + 0.5)
    weights = np.array([WEEKS_PER_QUARTER * discount_factor(hurdle_rate, w) for w in weeks])
    if continuing_years > 0:
        end = quarters * WEEKS_PER_QUARTER
        weeks = np.append(weeks, end)
        weights = np.append(weights, 52.0 * continuing_years * discount_factor(hurdle_rate, end))
    return weeks, weights


class ShareholderFocused(Strategy):
    """A competent manager maximising shareholder value over a short horizon.

    What makes it the business mindset: the customer is the investor; plans are annual
    and in dollars; the plan is revised only when a quarter misses it; surplus cash is paid
    out; the firm manages to a proxy (reported profit and satisfaction read through its
    drifting proxy); experiments are cut whenever a quarter misses plan.

    What makes it the strongest version of that mindset:

    - Investment: once a year (or after a miss) it chooses weekly spends on experience,
      selection and efficiency that maximise profit over the plan's horizon, discounted at
      its hurdle rate, with demand from its research at the stocks each spend builds by the
      middle of every quarter of the horizon, plus the run rate left at the horizon's end
      for ``continuing_years`` (next year's plan starts from what this year leaves). The
      candidates include each stock's upkeep (the spend that holds it where it is), so the
      firm keeps a capability exactly when losing it would cost more of that profit than
      the upkeep costs.
    - Pricing: each quarter the profit-maximising best response to rivals' prices, with a
      sale worth its margin plus the repeat purchases its habit brings within the horizon
      (priced at the firm's markup), solved as a fixed point.
    - Cash: keeps a reserve of ``cash_reserve_quarters`` of fixed cost and planned spend
      and pays out the rest; pays nothing while in debt.
    - Research (research with noise on): buys respondents only when they pay within the
      quarter they inform: the expected pricing loss a more precise estimate of price
      sensitivity avoids (``sim.mechanics.research.pricing_loss``) must exceed their cost.
    - Defences (where the scenario allows them): each quarter the incentive, loyalty
      rebate and platform price that add most to this quarter's contribution by its
      research (plus ``relationship_weight``, 0 by default): a defence must pay now.
    - Marketing (where strategies decide it): a newly aware customer is worth its
      margin over the plan's horizon, discounted at the hurdle rate.
    - Trust (when on): a remedy for consumers' doubt only where it raises weekly profit, a
      sale valued as in pricing.
    - Acquisitions (when the scenario allows them): buys the rival whose value to its
      shareholders over the plan's horizon most exceeds the asking price (see
      :meth:`acquisition`), and only then; the price comes out of what it would have
      paid out.
    """

    name = "shareholder_focused"
    traits = {
        "customer": "investor",
        "focus": "P&L",
        "horizon_quarters": "horizon_years * 4",
        "planning": "annual plan, revised only when a quarter misses it",
        "pricing": "profit-maximising best response, counting repeat purchases in the horizon",
        "investment": "discounted profit within the horizon at the hurdle rate; upkeep kept "
        "when it pays",
        "payout": "cash above a reserve, every quarter",
        "manages_to": "quarterly profit (a proxy)",
        "innovation": "cuts the experiment budget when a quarter misses plan",
        "acquisitions": "buys a rival when its profit over the horizon, at the hurdle rate, "
        "exceeds the price",
        "proxy_focus": 1.0,
        "decision_velocity": 0.5,
    }
    Params = ShareholderFocusedParams
    mindset_parameters = frozenset(
        {
            "horizon_years",
            "hurdle_rate",
            "plan_miss_threshold",
            "innovation_cut",
            "cash_reserve_quarters",
            "relationship_weight",
        }
    )

    def __init__(self, **params):
        super().__init__(**params)
        self.plan: AnnualPlan | None = None
        self.innovation_spend = 0.0

    @property
    def horizon_weeks(self) -> float:
        """The plan's horizon in weeks."""
        return 52.0 * self.params.horizon_years

    def missed_plan(self, firm: FirmView) -> bool:
        """Whether last quarter's profit fell short of plan by more than the threshold."""
        if self.plan is None:
            return False
        actual = firm.last_quarter.operating_profit - firm.last_quarter.investment
        target = self.plan.quarterly_profit
        return actual < target - self.params.plan_miss_threshold * abs(target)

    def price(self, firm: FirmView, view: MarketView) -> float:
        """Best-response price with repeat purchases in the horizon valued at the markup.

        A sale adds ``G`` repeat units (research), each worth the markup ``p - c`` the firm
        expects to keep charging, so the firm prices as if its unit cost were
        ``c - (p - c) G``. At the fixed point the markup is the best response's markup
        ``mu`` over ``1 + G``; starting from the static best response ``p0``, the firm
        takes ``p - c = (p0 - c) / (1 + G)`` and prices once more at that effective cost
        (a second best response, which corrects for ``mu`` moving with cost).
        """
        research = view.research
        cost = firm.unit_cost
        price = research.best_response_price(cost, firm.price)
        if not self.params.price_for_repeat:
            return price
        repeats = research.repeat_units_per_sale(self.horizon_weeks)
        repeats *= discount_factor(self.params.hurdle_rate, self.horizon_weeks / 2.0)
        markup = max(0.0, price - cost)
        if repeats * markup < REPEAT_VALUE_TOLERANCE * cost:
            return price
        value = markup / (1.0 + repeats) * repeats
        return research.best_response_price(max(cost - value, 0.0), price - value)

    def plan_investment(self, firm: FirmView, view: MarketView, price: float) -> AnnualPlan:
        """Weekly spends that maximise discounted profit over the plan's horizon.

        For each quarter of the horizon, demand is the research's at the stocks the spend
        has built by the quarter's middle; profit is discounted at the hurdle rate.
        """
        research, tech = view.research, view.technology
        weeks, discount = plan_weights(
            self.horizon_weeks, self.params.hurdle_rate, self.params.continuing_years
        )
        upkeep_x = upkeep_spend(firm.experience, *tech.experience)
        upkeep_s = upkeep_spend(firm.selection, *tech.selection, floor=1.0)
        top = self.params.max_weekly_spend
        grid_x = spend_grid(top, extra=(upkeep_x, 0.5 * upkeep_x, 2.0 * upkeep_x))
        grid_s = spend_grid(top, extra=(upkeep_s, 0.5 * upkeep_s, 2.0 * upkeep_s))
        margin = price - firm.unit_cost
        # Every (experience spend, selection spend, evaluation week) at once.
        experience = stocks_after(
            firm.experience, grid_x[:, None, None], weeks[None, None, :], *tech.experience
        )
        selection = stocks_after(
            firm.selection, grid_s[None, :, None], weeks[None, None, :], *tech.selection, floor=1.0
        )
        units = research.demand_grid(price, experience, selection)
        spend = grid_x[:, None] + grid_s[None, :]
        value = (margin * units - spend[:, :, None]) @ discount
        i, j = np.unravel_index(int(np.argmax(value)), value.shape)
        spend_x, spend_s, units = float(grid_x[i]), float(grid_s[j]), units[i, j]
        upkeep_e = upkeep_spend(firm.efficiency, *tech.efficiency)
        grid_e = spend_grid(top, extra=(upkeep_e,))
        efficiency = stocks_after(
            firm.efficiency, grid_e[:, None], weeks[None, :], *tech.efficiency
        )
        cost = firm.unit_cost * (1.0 + firm.efficiency) / (1.0 + efficiency)
        gains = ((cost[0] - cost) * units - grid_e[:, None]) @ discount
        k = int(np.argmax(gains))
        best_efficiency = (float(gains[k]), float(grid_e[k])) if gains[k] > 0 else (0.0, 0.0)
        committed = self.innovation_spend + firm.marketing_spend + firm.fixed_cost
        first_quarter = WEEKS_PER_QUARTER * (
            margin * units[0] - spend_x - spend_s - best_efficiency[1] - committed
        )
        return AnnualPlan(
            year=view.quarter // 4,
            spend_experience=float(spend_x),
            spend_selection=float(spend_s),
            spend_efficiency=float(best_efficiency[1]),
            quarterly_profit=float(first_quarter),
            upkeep_experience=float(upkeep_x),
            upkeep_selection=float(upkeep_s),
        )

    def research_spend(self, firm: FirmView, view: MarketView, price: float) -> float:
        """Weekly research spend whose avoided pricing loss most exceeds its cost ($)."""
        research = view.research
        if research.terms is None or not self.params.buys_research:
            return 0.0
        units = research.demand(price=price)
        needs = float(research.weights.sum())
        share = min(units / needs, 0.99) if needs > 0 else 0.0
        contribution = (price - firm.unit_cost - firm.connected_unit_cost) * units
        return research.terms.spend_that_pays(contribution, share)

    def group_pricing_gain(
        self, firm: FirmView, view: MarketView, rival: RivalView, price: float
    ) -> float:
        """Weekly profit the firm and the rival would gain by pricing jointly ($, >= 0).

        From the research: the group's weekly profit ``(p - c) D_own + sum_k m_k D_k``
        (over the owner's brands and ``j``) at the firm's best response without ``j``, and
        at its best response once ``j`` is a sibling (``m_j`` the rival's markup, its price
        less the unit cost its last quarter's accounts show; other prices held). Both are
        one-period best responses, so the gain is the joint pricing alone.
        """
        report, research = rival.last_quarter, view.research
        if report is None or report.units <= 0 or rival.slot < 0:
            return 0.0
        markup = max(0.0, rival.price - report.variable_cost / report.units)
        siblings = (*research.siblings, rival.slot)
        markups = np.append(
            np.zeros(0) if research.sibling_markups is None else research.sibling_markups,
            markup,
        )
        joint = dataclasses.replace(research, siblings=siblings, sibling_markups=markups)
        cost = firm.unit_cost

        def group_profit(own_price: float) -> float:
            units = research.demand_by_firm(own_price)
            return (own_price - cost) * units[research.own] + markups @ units[list(siblings)]

        alone_price = research.best_response_price(cost, price)
        joint_price = joint.best_response_price(cost, alone_price)
        return max(0.0, group_profit(joint_price) - group_profit(alone_price))

    def acquisition(self, firm: FirmView, view: MarketView, price: float) -> RivalView | None:
        """The rival worth most above its asking price to the shareholders, or None.

        A rival is worth its earnings power (trailing-year operating profit, the no-growth
        figure the plan's own valuation uses) plus the gain from pricing jointly, each
        week over the plan's horizon and continuing years at the hurdle rate, plus the
        cash it holds (its debt, if negative): ``(OP_j / 52 + g) W + C_j``
        (:func:`sim.mechanics.acquisition.value_over_horizon`). It buys when that beats
        the asking price and the price is within its budget.
        """
        rivals = [
            rival
            for rival in view.rivals
            if rival.alive
            and rival.asking_price is not None
            and rival.asking_price <= firm.acquisition_budget
        ]
        if not rivals:
            return None
        _, weights = plan_weights(
            self.horizon_weeks, self.params.hurdle_rate, self.params.continuing_years
        )
        best, best_gain = None, 0.0
        for rival in rivals:
            weekly = rival.annual_operating_profit / 52.0
            weekly += self.group_pricing_gain(firm, view, rival, price)
            gain = value_over_horizon(weekly, float(weights.sum()), rival.cash)
            gain -= rival.asking_price
            if gain > best_gain:
                best, best_gain = rival, gain
        return best

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """Horizon price, annual (or corrective) investment plan, payout above a reserve."""
        price = self.price(firm, view)
        note = ""
        if self.plan is None or view.quarter // 4 != self.plan.year:
            self.innovation_spend = firm.innovation_budget
            self.plan = self.plan_investment(firm, view, price)
            note = "annual plan"
        elif self.missed_plan(firm):
            self.innovation_spend *= 1.0 - self.params.innovation_cut
            self.plan = self.plan_investment(firm, view, price)
            note = "missed plan: re-planned"
        plan = self.plan
        spend_research = self.research_spend(firm, view, price)
        weekly_commitments = (
            firm.fixed_cost
            + plan.spend_experience
            + plan.spend_selection
            + plan.spend_efficiency
            + self.innovation_spend
            + spend_research
        )
        reserve = self.params.cash_reserve_quarters * WEEKS_PER_QUARTER * weekly_commitments
        target = self.acquisition(firm, view, price)
        paid = 0.0 if target is None else target.asking_price
        if target is not None:
            note = f"{note}; buys {target.name}" if note else f"buys {target.name}"
        decision = Decision(
            price=price,
            spend_experience=plan.spend_experience,
            spend_selection=plan.spend_selection,
            spend_efficiency=plan.spend_efficiency,
            payout=max(0.0, firm.cash - reserve - paid),
            note=note,
            spend_innovation=self.innovation_spend,
            spend_research=spend_research,
            acquire=None if target is None else target.name,
            **self.defences(firm, view, price),
        )
        return with_remedies(decision, self.remedies(firm, view, price))

    def defences(self, firm: FirmView, view: MarketView, price: float) -> dict:
        """Channel defences and marketing that pay within the plan (see class)."""
        weight = self.params.relationship_weight
        chosen = choose_defences(firm, view.research, price, weight)
        weeks = discounted_weeks(self.horizon_weeks, self.params.hurdle_rate)
        marketing = choose_marketing(firm, view.research, price, weight, weeks)
        return {**chosen.as_decision(), "marketing_spend": marketing}

    def remedies(self, firm: FirmView, view: MarketView, price: float):
        """Trust remedies that pay within the plan's horizon (None when trust is off).

        A sale is worth its margin plus the repeat purchases it brings within the horizon,
        discounted at the hurdle rate, as in :meth:`price`; remedies are kept where they
        raise that weekly profit net of their cost
        (:func:`~sim.strategies.trust_view.choose_remedies`, rule ``profit``).
        """
        research = view.research
        if research.trust is None or not self.params.trust_remedies:
            return None
        repeats = research.repeat_units_per_sale(self.horizon_weeks)
        repeats *= discount_factor(self.params.hurdle_rate, self.horizon_weeks / 2.0)
        return choose_remedies(research, price, firm.unit_cost, 1.0 + repeats, rule="profit")
