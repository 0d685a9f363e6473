"""The repeat stage with channels: who owns the relationship learns; members renew.

:class:`Relationships` is owned by the channel component
(``model.channels.relationships``). After buyers have judged their purchase, the owner of
each relationship (the brand for a direct sale, the platform otherwise) gets the data and
the learning (``sim.mechanics.learning``), a brand bought through a platform fades from
the buyer's mind, and subscribers to automatic execution sign up or cancel. At a
quarter's end it counts each firm's owned customers and their fit, closes platforms'
books and renews memberships.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.components.channels.state import DIRECT
from sim.mechanics.journey import auto_cancellation, auto_enrolment
from sim.mechanics.learning import effective_fit, individual_fit_update, population_knowledge
from sim.mechanics.platforms import fade_awareness, membership_value
from sim.scenario.schema_channels import ConnectedKind

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.agents.platform import Platform
    from sim.components.channels.component import Channels
    from sim.model.market import MarketModel

    FitGroup = tuple[np.ndarray | None, Sequence[Firm | Platform], np.ndarray, np.ndarray]
    """Fit columns, their owners, which purchases they own, and each purchase's owner."""


class Relationships:
    """Stages of the repeat step and the channel quarter close.

    Args:
        model: the model.
        channels: the channel component that owns these stages.
    """

    def __init__(self, model: MarketModel, channels: Channels):
        self.model = model
        self.channels = channels

    def learn(self) -> None:
        """Relationship owners get the habit, data and learning; brands fade on platforms."""
        model, channels = self.model, self.channels
        if not channels.mode:
            return
        bought = channels.journey.bought
        cols, state = model.population.columns, channels.state
        fade = model.spec.relationships.awareness_fade
        via_platform = (bought.channel > 0) & (bought.brand >= 0)
        if fade > 0 and via_platform.any():
            rows, brands = bought.rows[via_platform], bought.brand[via_platform]
            cols.aware[rows, brands] = fade_awareness(
                cols.aware[rows, brands], model.rng.random(len(rows)), fade
            )
        if state.fit_firm is not None:
            self.learn_from_interactions()
        self.automatic_sign_ups()

    def learn_from_interactions(self) -> None:
        """Individual fit and population knowledge grow for the relationship's owner."""
        model, channels = self.model, self.channels
        bought, state = channels.journey.bought, channels.state
        state.fit_firms(len(model.firms))
        learning = model.spec.learning
        per_1000 = len(model.population) / 1000.0
        groups: tuple[FitGroup, FitGroup] = (
            (state.fit_firm, model.firms, bought.channel == DIRECT, bought.brand),
            (state.fit_platform, model.platforms, bought.channel > 0, bought.channel - 1),
        )
        for fit, owners, mask, owner_index in groups:
            if fit is None or not owners or not mask.any():
                continue
            multiplier = np.array(
                [
                    learning.connected_multiplier if o.connected is not ConnectedKind.none else 1.0
                    for o in owners
                ]
            )
            rows, index = bought.rows[mask], owner_index[mask].astype(np.int64)
            rate = np.minimum(1.0, learning.individual_rate * multiplier[index]).astype(np.float32)
            fit[rows, index] = individual_fit_update(fit[rows, index], rate)
            data = np.bincount(index, minlength=len(owners)) * multiplier
            for o, owner in enumerate(owners):
                owner.data_interactions += float(data[o])
                owner.knowledge = population_knowledge(
                    owner.data_interactions / per_1000, learning.data_scale
                )

    def automatic_sign_ups(self) -> None:
        """Direct buyers of automatic-execution offerers may subscribe; disappointed cancel."""
        model, channels = self.model, self.channels
        bought, state = channels.journey.bought, channels.state
        auto = ConnectedKind.automatic_execution
        firm_offers = np.array([f.connected is auto for f in model.firms])
        platform_offers = np.array([p.offers(auto) for p in model.platforms], dtype=bool)
        if not firm_offers.any() and not platform_offers.any():
            return
        connected = model.spec.connected
        cancel = bought.automatic & auto_cancellation(
            bought.satisfaction, connected.auto_cancel_below
        )
        state.auto_firm[bought.rows[cancel]] = -1
        state.auto_platform[bought.rows[cancel]] = -1
        owner_offers = np.zeros(len(bought.rows), dtype=bool)
        direct = bought.channel == DIRECT
        owner_offers[direct] = firm_offers[bought.brand[direct]]
        if len(platform_offers):
            via = bought.channel > 0
            owner_offers[via] = platform_offers[bought.channel[via] - 1]
        candidates = np.flatnonzero(owner_offers & ~bought.automatic)
        if not len(candidates):
            return
        joins = candidates[auto_enrolment(model.rng.random(len(candidates)), connected.auto_enrol)]
        rows, channel = bought.rows[joins], bought.channel[joins]
        is_direct = channel == DIRECT
        state.auto_firm[rows] = np.where(is_direct, bought.brand[joins], -1)
        state.auto_platform[rows] = np.where(is_direct, -1, channel - 1)

    def close_quarter(self) -> None:
        """Count owned relationships and fit; platforms close books; members renew."""
        model, channels = self.model, self.channels
        if not channels.mode:
            for firm in model.firms:
                firm.owned_customers = firm.last_quarter.customers
            return
        cols, state = model.population.columns, channels.state
        state.fit_firms(len(model.firms))
        direct = (state.last_channel == DIRECT) & (cols.last_firm >= 0)
        owners = cols.last_firm[direct]
        owned = np.bincount(owners, minlength=len(model.firms))
        fit_sum = np.zeros(len(model.firms))
        if state.fit_firm is not None and len(owners):
            knowledge = np.array([f.knowledge for f in model.firms], dtype=np.float32)
            own_fit = effective_fit(
                state.fit_firm[np.flatnonzero(direct), owners],
                knowledge[owners],
                model.spec.learning.population_share,
            )
            fit_sum = np.bincount(owners, weights=own_fit, minlength=len(model.firms))
        for firm in model.firms:
            firm.owned_customers = int(owned[firm.slot])
            firm.mean_fit = fit_sum[firm.slot] / owned[firm.slot] if owned[firm.slot] else 0.0
        total = channels.quarter_purchases
        for platform in model.platforms:
            power = platform.tally.units / total if total > 0 else 0.0
            platform.close_quarter(power)
        channels.quarter_purchases = 0.0
        self.renew_memberships()
        model.platform_moves.close_quarter(model)  # (moves) dependence, own label, data value

    def renew_memberships(self) -> None:
        """Consumers join or keep a membership when it is worth its fee to them."""
        model, channels = self.model, self.channels
        cols, state = model.population.columns, channels.state
        for k, platform in enumerate(model.platforms):
            terms = platform.open_membership(model.week)
            if not platform.alive or terms is None:
                state.member[:, k] = False
                platform.members = 0
                continue
            value = membership_value(
                cols.need_rate,
                state.last_channel == k + 1,
                cols.experience_taste,
                cols.price_sensitivity,
                terms.delivery_bonus,
                terms.loyalty_bonus,
            )
            state.member[:, k] = state.aware_platform[:, k] & (value >= terms.fee) & (value > 0)
            platform.members = int(state.member[:, k].sum())
