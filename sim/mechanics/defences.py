"""Channel defences and the customer value chain: pure functions over numpy arrays.

Sources:

- Defences against platforms (CONCEPTS section 5): "loyalty, direct channels and
  incentives to deal direct, brand, product, price, all chosen from data about the
  customer"; Southwest Airlines keeps its fares off Kayak so customers book direct.
- Loyalty programmes as switching costs: Klemperer (1987), "Markets with consumer
  switching costs", *QJE* 102(2); Klemperer (1995), *Review of Economic Studies* 62(4),
  on frequent-flyer programmes: a reward earned only by staying adds to the cost of
  switching. Here a member is a consumer whose last purchase was direct from the firm
  (booking direct enrols, as with an airline's programme); staying earns a rebate worth
  ``r_j`` dollars and the programme strengthens the member's habit by ``b`` (a share
  of ``h_i``).
- Price parity: the narrow parity clause the Bundeskartellamt (B9-121/13, 2015) and
  the European competition authorities reviewed at Booking.com: a hotel may not offer a
  lower price on its own website than on the platform. The direct price may not undercut
  the listing, i.e. ``p_listing <= p_direct``; the platform enforces it by showing the
  listing at ``min(p_listing, p_direct)``.
- The customer value chain (CONCEPTS section 7): every step a customer must take
  (search, choose, find a seller, click, pick delivery) costs value; fewer steps
  (1-Click) is more value. Siggelkow and Terwiesch (2019): respond to desire makes
  ordering, paying and receiving effortless. Each step costs ``kappa`` utils.
- Brand strength (Bezos, 1997 letter to shareholders: market leadership measured by
  customer and revenue growth, repeat purchases "and the strength of our brand").
  Measured as customer-based brand equity (Keller 1993, *Journal of Marketing* 57(1):
  the differential effect of brand knowledge, awareness and image, on consumer response)
  through the price-premium measure (Aaker 1996, *California Management Review* 38(3)):
  awareness times the money a consumer aware of the brand would pay over an unbranded
  copy of the same product at the same price.

No Mesa, no model state.
"""

from __future__ import annotations

import numpy as np


def loyalty_utility(
    habit_strength: np.ndarray,
    price_sensitivity: np.ndarray,
    rebate: float | np.ndarray,
    habit_boost: float,
) -> np.ndarray:
    """Utility a loyalty member gets from choosing the programme's firm again (utils).

    ``L_i = b h_i + alpha_i r`` when the programme runs (``r > 0``), else 0: a stronger
    habit and the rebate, valued in utils at the member's price sensitivity.

    Args:
        habit_strength: ``h_i`` (utils), ``(N,)``.
        price_sensitivity: ``alpha_i`` (utils per $), ``(N,)``.
        rebate: ``r`` >= 0, $ returned to a member per unit bought direct (a number, or
            one per consumer: the rebate of the firm each consumer is a member of).
        habit_boost: ``b`` >= 0, share added to the member's habit.

    Returns:
        ``(N,)`` utils.
    """
    rebate = np.asarray(rebate, dtype=float)
    if (rebate < 0).any() or habit_boost < 0:
        raise ValueError(f"rebate and habit_boost must be >= 0, got {rebate}, {habit_boost}")
    return np.where(rebate > 0, habit_boost * habit_strength + price_sensitivity * rebate, 0.0)


def switching_cost(
    habit_strength: np.ndarray,
    price_sensitivity: np.ndarray,
    rebate: float,
    habit_boost: float,
) -> np.ndarray:
    """Money a consumer gives up by leaving the firm it last bought direct from ($).

    ``S_i = (h_i + L_i) / alpha_i = h_i (1 + b [r > 0]) / alpha_i + r``: the habit plus the
    loyalty utility, in dollars. Without a programme it is the plain habit ``h_i / alpha_i``.

    Args:
        habit_strength: ``h_i`` (utils).
        price_sensitivity: ``alpha_i`` (utils per $), > 0.
        rebate: ``r`` ($ per unit).
        habit_boost: ``b``.

    Returns:
        ``(N,)`` dollars.
    """
    loyalty = loyalty_utility(habit_strength, price_sensitivity, rebate, habit_boost)
    return (habit_strength + loyalty) / price_sensitivity


