"""Financing: credit lines, interest, investors and capacity that can be cut.

The model holds one :class:`Finance` component (``model.finance``) that owns each firm's
financing state (:class:`FirmAccount`) and runs the financing stages named in
``MarketModel.step``: interest every week, and at each quarter end the credit line,
right-sizing of capacity, equity from investors and exit when a firm can neither borrow
nor raise. The economics are the pure functions of :mod:`sim.mechanics.finance`; the
scenario section is :class:`~sim.scenario.schema_finance.FinanceSpec`.

Cash identity with financing: ``cash' = cash + operating profit - investment - interest
- payout + equity raised`` (restructuring costs are in operating profit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from sim.mechanics import finance as fin
from sim.mechanics.value import annual_operating_profit
from sim.scenario.schema_finance import FinanceSpec
from sim.strategies.base import FundingPlan

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel

WEEKS_PER_QUARTER = 13
# Quarters of the trailing year lenders size the credit line on.
QUARTERS_LENDERS_COUNT = 4


@dataclass
class FirmAccount:
    """One firm's financing state."""

    overhead: float
    capacity: float
    credit_limit: float
    loss_quarters: int = 0
    beyond_limit_quarters: int = 0
    customer_history: tuple[int, ...] = ()
    investment_history: tuple[float, ...] = ()
    interest: float = 0.0
    equity_raised: float = 0.0
    restructuring: float = 0.0
    cumulative_interest: float = 0.0
    cumulative_equity: float = 0.0
    start_up_capital: float = 0.0
    start_up: bool = False
    seed_line: float = 0.0
    born_week: int = 0
    track_record: float = 1.0
    plan: FundingPlan | None = None


FINANCE_FIRM_COLUMNS = [
    "interest",
    "equity_raised",
    "cumulative_equity",
    "credit_limit",
    "capacity",
    "restructuring",
]


