"""A class game's markets: the model with seats, the running totals.

A seat's firm is run by :class:`sim.play.seat.PlayerSeat` (submitted to, with the firm's
own strategy as its bot) from the opening decision on. A :class:`Market` is one copy of
the scenario with the totals the scores need (:mod:`sim.classroom.scoring`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.model.market import MarketModel
from sim.play.seat import PlayerSeat


class GameModel(MarketModel):
    """A market whose seat firms decide through a :class:`PlayerSeat` from week 0 on.

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
        """Seat firms get their seat, their strategy its bot, before the opening decision."""
        if self.week == 0:
            for firm in self.firms:
                if firm.slot in self.seat_slots and not isinstance(firm.strategy, PlayerSeat):
                    firm.strategy = PlayerSeat(bot=firm.strategy)
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
