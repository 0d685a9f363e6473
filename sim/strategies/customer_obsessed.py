"""The customer-obsessed firm: the customer is the end user.

Source: the "customer mindset" column of the mindset table (CONCEPTS section 1) and
Bezos' 1997 letter: measure customer growth, repeat purchases and satisfaction, judge
investments by long-term value, and pass cost savings on as lower prices.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from pydantic import Field

from sim.strategies.base import Decision, FirmView, MarketView, RivalView
from sim.strategies.defence_choice import choose_defences, choose_marketing
from sim.strategies.planner import Projection, SpendMask
from sim.strategies.planning import MINDSET_FIELDS, PlannerParams, PlanningStrategy
from sim.strategies.trust_view import choose_remedies, with_remedies


class CustomerObsessedParams(PlannerParams):
    """Parameters of :class:`CustomerObsessed` (see :class:`PlannerParams` for the shared ones)."""

    horizon_years: float = Field(
        3.0,
        gt=0,
        le=30,
        description="horizon at whose end customers served count (years) [mindset]",
    )
    hurdle_rate: float = Field(
        0.08,
        ge=0,
        le=2,
        description="annual rate at which repeat purchases and the plan's value are "
        "discounted [mindset]",
    )
    continuing_years: float = Field(
        0.0,
        ge=0,
        le=30,
        description="continuing years of the run rate in the plan's value [mindset]",
    )
    replan_quarters: int = Field(
        1, ge=1, le=40, description="quarters between re-plans (1 = every quarter) [mindset]"
    )
    plan_miss_threshold: float = Field(
        0.2,
        ge=0,
        le=10,
        description="re-plan when quarterly profit misses plan by this share "
        "[mindset; moot when re-planning every quarter]",
    )
    innovation_cut: float = Field(
        0.0, ge=0, le=1, description="share of the innovation budget cut on a miss [mindset]"
    )
    payout_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of the cash the plan does not need paid out each quarter [mindset]",
    )
    relationship_weight: float = Field(
        0.5,
        ge=0,
        le=10,
        description="value of an owned customer relationship per direct unit, share of price "
        "[mindset]",
    )
    steer_by_customer_metrics: bool = Field(
        True,
        description="disappointed customers or a falling repeat rate make experience at least "
        "as large a spend as selection; a shrinking customer base keeps selection at least a "
        "third of experience [mindset]",
    )
    research_target_error: float = Field(
        0.03,
        ge=0,
        le=10,
        description="where research is bought (research with noise on): sd of the error in "
        "its estimate of customers' mean log price sensitivity it buys respondents to reach "
        "(0 = buys none) [mindset: it decides from customers, not proxies]",
    )
    research_budget_share: float = Field(
        0.25,
        ge=0,
        le=1,
        description="largest share of the plan's weekly investment spent on research",
    )
    trust_remedies: bool = Field(
        True,
        description="decides remedies for consumers' doubt (guarantee, try-on, reviews, "
        "referral reward) when the scenario switches trust on; false = never offers them",
    )


class CustomerObsessed(PlanningStrategy):
    """Serves the most customers at a multi-year horizon, re-planned every quarter.

    It plans with the shared planner (:mod:`sim.strategies.planner`): the same research,
    candidate prices and spends, and financing rules as the shareholder-focused firm.
    What makes it the customer mindset is what it asks of the plan and how it holds it:

    - Objective: the plan that serves the most customers (expected weekly units) at the
      end of a three-year horizon (``horizon_years``), among plans the financing rules
      allow; price is unit cost plus the plan's markup (or a best response, if that
      serves more), recomputed every quarter so cost savings are passed on at once.
    - Payouts: none (``payout_share`` 0); it uses the money it has access to, cash and
      its credit line, as the plan says, and asks investors for what a better plan needs.
    - Customer metrics, not proxies: disappointed customers or a falling repeat rate make
      experience at least as large a spend as selection; a shrinking customer base keeps
      selection in the plan (``steer_by_customer_metrics``); where research is bought it
      buys the respondents that bring its error down to ``research_target_error``.
    - Plan rigidity and speed: re-planned every quarter from the latest research
      (``replan_quarters`` 1); experiments are never cut (``innovation_cut`` 0).

    Defences (where the scenario allows them) value an owned relationship at
    ``relationship_weight`` of the price per direct unit (none while its plan cannot be
    financed: a defence must then pay at once). Marketing (where strategies decide it)
    counts a newly aware customer over the whole horizon. With trust on, it removes its
    customers' risk wherever research says that wins customers and the sales cover it.
    When acquisitions are allowed it buys a rival exactly when the rival's customers
    outnumber those the price would win by keeping it in its own plan (:meth:`acquisition`).
    """

    name = "customer_obsessed"
    traits = {
        "customer": "end user",
        "focus": "the customer",
        "horizon_quarters": "horizon_years * 4",
        "planning": "re-planned every quarter from customer metrics",
        "pricing": "unit cost plus the markup whose plan serves the most customers at the horizon",
        "payout": "none by default; cash, credit and equity used as the plan says",
        "manages_to": "customer growth, repeat rate, satisfaction",
        "innovation": "keeps experimenting through bad quarters",
        "acquisitions": "buys a rival when it serves more customers than reinvesting the price",
        "proxy_focus": 0.0,
        "decision_velocity": 1.0,
    }
    Params = CustomerObsessedParams
    params: CustomerObsessedParams
    mindset_parameters = MINDSET_FIELDS | {"steer_by_customer_metrics", "research_target_error"}
    new_plan_note = "quarterly plan"

    def score(self, projected: Projection) -> np.ndarray:
        """Customers served: expected weekly units at the horizon's end."""
        return projected["units"][:, -1]

    def allowed(self, firm: FirmView) -> SpendMask | None:
        """Spend pairs the customer metrics permit (see class), or None."""
        if not self.params.steer_by_customer_metrics:
            return None
        last, before = firm.last_quarter, firm.previous_quarter
        experience_first = last.units > 0 and (
            last.satisfaction < 0 or last.repeat_rate < before.repeat_rate
        )
        selection_needed = last.customer_growth < 0

        def mask(x: np.ndarray, s: np.ndarray) -> np.ndarray:
            keep = np.ones(len(x), dtype=bool)
            if experience_first:
                keep &= x >= s
            if selection_needed:
                keep &= 3.0 * s >= x
            return keep

        return mask

    def research_spend(self, firm: FirmView, view: MarketView, price: float) -> float:
        """Weekly research spend reaching the target error, within its share of the plan."""
        terms = view.research.terms
        budget = self.current_plan.spends
        if terms is None or self.params.research_target_error <= 0 or budget <= 0:
            return 0.0
        needed = terms.spend_for_error(self.params.research_target_error)
        return min(needed, self.params.research_budget_share * budget)

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """The plan, any acquisition, defences and marketing, remedies for doubt.

        With trust on it removes its customers' risk (guarantee, try-on, reviews, referral
        reward) wherever research says that wins the most customers and the sales it
        brings over its horizon cover the cost
        (:func:`~sim.strategies.trust_view.choose_remedies`, rule ``customers``).
        """
        decision = self.base_decision(firm, view)
        target = self.acquisition(firm, view)
        if target is not None:
            net = self.net_cost(target)
            poorer = dataclasses.replace(firm, cash=firm.cash - net)
            self.plan, self.wanted = self.make_plan(poorer, view)
            self.drawdown = max(0.0, poorer.cash - self.plan.min_cash)
            decision = dataclasses.replace(
                decision,
                spend_experience=self.plan.spend_experience,
                spend_selection=self.plan.spend_selection,
                spend_efficiency=self.plan.spend_efficiency,
                acquire=target.name,
                note=f"{decision.note}; buys {target.name}".lstrip("; "),
            )
        decision = dataclasses.replace(decision, **self.defences(firm, view, decision.price))
        research = view.research
        if research.trust is None or not self.params.trust_remedies:
            return decision
        sale_value = 1.0 + research.repeat_units_per_sale(self.horizon_weeks)
        policy = choose_remedies(
            research, decision.price, firm.unit_cost, sale_value, rule="customers"
        )
        return with_remedies(decision, policy)

    @staticmethod
    def net_cost(rival: RivalView) -> float:
        """What buying a rival takes out of cash: price less the cash it holds ($, >= 0)."""
        return max(0.0, rival.price_to_buy() - rival.cash)

    def acquisition(self, firm: FirmView, view: MarketView) -> RivalView | None:
        """The rival whose customers add most to those served at the horizon, or None.

        Buying rival ``j`` adds the customers it serves now (its weekly units, from its
        last quarter's accounts, no growth assumed) and takes its net price (price less
        the cash that comes with it) out of the firm's cash. It buys when its own plan
        re-made with that much less cash, plus the rival's units, serves more at the
        horizon than its plan without the deal, and that plan is still financed under the
        planner's rules (cash and credit line, no new equity). Any price within the
        acquisition budget (cash, credit headroom, shares) is considered, as for every
        strategy: the plan, not a spare-cash rule, decides what the firm can afford.
        """
        candidates = [
            (rival, rival.last_quarter)
            for rival in view.rivals
            if rival.alive
            and rival.asking_price is not None
            and rival.asking_price <= firm.acquisition_budget
            and rival.last_quarter is not None
            and rival.last_quarter.units > 0
        ]
        if not candidates:
            return None
        best, best_units = None, self.current_plan.units_end
        for rival, report in candidates:
            poorer = dataclasses.replace(firm, cash=firm.cash - self.net_cost(rival))
            plan = self.make_plan(poorer, view)[0]
            served = plan.units_end + report.units / 13.0
            if plan.feasible and served > best_units:
                best, best_units = rival, served
        return best

    def defences(self, firm: FirmView, view: MarketView, price: float) -> dict[str, Any]:
        """Channel defences and marketing by research, valuing relationships (see class).

        The defences' expected cost per unit is priced in at the same margin, as platform
        fees and connected costs are: the firm never sells below its full cost. While its
        plan cannot be financed it counts no relationship value: a defence must pay at once.
        """
        weight = self.params.relationship_weight if self.current_plan.feasible else 0.0
        chosen = choose_defences(firm, view.research, price, weight)
        if chosen.cost_per_unit > 0:
            cost = firm.unit_cost + firm.connected_unit_cost
            markup = price * (1.0 - firm.take_share) / cost
            raised = price + chosen.cost_per_unit * markup / (1.0 - firm.take_share)
            if chosen.platform_price is not None:
                chosen = dataclasses.replace(
                    chosen, platform_price=chosen.platform_price * raised / price
                )
            price = raised
        marketing = choose_marketing(firm, view.research, price, weight, self.horizon_weeks)
        return {**chosen.as_decision(), "price": price, "marketing_spend": marketing}
