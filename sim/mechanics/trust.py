"""Trust before buying: beliefs about an unfamiliar firm's experience and what removes doubt.

Sources: Erdem and Keane (1996), "Decision-making under uncertainty: capturing dynamic
brand choice processes in turbulent consumer goods markets" (consumers learn a brand's
quality by Bayesian updating of a normal prior from their own use and from advertising
signals, and risk-averse consumers discount a brand they are unsure of); DeGroot (1970),
*Optimal Statistical Decisions*, ch. 9 (the normal-normal update); Pratt (1964), "Risk
aversion in the small and in the large" (the certainty equivalent of a normal gamble
under constant absolute risk aversion); Moorthy and Srinivasan (1995), "Signaling
quality with a money-back guarantee"; Chevalier and Mayzlin (2006), "The effect of word
of mouth on sales: online book reviews"; Ryu and Feick (2007), "A penny for your
thoughts: referral reward programs and referral likelihood".

Consumer ``i`` believes firm ``j``'s experience quality ``x_j`` is normal with mean
``m_ij`` and variance ``v_ij``. A familiar firm has ``v_ij = 0`` (its experience is known,
as in the model without trust). A signal ``y`` about ``x_j`` with noise variance ``s^2``
(an own purchase: ``s^2 = sigma^2``, the spread of one experience; word of mouth and
reviews are noisier) moves the belief by the Kalman gain ``k = v / (v + s^2)``:

    m' = m + k (y - m),        v' = (1 - k) v = v s^2 / (v + s^2).

``n`` independent signals with mean ``y_bar`` act as one signal of variance ``s^2 / n``.
Firms change: between weeks a consumer who is unsure of a firm lets its experience drift
as a random walk, ``v' = min(v + q, v0)`` (the prediction step of the Kalman filter,
Kalman 1960), so old evidence weighs less and a long-unheard-of firm is as uncertain as
a stranger again; ``q = 0`` is the fixed quality of Erdem and Keane.

Utility replaces the experience term ``gamma_i (x_j - e_i)`` by its certainty
equivalent under constant absolute risk aversion ``a`` (utils^-1):

    gamma_i (m_ij - e_i) - (a / 2) gamma_i^2 v_ij,

so ``v_ij = 0`` gives back the known-experience utility exactly. The noise of a single
experience (``sigma``) is the same for every firm and is not priced.

A money-back guarantee (a free trial) lets a disappointed buyer return the unit for a
refund: the downside is removed, so the risk term is dropped. Without free returns the
returning buyer pays the return cost ``c_r``, an expected cost ``alpha_i c_r P_ij`` with
``P_ij = Phi((e_i - tau - m_ij) / sqrt(v_ij + sigma^2))`` the buyer's chance of being
disappointed (satisfaction below ``-tau``). Home try-on shows the experience before
purchase: one signal at the firm's cost. Published reviews are a public signal: the
mean of ``n_j`` reviewers' experiences with variance ``s_r^2 / n_j``, so as ``n_j``
grows the belief of every reader goes to the true experience. A referral reward
``R`` raises the voice of the firm's buyers by ``1 + g R / (R + R_half)``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr


def kalman_gain(variance: np.ndarray, signal_variance: np.ndarray | float) -> np.ndarray:
    """Weight of a signal in the normal-normal update: ``k = v / (v + s^2)``.

    A known experience (``v = 0``) gives ``k = 0`` whatever the signal; a noise-free
    signal (``s^2 = 0``) of an uncertain experience gives ``k = 1``.

    Args:
        variance: prior variance ``v`` >= 0.
        signal_variance: noise variance ``s^2`` >= 0 of the signal (``inf``: no signal).

    Returns:
        Gains in [0, 1].
    """
    variance = np.asarray(variance, dtype=float)
    total = variance + signal_variance
    safe = np.where(total > 0, total, 1.0)
    return np.where(variance > 0, variance / safe, 0.0)


def update_belief(
    mean: np.ndarray,
    variance: np.ndarray,
    signal: np.ndarray,
    signal_variance: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior of a normal belief after one normal signal (DeGroot 1970, ch. 9).

    ``m' = m + k (y - m)``, ``v' = (1 - k) v`` with ``k`` from :func:`kalman_gain`.

    Args:
        mean: prior mean ``m`` (experience units).
        variance: prior variance ``v``.
        signal: observed signal ``y``.
        signal_variance: its noise variance ``s^2``.

    Returns:
        ``(mean', variance')``.
    """
    gain = kalman_gain(variance, signal_variance)
    return mean + gain * (signal - mean), (1.0 - gain) * np.asarray(variance, dtype=float)


