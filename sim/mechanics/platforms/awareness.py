"""Awareness: consumers discovering a platform, and forgetting a brand bought through one.

Sources:

- Diffusion of awareness: Bass (1969), "A new product growth model for consumer
  durables", *Management Science* 15(5).

Pure numpy: no Mesa, no model state.
"""

from __future__ import annotations

import numpy as np


def bass_adoption_probability(innovation: float, imitation: float, adopter_share: float) -> float:
    """Weekly probability an unaware consumer discovers a platform (Bass 1969).

    ``P = p + q F`` with ``F`` the share of consumers who already use it, clipped to
    [0, 1].

    Args:
        innovation: ``p`` (discovery on one's own).
        imitation: ``q`` (discovery through users).
        adopter_share: ``F`` in [0, 1].

    Returns:
        The probability.
    """
    return float(np.clip(innovation + imitation * adopter_share, 0.0, 1.0))


def fade_awareness(aware: np.ndarray, uniforms: np.ndarray, fade: float) -> np.ndarray:
    """Brand awareness after purchases through a platform.

    Each platform purchase of a brand makes the buyer lose the brand as a direct option
    with probability ``fade``: the relationship, and the memory of the purchase, belong
    to the platform ("I bought it on Amazon").

    Args:
        aware: current awareness of the brand bought, per buyer (bool).
        uniforms: U[0, 1) draws, per buyer.
        fade: probability in [0, 1].

    Returns:
        Updated awareness.
    """
    return aware & (uniforms >= fade)
