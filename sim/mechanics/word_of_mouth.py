"""Word of mouth and marketing: how consumers come to know (and drop) firms.

Sources: Bass (1969), "A new product growth for model consumer durables": adoption
hazard ``p + q F(t)``, with ``p`` the coefficient of innovation (external influence:
advertising) and ``q`` the coefficient of imitation (internal influence: word of mouth).
Goldenberg, Libai and Muller (2001), "Talk of the network": the same two forces acting
on a social network, each consumer influenced by its own neighbours. Goldenberg,
Libai, Moldovan and Muller (2007), "The NPV of bad news": disappointed customers'
negative word of mouth. Anderson (1998), "Customer satisfaction and word of mouth":
very satisfied and very dissatisfied customers talk more than the rest.

The rules, per week, for consumer ``i`` and firm ``j``:

- Buyers of the week speak about the firm they just bought from, to all their
  neighbours. A buyer with satisfaction ``s`` has a positive voice
  ``w+ = delight_weight`` if ``s > delight_threshold``, ``w+ = 1`` if
  ``s >= -disappointment_threshold``, else ``w+ = 0``, and a warning voice ``w- = 1`` if
  ``s < -disappointment_threshold``, else 0. Voices of buyers of firms with no direct
  customer relationship are scaled down.
- An unaware consumer becomes aware with probability
  ``1 - exp(-(p_j + q W+_ij / d_i))``: ``W+_ij`` sums the positive voices about ``j``
  among ``i``'s ``d_i`` neighbours, ``p_j`` is the marketing hazard.
- An aware consumer who is not the firm's customer drops it from consideration with
  probability ``1 - exp(-q_w W-_ij / d_i)``.
- Marketing: a weekly spend ``M_j`` buys ``M_j / c`` contacts with consumers drawn at
  random (``c``: cost per contact), so each consumer is contacted a Poisson number of
  times with mean ``p_j = M_j / (c N)``.

Summing voices over the fraction of one's neighbours is what makes the complete graph
the Bass model: there, with everyone buying every week, ``W+ / d = F``, the share of
adopters, and the hazard is exactly ``p + q F``.

Each neighbour's voice acts as an independent exposure, so the chance of staying
unaware is the product of the per-exposure chances, ``exp(-q w / d_i)`` each, which is
the same as the summed hazard. The model therefore draws one uniform per exposure
instead of summing voices per (consumer, firm) pair, which would need an ``N x F``
array every week.
"""

from __future__ import annotations

import numpy as np


