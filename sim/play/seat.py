"""The player's seat: a strategy whose decisions come from outside the model.

The model asks every firm's strategy for a decision at the same moments; a seat hands
the question to its decision source (a person at a terminal or a browser, a decision
file, a test) and returns the answer as an ordinary :class:`Decision`.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.play.decisions import SeatDecision
from sim.strategies.base import ChannelSet, Decision, FirmView, MarketView, Strategy

SEAT_STRATEGY = "sim.play.seat:PlayerSeat"

DecisionSource = Callable[
    [FirmView, MarketView, "tuple[ChannelSet, ...] | None", "ChannelSet | None"], SeatDecision
]


class PlayerSeat(Strategy):
    """A firm run by a player: one decision per quarter, channels at the yearly review.

    Args:
        source: called once per decision moment with the firm's snapshot, the market
            view and, in a channel review, the channel options and current channels
            (None otherwise); returns the player's :class:`SeatDecision`.
        traits: traits of this seat, if not the class's (the vitality traits
            ``proxy_focus`` and ``decision_velocity`` are undeclared, so 0.5 each, unless
            the scenario sets them for the firm).
    """

    name = "player"
    traits = {
        "customer": "whoever the player decides",
        "focus": "the player's",
        "planning": "decided by a person each quarter",
        "pricing": "set by the player",
        "payout": "a quarterly dividend set by the player",
        "manages_to": "what the player watches",
    }

    def __init__(self, source: DecisionSource | None = None, traits: dict | None = None, **params):
        super().__init__(**params)
        if traits is not None:
            self.traits = dict(traits)
        self.source = source
        self.decided_week: int | None = None
        self.decision: SeatDecision | None = None

    def decision_for(
        self,
        firm: FirmView,
        view: MarketView,
        options: tuple[ChannelSet, ...] | None = None,
        current: ChannelSet | None = None,
    ) -> SeatDecision:
        """The player's decision for this week (asked once, at the first question)."""
        if self.decided_week != firm.week or self.decision is None:
            if self.source is None:
                raise RuntimeError("a player's seat needs a decision source (see sim.play)")
            self.decision = self.source(firm, view, options, current)
            self.decided_week = firm.week
        return self.decision

    def choose_channels(
        self,
        firm: FirmView,
        view: MarketView,
        options: tuple[ChannelSet, ...],
        current: ChannelSet,
    ) -> ChannelSet:
        """The player's channels, if they are among the options; else the current ones."""
        decision = self.decision_for(firm, view, options, current)
        if decision.channels is None:
            return current
        slots = {platform.name: platform.slot for platform in view.platforms}
        wanted = ChannelSet(
            "direct" in decision.channels,
            tuple(sorted(slots[name] for name in decision.channels if name in slots)),
        )
        return wanted if wanted in options else current

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """The player's price, spends, dividend and optional decisions as a model decision.

        Optional decisions of mechanics the scenario has off are at their defaults (the
        model ignores them there).
        """
        chosen = self.decision_for(firm, view)
        return Decision(
            price=chosen.price,
            spend_experience=chosen.experience,
            spend_selection=chosen.selection,
            spend_efficiency=chosen.efficiency,
            payout=chosen.payout,
            note="player",
            extra={"marketing_spend": chosen.marketing},
            spend_innovation=chosen.innovation,
            spend_research=chosen.spend_research,
            platform_price=chosen.platform_price,
            direct_incentive=chosen.direct_incentive,
            loyalty_rebate=chosen.loyalty_rebate,
            acquire=chosen.acquire,
            guarantee=chosen.guarantee,
            free_returns=chosen.free_returns,
            try_on=chosen.try_on,
            reviews=chosen.reviews,
            referral_reward=chosen.referral_reward,
        )
