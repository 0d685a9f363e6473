"""The platform's moves against the brands it lists, and what owned customers are worth.

Sources:

- Own label: Zhu and Liu (2018), "Competing with complementors: an empirical look at
  Amazon.com", *Strategic Management Journal* 39(10): Amazon enters the product spaces
  of its third-party sellers where sales are high (its sales data show the demand), with
  products close to the ones it copies (Amazon Basics).
- Ranking and steering: Hagiu and Jullien (2011), "Why do intermediaries divert search?",
  *RAND Journal of Economics* 42(2): an intermediary paid more by some sellers than by
  others shows those first; Ursu (2018), "The power of rankings", *Marketing Science*
  37(4): a listing's position changes how often it is looked at (position effect).
- Hold-up: Williamson (1985), *The Economic Institutions of Capitalism*, ch. 2: once one
  side has sunk its business into a relationship, the other can raise its terms; Parker,
  Van Alstyne and Choudary (2016), *Platform Revolution*, ch. 6: fees rise once sellers
  are locked in.
- The platform as the start of search: a shopper who bought through a platform starts
  the next search there, where the brand is one listing among many (CONCEPTS section 5:
  "a transaction with no relationship gives the customer no reason to come back").
- Value of owned data: Siggelkow and Terwiesch (2019), *Connected Strategy*, ch. 7:
  repeated interactions raise fit (personalisation), and fit is worth more
  willingness to pay or more purchases.

Everything here is a pure function over numpy arrays: no Mesa, no model state. The
model-side stages are in ``sim.components.platform_moves``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.mechanics.platforms import ChannelOffer

NO_LISTING = -1


# ---------------------------------------------------------------------------
# (a) Own label


def best_seller(units: np.ndarray, eligible: np.ndarray) -> int:
    """The listing the platform's sales data show as the best seller.

    ``s* = argmax_s u_s`` over eligible listings with ``u_s > 0`` (the lowest index on a
    tie), or -1 when no eligible listing sold.

    Args:
        units: ``u_s``, units each listing sold through the platform, ``(L,)``.
        eligible: listings the platform may copy (brands listed on it), ``(L,)`` bool.

    Returns:
        Index of the best seller, or -1.
    """
    candidates = np.where(eligible & (units > 0), units, -np.inf)
    if not np.isfinite(candidates).any():
        return NO_LISTING
    return int(np.argmax(candidates))


def own_label_terms(
    copied_quality: float,
    copied_price: float,
    copied_unit_cost: float,
    quality_gap: float,
    undercut: float,
    cost_ratio: float,
) -> tuple[float, float, float]:
    """Quality, price and unit cost of the platform's copy of a listed product.

    ``q_o = q_c - g``, ``p_o = p_c (1 - d)``, ``c_o = k c_c``: a copy close to the
    original (gap ``g`` utils), priced a share ``d`` below it, made at ``k`` times the
    copied brand's unit cost (the platform pays its own maker).

    Args:
        copied_quality: ``q_c`` (utils).
        copied_price: ``p_c`` ($ per unit).
        copied_unit_cost: ``c_c`` ($ per unit).
        quality_gap: ``g`` (utils).
        undercut: ``d`` in [0, 1).
        cost_ratio: ``k`` > 0.

    Returns:
        ``(q_o, p_o, c_o)``.
    """
    if not 0.0 <= undercut < 1.0:
        raise ValueError(f"undercut must be in [0, 1), got {undercut}")
    if cost_ratio <= 0:
        raise ValueError(f"cost_ratio must be > 0, got {cost_ratio}")
    return (
        float(copied_quality - quality_gap),
        float(copied_price * (1.0 - undercut)),
        float(copied_unit_cost * cost_ratio),
    )


def own_label_pays(
    price: float,
    unit_cost: float,
    weekly_units: float,
    payback_weeks: float,
    launch_cost: float,
) -> bool:
    """Whether the demand the data show repays the launch of an own label.

    Launch when ``(p_o - c_o) u_c T >= L`` and ``p_o > c_o``: the copy's margin on the
    copied listing's weekly units ``u_c`` over ``T`` weeks covers the launch cost ``L``.

    Args:
        price: ``p_o`` ($).
        unit_cost: ``c_o`` ($).
        weekly_units: ``u_c``, the copied listing's weekly units on the platform.
        payback_weeks: ``T`` > 0.
        launch_cost: ``L`` >= 0 ($).

    Returns:
        True to launch.
    """
    margin = price - unit_cost
    return bool(margin > 0 and margin * weekly_units * payback_weeks >= launch_cost)


# ---------------------------------------------------------------------------
# (b) Ranking and steering


def listing_attention(revenue_per_unit: np.ndarray, listed: np.ndarray, steering: float):
    """Attention each listing gets when the platform ranks what pays it first.

    Listings are ranked by the platform's revenue per unit sold, ``r_s`` (its fee on a
    brand's or a third-party seller's sale, its margin on its own label), highest first,
    equal revenues sharing a rank (dense rank ``rho_s = 0, 1, ...``). A listing at rank
    ``rho`` gets attention ``a_s = (1 - d) ** rho``: each step down the page loses a
    share ``d`` of the shoppers' looks (Ursu 2018). ``d = 0`` shows every listing alike.

    Args:
        revenue_per_unit: ``r_s`` ($), ``(L,)``.
        listed: listings on show, ``(L,)`` bool (others get attention 0).
        steering: ``d`` in [0, 1).

    Returns:
        ``a_s``, ``(L,)``.
    """
    if not 0.0 <= steering < 1.0:
        raise ValueError(f"steering must be in [0, 1), got {steering}")
    attention = np.zeros(len(revenue_per_unit))
    if not listed.any():
        return attention
    levels = np.unique(revenue_per_unit[listed])[::-1]  # highest revenue first
    rank = np.searchsorted(-levels, -revenue_per_unit[listed])
    attention[listed] = (1.0 - steering) ** rank
    return attention


def steered_items(items: np.ndarray, revenue_per_unit: np.ndarray, steering: float) -> np.ndarray:
    """Items as the shopper weighs them once the platform ranks the listings.

    ``N'_s = N_s a_s (sum_r N_r) / (sum_r N_r a_r)``: the listing comparison of
    ``sim.mechanics.platforms`` weighs each listing by its items; steering shifts that
    weight toward the listings ranked first (:func:`listing_attention`) and keeps the
    total, so the platform's selection is unchanged. With ``d = 0`` the items are
    returned as they are, and the choice is exactly the unsteered one.

    Args:
        items: ``N_s`` (0 = not listed), ``(L,)``.
        revenue_per_unit: ``r_s`` ($), ``(L,)``.
        steering: ``d`` in [0, 1).

    Returns:
        ``N'_s``, ``(L,)``.
    """
    if steering == 0.0:
        return items
    listed = items > 0
    attention = listing_attention(revenue_per_unit, listed, steering)
    weighted = items * attention
    total = float(weighted.sum())
    if total <= 0:
        return items
    return weighted * (float(items.sum()) / total)


# ---------------------------------------------------------------------------
# (c) Hold-up: fees that follow brands' dependence


def brand_dependence(through_platform: float, listed_brand_units: float) -> float:
    """Brands' dependence on a platform: the share of their sales that go through it.

    ``D = sum_j u_jk / sum_j U_j`` over the brands listed on platform k, with ``u_jk``
    the units brand j sold through k and ``U_j`` all its units (a units-weighted mean of
    each brand's own share); 0 when listed brands sold nothing.

    Args:
        through_platform: ``sum_j u_jk``.
        listed_brand_units: ``sum_j U_j``.

    Returns:
        ``D`` in [0, 1].
    """
    if listed_brand_units <= 0:
        return 0.0
    return float(np.clip(through_platform / listed_brand_units, 0.0, 1.0))


def anticipated_dependence(now: float, before: float, quarters_ahead: float) -> float:
    """The dependence a platform expects, extrapolating the lock-in it sees coming.

    ``D* = clip(D_t + H max(D_t - D_{t-1}, 0), 0, 1)``: a platform that anticipates
    lock-in prices to the dependence brands will have ``H`` quarters on if the last
    quarter's rise continues; it does not expect dependence to fall. ``H = 0`` prices to
    today's dependence.

    Args:
        now: ``D_t``.
        before: ``D_{t-1}``.
        quarters_ahead: ``H`` >= 0.

    Returns:
        ``D*`` in [0, 1].
    """
    if quarters_ahead < 0:
        raise ValueError(f"quarters_ahead must be >= 0, got {quarters_ahead}")
    return float(np.clip(now + quarters_ahead * max(now - before, 0.0), 0.0, 1.0))


# ---------------------------------------------------------------------------
# (d) The shopper returns to the platform


def returns_to_platform(last_channel: np.ndarray, uniforms: np.ndarray, share: np.ndarray):
    """Shoppers whose next search starts (and ends) on the platform they last bought on.

    A shopper whose last purchase went through platform k (``last_channel = k + 1``)
    goes back to k with probability ``r_k`` and compares only its listings: the brand
    bought last time is one listing among many. With ``r_k = 0`` nobody is sent back.

    Args:
        last_channel: -1 none, 0 direct, ``k + 1`` platform k, ``(N,)``.
        uniforms: U[0, 1) per shopper, ``(N,)``.
        share: ``r_k`` in [0, 1] per platform, ``(K,)``.

    Returns:
        Platform index per shopper, -1 where the shopper compares every channel.
    """
    platform = last_channel.astype(np.int64) - 1
    on_platform = platform >= 0
    chance = np.zeros(len(last_channel))
    chance[on_platform] = share[platform[on_platform]]
    return np.where(on_platform & (uniforms < chance), platform, NO_LISTING)


# ---------------------------------------------------------------------------
# What owned customers are worth, and a brand's starting strength


def data_value_per_customer(
    with_data: np.ndarray, without_data: np.ndarray, need_rate: np.ndarray, margin: float
) -> float:
    """Weekly contribution the brand's data earn per owned customer ($).

    ``v = m (1/n) sum_i lambda_i (P_i - P_i^0)``: ``P_i`` is the probability that owned
    customer i buys direct from the brand with the fit the brand's data give it,
    ``P_i^0`` the same without the fit, ``lambda_i`` the customer's weekly need rate and
    ``m`` the brand's margin per unit. 0 without owned customers.

    Args:
        with_data: ``P_i``, ``(n,)``.
        without_data: ``P_i^0``, ``(n,)``.
        need_rate: ``lambda_i``, ``(n,)``.
        margin: ``m`` ($ per unit).

    Returns:
        $ per owned customer per week.
    """
    if not len(with_data):
        return 0.0
    return float(margin * np.mean(need_rate * (with_data - without_data)))


def fit_premium(fit_utility: np.ndarray, price_sensitivity: np.ndarray) -> float:
    """What the fit is worth to owned customers, in $ per purchase.

    ``w = (1/n) sum_i phi f_i / alpha_i``: the utility of fit turned into money at each
    customer's price sensitivity (the most a customer would pay for it). 0 without owned
    customers.

    Args:
        fit_utility: ``phi f_i`` (utils), ``(n,)``.
        price_sensitivity: ``alpha_i`` (utils per $), ``(n,)``.

    Returns:
        $ per purchase.
    """
    if not len(fit_utility):
        return 0.0
    return float(np.mean(fit_utility / price_sensitivity))


def loyal_customers(
    aware: np.ndarray, taken: np.ndarray, uniforms: np.ndarray, share: float
) -> np.ndarray:
    """Consumers who start as a brand's own (direct) customers.

    A consumer who knows the brand and is no other brand's customer yet starts as its
    customer with probability ``s``: bought direct from it last, so the habit, the
    relationship and its data are the brand's.

    Args:
        aware: knows the brand, ``(N,)`` bool.
        taken: already another brand's customer, ``(N,)`` bool.
        uniforms: U[0, 1), ``(N,)``.
        share: ``s`` in [0, 1].

    Returns:
        ``(N,)`` bool.
    """
    return aware & ~taken & (uniforms < share)


def interactions_for_knowledge(knowledge: float, data_scale: float) -> float:
    """Interactions (per 1,000 consumers) that give population knowledge ``K``.

    The inverse of ``sim.mechanics.learning.population_knowledge``:
    ``D = -s ln(1 - K)``, so a brand that starts with knowledge ``K`` keeps learning on
    the same curve.

    Args:
        knowledge: ``K`` in [0, 1).
        data_scale: ``s`` > 0.

    Returns:
        ``D``.
    """
    if not 0.0 <= knowledge < 1.0:
        raise ValueError(f"knowledge must be in [0, 1), got {knowledge}")
    return float(-data_scale * np.log1p(-knowledge))


# ---------------------------------------------------------------------------
# The offer with the platform's own label and its ranking


@dataclass(frozen=True)
class MovesOffer(ChannelOffer):
    """A :class:`~sim.mechanics.platforms.ChannelOffer` with own labels and steering.

    On platform k, listing slot ``F + 1`` is the platform's own label (0 items until
    it launches); with steering, every listing's items are weighed by
    :func:`steered_items`. Everything that reads listings through the offer's methods
    (the channel choice, the seller comparison, the firms' what-ifs) sees both.

    Attributes:
        own_label_items: items of each platform's own label, ``(K,)``; None = none.
        own_label_price: its price ($), ``(K,)``.
        own_label_quality: its quality (utils), ``(K,)``.
        own_label_cost: its unit cost to the platform ($), ``(K,)``.
        steering: ``d_k`` of each platform, ``(K,)``; None = no steering.
    """

    own_label_items: np.ndarray | None = None
    own_label_price: np.ndarray | None = None
    own_label_quality: np.ndarray | None = None
    own_label_cost: np.ndarray | None = None
    steering: np.ndarray | None = None

    def _raw_items(self, platform: int) -> np.ndarray:
        items = ChannelOffer.listing_items(self, platform)
        if self.own_label_items is None:
            return items
        factor = 1.0 if self.items_factor is None else float(self.items_factor[platform])
        return np.append(items, self.own_label_items[platform] * factor)

    def listing_items(self, platform: int) -> np.ndarray:
        """Items of each listing slot, own label last, as the ranking weighs them."""
        items = self._raw_items(platform)
        if self.steering is None or self.steering[platform] == 0.0:
            return items
        return steered_items(items, self.revenue_per_unit(platform), float(self.steering[platform]))

    def listing_price(self, platform: int) -> np.ndarray:
        """Price of each listing slot ($), own label last."""
        price = ChannelOffer.listing_price(self, platform)
        if self.own_label_price is None:
            return price
        factor = 1.0 if self.price_factor is None else float(self.price_factor[platform])
        return np.append(price, self.own_label_price[platform] * factor)

    def listing_quality(self, platform: int) -> np.ndarray:
        """Quality of each listing slot (utils), own label last."""
        quality = ChannelOffer.listing_quality(self, platform)
        if self.own_label_quality is None:
            return quality
        return np.append(quality, self.own_label_quality[platform])

    def listing_experience(self, platform: int) -> np.ndarray:
        """Experience each listing's seller delivers; the own label adds none of its own."""
        experience = ChannelOffer.listing_experience(self, platform)
        if self.own_label_items is None:
            return experience
        return np.append(experience, 0.0)

    def revenue_per_unit(self, platform: int) -> np.ndarray:
        """The platform's revenue per unit of each listing ($): fee, or own-label margin."""
        price = self.listing_price(platform)
        revenue = self.take_rate[platform] * price
        if self.own_label_items is not None and self.own_label_cost is not None:
            revenue[-1] = price[-1] - self.own_label_cost[platform]
        return revenue
