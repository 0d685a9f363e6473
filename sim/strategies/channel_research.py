"""Market research that sees channels: direct stores, platforms and their fees.

When platforms, connected experiences or learning are on, a firm's research sample is
evaluated with the channel choice of ``sim.mechanics.platforms`` instead of the plain
logit, so a strategy's ``research.demand(...)`` counts the units it sells in every
channel and ``research.best_response_price(...)`` maximises profit after platform
fees. Strategies do not need to know which research they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from sim.mechanics.platforms import ChannelOffer, FirmWhatIf, Shoppers
from sim.strategies.market_research import MarketResearch
from sim.strategies.research_terms import ResearchTerms  # noqa: F401 (inherited fields' types)
from sim.strategies.trust_view import TrustResearch  # noqa: F401 (inherited fields' types)
from sim.strategies.views import ChannelSet

GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
PRICE_SEARCH_STEPS = 60
PRICE_SEARCH_CEILING = 4.0
PRICE_TOLERANCE = 1e-7


@dataclass(frozen=True, kw_only=True)
class ChannelMarketResearch(MarketResearch):
    """A research sample evaluated with the channel choice.

    Attributes:
        offer: what is on offer now, by channel.
        shoppers: the sampled consumers as the channel choice sees them.
        extra_unit_cost: the firm's connected-experience cost per unit ($).
    """

    offer: ChannelOffer
    shoppers: Shoppers
    extra_unit_cost: float

    @cached_property
    def what_if(self) -> FirmWhatIf:
        """Cached what-if evaluator of the firm's demand on this sample."""
        return FirmWhatIf(self.offer, self.shoppers, self.outside_utility, self.weights, self.own)

    def demand(
        self,
        price: float | None = None,
        experience: float | None = None,
        selection: float | None = None,
    ) -> float:
        """Expected weekly units in all channels if the firm changed price or stocks."""
        direct, platforms = self.what_if.units(price, selection, experience)
        return direct + float(platforms.sum())

    def demand_grid(
        self, price: ArrayLike, experience: ArrayLike, selection: ArrayLike
    ) -> np.ndarray:
        """:meth:`demand` for many candidate offers (one channel evaluation each)."""
        price, experience, selection = np.broadcast_arrays(
            np.asarray(price, dtype=float),
            np.asarray(experience, dtype=float),
            np.asarray(selection, dtype=float),
        )
        units = [
            self.demand(price=float(p), experience=float(x), selection=float(s))
            for p, x, s in zip(price.ravel(), experience.ravel(), selection.ravel(), strict=True)
        ]
        return np.array(units).reshape(price.shape)

    def contribution(self, price: float, unit_cost: float) -> float:
        """Expected weekly contribution after platform fees at a price ($)."""
        direct, platforms = self.what_if.units(price=price)
        net = price * (1.0 - self.offer.take_rate) - unit_cost
        return (price - unit_cost) * direct + float(net @ platforms)

    def best_response_price(self, unit_cost: float, start_price: float) -> float:
        """Price that maximises expected weekly contribution after platform fees.

        Golden-section search on ``[c, max(4 c, 2 p0)]`` to a relative width of
        ``PRICE_TOLERANCE``; logit profit is single-peaked in own price, and so is a sum
        of such terms with the same sign of slope at each end.

        Args:
            unit_cost: marginal cost ($ per unit); the connected cost is added.
            start_price: current price ($), used to size the search interval.

        Returns:
            The price ($).
        """
        cost = unit_cost + self.extra_unit_cost
        low = cost
        high = max(PRICE_SEARCH_CEILING * cost, 2.0 * start_price, cost + 1.0)
        a, b = low + (1 - GOLDEN) * (high - low), low + GOLDEN * (high - low)
        fa, fb = self.contribution(a, cost), self.contribution(b, cost)
        for _ in range(PRICE_SEARCH_STEPS):
            if fa >= fb:
                high, b, fb = b, a, fa
                a = low + (1 - GOLDEN) * (high - low)
                fa = self.contribution(a, cost)
            else:
                low, a, fa = a, b, fb
                b = low + GOLDEN * (high - low)
                fb = self.contribution(b, cost)
            if high - low < PRICE_TOLERANCE * cost:
                break
        return float(0.5 * (low + high))

    def channel_value(
        self, option: ChannelSet, unit_cost: float, relationship_weight: float
    ) -> float:
        """Value of selling through ``option``: weekly contribution plus relationship value.

        ``V = (p - c) D_direct + sum_k (p (1 - tau_k) - c) D_k + w p D_direct``.

        Args:
            option: the channels.
            unit_cost: cost per unit including connected costs ($).
            relationship_weight: ``w``, value of an owned relationship per direct unit,
                as a share of price.

        Returns:
            $ per week.
        """
        direct, platforms = self.what_if.units(direct=option.direct, platforms=option.platforms)
        price = float(self.offer.price[self.own])
        net = price * (1.0 - self.offer.take_rate) - unit_cost
        contribution = (price - unit_cost) * direct + float(net @ platforms)
        return contribution + relationship_weight * price * direct

    def defence_value(
        self,
        price: float,
        unit_cost: float,
        relationship_weight: float,
        platform_price: float | None,
        incentive: float,
        rebate: float,
        members: float,
        cost_per_member: float,
        incentive_cost_ratio: float,
    ) -> float:
        """Weekly value of a set of defences at a direct price ($).

        ``V = (p - c) D_d - c_d d D_d - r D_m - k m [r > 0]
        + sum_k (p_k (1 - tau_k) - c) D_k + w p D_d`` with ``D_m`` the direct units bought by
        loyalty members and ``p_k`` the listing price on platform k (parity applied).

        Args:
            price: direct price ($).
            unit_cost: cost per unit including connected costs ($).
            relationship_weight: ``w``, value of an owned relationship per direct unit,
                as a share of price.
            platform_price: price asked on platforms (None = the direct price).
            incentive: ``d``, direct incentive ($ per direct unit).
            rebate: ``r``, loyalty rebate ($ per member unit).
            members: ``m``, loyalty members the programme would run for.
            cost_per_member: ``k`` ($ per member per week).
            incentive_cost_ratio: ``c_d``, cost per $ of incentive.

        Returns:
            $ per week.
        """
        what_if = self.what_if
        asked = np.nan if platform_price is None else platform_price
        direct, member, platforms = what_if.units_detail(
            price=price,
            platform_price=asked,
            incentive=incentive,
            rebate=rebate,
        )
        shown = np.array(
            [what_if.listing_price_at(k, price, asked) for k in range(self.offer.n_platforms)]
        )
        net = shown * (1.0 - self.offer.take_rate) - unit_cost
        value = (price - unit_cost - incentive_cost_ratio * incentive) * direct
        value += float(net @ platforms) + relationship_weight * price * direct
        if rebate > 0:
            value -= rebate * member + cost_per_member * members
        return float(value)
