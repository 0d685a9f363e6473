"""A strategy with fixed defences, loaded by dotted path ``defence_strategies:FixedDefences``."""

from pydantic import Field

from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams


class FixedDefencesParams(StrategyParams):
    markup: float = Field(0.3, ge=0, le=10, description="markup over unit cost")
    platform_markup: float | None = Field(
        None, ge=0, le=10, description="markup of the platform price over the direct price"
    )
    direct_incentive: float = Field(0.0, ge=0, description="$ per direct unit")
    loyalty_rebate: float = Field(0.0, ge=0, description="$ per member unit")
    marketing_spend: float | None = Field(None, ge=0, description="$ per week")


class FixedDefences(Strategy):
    """Fixed markup and fixed defences; no investment, no payout."""

    name = "fixed_defences"
    traits = {"customer": "nobody in particular", "pricing": "fixed markup", "payout": "none"}
    Params = FixedDefencesParams

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        price = firm.unit_cost * (1.0 + self.params.markup)
        markup = self.params.platform_markup
        return Decision(
            price=price,
            platform_price=None if markup is None else price * (1.0 + markup),
            direct_incentive=self.params.direct_incentive,
            loyalty_rebate=self.params.loyalty_rebate,
            marketing_spend=self.params.marketing_spend,
        )
