"""Strategies whose parameters exercise ``flywheel robustness``'s choice of constants.

``Toy`` declares one mindset parameter and has parameters of every kind the command must
sort: floats with and without bounds (one strict), an int, a list of numbers, an optional
float, a flag and a text. Its ``decide`` uses only ``markup`` (it prices like
``user_strategy:FixedMarkup``); the other parameters are there to be classified.
"""

from pydantic import Field

from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams


class ToyParams(StrategyParams):
    patience: float = Field(4.0, ge=0, description="mindset: quarters it waits")
    markup: float = Field(0.2, ge=0, le=10, description="markup over unit cost")
    cap: float = Field(8.0, ge=1, le=10, description="a cap with both bounds")
    share: float = Field(0.6, gt=0, lt=1, description="a share with strict bounds")
    rounds: int = Field(3, ge=1, description="an integer count")
    grid: list[float] = Field([1.0, 2.0], min_length=1, description="a list of numbers")
    limit: float | None = Field(None, ge=0, description="optional")
    spare: float = Field(0.0, ge=0, description="zero by default")
    flag: bool = Field(True, description="a switch, not a number")
    label: str = Field("toy", description="a text, not a number")


class Toy(Strategy):
    """Price at unit cost times (1 + markup); no investment, no payout."""

    name = "toy"
    traits = {"pricing": "unit cost plus a fixed markup", "payout": "none"}
    Params = ToyParams
    mindset_parameters = frozenset({"patience"})

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        return Decision(price=firm.unit_cost * (1.0 + self.params.markup), note="toy")


class Misdeclared(Toy):
    """Declares a mindset parameter its Params lacks."""

    name = "misdeclared"
    mindset_parameters = frozenset({"patience", "horizon"})
