"""What a purchase feels like: realised experience, satisfaction, rising expectations.

Source: Bezos (2017 letter to shareholders): customers are "divinely discontent",
yesterday's "wow" quickly becomes today's "ordinary". Modelled as an upward-only
adaptation of expectations (Helson 1964, adaptation level; Oliver 1980, expectation-
disconfirmation model of satisfaction).
"""

from __future__ import annotations

import numpy as np


def realised_experience(delivered: np.ndarray, noise_sd: float, normals: np.ndarray) -> np.ndarray:
    """Experience a buyer actually meets: ``x_j + sigma * z``, ``z ~ N(0, 1)``.

    Args:
        delivered: experience quality of the firm each buyer bought from.
        noise_sd: ``sigma`` >= 0, spread of individual experiences.
        normals: standard normal draws, one per buyer.

    Returns:
        Realised experience per buyer.
    """
    return delivered + noise_sd * normals


def satisfaction(experienced: np.ndarray, expectation: np.ndarray) -> np.ndarray:
    """Expectation-disconfirmation satisfaction: experience minus expectation.

    Args:
        experienced: realised experience per buyer.
        expectation: expectation held before the purchase.

    Returns:
        Satisfaction per buyer (positive = delighted, negative = disappointed).
    """
    return experienced - expectation


def ratchet_expectations(
    expectation: np.ndarray, experienced: np.ndarray, adaptation_rate: float
) -> np.ndarray:
    """Expectations move up toward a better experience and never down.

    ``e' = e + kappa * max(0, experienced - e)``: repeated, each purchase moves the
    expectation toward the best experience met so far, so a firm that stops improving
    sees satisfaction fall without changing anything.

    Args:
        expectation: current expectations ``e``.
        experienced: realised experiences of the same consumers.
        adaptation_rate: ``kappa`` in [0, 1].

    Returns:
        Updated expectations.
    """
    return expectation + adaptation_rate * np.maximum(0.0, experienced - expectation)
