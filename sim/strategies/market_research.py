"""A firm's market research: the consumers it sampled and the demand they imply.

:class:`MarketResearch` is what ``MarketView.research`` holds (or its channel-aware
subclass, :class:`sim.strategies.channel_research.ChannelMarketResearch`): a strategy
asks it what it would sell at another price or with other stocks.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sim.mechanics.demand import (
    choice_utilities,
    log_sum_of_others,
    logit_best_response_price,
    logit_group_best_response_price,
    logit_probabilities,
)
from sim.mechanics.relationship import repeat_units_gained
from sim.strategies.research_terms import ResearchTerms
from sim.strategies.trust_view import TrustPolicy, TrustResearch


@dataclass(frozen=True)
class MarketResearch:
    """A sample of consumers and the firms they can choose, as the firm's research sees them.

    ``weights`` convert the sample into expected weekly purchases of the whole market
    (need rate times population over sample size). ``terms`` says what the research
    cost and how precise it is when research with noise is on (None: free and exact).
    ``brand_match`` holds the sampled consumers' lasting match with each firm (``(K, F)``
    utils, ``sim.components.heterogeneity``; None without one).
    """

    own: int
    outside_utility: float
    quality: np.ndarray
    price: np.ndarray
    selection: np.ndarray
    experience: np.ndarray
    price_sensitivity: np.ndarray
    selection_taste: np.ndarray
    experience_taste: np.ndarray
    expectation: np.ndarray
    habit_strength: np.ndarray
    last_firm: np.ndarray
    available: np.ndarray
    weights: np.ndarray
    habit_scale: np.ndarray | None = None
    siblings: tuple[int, ...] = ()
    sibling_markups: np.ndarray | None = None
    need_rate: np.ndarray | None = None
    terms: ResearchTerms | None = None
    trust: TrustResearch | None = None
    brand_match: np.ndarray | None = None

    def _utilities(
        self, price: np.ndarray, selection: np.ndarray, experience: np.ndarray
    ) -> np.ndarray:
        utilities = self._known_utilities(price, selection, experience)
        if self.trust is not None:
            utilities += self.trust.adjustment
        if self.brand_match is not None:
            utilities += self.brand_match
        return utilities

    def _known_utilities(
        self, price: np.ndarray, selection: np.ndarray, experience: np.ndarray
    ) -> np.ndarray:
        return choice_utilities(
            self.quality,
            price,
            np.log(np.maximum(selection, 1.0)),
            experience,
            self.price_sensitivity,
            self.selection_taste,
            self.experience_taste,
            self.expectation,
            self.habit_strength,
            self.last_firm,
            self.available,
            self.habit_scale,
        )

    def _with_own(self, array: np.ndarray, value: float | None) -> np.ndarray:
        if value is None:
            return array
        changed = array.copy()
        changed[self.own] = value
        return changed

    @functools.cached_property
    def _fixed_part(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per sampled consumer, what stays fixed while the firm varies its own offer.

        ``L_i = ln(exp(u0) + sum_{k != own} exp(V_ik))`` (rivals' offers are fixed within
        one research sample), the firm's utility less its price, selection and experience
        terms, and whether the consumer can buy from the firm. Computed once per sample.
        """
        utilities = self._utilities(self.price, self.selection, self.experience)
        log_rest = log_sum_of_others(utilities, self.own, self.outside_utility)
        base = self.quality[self.own] - self.experience_taste * self.expectation
        own_habit = 1.0 if self.habit_scale is None else float(self.habit_scale[self.own])
        base = base + np.where(self.last_firm == self.own, self.habit_strength * own_habit, 0.0)
        if self.brand_match is not None:
            base = base + self.brand_match[:, self.own]
        if self.trust is not None:
            # Doubt about the own firm; beliefs follow a change in its experience only as
            # far as the evidence weighs (pass-through), so that share is kept at today's.
            kept = self.experience_taste * (1.0 - self._own_pass_through)
            base = base + self.trust.adjustment[:, self.own] + kept * self.experience[self.own]
        return log_rest, base, self.available[:, self.own]

    @functools.cached_property
    def _own_pass_through(self) -> np.ndarray | float:
        """Share of a change in own experience the sample's beliefs follow (1 without trust)."""
        if self.trust is None:
            return 1.0
        return self.trust.pass_through(self.trust.policy)

    @property
    def _own_experience_taste(self) -> np.ndarray:
        """``gamma_i`` times the pass-through: what own experience is worth to the sample."""
        if self.trust is None:
            return self.experience_taste
        return self.experience_taste * self._own_pass_through

    def demand_with_trust(self, policy: TrustPolicy) -> tuple[float, np.ndarray]:
        """Expected weekly units at the current offer if the firm's trust remedies were ``policy``.

        Args:
            policy: a :class:`~sim.strategies.trust_view.TrustPolicy` (referral aside).

        Returns:
            ``(units, buyers)``: expected units and expected purchases per sampled consumer.
        """
        if self.trust is None:
            raise ValueError("demand_with_trust needs research with trust switched on")
        log_rest, base, own_available = self._fixed_part
        own = self.own
        known = (
            base
            - self.trust.adjustment[:, own]
            - self.experience_taste * (1.0 - self._own_pass_through) * self.experience[own]
        )
        utility = (
            known
            + self.trust.own_adjustment(policy)
            - self.price_sensitivity * self.price[own]
            + self.selection_taste * math.log(max(self.selection[own], 1.0))
            + self.experience_taste * self.experience[own]
        )
        share = 0.5 - 0.5 * np.tanh(0.5 * (log_rest - utility))
        buyers = self.weights * np.where(own_available, share, 0.0)
        return float(buyers.sum()), buyers

    def demand(
        self,
        price: float | None = None,
        experience: float | None = None,
        selection: float | None = None,
    ) -> float:
        """Expected weekly units of the firm if it changed its own price or stocks.

        The firm's logit share for consumer i is ``1 / (1 + exp(L_i - V_i,own))``, computed
        as ``(1 - tanh((L_i - V_i,own) / 2)) / 2``, which cannot overflow; only the firm's
        own utility is evaluated for each candidate offer.

        Args:
            price: own price to evaluate (current if None).
            experience: own experience quality (current if None).
            selection: own selection (current if None).

        Returns:
            Expected units per week.
        """
        log_rest, base, own_available = self._fixed_part
        own = self.own
        price = self.price[own] if price is None else price
        experience = self.experience[own] if experience is None else experience
        selection = self.selection[own] if selection is None else selection
        gap = (
            log_rest
            - base
            + self.price_sensitivity * price
            - self.selection_taste * math.log(max(selection, 1.0))
            - self._own_experience_taste * experience
        )
        gap *= 0.5
        np.tanh(gap, out=gap)
        share = 0.5 - 0.5 * gap
        return float(self.weights @ np.where(own_available, share, 0.0))

    def demand_grid(
        self, price: ArrayLike, experience: ArrayLike, selection: ArrayLike
    ) -> np.ndarray:
        """:meth:`demand` for many candidate offers at once.

        Args:
            price: own prices, an array or a number (broadcast against the others).
            experience: own experience qualities, likewise.
            selection: own selections, likewise.

        Returns:
            Expected weekly units per candidate, shaped like the broadcast arguments.
        """
        price, experience, selection = np.broadcast_arrays(
            np.asarray(price, dtype=float),
            np.asarray(experience, dtype=float),
            np.asarray(selection, dtype=float),
        )
        shape = price.shape
        log_rest, base, own_available = self._fixed_part
        weights = np.where(own_available, self.weights, 0.0)
        gap = (
            (log_rest - base)[None, :]
            + self.price_sensitivity[None, :] * price.reshape(-1, 1)
            - self.selection_taste[None, :] * np.log(np.maximum(selection, 1.0)).reshape(-1, 1)
            - np.multiply(self._own_experience_taste, experience.reshape(-1, 1))
        )
        gap *= 0.5
        np.tanh(gap, out=gap)
        units = 0.5 * weights.sum() - 0.5 * (gap @ weights)
        return units.reshape(shape)

    def demand_by_firm(self, price: float | None = None) -> np.ndarray:
        """Expected weekly units of every firm (by slot) if the firm set its own price.

        Logit shares of every sampled consumer (``sim.mechanics.demand``), weighted up to
        the market.

        Args:
            price: own price to evaluate (current if None).

        Returns:
            ``(F,)`` expected units per week.
        """
        utilities = self._utilities(
            self._with_own(self.price, price), self.selection, self.experience
        )
        return self.weights @ logit_probabilities(utilities, self.outside_utility)[:, 1:]

    def repeat_units_per_sale(self, horizon_weeks: float) -> float:
        """Units a sale today brings back over ``horizon_weeks`` through habit.

        Evaluates :func:`sim.mechanics.relationship.repeat_units_gained` for each sampled
        consumer at the current offers (``N_i = lambda_i * horizon_weeks``) and averages
        over the firm's expected buyers. Rivals' offers seen by a consumer stay as they are.

        Args:
            horizon_weeks: weeks over which repeat purchases count.

        Returns:
            Expected repeat units per sale (0 without habit or without need rates).
        """
        if self.need_rate is None or horizon_weeks <= 0:
            return 0.0
        log_rest, base, own_available = self._fixed_part
        own = self.own
        habit = self.habit_strength * (
            1.0 if self.habit_scale is None else float(self.habit_scale[own])
        )
        holds = self.last_firm == own
        offer = (
            base
            - np.where(holds, habit, 0.0)
            - self.price_sensitivity * self.price[own]
            + self.selection_taste * math.log(max(self.selection[own], 1.0))
            + self._own_experience_taste * self.experience[own]
        )
        share_without = 0.5 - 0.5 * np.tanh(0.5 * (log_rest - offer))
        share_with = 0.5 - 0.5 * np.tanh(0.5 * (log_rest - offer - habit))
        rivals_given_rest = -np.expm1(np.minimum(self.outside_utility - log_rest, 0.0))
        rival_with = rivals_given_rest * (1.0 - share_with)
        gained = repeat_units_gained(
            share_with, share_without, rival_with, self.need_rate * horizon_weeks
        )
        buyers = self.weights * np.where(
            own_available, np.where(holds, share_with, share_without), 0
        )
        total = float(buyers.sum())
        return float(buyers @ gained) / total if total > 0 else 0.0

    def best_response_price(self, unit_cost: float, start_price: float) -> float:
        """Price that maximises expected weekly profit against rivals' current prices.

        A brand whose owner has other live brands (``siblings``) maximises the owner's
        profit instead, taking the siblings' current markups as given.

        Args:
            unit_cost: marginal cost ($ per unit).
            start_price: where the search starts ($).

        Returns:
            The profit-maximising price ($).
        """
        utilities = self._utilities(
            self._with_own(self.price, 0.0), self.selection, self.experience
        )
        if self.siblings:
            if self.sibling_markups is None:
                raise ValueError("research with sibling brands needs their markups")
            return logit_group_best_response_price(
                self.own,
                unit_cost,
                utilities,
                self.price_sensitivity,
                self.outside_utility,
                self.weights,
                start_price,
                self.siblings,
                self.sibling_markups,
            )
        return logit_best_response_price(
            self.own,
            unit_cost,
            utilities,
            self.price_sensitivity,
            self.outside_utility,
            self.weights,
            start_price,
        )