def voices(
    satisfaction: np.ndarray,
    delight_threshold: float,
    delight_weight: float,
    disappointment_threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Positive and warning voices of buyers, from their satisfaction.

    Args:
        satisfaction: experience minus expectation of each buyer.
        delight_threshold: satisfaction above which a buyer is delighted.
        delight_weight: positive voice of a delighted buyer (a neutral one has 1).
        disappointment_threshold: >= 0; satisfaction below ``-threshold`` makes a
            buyer disappointed: no positive voice, a warning voice of 1.

    Returns:
        ``(positive, warning)`` arrays of voice weights.
    """
    disappointed = satisfaction < -disappointment_threshold
    positive = np.where(satisfaction > delight_threshold, delight_weight, 1.0)
    positive = np.where(disappointed, 0.0, positive)
    return positive, disappointed.astype(float)


def marketing_hazard(spend: np.ndarray, contact_cost: float, population: int) -> np.ndarray:
    """Weekly awareness hazard bought by marketing, ``p_j = M_j / (c N)``.

    Args:
        spend: weekly marketing spend ``M_j`` per firm ($).
        contact_cost: ``c`` > 0, $ per contact with one random consumer.
        population: ``N``, number of consumers.

    Returns:
        Hazards per week (contacts per consumer).
    """
    return np.asarray(spend, dtype=float) / (contact_cost * population)


def hazard_probability(hazard: np.ndarray | float) -> np.ndarray:
    """Probability of at least one event in a week at a constant hazard: ``1 - e^-h``."""
    return -np.expm1(-np.asarray(hazard, dtype=float))


def exposures(
    indptr: np.ndarray, indices: np.ndarray, speakers: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every (speaker, listener) pair along the edges of the speakers.

    Args:
        indptr: CSR offsets of the network.
        indices: CSR neighbour ids.
        speakers: ids of the consumers who speak this week.

    Returns:
        ``(speaker_position, listener)``: for each exposure, the index into
        ``speakers`` of who spoke and the id of who heard it.
    """
    starts = indptr[speakers]
    counts = indptr[speakers + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    speaker_position = np.repeat(np.arange(len(speakers)), counts)
    offsets = np.cumsum(counts) - counts
    within = np.arange(total) - np.repeat(offsets, counts)
    listener = indices[np.repeat(starts, counts) + within].astype(np.int64)
    return speaker_position, listener


def exposure_probability(voice: np.ndarray, listener_degree: np.ndarray, rate: float):
    """Chance that one exposure converts its listener: ``1 - exp(-rate * w / d)``.

    Args:
        voice: voice weight ``w`` of the speaker of each exposure.
        listener_degree: ``d``, number of neighbours of the listener.
        rate: ``q`` (referrals) or ``q_w`` (warnings), per week.

    Returns:
        Probabilities.
    """
    return hazard_probability(rate * voice / np.maximum(listener_degree, 1))


def mean_field_probability(total_voice: float, population: int, rate: float) -> float:
    """Per-listener chance on the complete graph: ``1 - exp(-rate W / (N - 1))``.

    On the complete graph every consumer hears every speaker and has ``N - 1``
    neighbours. Speakers never listen to themselves about their own firm (they are
    aware of it and its customers), so the voice total needs no own-term correction.

    Args:
        total_voice: ``W``, summed voices about the firm this week.
        population: ``N``.
        rate: ``q`` or ``q_w`` per week.

    Returns:
        The probability.
    """
    if population < 2:
        return 0.0
    return float(hazard_probability(rate * total_voice / (population - 1)))


def referral_coefficient(referral_rate: float, weekly_units: float, aware: float) -> float:
    """Bass imitation coefficient of a firm in the mean field, ``q' = q u / A`` per week.

    An unaware consumer hears of firm ``j`` with hazard ``q W+/d``: ``q`` the referral
    rate and ``W+/d`` the share of her neighbours who bought from ``j`` this week (voices of
    weight 1). In the mean field that share is the firm's weekly buyers over the
    population, ``u / N``; with ``u = s A N`` (``s`` weekly purchases per aware consumer,
    ``A`` the aware share) the hazard is ``q s A``, Bass's ``q F`` with ``q' = q s``.
    Passing the aware count ``A N`` as ``aware`` gives ``s = u / (A N)``.

    Args:
        referral_rate: ``q`` >= 0, per week.
        weekly_units: ``u``, the firm's expected weekly units (>= 0).
        aware: number of consumers aware of the firm (> 0; 0 gives 0).

    Returns:
        ``q'`` per week (>= 0).
    """
    if aware <= 0 or referral_rate <= 0 or weekly_units <= 0:
        return 0.0
    return referral_rate * weekly_units / aware


def bass_reach(start: float, innovation: float, imitation: float, weeks):
    """Aware share after ``weeks`` under Bass diffusion from ``F(0) = start``.

    Solves ``dF/dt = (p + q F)(1 - F)`` (Bass 1969; ``p`` external influence, here
    marketing, ``q`` word of mouth): with ``E = exp(-(p + q) t)``,
    ``F(t) = ((p + q F0) - p (1 - F0) E) / ((p + q F0) + q (1 - F0) E)``. Limits:
    ``q = 0`` gives ``1 - (1 - F0) E`` (marketing alone), ``p = 0`` the logistic
    ``F0 / (F0 + (1 - F0) exp(-q t))``; ``p = q = 0`` leaves ``F0``.

    Args:
        start: ``F0`` in [0, 1].
        innovation: ``p`` >= 0 per week.
        imitation: ``q`` >= 0 per week.
        weeks: ``t`` >= 0 (scalar or array).

    Returns:
        ``F(t)`` (same shape as ``weeks``).
    """
    if not 0.0 <= start <= 1.0:
        raise ValueError(f"start must be in [0, 1], got {start}")
    if innovation < 0 or imitation < 0:
        raise ValueError(f"p and q must be >= 0, got {innovation}, {imitation}")
    t = np.asarray(weeks, dtype=float)
    if innovation + imitation <= 0:
        return np.full_like(t, start) if t.ndim else float(start)
    decay = np.exp(-(innovation + imitation) * t)
    head = innovation + imitation * start
    share = (head - innovation * (1.0 - start) * decay) / (head + imitation * (1.0 - start) * decay)
    return share if t.ndim else float(share)
