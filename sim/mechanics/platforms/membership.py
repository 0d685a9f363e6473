"""Platform membership (a Prime-like programme): what it is worth to each consumer.

A member gets a better experience (delivery bonus) and loyalty perks on each purchase
through the platform; a consumer joins when their money value covers the fee.

Pure numpy: no Mesa, no model state.
"""

from __future__ import annotations

import numpy as np


def membership_value(
    need_rate: np.ndarray,
    shops_here: np.ndarray,
    experience_taste: np.ndarray,
    price_sensitivity: np.ndarray,
    delivery_bonus: float,
    loyalty_bonus: float,
) -> np.ndarray:
    """What membership is worth to each consumer, in $ per week.

    ``v_i = lambda_i s_i (gamma_i b + l) / alpha_i``: expected weekly purchases on the
    platform (``s_i`` = 1 if the consumer shops there, else 0) times the value of a
    member's better experience and loyalty perks, in money.

    Args:
        need_rate: ``lambda_i``.
        shops_here: ``s_i`` (bool or share).
        experience_taste: ``gamma_i``.
        price_sensitivity: ``alpha_i`` (utils per $).
        delivery_bonus: ``b``, experience units per member purchase.
        loyalty_bonus: ``l``, utils per member purchase.

    Returns:
        $ per week per consumer.
    """
    return (
        need_rate
        * shops_here
        * (experience_taste * delivery_bonus + loyalty_bonus)
        / (price_sensitivity)
    )
