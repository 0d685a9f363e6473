"""The seat: the strategy that stands in for a person who runs a firm.

The model asks every firm's strategy for a decision at the same moments (channels at
the yearly review, then the quarter's decision). A :class:`PlayerSeat` answers with the
person's :class:`~sim.play.decisions.SeatDecision`, made a model decision by one rule
(:func:`model_decision`), and records every decision it puts into the model
(``decisions``). Every front end drives this one seat: ``flywheel play`` and the
dashboard's Play page (through :class:`sim.play.engine.Game`) and the class game
(:mod:`sim.classroom`).

A person's decision reaches the seat in one of two ways, depending on whether the model
may wait for the person:

* **Asked** (``flywheel play``, the Play page): at each decision moment the seat asks
  its decision source (``source``: a person at a terminal or a browser, a decision
  file, a test) and the model waits for the answer.
* **Submitted** (the class game): the model runs a quarter at a time while the person
  decides. The decision waits in the seat (:meth:`PlayerSeat.submit`) until the next
  quarter starts (:meth:`PlayerSeat.start_quarter` hands it to the model, which applies
  it after the firm's decision lag). At the decision moment itself a seat held by a
  person keeps the plan in force and pays nothing out (:func:`plan_in_force`), so the
  submitted decision is the one that counts; while nobody holds it, the firm's own
  strategy (its ``bot``) decides.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.play.decisions import SeatDecision
from sim.strategies.base import ChannelSet, Decision, FirmView, MarketView, Strategy

SEAT_STRATEGY = "sim.play.seat:PlayerSeat"

DecisionSource = Callable[
    [FirmView, MarketView, "tuple[ChannelSet, ...] | None", "ChannelSet | None"],
    "SeatDecision | None",
]


def model_decision(chosen: SeatDecision, note: str = "player") -> Decision:
    """A person's decision as the model's :class:`Decision`.

    Optional decisions of mechanics the scenario has off are at their defaults (the
    model ignores them there); a marketing spend of None keeps the one in force.
    """
    return Decision(
        price=chosen.price,
        spend_experience=chosen.experience,
        spend_selection=chosen.selection,
        spend_efficiency=chosen.efficiency,
        payout=chosen.payout,
        note=note,
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


def plan_in_force(firm: FirmView) -> SeatDecision:
    """The firm's price and weekly spends as they stand, nothing paid out.

    Marketing is None: it stays as it is.
    """
    return SeatDecision(
        price=firm.price,
        experience=firm.spend_experience,
        selection=firm.spend_selection,
        efficiency=firm.spend_efficiency,
        innovation=firm.spend_innovation,
        marketing=None,
    )


class PlayerSeat(Strategy):
    """A firm run by a person: one decision per quarter, channels at the yearly review.

    Args:
        source: asked once per decision moment with the firm's snapshot, the market
            view and, in a channel review, the channel options and current channels
            (None otherwise); returns the person's :class:`SeatDecision`, or None to
            keep the plan in force unrecorded (the last week: nothing left to decide
            for). None: the seat is submitted to (:meth:`submit`).
        traits: traits of this seat, if not the class's (the vitality traits
            ``proxy_focus`` and ``decision_velocity`` are undeclared, so 0.5 each, unless
            the scenario sets them for the firm).
        bot: the firm's own strategy, which decides while nobody holds a submitted seat
            (its parameters, traits and channel choices are the seat's).
        plan: the plan in force at the start (an asked seat's first defaults).

    Attributes:
        held: whether a person holds the seat (an asked seat always is).
        pending: the submitted decision waiting for the next quarter (None: none).
        decisions: every decision of the person the seat put into the model, in order.
        plan: the decision carried into the next quarter (no payout, no acquisition).
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

    def __init__(
        self,
        source: DecisionSource | None = None,
        traits: dict | None = None,
        bot: Strategy | None = None,
        plan: SeatDecision | None = None,
        **params,
    ):
        if bot is None:
            super().__init__(**params)
        else:
            self.params, self.traits = bot.params, bot.traits
        if traits is not None:
            self.traits = dict(traits)
        self.source = source
        self.bot = bot
        self.held = bot is None
        self.opening = True
        self.plan = plan
        self.pending: SeatDecision | None = None
        self.decisions: list[SeatDecision] = []
        self.decided_week: int | None = None
        self.decision: SeatDecision | None = None

    # ------------------------------------------------------------------ the person's side

    def record(self, decision: SeatDecision) -> SeatDecision:
        """Record a decision put into the model; the next quarter carries its plan."""
        self.decisions.append(decision)
        self.plan = decision.next_quarter()
        return decision

    def submit(self, decision: SeatDecision) -> None:
        """Keep the person's decision for the next quarter (it replaces one kept before).

        Raises:
            ValueError: for decisions that do not go together (see
                :attr:`SeatDecision.problem`).
        """
        problem = decision.problem
        if problem:
            raise ValueError(problem)
        self.pending = decision

    def withdraw(self) -> None:
        """Forget the decision kept for the next quarter."""
        self.pending = None

    def start_quarter(self, model, firm) -> SeatDecision | None:
        """The quarter starts: the kept decision goes into the model and is recorded.

        Args:
            model: the firm's model (its ``schedule_decision`` applies the decision now
                or after the firm's decision lag, as for any firm).
            firm: the seat's firm.

        Returns:
            The decision put in (None: none was kept; the plan in force goes on).
        """
        decision, self.pending = self.pending, None
        if decision is None:
            return None
        model.schedule_decision(firm, model_decision(decision, "player: submitted"))
        return self.record(decision)

    # ------------------------------------------------------------------ the model's side

    def decision_for(
        self,
        firm: FirmView,
        view: MarketView,
        options: tuple[ChannelSet, ...] | None = None,
        current: ChannelSet | None = None,
    ) -> SeatDecision:
        """The person's decision for this week (asked once, at the first question)."""
        if self.decided_week == firm.week and self.decision is not None:
            return self.decision
        if self.source is None:
            raise RuntimeError("an asked seat needs a decision source (see sim.play)")
        answer = self.source(firm, view, options, current)
        if answer is not None:
            decision = self.record(answer)
        elif self.plan is not None:
            decision = self.plan
        else:
            raise RuntimeError("the decision source decided nothing and no plan is in force")
        self.decision, self.decided_week = decision, firm.week
        return decision

    def choose_channels(
        self,
        firm: FirmView,
        view: MarketView,
        options: tuple[ChannelSet, ...],
        current: ChannelSet,
    ) -> ChannelSet:
        """The person's channels, if they are among the options; else the current ones.

        A submitted seat's channels are its bot's choice (the current ones without a bot).
        """
        if self.source is None:
            if self.bot is None:
                return current
            return self.bot.choose_channels(firm, view, options, current)
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
        """The quarter's decision: the person's, the plan in force, or the bot's.

        An asked seat answers with the person's decision. A submitted seat keeps the
        plan in force (nothing paid out) while a person holds it and at the opening;
        otherwise its bot decides.
        """
        if self.source is not None:
            return model_decision(self.decision_for(firm, view))
        opening, self.opening = self.opening, False
        if not (self.held or opening) and self.bot is not None:
            return self.bot.decide(firm, view)
        return model_decision(plan_in_force(firm), "player: waiting for the decision")
