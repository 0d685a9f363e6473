"""A harvester: customer-obsessed until it leads, then shareholder-focused for good.

Run it by dotted path ``sim.examples.harvester:Harvester`` (it ships with the package).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sim.strategies.base import (
    ChannelSet,
    Decision,
    FirmView,
    MarketView,
    Strategy,
    StrategyParams,
)
from sim.strategies.customer_obsessed import CustomerObsessed
from sim.strategies.shareholder_focused import ShareholderFocused


class HarvesterParams(StrategyParams):
    """Parameters of :class:`Harvester`."""

    lead_share: float = Field(
        0.15, gt=0, le=1, description="share of the market's needs it must serve to lead"
    )
    confirm_quarters: int = Field(
        2, ge=1, le=40, description="quarters in a row at the lead before it harvests"
    )


class Harvester(Strategy):
    """Builds a customer base like the customer-obsessed bot, then milks it.

    It decides exactly as :class:`CustomerObsessed` (default parameters) while it
    builds. Once its units have been at least ``lead_share`` of the market's needs
    (its research estimates the needs) for ``confirm_quarters`` quarters in a row, it
    hands the firm to :class:`ShareholderFocused` for the rest of the game: profit-
    maximising prices, investment that pays back within a quarter, surplus cash paid
    out. It is the Day 2 story told as a plan: win on customers, then harvest.
    """

    name = "harvester"
    traits = {
        "customer": "the end user, then the investor",
        "focus": "customers until it leads, then the P&L",
        "horizon_quarters": "long while building, 1 once harvesting",
        "planning": "switches mindset once, at the lead",
        "pricing": "thin margin, then profit-maximising",
        "payout": "none while building, surplus once harvesting",
        "manages_to": "share, then quarterly profit",
        "innovation": "kept while building, cut once harvesting",
        "proxy_focus": 0.5,
        "decision_velocity": 0.75,
    }
    Params = HarvesterParams
    params: HarvesterParams

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.builder = CustomerObsessed()
        self.harvester = ShareholderFocused()
        self.quarters_leading = 0
        self.harvesting = False

    def share_of_needs(self, firm: FirmView, view: MarketView) -> float:
        """Last quarter's units over the needs the research expects in a quarter."""
        needs = 13.0 * float(view.research.weights.sum())
        return firm.last_quarter.units / needs if needs > 0 else 0.0

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """Build like the customer-obsessed bot; harvest like the shareholder bot once ahead."""
        if not self.harvesting:
            leading = self.share_of_needs(firm, view) >= self.params.lead_share
            self.quarters_leading = self.quarters_leading + 1 if leading else 0
            self.harvesting = self.quarters_leading >= self.params.confirm_quarters
        active = self.harvester if self.harvesting else self.builder
        decision = active.decide(firm, view)
        note = "harvest" if self.harvesting else "build"
        return Decision(
            price=decision.price,
            spend_experience=decision.spend_experience,
            spend_selection=decision.spend_selection,
            spend_efficiency=decision.spend_efficiency,
            payout=decision.payout,
            note=f"{note}: {decision.note}",
            spend_innovation=decision.spend_innovation,
        )

    def choose_channels(
        self,
        firm: FirmView,
        view: MarketView,
        options: tuple[ChannelSet, ...],
        current: ChannelSet,
    ) -> ChannelSet:
        """Channels as the mindset in charge would choose them."""
        active = self.harvester if self.harvesting else self.builder
        return active.choose_channels(firm, view, options, current)
