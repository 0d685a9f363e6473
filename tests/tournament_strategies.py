"""Entrants that break the rules, for the disqualification tests (loaded by dotted path)."""

import time

from pydantic import Field

from sim.strategies.base import Decision, Strategy, StrategyParams


class BreakParams(StrategyParams):
    quarter: int = Field(2, ge=0, description="quarter at which it breaks the rule")


class RaisesLater(Strategy):
    """Prices at cost plus 20% until ``quarter``, then raises."""

    name = "raises_later"
    Params = BreakParams

    def decide(self, firm, view):
        if view.quarter >= self.params.quarter:
            raise RuntimeError("out of ideas")
        return Decision(price=firm.unit_cost * 1.2)


class ReturnsNonsense(Strategy):
    """Returns a dictionary instead of a Decision at ``quarter``."""

    name = "returns_nonsense"
    Params = BreakParams

    def decide(self, firm, view):
        if view.quarter >= self.params.quarter:
            return {"price": 10}
        return Decision(price=firm.unit_cost * 1.2)


class SleepsLater(Strategy):
    """Sleeps 0.5 s per decision from ``quarter`` on."""

    name = "sleeps_later"
    Params = BreakParams

    def decide(self, firm, view):
        if view.quarter >= self.params.quarter:
            time.sleep(0.5)
        return Decision(price=firm.unit_cost * 1.2)