def loyalty_cost(member_units: float, rebate: float, members: float, cost_per_member: float):
    """Weekly cost of a loyalty programme ($).

    ``C = r u_m + k m``: the rebate on every unit members buy direct, plus running the
    programme per member per week (statements, service desk).

    Args:
        member_units: ``u_m``, units members bought direct this week.
        rebate: ``r`` ($ per unit).
        members: ``m``, members this week.
        cost_per_member: ``k`` ($ per member per week).

    Returns:
        $ this week (0 when the programme does not run).
    """
    if rebate <= 0:
        return 0.0
    return float(rebate * member_units + cost_per_member * members)


def incentive_utility(price_sensitivity: np.ndarray, incentive: float) -> np.ndarray:
    """Utility of a direct-channel incentive worth ``d`` dollars to every direct buyer.

    ``D_i = alpha_i d`` (a perk for booking direct: a discount, extra miles, a free seat
    choice).

    Args:
        price_sensitivity: ``alpha_i`` (utils per $).
        incentive: ``d`` >= 0 ($ of value per direct unit).

    Returns:
        ``(N,)`` utils.
    """
    if incentive < 0:
        raise ValueError(f"incentive must be >= 0, got {incentive}")
    return price_sensitivity * incentive


def incentive_cost(direct_units: float, incentive: float, cost_ratio: float) -> float:
    """Weekly cost of a direct-channel incentive ($).

    ``C = c d u_d``: each direct unit carries a perk worth ``d`` to the buyer that costs the
    firm ``c d`` (``c = 1`` for a plain discount, ``c < 1`` for a perk the firm makes
    cheaper than the buyer values it, such as spare seats or miles).

    Args:
        direct_units: ``u_d``, units sold direct this week.
        incentive: ``d`` ($ per unit).
        cost_ratio: ``c`` >= 0.

    Returns:
        $ this week.
    """
    return float(cost_ratio * incentive * direct_units)


def parity_listing_price(direct_price: np.ndarray, listing_price: np.ndarray, parity: bool):
    """Price a platform shows for a firm's listing under its parity rule ($).

    Narrow parity (the direct price may not undercut the listing): the listing is shown at
    ``min(p_listing, p_direct)``; without parity at ``p_listing``.

    Args:
        direct_price: ``p_direct`` per firm.
        listing_price: the price each firm asks on the platform.
        parity: whether the platform imposes parity.

    Returns:
        Listing prices per firm.
    """
    listing_price = np.asarray(listing_price, dtype=float)
    if not parity:
        return listing_price
    return np.minimum(listing_price, np.asarray(direct_price, dtype=float))


def path_steps(total_steps: int, removed: np.ndarray) -> np.ndarray:
    """Steps a customer must take on each purchase path.

    ``s = max(S - removed, 0)`` with ``S`` the steps of an unassisted purchase (search,
    choose, find a seller, click, pick delivery: 5).

    Args:
        total_steps: ``S`` >= 0.
        removed: steps each path removes (a platform's search, 1-Click's click and
            delivery choice), ``(P,)``.

    Returns:
        ``(P,)`` steps, never negative.
    """
    return np.maximum(total_steps - np.asarray(removed, dtype=float), 0.0)


def friction_utility(steps: np.ndarray, step_cost: float) -> np.ndarray:
    """Utility lost to the steps of each purchase path: ``-kappa s`` (utils).

    Args:
        steps: steps per path.
        step_cost: ``kappa`` >= 0 utils per step (0 = no friction, the model without a
            value chain).

    Returns:
        Utils (<= 0) per path.
    """
    if step_cost < 0:
        raise ValueError(f"step_cost must be >= 0, got {step_cost}")
    return -step_cost * np.asarray(steps, dtype=float)


def brand_strength(
    aware: np.ndarray, premium_utils: np.ndarray, price_sensitivity: np.ndarray
) -> np.ndarray:
    """Brand-strength index of each firm: awareness times the price premium ($).

    ``B_j = (1/N) sum_{i aware of j} Delta_ij / alpha_i``, i.e. the share of consumers
    aware of j times the mean, over those aware, of the dollars they would pay for j's
    offer over an unbranded copy (same quality, selection and price; experience at the
    consumer's expectation; no habit, loyalty, fit or 1-Click; a direct incentive counts
    as part of the price). ``Delta_ij`` is the
    utility of the brand-specific terms. In dollars per consumer in the market.

    Args:
        aware: ``(N, F)`` bool, consumer i knows firm j.
        premium_utils: ``(N, F)`` ``Delta_ij`` (utils).
        price_sensitivity: ``alpha_i`` (utils per $), ``(N,)``.

    Returns:
        ``(F,)`` dollars per consumer (0 with no consumers).
    """
    n = aware.shape[0]
    if n == 0:
        return np.zeros(aware.shape[1])
    dollars = premium_utils / price_sensitivity[:, None]
    return np.where(aware, dollars, 0.0).sum(axis=0) / n


