"""The customer journey: recognize, request, respond, and the connected experiences.

Source: Siggelkow and Terwiesch (2019), *Connected Strategy: Building Continuous
Customer Relationships for Competitive Advantage*, Harvard Business Review Press, ch. 2-3.
Every journey has three stages: *recognize* (a latent need becomes known), *request*
(the need becomes a request: search and choose), *respond* (the customer orders, pays,
receives and experiences). Four connected experiences remove friction:

- respond to desire: ordering, paying and receiving become effortless (a bonus to the
  experience of a purchase: :func:`responded_experience`);
- curated offering: a better-fitting recommendation (``sim.mechanics.learning.curated_fit``);
- coach behaviour: the firm raises the customer's awareness of a need and nudges them
  to act (:func:`coached_need_rate`);
- automatic execution: the firm sees the need first and fulfils it before the customer
  asks, so there is no comparison at all (:func:`auto_enrolment`, :func:`auto_cancellation`).
"""

from __future__ import annotations

import numpy as np


def coached_need_rate(need_rate: np.ndarray, coached: np.ndarray, lift: float) -> np.ndarray:
    """Need rate of consumers whose relationship owner coaches them.

    ``lambda' = min(1, lambda (1 + lift))`` for coached consumers, unchanged otherwise.

    Args:
        need_rate: ``lambda_i`` in [0, 1].
        coached: bool per consumer.
        lift: relative rise >= 0.

    Returns:
        Need rates in [0, 1].
    """
    return np.where(coached, np.minimum(1.0, need_rate * (1.0 + lift)), need_rate)


def responded_experience(experience: np.ndarray, offers_respond: np.ndarray, bonus: float):
    """Experience of a purchase when the seller smooths ordering, paying and receiving.

    Args:
        experience: experience otherwise delivered.
        offers_respond: bool, whether respond to desire is offered.
        bonus: experience units added.

    Returns:
        ``x + bonus [offers]``.
    """
    return experience + bonus * np.asarray(offers_respond, dtype=float)


def auto_enrolment(uniforms: np.ndarray, probability: float) -> np.ndarray:
    """Which buyers sign up for automatic execution after a purchase.

    Args:
        uniforms: U[0, 1) per buyer.
        probability: sign-up probability in [0, 1].

    Returns:
        bool per buyer.
    """
    return uniforms < probability


def auto_cancellation(satisfaction: np.ndarray, threshold: float) -> np.ndarray:
    """Which subscribers cancel: those disappointed below a threshold.

    Args:
        satisfaction: experience minus expectation of the automatic purchase.
        threshold: satisfaction below which the subscriber cancels.

    Returns:
        bool per subscriber.
    """
    return satisfaction < threshold
