"""A user-defined strategy, loaded by dotted path ``user_strategy:FixedMarkup``.

It is what a user of the library would write in their own package: a subclass of
``sim.strategies.base.Strategy`` with a name, traits, a pydantic ``Params`` and
``decide``. It never invests, so its efficiency stock stays at zero and its unit cost
follows Wright's law exactly (used by the limit-case tests).
"""

from pydantic import Field

from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams


class FixedMarkupParams(StrategyParams):
    markup: float = Field(0.2, ge=0, le=10, description="markup over unit cost")


class FixedMarkup(Strategy):
    """Price at unit cost times (1 + markup); no investment, no payout."""

    name = "fixed_markup"
    traits = {
        "customer": "nobody in particular",
        "pricing": "unit cost plus a fixed markup",
        "payout": "none",
        "horizon_quarters": 1,
    }
    Params = FixedMarkupParams

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        return Decision(price=firm.unit_cost * (1.0 + self.params.markup), note="fixed markup")


class PayEverything(Strategy):
    """Price at unit cost times (1 + markup) and ask to pay out all the cash it holds."""

    name = "pay_everything"
    traits = {
        "customer": "nobody in particular",
        "pricing": "unit cost plus a fixed markup",
        "payout": "all cash, every quarter",
        "horizon_quarters": 1,
    }
    Params = FixedMarkupParams

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        price = firm.unit_cost * (1.0 + self.params.markup)
        return Decision(price=price, payout=max(0.0, firm.cash), note="pay everything")


class NotAStrategy:
    """Has the right shape of name but is not a Strategy subclass."""

    name = "impostor"