class Finance:
    """The financing component: owns every firm's :class:`FirmAccount`."""

    name: ClassVar[str] = "finance"
    firm_columns: list[str] = FINANCE_FIRM_COLUMNS

    def __init__(self, spec: FinanceSpec):
        self.spec = spec
        self.accounts: dict[int, FirmAccount] = {}

    def register(self, firm) -> None:
        """Open a firm's account: split its fixed cost into overhead and capacity.

        A start-up (a firm that enters during the run, or one of age 0 at the start) has
        its starting cash as paid-in capital, which it may not pay out. An entrant's first
        credit line is a seed line sized by the market (:func:`fin.seed_credit`); a firm
        present at the start gets a quarter of its fixed cost (or ``initial_credit``).
        """
        spec = self.spec
        capacity_cost = spec.capacity_share * firm.fixed_cost
        model = firm.model
        entrant = model.week > 0
        initial = spec.initial_credit
        if initial is None and entrant:
            revenue = float(getattr(model.stats, "spending", 0.0) or 0.0)
            live = sum(1 for other in model.firms if other.alive and other is not firm)
            initial = fin.seed_credit(firm.fixed_cost, revenue, live, spec.seed_credit_weeks)
        elif initial is None:
            initial = WEEKS_PER_QUARTER * firm.fixed_cost
        start_up = entrant or firm.initial_age_years <= 0
        self.accounts[firm.slot] = FirmAccount(
            overhead=firm.fixed_cost - capacity_cost,
            capacity=capacity_cost / spec.capacity_unit_cost,
            credit_limit=initial,
            start_up_capital=max(0.0, firm.cash) if start_up else 0.0,
            start_up=entrant,
            seed_line=initial if entrant else 0.0,
            born_week=model.week,
        )

    def account(self, firm) -> FirmAccount:
        """The firm's account."""
        return self.accounts[firm.slot]

    def fixed_cost(self, firm) -> float:
        """Weekly fixed cost: overhead plus capacity cost, ``F = F_0 + k K`` ($)."""
        account = self.accounts[firm.slot]
        return account.overhead + self.spec.capacity_unit_cost * account.capacity

    def start_week(self, firm) -> None:
        """Clear the week's financing flows."""
        account = self.accounts[firm.slot]
        account.interest = account.equity_raised = account.restructuring = 0.0

    def charge_interest(self, firms) -> None:
        """Each live firm pays interest on debt (or earns it on cash) for the week."""
        spec = self.spec
        for firm in firms:
            if not firm.alive:
                continue
            account = self.accounts[firm.slot]
            interest = fin.interest_cost(firm.cash, spec.borrowing_rate, spec.deposit_rate)
            account.interest = interest
            account.cumulative_interest += interest
            firm.cash -= interest

    def right_size_firms(self, firms: list[Firm]) -> None:
        """Quarter's last week: each live firm's capacity moves toward the quarter's volume."""
        for firm in firms:
            if firm.alive:
                self.right_size(firm, firm.tally.units / WEEKS_PER_QUARTER)

    def settle(self, firms: list[Firm]) -> None:
        """Quarter end: credit lines re-sized, investors asked by firms in debt."""
        for firm in firms:
            if firm.alive:
                self.settle_quarter(firm)

    def settle_quarter(self, firm) -> None:
        """Quarter end for one live firm, after its books closed: credit line, investors.

        The credit line is re-sized from the trailing year (annualised while the firm has
        fewer than four quarters): lenders lend on earnings after the firm's investment
        (its free cash flow, investment being expensed here) and on its revenue; the track
        record is updated against the plan the firm last decided on; a firm in debt asks
        investors, who fund it if they believe its growth story or its plan; a firm still
        beyond its line counts one more quarter.
        """
        spec, account = self.spec, self.accounts[firm.slot]
        last = firm.last_quarter
        account.loss_quarters = account.loss_quarters + 1 if last.operating_profit < 0 else 0
        if account.plan is not None:
            account.track_record = fin.track_record(
                account.track_record,
                first_quarter_units(account.plan),
                last.units / WEEKS_PER_QUARTER,
                spec.track_record_weight,
            )
        history = (*account.customer_history, last.customers)[-5:]
        account.customer_history = history
        account.investment_history = (*account.investment_history, last.investment)[-4:]
        if firm.quarterly_operating_profit:
            earnings = annual_operating_profit(firm.quarterly_operating_profit)
            invested = annual_operating_profit(list(account.investment_history))
            account.credit_limit = max(
                fin.credit_limit(
                    earnings - invested,
                    annual_operating_profit(firm.quarterly_revenue),
                    spec.credit_earnings_multiple,
                    spec.credit_revenue_advance,
                ),
                self.seed_line_left(firm),
            )
        if firm.cash < 0:
            self.ask_investors(firm)
        if firm.cash < -account.credit_limit:
            account.beyond_limit_quarters += 1
        else:
            account.beyond_limit_quarters = 0

    def right_size(self, firm, weekly_units: float) -> None:
        """Move capacity toward the volume; a cut costs ``restructuring_weeks`` of its cost.

        When capacity binds, capacity is only cut here; it grows by orders.

        Runs in the quarter's last week, before its books close, so the restructuring cost
        is the closing quarter's; the new fixed cost holds from the next week.
        """
        spec, account = self.spec, self.accounts[firm.slot]
        target = fin.capacity_target(weekly_units, spec.capacity_headroom)
        if spec.capacity_binds:  # growth only by orders (sim/components/capacity.py)
            target = min(target, account.capacity)
        new = fin.adjust_capacity(account.capacity, target, spec.capacity_cut_rate)
        cost = fin.restructuring_cost(
            account.capacity - new, spec.capacity_unit_cost, spec.restructuring_weeks
        )
        account.capacity = new
        firm.fixed_cost = self.fixed_cost(firm)
        if cost > 0:
            account.restructuring += cost
            firm.book_one_off_cost(cost)

    def seed_line_left(self, firm, weeks_ahead: float = 0.0) -> float:
        """What is left of a start-up's seed line ``weeks_ahead`` from now ($; 0 without)."""
        account = self.accounts[firm.slot]
        age = firm.model.week - account.born_week + weeks_ahead
        return fin.seed_line_left(account.seed_line, age, 52.0 * self.spec.seed_credit_years)

    def customer_growth(self, firm) -> float:
        """Growth of the customer base over the last year (0 without a year of history)."""
        history = self.accounts[firm.slot].customer_history
        if len(history) < 5 or history[0] <= 0:
            return 0.0
        return history[-1] / history[0] - 1.0

    def patience(self, firm) -> int:
        """Loss quarters investors fund: venture patience applies to start-ups."""
        spec, account = self.spec, self.accounts[firm.slot]
        if account.start_up:
            return max(spec.investor_patience_quarters, spec.venture_patience_quarters)
        return spec.investor_patience_quarters

    def investors_believe(self, firm, amount: float = 0.0) -> bool:
        """Whether investors fund ``amount`` now: the growth story or a credible plan.

        Within their patience (:meth:`patience`), investors fund a firm whose customers
        grew over the last year and come back (``fin.investors_believe``), or whose latest
        plan is credible for the amount, judged with its track record
        (``fin.plan_is_credible``).
        """
        spec, account = self.spec, self.accounts[firm.slot]
        patience = self.patience(firm)
        story = fin.investors_believe(
            account.loss_quarters,
            patience,
            self.customer_growth(firm),
            firm.last_quarter.repeat_rate,
            spec.investor_min_customer_growth,
            spec.investor_min_repeat_rate,
        )
        if story or account.plan is None or patience <= 0 or account.loss_quarters > patience:
            return story
        plan = account.plan
        growth = plan.units[-1] / plan.units_now - 1.0 if plan.units_now > 0 else 0.0
        if plan.units_now <= 0 and plan.units[-1] > 0:
            growth = float("inf")
        value = fin.plan_value(plan.weeks, plan.surplus, spec.investor_required_return)
        if account.start_up and spec.venture_milestones:
            return fin.venture_plan_is_credible(
                growth, value, amount, account.track_record, spec.investor_min_customer_growth
            )
        return fin.plan_is_credible(
            growth,
            value,
            amount,
            account.track_record,
            firm.last_quarter.repeat_rate,
            firm.last_quarter.units > 0,
            spec.investor_min_customer_growth,
            spec.investor_min_repeat_rate,
        )

    def ask_investors(self, firm) -> None:
        """A firm in debt asks for a runway of equity; it repays the debt first."""
        last = firm.last_quarter
        burn = max(0.0, -(last.operating_profit - last.investment))
        amount = fin.equity_to_raise(firm.cash, burn, self.spec.investor_runway_quarters)
        if amount > 0 and self.investors_believe(firm, amount):
            self.raise_equity(firm, amount)

    def record_plan(self, firm, plan: FundingPlan | None) -> None:
        """Keep the plan a firm decided on: investors judge it, and it builds a record."""
        if plan is not None:
            self.accounts[firm.slot].plan = plan

    def request_equity(self, firm, amount: float) -> float:
        """A strategy asks for ``amount`` of equity; returns what investors put in ($)."""
        if amount <= 0 or not self.investors_believe(firm, amount):
            return 0.0
        self.raise_equity(firm, amount)
        return amount

    def payout_allowed(self, firm, amount: float) -> float:
        """What the firm may pay out of ``amount``: retained earnings only (``fin``)."""
        account = self.accounts[firm.slot]
        capital = account.start_up_capital + account.cumulative_equity
        return fin.payout_allowed(amount, firm.cash, capital)

    def view_fields(self, firm) -> dict:
        """What a firm's strategy sees of its financing (rate, earnings, investors, record).

        The track record is how much of its plans' projected units it has delivered;
        ``credit_quarters`` are the (free cash flow, revenue) of the quarters lenders will
        still count when they next re-size the line (the last three).
        """
        account = self.accounts[firm.slot]
        capital = account.start_up_capital + account.cumulative_equity
        kept = min(
            QUARTERS_LENDERS_COUNT - 1,
            len(account.investment_history),
            len(firm.quarterly_operating_profit),
        )
        invested = account.investment_history[len(account.investment_history) - kept :]
        profits = firm.quarterly_operating_profit[len(firm.quarterly_operating_profit) - kept :]
        revenues = firm.quarterly_revenue[len(firm.quarterly_revenue) - kept :]
        return {
            "borrowing_rate": self.spec.borrowing_rate,
            "retained_earnings": firm.cash - capital,
            "investor_patience_quarters": self.patience(firm),
            "track_record": account.track_record,
            "credit_earnings_multiple": self.spec.credit_earnings_multiple,
            "credit_revenue_advance": self.spec.credit_revenue_advance,
            "credit_quarters": tuple(
                (profit - spend, revenue)
                for profit, spend, revenue in zip(profits, invested, revenues, strict=True)
            ),
            **self.reach_fields(firm),
        }

    def reach_fields(self, firm) -> dict:
        """The seed line's schedule and (when plans project reach) the referral rate.

        Only fields that differ from :class:`~sim.strategies.base.FirmView`'s defaults, so
        a scenario without a seed term or reach projection sees the view it saw before.
        """
        fields = {}
        spec, account = self.spec, self.accounts[firm.slot]
        left = self.seed_line_left(firm)
        if left > 0:
            age = firm.model.week - account.born_week
            fields["seed_line"] = left
            fields["seed_line_weeks_left"] = 52.0 * spec.seed_credit_years - age
        if spec.plans_project_reach:
            fields["referral_rate"] = firm.model.spec.word_of_mouth.referral_rate
        return fields

    def raise_equity(self, firm, amount: float) -> None:
        """Book new equity into the firm's cash."""
        if amount <= 0:
            return
        account = self.accounts[firm.slot]
        firm.cash += amount
        account.equity_raised += amount
        account.cumulative_equity += amount

    def cannot_continue(self, firm, limit_quarters: int) -> bool:
        """Whether a firm has stayed beyond its credit line ``limit_quarters`` quarter ends."""
        return self.accounts[firm.slot].beyond_limit_quarters >= limit_quarters

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """The financing columns of a firm's row in the firm table."""
        account = self.accounts[firm.slot]
        return {
            "interest": account.interest,
            "equity_raised": account.equity_raised,
            "cumulative_equity": account.cumulative_equity,
            "credit_limit": account.credit_limit,
            "capacity": account.capacity,
            "restructuring": account.restructuring,
        }


def first_quarter_units(plan: FundingPlan) -> float:
    """Weekly units a plan projected for its first quarter (linear from now to its first point)."""
    week, units = plan.weeks[0], plan.units[0]
    if week <= WEEKS_PER_QUARTER / 2 or week <= 0:
        return units
    return plan.units_now + (units - plan.units_now) * (WEEKS_PER_QUARTER / 2) / week
