"""Acquisitions: a strategy buys a rival at the valuation rule's price; the brand lives on.

The model holds one :class:`Acquisitions` component (``model.acquisitions``). A strategy
names a target in ``Decision.acquire``; when the decision takes effect the component
checks it, prices the target by the valuation rule plus the scenario's control premium,
pays the sellers through the finance component (cash, then credit, then new shares) and
hands the target to the acquirer's owner. The target stays a separate firm with its own
name, customers, strategy and books (revenue, costs, stocks), and prices for the group
(owner pricing, ``MarketModel.owner_siblings``). Its cash and debt are consolidated into
the acquirer's treasury (the head of its group): at the deal and at every quarter end
the brand's cash is reset to a working balance of ``working_capital_quarters`` of its
fixed cost, the excess swept to the head and a shortfall (debt included) covered by it
(``group_transfer``: + received, - sent). The group lives or dies on the head's cash and
credit; an acquired brand raises no equity of its own. The rules are the pure functions of
:mod:`sim.mechanics.acquisition`; the scenario section is
:class:`~sim.scenario.schema_rivalry.AcquisitionSpec`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from sim.mechanics import acquisition as rules
from sim.mechanics.value import annual_operating_profit, market_value
from sim.scenario.schema_rivalry import AcquisitionSpec

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel

ACQUISITION_FIRM_COLUMNS = [
    "acquired_by",
    "acquisition_spend",
    "acquisition_shares",
    "group_transfer",
]
"""Columns added to the firm table: who bought the firm ('' if nobody), the price it paid
for acquisitions this week ($), the part of it paid in new shares ($, also in
``equity_raised``), and cash swept within its group this week ($, + received)."""


class Acquisitions:
    """The acquisition component: valuation, payment, ownership, and its record."""

    name: ClassVar[str] = "acquisition"
    firm_columns: list[str] = ACQUISITION_FIRM_COLUMNS

    def __init__(self, spec: AcquisitionSpec, discount_rate: float):
        self.spec = spec
        self.discount_rate = discount_rate
        self.acquired_by: dict[int, str] = {}
        self.parent_of: dict[int, int] = {}
        self.week_spend: dict[int, tuple[int, float, float]] = {}
        self.week_transfer: dict[int, tuple[int, float]] = {}

    def value(self, firm) -> float:
        """The firm's market value now, by the earnings-power rule ($)."""
        if not firm.alive:
            return 0.0
        annual = annual_operating_profit(firm.quarterly_operating_profit)
        return market_value(firm.cash, annual, self.discount_rate)

    def asking_price(self, firm) -> float:
        """Price its shareholders accept now: ``(1 + pi) V`` ($)."""
        return rules.acquisition_price(self.value(firm), self.spec.control_premium)

    def budget(self, model: MarketModel, firm) -> float:
        """Largest price the firm can pay now: cash, credit headroom, shares (0 when off)."""
        if not self.spec.enabled:
            return 0.0
        return rules.budget(
            firm.cash,
            model.finance.account(firm).credit_limit,
            self.value(firm),
            self.spec.max_stock_share,
        )

    def refusal(self, model: MarketModel, firm, name: str):
        """Why ``firm`` cannot buy the firm named ``name`` now: ``(reason, target)``."""
        if not self.spec.enabled:
            return "acquisitions are switched off in this scenario", None
        target = next((other for other in model.firms if other.name == name), None)
        if target is None:
            return f"no firm named {name!r}", None
        if target is firm:
            return "a firm cannot acquire itself", target
        if not target.alive:
            return f"{name} has left the market", target
        if not firm.alive:
            return "the acquirer has left the market", target
        if firm.owner is not None and target.owner == firm.owner:
            return f"{name} is already owned by {firm.owner}", target
        if target.slot in self.parent_of:
            head = model.firms[self.parent_of[target.slot]].name
            return f"{name} belongs to {target.owner}: buy {head}, the head of its group", target
        return "", target

    def attempt(self, model: MarketModel, firm, name: str) -> bool:
        """Carry out ``firm``'s decision to acquire the firm named ``name``.

        Refused decisions are recorded as ``acquisition_refused`` events with the reason.

        Returns:
            True if the deal was done.
        """
        reason, target = self.refusal(model, firm, name)
        if reason:
            model.record_event(firm, "acquisition_refused", reason, float("nan"))
            return False
        price = self.asking_price(target)
        account = model.finance.account(firm)
        paid = rules.payment(
            price, firm.cash, account.credit_limit, self.value(firm), self.spec.max_stock_share
        )
        if paid is None:
            model.record_event(
                firm,
                "acquisition_refused",
                f"cannot pay {price:,.0f} for {name}: budget {self.budget(model, firm):,.0f}",
                price,
            )
            return False
        model.finance.raise_equity(firm, paid.stock)
        firm.cash -= price
        week, spent, shares = self.week_spend.get(firm.slot, (model.week, 0.0, 0.0))
        if week != model.week:
            spent = shares = 0.0
        self.week_spend[firm.slot] = (model.week, spent + price, shares + paid.stock)
        owner = firm.owner if firm.owner is not None else firm.name
        firm.owner = owner
        target.owner = owner
        self.acquired_by[target.slot] = firm.name
        self.parent_of[target.slot] = self.parent_of.get(firm.slot, firm.slot)
        for child, parent in self.parent_of.items():
            if parent == target.slot:
                self.parent_of[child] = self.parent_of[target.slot]
                model.firms[child].owner = owner
        model.record_event(
            firm,
            "acquisition",
            f"bought {target.name}: cash {paid.cash:,.0f}, credit {paid.credit:,.0f}, "
            f"shares {paid.stock:,.0f}",
            price,
        )
        model.record_event(target, "acquired", f"by {firm.name} (owner {owner})", price)
        self.consolidate(model)
        return True

    def is_acquired(self, firm) -> bool:
        """Whether the firm belongs to another firm's group (it raises no equity)."""
        return firm.slot in self.parent_of

    def consolidate(self, model: MarketModel) -> None:
        """Reset each acquired brand's cash to its working balance within its group.

        ``amount = C_b - k 13 F_b`` moves from the brand to the head of its group (a
        negative amount is the head covering the brand). Runs at the deal and at every
        quarter end before the books are settled.
        """
        for child, parent in self.parent_of.items():
            brand, head = model.firms[child], model.firms[parent]
            if not (brand.alive and head.alive):
                continue
            working = rules.working_balance(brand.fixed_cost, self.spec.working_capital_quarters)
            amount = brand.cash - working
            if amount == 0.0:
                continue
            brand.cash, head.cash = working, head.cash + amount
            self._book_transfer(model, brand, -amount)
            self._book_transfer(model, head, amount)

    def _book_transfer(self, model: MarketModel, firm, amount: float) -> None:
        week, moved = self.week_transfer.get(firm.slot, (model.week, 0.0))
        if week != model.week:
            moved = 0.0
        self.week_transfer[firm.slot] = (model.week, moved + amount)

    def rival_details(self, model: MarketModel, firm, other) -> dict:
        """What ``firm`` sees of a rival beyond its price: owner, public accounts, price."""
        annual = annual_operating_profit(other.quarterly_operating_profit)
        asking = None
        if (
            self.spec.enabled
            and other.alive
            and firm.alive
            and other.slot not in self.parent_of
            and not (firm.owner is not None and other.owner == firm.owner)
        ):
            asking = self.asking_price(other)
        return {
            "slot": other.slot,
            "owner": other.owner,
            "direct_relationship": other.direct_relationship,
            "cash": other.cash,
            "annual_operating_profit": annual,
            "market_value": other.market_value,
            "last_quarter": other.last_quarter,
            "asking_price": asking,
        }

    def own_details(self, model: MarketModel, firm) -> dict:
        """What ``firm`` sees of itself for acquisitions: owner, credit line, budget."""
        return {
            "owner": firm.owner,
            "credit_limit": model.finance.account(firm).credit_limit,
            "acquisition_budget": self.budget(model, firm),
        }

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """The acquisition columns of a firm's row in the firm table."""
        week, spent, shares = self.week_spend.get(firm.slot, (-1, 0.0, 0.0))
        if week != model.week:
            spent = shares = 0.0
        week, moved = self.week_transfer.get(firm.slot, (-1, 0.0))
        return {
            "acquired_by": self.acquired_by.get(firm.slot, ""),
            "acquisition_spend": spent,
            "acquisition_shares": shares,
            "group_transfer": moved if week == model.week else 0.0,
        }