def drift_variance(variance: np.ndarray, drift: float, cap: np.ndarray) -> np.ndarray:
    """One week of a random walk in the believed experience: ``v' = min(v + q, v0)``.

    Known cells (``v = 0``) stay known.

    Args:
        variance: ``v``, shape ``(N, F)``.
        drift: ``q`` >= 0, variance added per week.
        cap: ``v0`` per firm, shape ``(F,)``: never less sure than of a stranger.

    Returns:
        The new variances (same dtype).
    """
    grown = np.minimum(
        variance + np.asarray(drift, dtype=variance.dtype), cap.astype(variance.dtype)
    )
    return np.where(variance > 0, grown, variance)


def certainty_equivalent(
    mean: np.ndarray,
    variance: np.ndarray,
    experience_taste: np.ndarray,
    expectation: np.ndarray,
    risk_aversion: float,
) -> np.ndarray:
    """Certainty equivalent of the experience term: ``gamma (m - e) - (a/2) gamma^2 v`` (utils).

    Under constant absolute risk aversion ``a`` a normal utility ``U ~ N(mu, s^2)`` is
    worth ``mu - a s^2 / 2`` for sure (Pratt 1964); here ``U = gamma (x - e)`` with
    ``x ~ N(m, v)``.

    Args:
        mean: belief mean ``m``.
        variance: belief variance ``v``.
        experience_taste: ``gamma`` (utils per experience unit).
        expectation: ``e`` (experience units).
        risk_aversion: ``a`` >= 0 (per util).

    Returns:
        Utils.
    """
    return experience_taste * (mean - expectation) - 0.5 * risk_aversion * (
        experience_taste * experience_taste * variance
    )


def disappointment_probability(
    mean: np.ndarray, variance: np.ndarray, expectation: np.ndarray, threshold: float, noise_sd
) -> np.ndarray:
    """Buyer's chance, as it believes, of satisfaction below ``-tau``.

    The experience met is ``x + sigma z`` with ``x ~ N(m, v)``, so
    ``P = Phi((e - tau - m) / sqrt(v + sigma^2))``; with no uncertainty at all it is
    1 if ``m < e - tau`` and 0 otherwise.

    Args:
        mean: belief mean ``m``.
        variance: belief variance ``v``.
        expectation: ``e``.
        threshold: ``tau`` >= 0.
        noise_sd: ``sigma`` >= 0, spread of one experience.

    Returns:
        Probabilities.
    """
    gap = np.asarray(expectation - threshold - mean, dtype=float)
    spread = np.sqrt(np.asarray(variance, dtype=float) + noise_sd * noise_sd)
    safe = np.where(spread > 0, spread, 1.0)
    return np.where(spread > 0, ndtr(gap / safe), (gap > 0).astype(float))


