"""Capacity that binds: the component that rations sales and runs the order pipeline.

The model holds one :class:`Capacity` component (``model.capacity``). It does nothing
unless the scenario sets ``finance.capacity_binds``; then every week orders due arrive
(stage ``capacity.arrive``), the choice stage serves each firm up to its capacity and
lets the shoppers it turns away choose again (``capacity.ration``), and each decision
places a capacity order (``capacity.order``), paid when placed. Installed capacity is
the capacity of :class:`sim.components.finance.FirmAccount`: it costs ``k`` a week in the fixed cost
and is cut at quarter ends as before (``sim/components/finance.py``), but no longer grows at once.
The rules are the pure functions of :mod:`sim.mechanics.capacity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.mechanics import capacity as cap
from sim.scenario.schema_finance import FinanceSpec
from sim.strategies.user_code import calling_strategy

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel

WEEKS_PER_QUARTER = 13

CAPACITY_FIRM_COLUMNS = [
    "capacity_on_order",
    "capacity_ordered",
    "capacity_added",
    "capacity_capital_paid",
    "turned_away",
]
"""Columns added to the firm table when capacity binds (units in ``docs/ODD.md``)."""


@dataclass
class CapacityBook:
    """One firm's capacity orders and the shoppers it turned away."""

    pipeline: tuple[tuple[int, float], ...] = ()
    ordered: float = 0.0
    added: float = 0.0
    capital_paid: float = 0.0
    turned: float = 0.0
    turned_history: list[float] = field(default_factory=list)
    cumulative_ordered: float = 0.0
    cumulative_added: float = 0.0
    cumulative_capital_paid: float = 0.0

    @property
    def on_order(self) -> float:
        """Capacity ordered and not yet arrived (units per week)."""
        return sum(units for _, units in self.pipeline)


class Capacity:
    """The capacity component: rationing, orders and their arrival."""

    name: ClassVar[str] = "capacity"

    def __init__(self, spec: FinanceSpec, finance):
        self.spec = spec
        self.finance = finance
        self.binds = spec.capacity_binds
        self.books: dict[int, CapacityBook] = {}

    def book(self, firm) -> CapacityBook:
        """The firm's capacity book (opened on first use)."""
        return self.books.setdefault(firm.slot, CapacityBook())

    def arrive(self, model: MarketModel) -> None:
        """Week start: clear the week's flows; orders due arrive and add capacity."""
        if not self.binds:
            return
        for firm in model.firms:
            book = self.book(firm)
            book.ordered = book.added = book.capital_paid = book.turned = 0.0
            if not firm.alive or not book.pipeline:
                continue
            added, book.pipeline = cap.receive_orders(book.pipeline, model.week + 1)
            if added > 0:
                self.finance.account(firm).capacity += added
                firm.fixed_cost = self.finance.fixed_cost(firm)
                book.added = added
                book.cumulative_added += added

    def ration(
        self, model: MarketModel, choice: np.ndarray, cumulative_weights: np.ndarray
    ) -> np.ndarray:
        """Serve each firm up to its capacity; the turned-away choose again.

        Args:
            model: the market model.
            choice: first choices of this week's shoppers (0 = outside option).
            cumulative_weights: the cumulative choice weights of the choice stage.

        Returns:
            The final choices.
        """
        capacity = np.array(
            [self.finance.account(firm).capacity if firm.alive else 0.0 for firm in model.firms]
        )
        choice, turned = cap.clear_with_capacity(choice, cumulative_weights, capacity, model.rng)
        for firm in model.firms:
            book = self.book(firm)
            book.turned = float(turned[firm.slot])
            if firm.alive:
                book.turned_history.append(book.turned)
                del book.turned_history[: -2 * WEEKS_PER_QUARTER]
        return choice

    def order(self, model: MarketModel, firm, decision) -> None:
        """A decision places its capacity order (or the strategy's planned one) and pays."""
        if not self.binds:
            return
        units = decision.capacity_order
        if units is None:
            with calling_strategy(firm, "plan_capacity", model):
                units = float(firm.strategy.plan_capacity(model.firm_view(firm)))
        book = self.book(firm)
        book.pipeline = cap.place_order(
            book.pipeline, model.week, units, self.spec.capacity_lead_weeks
        )
        if units > 0:
            cost = self.spec.capacity_capital_cost * units
            book.ordered += units
            book.cumulative_ordered += units
            book.capital_paid += cost
            book.cumulative_capital_paid += cost
            if cost > 0:
                firm.spend_once(cost)

    def view_fields(self, model: MarketModel, firm) -> dict:
        """The capacity fields of a firm's view (none unless capacity binds)."""
        if not self.binds:
            return {}
        book = self.book(firm)
        history = book.turned_history
        last = firm.last_quarter.units + sum(history[-WEEKS_PER_QUARTER:])
        previous = firm.previous_quarter.units + sum(
            history[-2 * WEEKS_PER_QUARTER : -WEEKS_PER_QUARTER]
        )
        return {
            "capacity_binds": True,
            "capacity": self.finance.account(firm).capacity,
            "capacity_on_order": book.on_order,
            "capacity_lead_weeks": self.spec.capacity_lead_weeks,
            "capacity_headroom": self.spec.capacity_headroom,
            "demand_last_quarter": last / WEEKS_PER_QUARTER,
            "demand_previous_quarter": (
                previous / WEEKS_PER_QUARTER
                if firm.previous_quarter.units
                else last / WEEKS_PER_QUARTER
            ),
        }

    @property
    def firm_columns(self) -> list[str]:
        """Columns of the firm table (none unless capacity binds)."""
        return CAPACITY_FIRM_COLUMNS if self.binds else []

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """The capacity columns of a firm's row (none unless capacity binds)."""
        if not self.binds:
            return {}
        book = self.book(firm)
        return {
            "capacity_on_order": book.on_order,
            "capacity_ordered": book.ordered,
            "capacity_added": book.added,
            "capacity_capital_paid": book.capital_paid,
            "turned_away": book.turned,
        }
