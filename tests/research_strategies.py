"""A strategy that buys a fixed amount of research: ``research_strategies:ResearchBuyer``."""

from pydantic import Field

from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams


class ResearchBuyerParams(StrategyParams):
    markup: float = Field(0.2, ge=0, le=10, description="markup over unit cost")
    weekly_research: float = Field(0.0, ge=0, description="research spend, $ per week")


class ResearchBuyer(Strategy):
    """Price at unit cost times (1 + markup); buy a fixed weekly amount of research."""

    name = "research_buyer"
    traits = {"pricing": "unit cost plus a fixed markup", "payout": "none"}
    Params = ResearchBuyerParams

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        return Decision(
            price=firm.unit_cost * (1.0 + self.params.markup),
            spend_research=self.params.weekly_research,
        )
