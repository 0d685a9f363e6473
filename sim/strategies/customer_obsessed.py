"""The customer-obsessed firm: the customer is the end user.

Source: the "customer mindset" column of the mindset table (CONCEPTS section 1) and
Bezos' 1997 letter: measure customer growth, repeat purchases and satisfaction, judge
investments by long-term value, and pass cost savings on as lower prices.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from pydantic import Field

from sim.mechanics.stocks import stocks_after
from sim.strategies.base import (
    Decision,
    FirmView,
    MarketView,
    RivalView,
    Strategy,
    StrategyParams,
)
from sim.strategies.defence_choice import choose_defences, choose_marketing
from sim.strategies.trust_view import choose_remedies, with_remedies

ALLOCATION_STEP = 0.125


class CustomerObsessedParams(StrategyParams):
    """Parameters of :class:`CustomerObsessed`."""

    thin_margin: float = Field(0.15, ge=0, le=5, description="markup over unit cost")
    max_margin: float = Field(1.0, ge=0, le=10, description="cap when defending the cash floor")
    cash_floor_quarters: float = Field(
        2.0, ge=0, description="quarters of fixed cost kept as a cash floor"
    )
    horizon_years: float = Field(
        3.0, gt=0, le=30, description="horizon over which investments are judged (years)"
    )
    payout_share: float = Field(
        0.0, ge=0, le=1, description="share of cash above the floor paid out each quarter"
    )
    margin_multiples: list[float] = Field(
        [1.0, 2.0, 4.0, 8.0],
        min_length=1,
        description="margins considered, as multiples of thin_margin (>= 1 each); [1] = always "
        "the thin margin",
    )
    growth_capital_quarters: float = Field(
        4.0,
        ge=0,
        le=40,
        description="below its cash floor, asks investors for the floor plus this many "
        "quarters of fixed cost (0 = never asks)",
    )
    relationship_weight: float = Field(
        0.5,
        ge=0,
        le=10,
        description="value of an owned customer relationship per direct unit, share of price",
    )
    research_target_error: float = Field(
        0.03,
        ge=0,
        le=10,
        description="where research is bought (research with noise on): sd of the error in "
        "its estimate of customers' mean log price sensitivity it buys respondents to reach "
        "(0 = buys none)",
    )
    research_budget_share: float = Field(
        0.25,
        ge=0,
        le=1,
        description="largest share of the weekly reinvestment budget spent on research",
    )
    trust_remedies: bool = Field(
        True,
        description="decides remedies for consumers' doubt (guarantee, try-on, reviews, "
        "referral reward) when the scenario switches trust on; false = never offers them",
    )


def allocation_grid(step: float = ALLOCATION_STEP) -> list[tuple[float, float, float]]:
    """Shares (experience, selection, efficiency) on a simplex grid summing to one."""
    n = round(1 / step)
    return [
        (i / n, j / n, (n - i - j) / n)
        for i, j in itertools.product(range(n + 1), repeat=2)
        if i + j <= n
    ]


class CustomerObsessed(Strategy):
    """The margin customers are best served by, all surplus reinvested, re-planned quarterly.

    Price is unit cost times ``1 + margin``, recomputed every quarter so every cost
    reduction is passed on at once. The margin is the thin one or a wider one
    (``margin_multiples``), whichever funds the reinvestment that serves the most customers
    at the horizon (see :meth:`decide`); it rises beyond that only as far as needed to
    cover fixed costs while cash is below the floor. All cash above the floor is reinvested
    over the next quarter, split between experience, selection and process efficiency to
    maximise the customers served at the end of a multi-year horizon (research demand
    at the long-run stocks and the lower price efficiency allows). Customer metrics
    steer the split: disappointed customers (negative satisfaction) or a falling repeat
    rate put at least half into experience; a shrinking customer base puts at least a
    quarter into selection. The innovation budget is spent in full every quarter, good
    or bad: experiments are judged over years, not quarters. Where research is bought
    (research with noise on), it values knowing its customers: out of its reinvestment
    budget it buys the respondents that bring its research's error down to
    ``research_target_error`` (at most ``research_budget_share`` of the budget), whatever
    the quarter's profit.

    What makes it the strongest version of that mindset: it never lets cash run out (the
    floor, defended by a wider margin only while needed), it asks investors for growth
    capital when under the floor (they fund it only if customers grow and come back, the
    1997 letter's evidence), and it spends where research says the most customers will be
    served at the end of its horizon, not where the spend is easiest. When consumers doubt
    an unfamiliar brand (trust on), it removes their risk (trial, try-on, reviews, referral
    reward) wherever research says that wins customers and its sales cover the cost.
    served at the end of its horizon, not where the spend is easiest. When the scenario
    allows acquisitions it buys a rival exactly when the rival's customers outnumber
    those the price would win by reinvesting it (:meth:`acquisition`).

    Defences (where the scenario allows them): it values an owned relationship at
    ``relationship_weight`` of the price per direct unit, so it gives incentives to deal
    direct, runs a loyalty programme and prices platform listings above its store when
    its research says the relationships kept are worth more than they cost (under its
    cash floor only defences that pay at once). Marketing
    (where strategies decide it): a newly aware customer counts over its whole horizon at
    its thin margin plus the relationship value, so it buys awareness only where
    customers keep buying for years and otherwise relies on experience and word of mouth.
    """

    name = "customer_obsessed"
    traits = {
        "customer": "end user",
        "focus": "the customer",
        "horizon_quarters": "horizon_years * 4",
        "planning": "re-planned every quarter from customer metrics",
        "pricing": "unit cost plus the margin that serves the most customers at the horizon",
        "payout": "none by default; cash above a floor is reinvested",
        "manages_to": "customer growth, repeat rate, satisfaction",
        "innovation": "keeps experimenting through bad quarters",
        "acquisitions": "buys a rival when it serves more customers than reinvesting the price",
        "proxy_focus": 0.0,
        "decision_velocity": 1.0,
    }
    Params = CustomerObsessedParams
    mindset_parameters = frozenset({"horizon_years", "payout_share", "relationship_weight"})

    def margin(self, firm: FirmView) -> float:
        """Thin margin, widened to cover fixed costs only while cash is under the floor.

        Committed weekly spends (experiments and marketing) count as fixed costs here.
        """
        floor = self.params.cash_floor_quarters * 13.0 * firm.fixed_cost
        weekly_units = firm.last_quarter.units / 13.0
        if firm.cash >= floor or weekly_units <= 0:
            return self.params.thin_margin
        committed = firm.fixed_cost + firm.innovation_budget + firm.marketing_spend
        needed = committed / (firm.unit_cost * weekly_units)
        return float(np.clip(needed, self.params.thin_margin, self.params.max_margin))

    def growth_capital(self, firm: FirmView, floor: float) -> float:
        """Equity asked for when cash is under the floor: back to the floor plus a runway."""
        if firm.cash >= floor or self.params.growth_capital_quarters <= 0:
            return 0.0
        runway = self.params.growth_capital_quarters * 13.0 * firm.fixed_cost
        return floor + runway - firm.cash

    def allowed_shares(self, firm: FirmView) -> list[tuple[float, float, float]]:
        """Allocation shares permitted by the customer metrics."""
        last, before = firm.last_quarter, firm.previous_quarter
        experience_first = last.units > 0 and (
            last.satisfaction < 0 or last.repeat_rate < before.repeat_rate
        )
        selection_needed = last.customer_growth < 0
        return [
            shares
            for shares in allocation_grid()
            if (not experience_first or shares[0] >= 0.5)
            and (not selection_needed or shares[1] >= 0.25)
        ]

    def margin_options(self) -> list[float]:
        """Margins the firm weighs: multiples of the thin margin, capped at ``max_margin``."""
        thin, top = self.params.thin_margin, self.params.max_margin
        return sorted(
            {min(max(thin * k, thin), max(top, thin)) for k in self.params.margin_multiples}
        )

    def research_spend(self, terms, budget: float) -> float:
        """Weekly research spend reaching the target error, within its share of the budget."""
        if terms is None or self.params.research_target_error <= 0 or budget <= 0:
            return 0.0
        needed = terms.spend_for_error(self.params.research_target_error)
        return min(needed, self.params.research_budget_share * budget)

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """Margin, allocation, any acquisition (:meth:`decide_offer`), remedies for doubt.

        With trust on it removes its customers' risk (guarantee, try-on, reviews, referral
        reward) wherever research says that wins the most customers and the sales it
        brings over its horizon cover the cost
        (:func:`~sim.strategies.trust_view.choose_remedies`, rule ``customers``).
        """
        decision = self.decide_offer(firm, view)
        research = view.research
        if research.trust is None or not self.params.trust_remedies:
            return decision
        weeks = self.params.horizon_years * 52.0
        sale_value = 1.0 + research.repeat_units_per_sale(weeks)
        policy = choose_remedies(
            research, decision.price, firm.unit_cost, sale_value, rule="customers"
        )
        return with_remedies(decision, policy)

    def decide_offer(self, firm: FirmView, view: MarketView) -> Decision:
        """Margin and allocation that serve the most customers at the horizon; reinvest surplus.

        Under the cash floor it defends the floor (:meth:`margin`) and asks investors for
        growth capital. Above it, for each margin it weighs (the thin one by default, and
        wider ones that fund more investment) and each allowed split of the spend, it
        projects the stocks its reinvestment builds over the horizon (the cash surplus
        spread over the horizon plus the weekly operating surplus the margin earns at
        today's demand) and the units research says it would then sell at that margin's
        price, lowered by the efficiency built. It takes the margin and split that serve
        the most customers, and spends the cash surplus over the coming quarter.
        """
        margin = self.margin(firm)
        # Platform fees and connected costs are covered too (both 0 without channels).
        cost = firm.unit_cost + firm.connected_unit_cost
        price = cost * (1.0 + margin) / (1.0 - firm.take_share)
        floor = self.params.cash_floor_quarters * 13.0 * firm.fixed_cost
        surplus = max(0.0, firm.cash - floor)
        payout = self.params.payout_share * surplus
        budget = (surplus - payout) / 13.0
        if budget <= 0:
            note = "below cash floor" if surplus <= 0 else "surplus paid out"
            defences = self.defences(firm, view, price)
            return Decision(
                payout=payout,
                spend_innovation=firm.innovation_budget,
                note=note,
                equity_request=self.growth_capital(firm, floor),
                **defences,
            )
        spend_research = self.research_spend(view.research.terms, budget)
        reinvested = surplus - payout - 13.0 * spend_research
        budget = reinvested / 13.0
        best = self.plan(firm, view, cost, reinvested)
        target = self.acquisition(firm, view, cost, reinvested, best[0])
        note = ""
        if target is not None:
            net = self.net_cost(target)
            best = self.plan(firm, view, cost, reinvested - net)
            budget = (reinvested - net) / 13.0
            note = f"; buys {target.name}"
        _, margin, price, shares = best
        spend_x, spend_s, spend_e = (budget * share for share in shares)
        defences = self.defences(firm, view, price)
        return Decision(
            spend_experience=spend_x,
            spend_selection=spend_s,
            spend_efficiency=spend_e,
            payout=payout,
            note=f"margin {margin:.3f}{note}",
            spend_innovation=firm.innovation_budget,
            acquire=None if target is None else target.name,
            spend_research=spend_research,
            **defences,
        )

    def plan(self, firm: FirmView, view: MarketView, cost: float, reinvested: float):
        """Margin and split that serve the most customers at the horizon.

        Args:
            firm: the deciding firm.
            view: its view of the market.
            cost: unit cost with connected costs ($).
            reinvested: cash above the floor to reinvest ($).

        Returns:
            ``(weekly units at the horizon, margin, price, (experience, selection,
            efficiency) shares)``.
        """
        tech, research = view.technology, view.research
        weeks = round(self.params.horizon_years * 52)
        committed = firm.fixed_cost + firm.innovation_budget + firm.marketing_spend
        options = self.margin_options()
        grid = np.array(self.allowed_shares(firm))
        best = None
        for option in options:
            option_price = cost * (1.0 + option) / (1.0 - firm.take_share)
            if len(options) > 1:
                earned = (option_price * (1.0 - firm.take_share) - cost) * research.demand(
                    price=option_price
                )
                projected = reinvested / weeks + max(0.0, earned - committed)
            else:
                projected = reinvested / 13.0
            spends = projected * grid
            experience = stocks_after(firm.experience, spends[:, 0], weeks, *tech.experience)
            selection = stocks_after(
                firm.selection, spends[:, 1], weeks, *tech.selection, floor=1.0
            )
            efficiency = stocks_after(firm.efficiency, spends[:, 2], weeks, *tech.efficiency)
            future_price = option_price * (1.0 + firm.efficiency) / (1.0 + efficiency)
            units = research.demand_grid(future_price, experience, selection)
            k = int(np.argmax(units))
            if best is None or units[k] > best[0]:
                best = (float(units[k]), option, option_price, tuple(grid[k]))
        return best

    @staticmethod
    def net_cost(rival: RivalView) -> float:
        """What buying a rival takes out of cash: price less the cash it holds ($, >= 0)."""
        return max(0.0, rival.asking_price - rival.cash)

    def acquisition(
        self, firm: FirmView, view: MarketView, cost: float, reinvestable: float, units: float
    ) -> RivalView | None:
        """The rival whose customers add most to those served at the horizon, or None.

        Buying rival ``j`` adds the customers it serves now (its weekly units, from its
        last quarter's accounts, no growth assumed) to the group's, and takes its price
        out of the cash the firm would reinvest in its own offer. It buys when its own
        units at the horizon with the smaller reinvestment plus the rival's units beat
        ``units``, what reinvesting everything would serve. The cost of a deal is the
        price less the rival's cash, which comes with it (its debt, if negative, must be
        covered). It pays only from cash above its floor: it never lets cash run out, not
        even for a deal.
        """
        best, best_units = None, units
        for rival in view.rivals:
            report = rival.last_quarter
            if rival.asking_price is None or report is None or report.units <= 0:
                continue
            net = self.net_cost(rival)
            if not rival.alive or net > reinvestable:
                continue
            served = self.plan(firm, view, cost, reinvestable - net)[0]
            served += report.units / 13.0
            if served > best_units:
                best, best_units = rival, served
        return best

    def defences(self, firm: FirmView, view: MarketView, price: float) -> dict:
        """Channel defences and marketing by research, valuing relationships (see class).

        The defences' expected cost per unit is priced in at the same margin, as platform
        fees and connected costs are: the firm never sells below its full cost. Under its
        cash floor it counts no relationship value: a defence must then pay at once.
        """
        floor = self.params.cash_floor_quarters * 13.0 * firm.fixed_cost
        weight = self.params.relationship_weight if firm.cash >= floor else 0.0
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
        weeks = 52.0 * self.params.horizon_years
        marketing = choose_marketing(firm, view.research, price, weight, weeks)
        return {**chosen.as_decision(), "price": price, "marketing_spend": marketing}
