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
from typing import Any

import numpy as np
from pydantic import Field

from sim.mechanics.acquisition import value_over_horizon
from sim.mechanics.finance import discount_factor
from sim.strategies.base import Decision, FirmView, MarketView, RivalView
from sim.strategies.defence_choice import choose_defences, choose_marketing, discounted_weeks
from sim.strategies.planner import Projection
from sim.strategies.planning import MINDSET_FIELDS, PlannerParams, PlanningStrategy
from sim.strategies.trust_view import TrustPolicy, choose_remedies, with_remedies

WEEKS_PER_QUARTER = 13


class ShareholderFocusedParams(PlannerParams):
    """Parameters of :class:`ShareholderFocused` (see :class:`PlannerParams` for the shared ones).

    Its mindset defaults are :class:`PlannerParams`' own: a one-year plan at a 15% hurdle
    rate with one continuing year, revised only on a 20% miss, experiments halved on a
    miss, all cash the plan does not need paid out.
    """

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


def plan_weights(
    horizon_weeks: float, hurdle_rate: float, continuing_years: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weeks at which profit over a horizon is valued, and the discounted weeks each stands for.

    The horizon's quarters are evaluated at their middles (6.5, 19.5, ... weeks), each
    standing for 13 weeks discounted at the hurdle rate; the run rate at the horizon's end
    stands for ``52 * continuing_years`` more weeks, discounted from the horizon's end.
    Used to value a rival (:meth:`ShareholderFocused.acquisition`).

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


class ShareholderFocused(PlanningStrategy):
    """A competent manager maximising shareholder value over a short horizon.

    It plans with the shared planner (:mod:`sim.strategies.planner`): the same research,
    candidate prices and spends, and financing rules (cash, credit line, equity, with
    interest) as the customer-obsessed firm. What makes it the business mindset:

    - Objective: shareholder value, the plan's surplus over the horizon discounted at the
      hurdle rate (``hurdle_rate``), plus the run rate at its end for
      ``continuing_years``, less interest. The candidates include the best response to
      rivals' prices (with the repeat purchases a sale brings within the horizon) and
      each stock's upkeep, so it keeps a capability exactly when losing it would cost
      more of that value than its upkeep.
    - Horizon and rigidity: a one-year plan (``horizon_years``), made once a year
      (``replan_quarters`` 4) and revised only when a quarter's profit misses it by more
      than ``plan_miss_threshold``; between plans it re-prices by the plan's price rule.
    - Payouts: all cash the plan does not need above its reserve (``payout_share`` 1),
      from retained earnings only; nothing while in debt.
    - Proxies: it manages to reported profit and reads satisfaction through its drifting
      proxy (``proxy_focus`` 1); experiments are cut by ``innovation_cut`` on every miss.
    - Research (research with noise on): buys respondents only when they pay within the
      quarter they inform (``sim.mechanics.research.pricing_loss``).
    - Defences, marketing and trust remedies (where on): only what pays within the plan.
    - Acquisitions (when allowed): buys the rival whose value to its shareholders over
      the plan's horizon most exceeds the asking price (:meth:`acquisition`); the price
      comes out of what it would have paid out.
    """

    name = "shareholder_focused"
    traits = {
        "customer": "investor",
        "focus": "P&L",
        "horizon_quarters": "horizon_years * 4",
        "planning": "annual plan, revised only when a quarter misses it",
        "pricing": "the candidate price whose plan earns most for shareholders (usually the "
        "best response, counting repeat purchases in the horizon)",
        "investment": "discounted profit within the horizon at the hurdle rate; upkeep kept "
        "when it pays",
        "payout": "cash the plan does not need, from retained earnings, every quarter",
        "manages_to": "quarterly profit (a proxy)",
        "innovation": "cuts the experiment budget when a quarter misses plan",
        "acquisitions": "buys a rival when its profit over the horizon, at the hurdle rate, "
        "exceeds the price",
        "proxy_focus": 1.0,
        "decision_velocity": 0.5,
    }
    Params = ShareholderFocusedParams
    params: ShareholderFocusedParams
    mindset_parameters = MINDSET_FIELDS
    new_plan_note = "annual plan"

    def score(self, projected: Projection) -> np.ndarray:
        """Shareholder value: discounted surplus over the horizon and continuing years."""
        return projected["value"]

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
        offers = [
            (rival, rival.asking_price)
            for rival in view.rivals
            if rival.alive
            and rival.asking_price is not None
            and rival.asking_price <= firm.acquisition_budget
        ]
        if not offers:
            return None
        _, weights = plan_weights(
            self.horizon_weeks, self.params.hurdle_rate, self.params.continuing_years
        )
        best, best_gain = None, 0.0
        for rival, asking_price in offers:
            weekly = rival.annual_operating_profit / 52.0
            weekly += self.group_pricing_gain(firm, view, rival, price)
            gain = value_over_horizon(weekly, float(weights.sum()), rival.cash)
            gain -= asking_price
            if gain > best_gain:
                best, best_gain = rival, gain
        return best

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """The plan's price and spends, payout of what it does not need, any acquisition."""
        decision = self.base_decision(firm, view)
        price = decision.price
        target = self.acquisition(firm, view, price)
        if target is not None:
            note = (
                f"{decision.note}; buys {target.name}" if decision.note else f"buys {target.name}"
            )
            decision = dataclasses.replace(
                decision,
                payout=max(0.0, decision.payout - target.price_to_buy()),
                acquire=target.name,
                note=note,
            )
        decision = dataclasses.replace(decision, **self.defences(firm, view, price))
        return with_remedies(decision, self.remedies(firm, view, price))

    def defences(self, firm: FirmView, view: MarketView, price: float) -> dict[str, Any]:
        """Channel defences and marketing that pay within the plan (see class)."""
        weight = self.params.relationship_weight
        chosen = choose_defences(firm, view.research, price, weight)
        weeks = discounted_weeks(self.horizon_weeks, self.params.hurdle_rate)
        marketing = choose_marketing(firm, view.research, price, weight, weeks)
        return {**chosen.as_decision(), "marketing_spend": marketing}

    def remedies(self, firm: FirmView, view: MarketView, price: float) -> TrustPolicy | None:
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
