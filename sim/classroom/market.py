"""A class game's markets: the seat strategy, the model with seats, the running totals.

A seat is a decision source for the model: its firm's strategy becomes a
:class:`SeatStrategy`, which, while a student holds the seat, keeps the firm's current
price and spending and pays nothing out, so that the student's submitted decision is the
one that counts. A :class:`Market` is one copy of the scenario with the totals the
scores need (:mod:`sim.classroom.scoring`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.model.market import MarketModel
from sim.strategies.base import Decision, Strategy


class SeatStrategy(Strategy):
    """A firm's strategy while it is a seat: the bot's, or hold for the student.

    Args:
        bot: the firm's own strategy, used while nobody holds the seat.
    """

    name = "seat"

    def __init__(self, bot: Strategy):
        self.bot = bot
        self.params = bot.params
        self.traits = bot.traits
        self.held = False
        self.opening = True

    def decide(self, firm, view) -> Decision:
        """Hold everything (no payout) for a student, and at the opening; else the bot's."""
        opening, self.opening = self.opening, False
        if not (self.held or opening):
            return self.bot.decide(firm, view)
        return Decision(
            price=firm.price,
            spend_experience=firm.spend_experience,
            spend_selection=firm.spend_selection,
            spend_efficiency=firm.spend_efficiency,
            spend_innovation=firm.spend_innovation,
            note="seat: waiting for the student's decision",
        )

    def choose_channels(self, *args, **kwargs):
        """Channels stay the bot's choice."""
        return self.bot.choose_channels(*args, **kwargs)


class GameModel(MarketModel):
    """A market whose seat firms decide through a :class:`SeatStrategy` from week 0 on.

    A seat's firm opens with the scenario's own price and spending (no opening payout),
    whether or not a student has joined yet; an untaken seat's bot decides from the
    first quarter's end on.

    Args:
        scenario: the validated scenario.
        seed: the run's seed (the scenario's own if None).
        seats: the firm slots that are seats.
    """

    def __init__(self, scenario, seed: int | None, seats: list[int]):
        self.seat_slots = set(seats)
        super().__init__(scenario, seed="scenario" if seed is None else seed)

    def firms_decide(self) -> None:
        """Seat firms get their seat strategy before the opening decision."""
        if self.week == 0:
            for firm in self.firms:
                if firm.slot in self.seat_slots and not isinstance(firm.strategy, SeatStrategy):
                    firm.strategy = SeatStrategy(firm.strategy)
        super().firms_decide()


@dataclass
class Market:
    """One copy of the scenario and the running totals the scores need (by firm slot)."""

    number: int
    model: GameModel
    profit: dict[int, float] = field(default_factory=dict)
    units: dict[int, float] = field(default_factory=dict)
    cash_flow: dict[int, float] = field(default_factory=dict)

    def run_week(self) -> None:
        """One week, then add each firm's recorded profit and units to its totals."""
        self.model.step()
        table = self.model.datacollector.tables["firms"]
        count = len(self.model.firms)
        slots = [firm.slot for firm in self.model.firms]
        for slot, profit, units in zip(
            slots, table["profit"][-count:], table["units"][-count:], strict=True
        ):
            self.profit[slot] = self.profit.get(slot, 0.0) + float(profit)
            self.units[slot] = self.units.get(slot, 0.0) + float(units)