def marketing_spend_for_value(
    unaware: float, population: int, contact_cost: float, value_per_aware: float, weeks: int
) -> float:
    """Weekly marketing spend that maximises the value of the awareness it buys ($).

    Marketing buys a weekly awareness hazard ``p = M / (c N)`` (7.10). Held for ``T``
    weeks it makes ``U (1 - (1 - p)^T)`` of the ``U`` unaware consumers aware, each worth
    ``v``, at a cost ``T c N p``. The value is concave in ``p``; its maximum is at
    ``(1 - p)^(T - 1) = c N / (U v)``, so ``p* = 1 - (c N / (U v))^(1 / (T - 1))``, 0 when
    a contact is worth less than it costs, and the spend is ``M* = c N p*``.

    Args:
        unaware: ``U``, consumers who do not know the firm.
        population: ``N`` > 0.
        contact_cost: ``c`` > 0, $ per contact.
        value_per_aware: ``v``, $ a newly aware consumer is worth to the firm.
        weeks: ``T`` >= 2, weeks the spend is held.

    Returns:
        $ per week (>= 0).
    """
    if population <= 0 or contact_cost <= 0 or weeks < 2:
        raise ValueError("population and contact_cost must be > 0 and weeks >= 2")
    if unaware <= 0 or value_per_aware <= 0:
        return 0.0
    ratio = contact_cost * population / (unaware * value_per_aware)
    if ratio >= 1.0:
        return 0.0
    hazard = 1.0 - ratio ** (1.0 / (weeks - 1))
    return float(contact_cost * population * hazard)


def brand_strength_index(
    experience: np.ndarray,
    aware: np.ndarray,
    price_sensitivity: np.ndarray,
    experience_taste: np.ndarray,
    expectation: np.ndarray,
    holder: np.ndarray,
    held_utils: np.ndarray,
    extra_utils: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`brand_strength` of every brand from sums, without ``(N, F)`` premiums.

    With ``Delta_ij = gamma_i (x_j - e_i) + [h_i = j] H_i + E_ij`` (experience against
    expectation, the utility ``H_i`` a consumer gets from the brand it holds, and any
    other brand-specific term ``E_ij`` such as fit), the index regroups as
    ``B_j = (x_j S_j - T_j + sum_{i aware, h_i = j} H_i / alpha_i
    + sum_{i aware} E_ij / alpha_i) / N`` with ``S_j = sum_{i aware} gamma_i / alpha_i``
    and ``T_j = sum_{i aware} gamma_i e_i / alpha_i``.

    Args:
        experience: ``(F,)`` ``x_j``.
        aware: ``(N, F)`` bool.
        price_sensitivity: ``alpha_i``, ``(N,)``.
        experience_taste: ``gamma_i``, ``(N,)``.
        expectation: ``e_i``, ``(N,)``.
        holder: ``(N,)`` ``h_i``, the brand whose habit consumer i holds (-1: none).
        held_utils: ``(N,)`` ``H_i`` (habit, loyalty), counted for ``h_i`` only.
        extra_utils: ``(N, F)`` ``E_ij`` or None.

    Returns:
        ``(F,)`` dollars per consumer (0 with no consumers).
    """
    n, width = aware.shape
    if n == 0:
        return np.zeros(width)
    per_dollar = experience_taste / price_sensitivity
    taste_sum, expectation_sum = np.stack([per_dollar, per_dollar * expectation]) @ aware
    total = np.asarray(experience, dtype=float) * taste_sum - expectation_sum
    rows = np.flatnonzero((holder >= 0) & (holder < width))
    rows = rows[aware[rows, holder[rows]]]
    total += np.bincount(
        holder[rows], weights=held_utils[rows] / price_sensitivity[rows], minlength=width
    )
    if extra_utils is not None:
        total += np.where(aware, extra_utils / price_sensitivity[:, None], 0.0).sum(axis=0)
    return total / n
