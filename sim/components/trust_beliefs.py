"""Trust before buying: the consumers' beliefs about firms and the firms' remedies.

:class:`TrustBeliefs` owns the belief columns (one mean and one variance per consumer and
firm, float32), the firms' published reviews, who was referred to whom, the remedies each
firm has decided, and the week's costs of those remedies. The trust component
(:class:`sim.components.trust.Trust`) holds one only when the scenario switches trust on.
The economics are the pure functions of :mod:`sim.mechanics.trust`.
"""

from __future__ import annotations

import numpy as np

from sim.mechanics import trust as rules
from sim.mechanics import word_of_mouth as wom
from sim.scenario.schema_trust import TrustSpec
from sim.strategies.trust_view import TrustPolicy, TrustResearch

KIT_TOLERANCE = 1.0 + 1e-5
"""A shopper orders a kit when her variance exceeds one purchase's by more than float32 noise."""

FLOWS = (
    "returns",
    "refunds",
    "return_collection",
    "try_ons",
    "try_on_cost",
    "review_cost",
    "referred_customers",
    "referral_payments",
)


class TrustBeliefs:
    """Consumers' beliefs about firms' experience and the firms' remedies for doubt.

    Args:
        spec: the scenario's trust section.
        n_consumers: population size.
        experience: each starting firm's experience stock (units).
        unfamiliar: bool per starting firm: consumers do not know its experience; their
            prior mean is the known firms' mean experience unless the scenario sets one.
        noise_sd: spread of one experience (``consumers.experience_noise_sd``).
        disappointment_threshold: ``word_of_mouth.disappointment_threshold``.
    """

    def __init__(
        self,
        spec: TrustSpec,
        n_consumers: int,
        experience: np.ndarray,
        unfamiliar: np.ndarray,
        noise_sd: float,
        disappointment_threshold: float,
    ):
        self.spec = spec
        self.noise_variance = noise_sd * noise_sd
        self.noise_sd = noise_sd
        self.threshold = disappointment_threshold
        self.prior_variance = spec.prior_sd**2
        self.review_variance = self.noise_variance + spec.review_noise_sd**2
        self.hearsay_variance = self.noise_variance + spec.word_of_mouth_noise_sd**2
        self.review_decay = 0.5 ** (1.0 / spec.review_half_life_weeks)
        n_firms = len(experience)
        self.mean = np.zeros((n_consumers, 0), dtype=np.float32)
        self.variance = np.zeros((n_consumers, 0), dtype=np.float32)
        self.referred = np.zeros((n_consumers, 0), dtype=bool)
        self.review_count = np.zeros(0)
        self.review_sum = np.zeros(0)
        self.policies: list[TrustPolicy] = []
        self.firm_prior_variance = np.zeros(0)
        self.flows: dict[str, np.ndarray] = {}
        self.experienced: np.ndarray | None = None
        known = experience[~unfamiliar] if (~unfamiliar).any() else experience
        prior = float(np.mean(known)) if spec.prior_mean is None else spec.prior_mean
        for slot in range(n_firms):
            self.add_firm(prior, bool(unfamiliar[slot]))
        self.start_week()

    # ------------------------------------------------------------------ state

    def add_firm(self, prior_mean: float, unfamiliar: bool) -> None:
        """A column for a new firm slot: unknown (the prior) or known (variance 0)."""
        n = self.mean.shape[0]
        variance = self.prior_variance if unfamiliar else 0.0
        self.mean = np.concatenate([self.mean, np.full((n, 1), prior_mean, np.float32)], axis=1)
        self.variance = np.concatenate(
            [self.variance, np.full((n, 1), variance, np.float32)], axis=1
        )
        self.referred = np.concatenate([self.referred, np.zeros((n, 1), dtype=bool)], axis=1)
        self.review_count = np.append(self.review_count, 0.0)
        self.review_sum = np.append(self.review_sum, 0.0)
        self.policies.append(TrustPolicy())
        self.firm_prior_variance = np.append(self.firm_prior_variance, variance)
        if self.flows:  # empty until the first week starts
            for name in FLOWS:
                self.flows[name] = np.append(self.flows[name], 0.0)

    def prior_for_entrant(self, live_experience: np.ndarray) -> float:
        """Prior mean about an entrant: the scenario's, or the live firms' mean experience."""
        if self.spec.prior_mean is not None:
            return self.spec.prior_mean
        return float(np.mean(live_experience)) if len(live_experience) else 0.0

    def set_policy(self, slot: int, policy: TrustPolicy) -> None:
        """The remedies a firm's decision puts in force."""
        self.policies[slot] = policy

    def start_week(self) -> None:
        """Reset the week's flows; reviews age."""
        n_firms = len(self.policies)
        self.flows = {name: np.zeros(n_firms) for name in FLOWS}
        drift = self.spec.belief_drift_sd**2
        if drift > 0 and self.firm_prior_variance.any():
            self.variance = rules.drift_variance(self.variance, drift, self.firm_prior_variance)
        self.review_count *= self.review_decay
        self.review_sum *= self.review_decay
        self.experienced = None

    def policy_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per slot: guarantee, return cost a buyer pays, try-on, published review count."""
        guarantee = np.array([p.guarantee for p in self.policies])
        buyer_cost = np.array(
            [
                self.spec.return_cost if p.guarantee and not p.free_returns else 0.0
                for p in self.policies
            ]
        )
        try_on = np.array([p.try_on for p in self.policies])
        published = np.where([p.reviews for p in self.policies], self.review_count, 0.0)
        return guarantee, buyer_cost, try_on, published

    def review_means(self) -> np.ndarray:
        """Mean reviewed experience per firm (0 where there are no reviews)."""
        count = self.review_count
        return np.where(count > 0, self.review_sum / np.where(count > 0, count, 1.0), 0.0)

    # ------------------------------------------------------------------ beliefs at choice

    def beliefs(self, rows: np.ndarray, experience: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Beliefs of consumers ``rows`` when they choose: private ones, plus published reviews.

        Known cells (variance 0) hold the true experience.
        """
        mean = self.mean[rows].astype(float)
        variance = self.variance[rows].astype(float)
        mean = np.where(variance > 0, mean, experience[None, :])
        _, _, _, published = self.policy_arrays()
        if published.any():
            mean, variance = rules.review_belief(
                mean, variance, self.review_means(), published, self.review_variance
            )
        return mean, variance

    def try_on(
        self,
        rows: np.ndarray,
        aware: np.ndarray,
        alive: np.ndarray,
        experience: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        """Shoppers less informed than one purchase would make them try a firm's kit at home.

        Each kit is one signal ``x_j + sigma z`` (one normal draw per kit), paid by the firm.

        Args:
            rows: consumers with a need this week.
            aware: ``(len(rows), F)`` who knows which firm.
            alive: live firms.
            experience: true experience per firm.
            rng: the run's generator.
        """
        _, _, try_on, _ = self.policy_arrays()
        offering = np.flatnonzero(try_on & alive)
        if len(offering) == 0 or len(rows) == 0:
            return
        _, variance = self.beliefs(rows, experience)
        for slot in offering:
            prior = self.firm_prior_variance[slot]
            one_trial = (
                prior * self.noise_variance / (prior + self.noise_variance)
                if (prior + self.noise_variance) > 0
                else 0.0
            )
            kit = aware[:, slot] & (variance[:, slot] > one_trial * KIT_TOLERANCE)
            who = rows[kit]
            if len(who) == 0:
                continue
            signal = experience[slot] + self.noise_sd * rng.standard_normal(len(who))
            self._learn(who, slot, signal, self.noise_variance)
            self.flows["try_ons"][slot] += len(who)
            self.flows["try_on_cost"][slot] += self.spec.try_on_cost * len(who)

    def adjustment(
        self,
        rows: np.ndarray,
        experience: np.ndarray,
        experience_taste: np.ndarray,
        price_sensitivity: np.ndarray,
        expectation: np.ndarray,
    ) -> np.ndarray:
        """Utils that doubt adds to each firm's known-experience utility, ``(len(rows), F)``."""
        mean, variance = self.beliefs(rows, experience)
        guarantee, buyer_cost, _, _ = self.policy_arrays()
        return rules.trust_adjustment(
            experience,
            mean,
            variance,
            experience_taste,
            price_sensitivity,
            expectation,
            self.spec.risk_aversion,
            guarantee,
            buyer_cost,
            self.threshold,
            self.noise_sd,
        )

    # ------------------------------------------------------------------ after buying

    def _learn(self, who: np.ndarray, slot, signal: np.ndarray, signal_variance) -> None:
        """Update private beliefs of consumers ``who`` about firm(s) ``slot`` with signals."""
        mean, variance = rules.update_belief(
            self.mean[who, slot].astype(float),
            self.variance[who, slot].astype(float),
            signal,
            signal_variance,
        )
        self.mean[who, slot] = mean
        self.variance[who, slot] = variance

    def buyers_learn(
        self,
        buyers: np.ndarray,
        firm_of: np.ndarray,
        experienced: np.ndarray,
        satisfaction: np.ndarray,
        prices: np.ndarray,
    ) -> np.ndarray:
        """Buyers learn from their own purchase, review it, return it or earn a referral.

        Args:
            buyers: consumers who bought this week.
            firm_of: the firm slot each bought from.
            experienced: the experience each met.
            satisfaction: experience minus expectation of each.
            prices: price per firm slot ($).

        Returns:
            Boolean per buyer: returned the unit (a guarantee and disappointment).
        """
        self._learn(buyers, firm_of, experienced, self.noise_variance)
        self.experienced = experienced
        n_firms = len(self.policies)
        rate = self.spec.review_rate
        if rate > 0:
            self.review_count += rate * np.bincount(firm_of, minlength=n_firms)
            self.review_sum += rate * np.bincount(firm_of, weights=experienced, minlength=n_firms)
        guarantee, _, _, _ = self.policy_arrays()
        returned = guarantee[firm_of] & (satisfaction < -self.threshold)
        returns = np.bincount(firm_of[returned], minlength=n_firms).astype(float)
        self.flows["returns"] += returns
        self.flows["refunds"] += returns * prices
        free = np.array([p.free_returns for p in self.policies])
        self.flows["return_collection"] += np.where(free, returns * self.spec.return_cost, 0.0)
        referred = self.referred[buyers, firm_of]
        if referred.any():
            counts = np.bincount(firm_of[referred], minlength=n_firms).astype(float)
            rewards = np.array([p.referral_reward for p in self.policies])
            self.flows["referred_customers"] += counts
            self.flows["referral_payments"] += counts * rewards
            self.referred[buyers[referred], firm_of[referred]] = False
        return returned

    def book(self, firms) -> None:
        """Book the week's trust costs into each live firm's accounts."""
        flows = self.flows
        for firm in firms:
            if not firm.alive:
                continue
            slot = firm.slot
            if self.policies[slot].reviews:
                flows["review_cost"][slot] += self.spec.review_cost
            cost = (
                flows["refunds"][slot]
                + flows["return_collection"][slot]
                + flows["try_on_cost"][slot]
                + flows["review_cost"][slot]
                + flows["referral_payments"][slot]
            )
            firm.book_trust_costs(
                float(cost), float(flows["returns"][slot]), float(flows["referred_customers"][slot])
            )

    # ------------------------------------------------------------------ word of mouth

    def voice_scale(self) -> np.ndarray:
        """Multiplier of each firm's buyers' voice from its referral reward."""
        rewards = np.array([p.referral_reward for p in self.policies])
        return rules.referral_voice_multiplier(
            rewards, self.spec.referral_voice_gain, self.spec.referral_half_reward
        )

    def note_referrals(self, listeners: np.ndarray, slots: np.ndarray | int) -> None:
        """Consumers who learned of a firm from a customer's recommendation."""
        self.referred[listeners, slots] = True

    def hear(
        self,
        network,
        degree: np.ndarray,
        buyers: np.ndarray,
        firm_of: np.ndarray,
        voice: np.ndarray,
    ) -> None:
        """Listeners update their beliefs from what buying neighbours say they met.

        Each exposure is a signal of the speaker's experience with noise variance
        ``(sigma^2 + sigma_w^2) d / (w v)``: weight ``w`` (``word_of_mouth_weight``) times
        the speaker's voice scale ``v``, shared among the listener's ``d`` neighbours.
        On the complete graph every consumer hears the mean experience of each firm's
        buyers with weight ``w v B_j / (N - 1)``. Deterministic: no random draws.

        Args:
            network: the social network (CSR arrays, ``mean_field`` flag).
            degree: neighbours per consumer.
            buyers: speakers (this week's buyers).
            firm_of: the firm each spoke about.
            voice: voice scale per speaker (1 for a direct firm's buyer).
        """
        weight = self.spec.word_of_mouth_weight
        if weight <= 0 or len(buyers) == 0 or self.experienced is None or network.empty:
            return
        experienced = self.experienced
        n, n_firms = self.mean.shape
        if network.mean_field:
            spoken = np.bincount(firm_of, weights=voice, minlength=n_firms)
            said = np.bincount(firm_of, weights=voice * experienced, minlength=n_firms)
            everyone = np.arange(n)
            for slot in np.flatnonzero(spoken > 0):
                strength = weight * spoken[slot] / max(n - 1, 1)
                self._learn(
                    everyone, slot, said[slot] / spoken[slot], self.hearsay_variance / strength
                )
            return
        position, listener = wom.exposures(network.indptr, network.indices, buyers)
        if len(listener) == 0:
            return
        strength = weight * voice[position] / np.maximum(degree[listener], 1)
        keep = strength > 0
        cells = listener[keep] * n_firms + firm_of[position[keep]]
        unique, total, mean_signal = rules.combine_signals(
            cells, strength[keep], experienced[position[keep]]
        )
        self._learn(unique // n_firms, unique % n_firms, mean_signal, self.hearsay_variance / total)

    # ------------------------------------------------------------------ measures

    def belief_measures(
        self,
        aware: np.ndarray,
        mean: np.ndarray,
        variance: np.ndarray,
        adjustment: np.ndarray,
        price_sensitivity: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Per firm, averages over the consumers aware of it (NaN where nobody is).

        Args:
            aware: ``(N, F)`` awareness.
            mean: ``(N, F)`` belief means at choice (:meth:`beliefs` of everyone).
            variance: ``(N, F)`` belief variances at choice.
            adjustment: ``(N, F)`` utils doubt adds (:meth:`adjustment` of everyone).
            price_sensitivity: ``alpha_i``, to express the gap in $.

        Returns:
            ``belief_mean`` (units), ``belief_sd`` (units) and ``trust_gap`` ($ per
            consumer: ``-D_ij / alpha_i``), each of shape ``(F,)``.
        """
        count = aware.sum(axis=0)
        safe = np.where(count > 0, count, 1)
        gap = -adjustment / price_sensitivity[:, None]
        measures = {
            "belief_mean": np.where(aware, mean, 0.0).sum(axis=0) / safe,
            "belief_sd": np.where(aware, np.sqrt(variance), 0.0).sum(axis=0) / safe,
            "trust_gap": np.where(aware, gap, 0.0).sum(axis=0) / safe,
        }
        return {name: np.where(count > 0, values, np.nan) for name, values in measures.items()}

    def firm_row(self, slot: int, measures: dict[str, np.ndarray]) -> dict:
        """The trust columns of one firm's row (``measures`` from :meth:`belief_measures`)."""
        policy = self.policies[slot]
        flows = self.flows
        row = {
            "guarantee": policy.guarantee,
            "free_returns": policy.free_returns,
            "try_on": policy.try_on,
            "reviews": policy.reviews,
            "referral_reward": policy.referral_reward,
            **{name: float(flows[name][slot]) for name in FLOWS},
        }
        row["trust_cost"] = (
            row["refunds"]
            + row["return_collection"]
            + row["try_on_cost"]
            + row["review_cost"]
            + row["referral_payments"]
        )
        for name, values in measures.items():
            row[name] = float(values[slot])
        count = self.review_count[slot]
        row["review_count"] = float(count)
        row["review_mean"] = float(self.review_means()[slot]) if count > 0 else float("nan")
        return row

    def research(self, firm, rows: np.ndarray, columns, aware: np.ndarray, experience, adjustment):
        """What the firm's market research sees of doubt about it (see ``TrustResearch``)."""
        slot = firm.slot
        spec = self.spec
        return TrustResearch(
            adjustment=adjustment,
            own_mean=np.where(
                self.variance[rows, slot] > 0, self.mean[rows, slot], experience[slot]
            ).astype(float),
            own_variance=self.variance[rows, slot].astype(float),
            own_aware=aware[:, slot],
            own_experience=float(experience[slot]),
            prior_variance=float(self.firm_prior_variance[slot]),
            review_mean=float(self.review_means()[slot]),
            review_count=float(self.review_count[slot]),
            policy=self.policies[slot],
            experience_taste=columns.experience_taste[rows],
            price_sensitivity=columns.price_sensitivity[rows],
            expectation=columns.expectation[rows],
            risk_aversion=spec.risk_aversion,
            noise_sd=self.noise_sd,
            review_variance=self.review_variance,
            disappointment_threshold=self.threshold,
            return_cost=spec.return_cost,
            try_on_cost=spec.try_on_cost,
            review_cost=spec.review_cost,
            referral_gain=spec.referral_voice_gain,
            referral_half_reward=spec.referral_half_reward,
            referred_per_week=firm.last_quarter.referred_customers / 13.0,
        )
