"""Strategies and scenarios for the acquisition tests."""

from __future__ import annotations

from lifecycle_builders import FIXED, firm, scenario
from pydantic import Field

from sim.strategies.base import Decision, Strategy, StrategyParams


class BuyAtParams(StrategyParams):
    """Parameters of :class:`BuyAt`."""

    price: float = Field(40.0, ge=0)
    target: str = "Target"
    quarter: int = Field(1, ge=0)


class BuyAt(Strategy):
    """Keeps its price and names ``target`` to acquire at one quarter-end decision."""

    name = "buy_at"
    traits = {"proxy_focus": 0.0, "decision_velocity": 1.0}
    Params = BuyAtParams

    def decide(self, firm, view):
        """Same price; acquires the target at the chosen quarter."""
        acquire = self.params.target if view.quarter == self.params.quarter else None
        return Decision(price=self.params.price, acquire=acquire)


BUY_AT = "acquisition_builders:BuyAt"

PREMIUM = 0.3
RATE = 0.1


def deal_market(buyer_cash: float = 1e6, target: str = "Target", **sections) -> dict:
    """A buyer, a target and a bystander selling to price-only consumers, no fixed costs."""
    return scenario(
        [
            firm(
                "Buyer", BUY_AT, strategy_params={"price": 40.0, "target": target}, cash=buyer_cash
            ),
            firm("Target", FIXED, strategy_params={"price": 35.0}, cash=5000.0, fixed_cost=20.0),
            firm("Bystander", FIXED, strategy_params={"price": 45.0}, cash=5000.0),
        ],
        steps=26,
        acquisition={
            "enabled": True,
            "control_premium": PREMIUM,
            **sections.pop("acquisition", {}),
        },
        lifecycle={"discount_rate": RATE},
        **sections,
    )
