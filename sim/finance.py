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

from sim.mechanics import finance as fin
from sim.mechanics.value import annual_operating_profit
from sim.scenario.schema_finance import FinanceSpec

WEEKS_PER_QUARTER = 13


@dataclass
class FirmAccount:
    """One firm's financing state."""

    overhead: float
    capacity: float
    credit_limit: float
    loss_quarters: int = 0
    beyond_limit_quarters: int = 0
    customer_history: tuple[int, ...] = ()
    interest: float = 0.0
    equity_raised: float = 0.0
    restructuring: float = 0.0
    cumulative_interest: float = 0.0
    cumulative_equity: float = 0.0


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

    def __init__(self, spec: FinanceSpec):
        self.spec = spec
        self.accounts: dict[int, FirmAccount] = {}

    def register(self, firm) -> None:
        """Open a firm's account: split its fixed cost into overhead and capacity."""
        spec = self.spec
        capacity_cost = spec.capacity_share * firm.fixed_cost
        initial = spec.initial_credit
        if initial is None:
            initial = WEEKS_PER_QUARTER * firm.fixed_cost
        self.accounts[firm.slot] = FirmAccount(
            overhead=firm.fixed_cost - capacity_cost,
            capacity=capacity_cost / spec.capacity_unit_cost,
            credit_limit=initial,
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

    def settle_quarter(self, firm) -> None:
        """Quarter end for one live firm, after its books closed: credit line, investors.

        The credit line is re-sized from the trailing year (annualised while the firm has
        fewer than four quarters); a firm in debt asks investors, who fund it if they
        believe its growth story; a firm still beyond its line counts one more quarter.
        """
        spec, account = self.spec, self.accounts[firm.slot]
        last = firm.last_quarter
        account.loss_quarters = account.loss_quarters + 1 if last.operating_profit < 0 else 0
        history = (*account.customer_history, last.customers)[-5:]
        account.customer_history = history
        if firm.quarterly_operating_profit:
            account.credit_limit = fin.credit_limit(
                annual_operating_profit(firm.quarterly_operating_profit),
                annual_operating_profit(firm.quarterly_revenue),
                spec.credit_earnings_multiple,
                spec.credit_revenue_advance,
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
        if spec.capacity_binds:  # growth only by orders (sim/capacity.py)
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

    def customer_growth(self, firm) -> float:
        """Growth of the customer base over the last year (0 without a year of history)."""
        history = self.accounts[firm.slot].customer_history
        if len(history) < 5 or history[0] <= 0:
            return 0.0
        return history[-1] / history[0] - 1.0

    def investors_believe(self, firm) -> bool:
        """Whether investors believe the firm's growth story now (see ``fin``)."""
        spec, account = self.spec, self.accounts[firm.slot]
        return fin.investors_believe(
            account.loss_quarters,
            spec.investor_patience_quarters,
            self.customer_growth(firm),
            firm.last_quarter.repeat_rate,
            spec.investor_min_customer_growth,
            spec.investor_min_repeat_rate,
        )

    def ask_investors(self, firm) -> None:
        """A firm in debt asks for a runway of equity; it repays the debt first."""
        if not self.investors_believe(firm):
            return
        last = firm.last_quarter
        burn = max(0.0, -(last.operating_profit - last.investment))
        self.raise_equity(
            firm, fin.equity_to_raise(firm.cash, burn, self.spec.investor_runway_quarters)
        )

    def request_equity(self, firm, amount: float) -> float:
        """A strategy asks for ``amount`` of equity; returns what investors put in ($)."""
        if amount <= 0 or not self.investors_believe(firm):
            return 0.0
        self.raise_equity(firm, amount)
        return amount

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

    def row(self, firm) -> dict:
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
