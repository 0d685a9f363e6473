"""What a strategy sees of consumers' trust: its remedies in force and its research on doubt.

Only present when the scenario switches trust on (``sim/mechanics/trust.py``); without it
``MarketResearch.trust`` is None and ``FirmView.trust_policy`` is all off.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from sim.mechanics import trust

if TYPE_CHECKING:  # both import this module
    from sim.strategies.decision import Decision
    from sim.strategies.market_research import MarketResearch


@dataclass(frozen=True)
class TrustPolicy:
    """A firm's remedies for consumers' doubt (all off by default).

    Attributes:
        guarantee: money-back trial: a disappointed buyer returns the unit for a refund.
        free_returns: the firm pays the collection of a returned unit (needs guarantee).
        try_on: home try-on: an uninformed shopper sees the experience before buying.
        reviews: the firm publishes its buyers' reviews.
        referral_reward: $ paid per new customer referred by a customer.
    """

    guarantee: bool = False
    free_returns: bool = False
    try_on: bool = False
    reviews: bool = False
    referral_reward: float = 0.0


@dataclass(frozen=True)
class TrustResearch:
    """The research sample's beliefs about the firms, and the firm's levers on them.

    ``adjustment`` is the utility each sampled consumer's doubt adds to each firm's
    known-experience utility at the remedies now in force
    (:func:`sim.mechanics.trust.trust_adjustment`); the ``own_*`` arrays are the sample's
    private beliefs about the deciding firm, before reviews and try-on.
    """

    adjustment: np.ndarray
    own_mean: np.ndarray
    own_variance: np.ndarray
    own_aware: np.ndarray
    own_experience: float
    prior_variance: float
    review_mean: float
    review_count: float
    policy: TrustPolicy
    experience_taste: np.ndarray
    price_sensitivity: np.ndarray
    expectation: np.ndarray
    risk_aversion: float
    noise_sd: float
    review_variance: float
    disappointment_threshold: float
    return_cost: float
    try_on_cost: float
    review_cost: float
    referral_gain: float
    referral_half_reward: float
    referred_per_week: float = 0.0

    def beliefs(self, policy: TrustPolicy) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Beliefs about the own firm a shopper holds when choosing, under ``policy``.

        Published reviews are read first; a shopper still less informed than one own
        purchase would make her orders a try-on kit and sees the experience (evaluated at
        the expected signal, the true experience).

        Returns:
            ``(mean, variance, orders_kit)`` per sampled consumer.
        """
        mean, variance = self.own_mean, self.own_variance
        if policy.reviews:
            mean, variance = trust.review_belief(
                mean[:, None],
                variance[:, None],
                np.array([self.review_mean]),
                np.array([self.review_count]),
                self.review_variance,
            )
            mean, variance = mean[:, 0], variance[:, 0]
        noise = self.noise_sd**2
        one_trial = self.prior_variance * noise / (self.prior_variance + noise) if noise else 0.0
        kit = np.zeros(len(mean), dtype=bool)
        if policy.try_on:
            kit = self.own_aware & (variance > one_trial * (1.0 + 1e-5))
            tried_mean, tried_variance = trust.update_belief(
                mean, variance, np.asarray(self.own_experience, dtype=float), noise
            )
            mean = np.where(kit, tried_mean, mean)
            variance = np.where(kit, tried_variance, variance)
        return mean, variance, kit

    def own_adjustment(self, policy: TrustPolicy) -> np.ndarray:
        """Utils the sample's doubt adds to the own firm's utility under ``policy``."""
        mean, variance, _ = self.beliefs(policy)
        buyer_cost = 0.0 if policy.free_returns else self.return_cost
        return trust.trust_adjustment(
            np.array([self.own_experience]),
            mean[:, None],
            variance[:, None],
            self.experience_taste,
            self.price_sensitivity,
            self.expectation,
            self.risk_aversion,
            np.array([policy.guarantee]),
            np.array([buyer_cost]),
            self.disappointment_threshold,
            self.noise_sd,
        )[:, 0]

    def pass_through(self, policy: TrustPolicy) -> np.ndarray:
        """Share of a change in the true experience that beliefs follow: ``1 - v / v0``.

        Under the normal-normal update the posterior mean weighs the evidence by
        ``1 - v / v0``; a known experience (``v0 = 0``) is followed fully.
        """
        if self.prior_variance <= 0:
            return np.ones(len(self.own_mean))
        _, variance, _ = self.beliefs(policy)
        return np.clip(1.0 - variance / self.prior_variance, 0.0, 1.0)

    def return_chance(self) -> np.ndarray:
        """True chance that a buyer is disappointed: ``Phi((e - tau - x) / sigma)``."""
        return trust.disappointment_probability(
            np.full(len(self.expectation), self.own_experience),
            np.zeros(len(self.expectation)),
            self.expectation,
            self.disappointment_threshold,
            self.noise_sd,
        )

    def weekly_cost(
        self, policy: TrustPolicy, buyers: np.ndarray, weights: np.ndarray, price: float
    ) -> float:
        """Expected weekly cost of ``policy`` ($): refunds and collections, kits, reviews.

        Args:
            policy: the remedies evaluated (the referral reward is costed apart).
            buyers: expected purchases per sampled consumer (weights times own share).
            weights: expected needs each sampled consumer stands for.
            price: own price ($).
        """
        cost = 0.0
        if policy.guarantee:
            per_return = price + (self.return_cost if policy.free_returns else 0.0)
            cost += per_return * float(buyers @ self.return_chance())
        if policy.try_on:
            _, _, kit = self.beliefs(policy)
            cost += self.try_on_cost * float(weights @ kit)
        if policy.reviews:
            cost += self.review_cost
        return cost

    def referral_multiplier(self, reward: float) -> float:
        """Voice of the firm's buyers under a referral reward (see the mechanic)."""
        return float(
            trust.referral_voice_multiplier(
                np.array(reward), self.referral_gain, self.referral_half_reward
            )
        )