def trust_adjustment(
    true_experience: np.ndarray,
    mean: np.ndarray,
    variance: np.ndarray,
    experience_taste: np.ndarray,
    price_sensitivity: np.ndarray,
    expectation: np.ndarray,
    risk_aversion: float,
    guarantee: np.ndarray,
    buyer_return_cost: np.ndarray,
    disappointment_threshold: float,
    noise_sd: float,
) -> np.ndarray:
    """Utils to add to the known-experience utility so it becomes the belief-based one.

    ``D_ij = gamma_i (m_ij - x_j) - (a/2) gamma_i^2 v_ij`` without a guarantee, and
    ``D_ij = gamma_i (m_ij - x_j) - alpha_i c_r,j P_ij`` with one (``c_r,j`` the return
    cost the buyer pays, 0 with free returns). Cells with ``v_ij = 0`` and ``m_ij = x_j``
    (a known firm) get exactly 0.

    Args:
        true_experience: ``x_j``, shape ``(F,)``.
        mean: ``m_ij``, shape ``(N, F)``.
        variance: ``v_ij``, shape ``(N, F)``.
        experience_taste: ``gamma_i``, shape ``(N,)``.
        price_sensitivity: ``alpha_i``, shape ``(N,)``.
        expectation: ``e_i``, shape ``(N,)``.
        risk_aversion: ``a``.
        guarantee: bool ``(F,)``, the firm offers a money-back guarantee.
        buyer_return_cost: ``c_r,j`` ($) a returning buyer pays, shape ``(F,)``.
        disappointment_threshold: ``tau``.
        noise_sd: ``sigma``.

    Returns:
        ``(N, F)`` utils.
    """
    gamma = experience_taste[:, None]
    shift = gamma * (mean - true_experience[None, :])
    risk = 0.5 * risk_aversion * gamma * gamma * variance
    adjustment = shift - np.where(guarantee[None, :], 0.0, risk)
    paying = guarantee & (buyer_return_cost > 0)
    if paying.any():
        chance = disappointment_probability(
            mean[:, paying],
            variance[:, paying],
            expectation[:, None],
            disappointment_threshold,
            noise_sd,
        )
        adjustment[:, paying] -= price_sensitivity[:, None] * buyer_return_cost[paying] * chance
    return adjustment


def review_belief(
    mean: np.ndarray,
    variance: np.ndarray,
    review_mean: np.ndarray,
    review_count: np.ndarray,
    review_variance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Belief after reading a firm's published reviews: one signal of variance ``s_r^2 / n``.

    With ``n = 0`` the belief is unchanged; as ``n`` grows without bound it goes to the
    reviews' mean (the true experience, by the law of large numbers).

    Args:
        mean: private belief mean ``m``, shape ``(N, F)``.
        variance: private belief variance ``v``, shape ``(N, F)``.
        review_mean: mean reviewed experience per firm, shape ``(F,)``.
        review_count: effective number of reviews ``n`` per firm (0 where unpublished).
        review_variance: ``s_r^2`` > 0, noise variance of one review.

    Returns:
        ``(mean', variance')``.
    """
    count = np.asarray(review_count, dtype=float)
    signal_variance = np.where(count > 0, review_variance / np.where(count > 0, count, 1.0), np.inf)
    return update_belief(mean, variance, review_mean[None, :], signal_variance[None, :])


def referral_voice_multiplier(reward: np.ndarray, gain: float, half_reward: float) -> np.ndarray:
    """Voice of a firm's buyers under a referral reward: ``1 + g R / (R + R_half)``.

    Saturating in the reward (Ryu and Feick 2007: rewards raise the likelihood of a
    referral, with diminishing effect); 1 without a reward.

    Args:
        reward: ``R`` >= 0, $ per referred new customer, per firm.
        gain: ``g`` >= 0, the largest relative increase in voice.
        half_reward: ``R_half`` > 0, the reward giving half of it ($).

    Returns:
        Multipliers >= 1.
    """
    reward = np.asarray(reward, dtype=float)
    return 1.0 + gain * reward / (reward + half_reward)


def combine_signals(
    cells: np.ndarray, weights: np.ndarray, signals: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pool several weighted signals about the same cell into one.

    ``n`` signals of variance ``s^2 / w_k`` pool into their precision-weighted mean
    ``sum w_k y_k / sum w_k`` with variance ``s^2 / sum w_k``.

    Args:
        cells: flat (consumer, firm) index of each signal.
        weights: ``w_k`` > 0, precision of each signal in units of ``1 / s^2``.
        signals: ``y_k``.

    Returns:
        ``(unique_cells, total_weight, mean_signal)``.
    """
    unique, inverse = np.unique(cells, return_inverse=True)
    total = np.bincount(inverse, weights=weights, minlength=len(unique))
    weighted = np.bincount(inverse, weights=weights * signals, minlength=len(unique))
    return unique, total, weighted / total
