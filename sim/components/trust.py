"""Trust before buying, held by the model as a component (``model.trust``).

:class:`Trust` runs the stages of ``MarketModel.step`` that concern doubt: home try-ons,
the utils doubt adds at choice, buyers learning from their purchase (reviews, returns,
referral rewards), and what buyers tell their neighbours. Its beliefs are a
:class:`~sim.components.trust_beliefs.TrustBeliefs`, present only when the scenario
switches trust on; switched off, every stage is a no-op and draws nothing. The
economics are the pure functions of :mod:`sim.mechanics.trust`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.components.trust_beliefs import TrustBeliefs
from sim.strategies.trust_view import TrustPolicy

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel

TRUST_FIRM_COLUMNS = [
    "guarantee",
    "free_returns",
    "try_on",
    "reviews",
    "referral_reward",
    "returns",
    "refunds",
    "return_collection",
    "try_ons",
    "try_on_cost",
    "review_cost",
    "referred_customers",
    "referral_payments",
    "trust_cost",
    "belief_mean",
    "belief_sd",
    "trust_gap",
    "review_count",
    "review_mean",
]
"""Columns added to the firm table when trust is on (units in ``docs/ODD.md`` 7.26)."""


class Trust:
    """Stages of ``MarketModel.step`` for trust (no-ops when the scenario leaves it off).

    Args:
        model: the model, with its firms and consumers already built.
    """

    name: ClassVar[str] = "trust"

    def __init__(self, model: MarketModel):
        self.model = model
        spec = model.spec
        self.beliefs: TrustBeliefs | None = None
        self._measures: dict[str, np.ndarray] = {}
        self._measures_key: tuple[int, int] | None = None
        if not spec.trust.enabled:
            return
        unfamiliar_names = set(spec.trust.unfamiliar_firms)
        unfamiliar: list[bool] = []
        for firm_spec in spec.firms:
            unfamiliar += [firm_spec.name in unfamiliar_names] * firm_spec.count
        self.beliefs = TrustBeliefs(
            spec.trust,
            spec.consumers.count,
            model.firm_vector("experience"),
            np.array(unfamiliar),
            spec.consumers.experience_noise_sd,
            spec.word_of_mouth.disappointment_threshold,
        )

    @property
    def on(self) -> bool:
        """Whether the scenario switches trust on."""
        return self.beliefs is not None

    @property
    def firm_columns(self) -> list[str]:
        """Columns of the firm table (none when trust is off)."""
        return TRUST_FIRM_COLUMNS if self.beliefs is not None else []

    # ------------------------------------------------------------------ stages

    def start_week(self) -> None:
        """Reset the week's flows; reviews age."""
        if self.beliefs is not None:
            self.beliefs.start_week()

    def firm_enters(self) -> None:
        """An entrant's column: consumers start from the prior about it."""
        if self.beliefs is None:
            return
        live = np.array([f.experience for f in self.model.firms[:-1] if f.alive])
        self.beliefs.add_firm(self.beliefs.prior_for_entrant(live), True)

    def consumers_try_on(self) -> None:
        """Shoppers order home try-on kits from firms that offer them (trust)."""
        if self.beliefs is None:
            return
        model = self.model
        rows = model.choosers
        self.beliefs.try_on(
            rows,
            model.population.columns.aware[rows],
            model.alive_mask,
            model.firm_vector("experience"),
            model.rng,
        )

    def adjustment(self, rows: np.ndarray, price_sensitivity: np.ndarray) -> np.ndarray | None:
        """Utils doubt adds to each firm's utility for consumers ``rows``, ``(len(rows), F)``.

        None when trust is off.
        """
        if self.beliefs is None:
            return None
        return self._adjustment(self.beliefs, rows, price_sensitivity)

    def _adjustment(
        self, beliefs: TrustBeliefs, rows: np.ndarray, price_sensitivity: np.ndarray
    ) -> np.ndarray:
        cols = self.model.population.columns
        return beliefs.adjustment(
            rows,
            self.model.firm_vector("experience"),
            cols.experience_taste[rows],
            price_sensitivity,
            cols.expectation[rows],
        )

    def buyers_judge(
        self,
        experienced: np.ndarray,
        felt: np.ndarray,
        previous_last_firm: np.ndarray | None,
    ) -> None:
        """Buyers learn, review, return or earn a referral; the week's trust costs are booked.

        A returned unit leaves its buyer no customer of the firm: her last firm stays the
        one before.
        """
        if self.beliefs is None or previous_last_firm is None:
            return
        model = self.model
        cols = model.population.columns
        returned = self.beliefs.buyers_learn(
            model.buyers, model.bought_from, experienced, felt, model.firm_vector("price")
        )
        if returned.any():
            cols.last_firm[model.buyers[returned]] = previous_last_firm[returned]
        self.beliefs.book(model.firms)

    def word_of_mouth_informs(self) -> None:
        """What buyers tell their neighbours moves the neighbours' beliefs (trust)."""
        talk = self.model.lifecycle.word_of_mouth
        if self.beliefs is None or not talk.on:
            return
        model = self.model
        voice = np.ones(len(model.buyers))
        if not all(firm.direct_relationship for firm in model.firms):
            scale = np.array(
                [
                    1.0 if f.direct_relationship else model.spec.word_of_mouth.intermediated_voice
                    for f in model.firms
                ]
            )
            voice = scale[model.bought_from]
        self.beliefs.hear(talk.network, talk.degree, model.buyers, model.bought_from, voice)

    def voice(self, positive: np.ndarray, firm_of: np.ndarray) -> np.ndarray:
        """Positive voices raised by each firm's referral reward (unchanged when off)."""
        if self.beliefs is None:
            return positive
        return positive * self.beliefs.voice_scale()[firm_of]

    def note_referrals(self, listeners: np.ndarray, slots: np.ndarray | int) -> None:
        """Consumers who learned of a firm from a customer's recommendation (when on)."""
        if self.beliefs is not None:
            self.beliefs.note_referrals(listeners, slots)

    def set_policy(self, slot: int, policy: TrustPolicy) -> None:
        """The remedies a firm's decision puts in force (when on)."""
        if self.beliefs is not None:
            self.beliefs.set_policy(slot, policy)

    # ------------------------------------------------------------------ views and rows

    def view_fields(self, firm: Firm) -> dict[str, Any]:
        """The ``trust_policy`` field of a firm's view (nothing when off)."""
        if self.beliefs is None:
            return {}
        return {"trust_policy": self.beliefs.policies[firm.slot]}

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """Trust columns of a firm's row (empty when off); beliefs computed once a week."""
        if self.beliefs is None:
            return {}
        cols = model.population.columns
        key = (model.week, len(model.firms))
        if self._measures_key != key:
            everyone = np.arange(len(cols))
            experience = model.firm_vector("experience")
            mean, variance = self.beliefs.beliefs(everyone, experience)
            adjustment = self._adjustment(self.beliefs, everyone, cols.price_sensitivity)
            self._measures = self.beliefs.belief_measures(
                cols.aware, mean, variance, adjustment, cols.price_sensitivity
            )
            self._measures_key = key
        return self.beliefs.firm_row(firm.slot, self._measures)

    def research(self, firm: Firm, rows: np.ndarray) -> dict[str, Any]:
        """The ``trust`` field of a firm's market research (nothing when off)."""
        if self.beliefs is None:
            return {}
        model = self.model
        cols = model.population.columns
        aware = cols.aware[rows] & model.alive_mask[None, :]
        adjustment = self._adjustment(self.beliefs, rows, cols.price_sensitivity[rows])
        experience = model.firm_vector("experience")
        return {"trust": self.beliefs.research(firm, rows, cols, aware, experience, adjustment)}