def remedy_options() -> list[TrustPolicy]:
    """Every combination of guarantee (none, buyer pays returns, free returns), try-on, reviews."""
    options = []
    for guarantee, free in ((False, False), (True, False), (True, True)):
        for try_on in (False, True):
            for reviews in (False, True):
                options.append(TrustPolicy(guarantee, free, try_on, reviews))
    return options


REFERRAL_PRICE_SHARES = (0.05, 0.1, 0.2)
"""Referral rewards a strategy weighs, as shares of its price (Casper: $75 on a ~$1,000 bed)."""


def choose_remedies(
    research: MarketResearch,
    price: float,
    unit_cost: float,
    sale_value: float,
    rule: Literal["customers", "profit"],
) -> TrustPolicy | None:
    """The trust remedies a strategy puts in force, from its market research.

    Every combination of guarantee (none, buyer pays the collection, free returns),
    try-on and reviews is evaluated at the current offer: expected weekly units
    (:meth:`MarketResearch.demand_with_trust`) and expected weekly cost
    (:meth:`TrustResearch.weekly_cost`). The referral reward is chosen from
    ``REFERRAL_PRICE_SHARES`` of the price: last quarter's referred new customers per week
    ``rho`` (at the reward then in force) scale with the buyers' voice, so a reward ``R``
    brings ``rho_0 (mult(R) - 1)`` more new customers per week than none, at ``R rho_0
    mult(R)`` a week.

    Args:
        research: the firm's :class:`~sim.strategies.base.MarketResearch` (with ``trust``).
        price: own price ($).
        unit_cost: own unit cost ($).
        sale_value: what a sale is worth to the strategy, per $ of margin (1 plus the
            repeat units it brings within the strategy's horizon, discounted as it
            discounts).
        rule: ``"customers"`` (the most expected customers among remedies whose cost the
            sales they bring cover: customer-obsessed) or ``"profit"`` (the most expected
            weekly profit, a sale worth its margin times ``sale_value``:
            shareholder-focused).

    Returns:
        A :class:`TrustPolicy`, or None when the research has no trust.
    """
    info = research.trust
    if info is None:
        return None
    margin = max(price - unit_cost, 0.0)
    best, best_key = TrustPolicy(), None
    for option in remedy_options():
        units, buyers = research.demand_with_trust(option)
        cost = info.weekly_cost(option, buyers, research.weights, price)
        profit = margin * sale_value * units - cost
        if rule == "customers":
            if margin * sale_value * units < cost:
                continue
            key = (round(units, 9), -cost)
        else:
            key = (profit, -cost)
        if best_key is None or key > best_key:
            best, best_key = option, key
    base = info.referred_per_week / info.referral_multiplier(info.policy.referral_reward)
    reward, reward_key = 0.0, (0.0, 0.0)
    for share in REFERRAL_PRICE_SHARES:
        candidate = share * price
        multiplier = info.referral_multiplier(candidate)
        gained = base * (multiplier - 1.0)
        cost = candidate * base * multiplier
        value = margin * sale_value * gained
        if rule == "customers":
            candidate_key = (gained, -cost) if value >= cost else None
        else:
            candidate_key = (value - cost, -cost)
        if candidate_key is not None and gained > 0 and candidate_key > reward_key:
            reward, reward_key = candidate, candidate_key
    return TrustPolicy(best.guarantee, best.free_returns, best.try_on, best.reviews, reward)


def with_remedies(decision: Decision, policy: TrustPolicy | None) -> Decision:
    """``decision`` with the remedies of ``policy`` (unchanged when ``policy`` is None)."""
    if policy is None:
        return decision
    return dataclasses.replace(
        decision,
        guarantee=policy.guarantee,
        free_returns=policy.free_returns,
        try_on=policy.try_on,
        reviews=policy.reviews,
        referral_reward=policy.referral_reward,
    )
