"""How a strategy chooses its channel defences and marketing from its market research.

Both built-in firm strategies use these rules with their own weights: what an owned
customer relationship is worth beyond the sale (``relationship_weight``) and the horizon
over which a newly aware customer counts. The research evaluates every option's
demand in every channel (``ChannelMarketResearch.defence_value``), the way
``channel_value`` evaluates channel sets.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np

from sim.mechanics.defences import marketing_spend_for_value
from sim.strategies.base import FirmView, MarketResearch
from sim.strategies.channel_research import ChannelMarketResearch

# Options weighed, as shares of the direct price: incentives and rebates.
DEFENCE_SHARES = (0.0, 0.025, 0.05, 0.1)
# Platform prices weighed: the direct price grossed up by this share of the platform fee.
FEE_PASS_THROUGH = (0.0, 0.5, 1.0)


@dataclass(frozen=True)
class DefenceChoice:
    """The defences chosen, the weekly value the research puts on them, and their cost.

    ``cost_per_unit`` is the expected weekly cost of the incentive and the programme
    over the expected weekly units in every channel ($ per unit).
    """

    platform_price: float | None = None
    direct_incentive: float = 0.0
    loyalty_rebate: float = 0.0
    value: float = 0.0
    cost_per_unit: float = 0.0

    def as_decision(self) -> dict[str, float | None]:
        """The fields of a :class:`~sim.strategies.base.Decision`."""
        return {
            "platform_price": self.platform_price,
            "direct_incentive": self.direct_incentive,
            "loyalty_rebate": self.loyalty_rebate,
        }


def choose_defences(
    firm: FirmView, research: MarketResearch, price: float, relationship_weight: float
) -> DefenceChoice:
    """The defences worth most to the firm at its price, by its research.

    Every combination of a direct incentive and a loyalty rebate (0, 2.5, 5 or 10% of
    the price) and, when the firm is listed on a platform, a platform price passing on
    0, half or all of the highest fee it pays, is valued by
    ``ChannelMarketResearch.defence_value`` with the strategy's relationship weight.
    Without a channel research or without defences allowed, nothing changes.

    Args:
        firm: the deciding firm.
        research: its market research.
        price: the direct price it decided.
        relationship_weight: value of an owned relationship per direct unit, share of price.

    Returns:
        The best option (ties go to the cheaper, earlier option).
    """
    if not firm.defences_allowed or not isinstance(research, ChannelMarketResearch):
        return DefenceChoice()
    offer = research.offer
    listed = offer.listed[:, research.own]
    platform_prices: list[float | None] = [None]
    if listed.any():
        fee = float(offer.take_rate[listed].max())
        platform_prices += [price / (1.0 - fee) ** share for share in FEE_PASS_THROUGH[1:]]
    cost = firm.unit_cost + firm.connected_unit_cost
    options = [
        DefenceChoice(
            asked,
            incentive * price,
            rebate * price,
            research.defence_value(
                price,
                cost,
                relationship_weight,
                asked,
                incentive * price,
                rebate * price,
                firm.owned_customers,
                firm.loyalty_cost_per_member,
                firm.incentive_cost_ratio,
            ),
        )
        for asked, incentive, rebate in itertools.product(
            platform_prices, DEFENCE_SHARES, DEFENCE_SHARES
        )
    ]
    best = max(options, key=lambda option: option.value)  # the first of equals
    if best.direct_incentive > 0 or best.loyalty_rebate > 0:
        direct, member, platforms = research.what_if.units_detail(
            price=price,
            platform_price=np.nan if best.platform_price is None else best.platform_price,
            incentive=best.direct_incentive,
            rebate=best.loyalty_rebate,
        )
        units = direct + float(platforms.sum())
        cost = firm.incentive_cost_ratio * best.direct_incentive * direct
        if best.loyalty_rebate > 0:
            cost += best.loyalty_rebate * member + firm.loyalty_cost_per_member * (
                firm.owned_customers
            )
        if units > 0:
            best = dataclasses.replace(best, cost_per_unit=cost / units)
    return best


def choose_marketing(
    firm: FirmView,
    research: MarketResearch,
    price: float,
    relationship_weight: float,
    weeks_counted: float,
) -> float | None:
    """Weekly marketing spend worth its cost by the research, or None (scenario's value).

    A newly aware consumer is worth the units an aware consumer buys from the firm per
    week (research demand over the consumers who know the firm) times the margin (plus
    the relationship value of direct units, ``w p``) times the weeks the strategy
    counts; the spend is :func:`sim.mechanics.defences.marketing_spend_for_value` held
    for a quarter.

    Args:
        firm: the deciding firm.
        research: its market research.
        price: the direct price it decided.
        relationship_weight: ``w``.
        weeks_counted: weeks (discounted, if the strategy discounts) a customer counts.

    Returns:
        $ per week, or None when the scenario does not let strategies decide marketing.
    """
    if not firm.decides_marketing:
        return None
    aware = research.available[:, research.own]
    aware_share = float(aware.mean()) if len(aware) else 0.0
    population = max(firm.population, 1)
    if aware_share <= 0:
        return 0.0
    units = research.demand(price=price)
    per_aware = units / (aware_share * population)
    margin = price * (1.0 - firm.take_share) - firm.unit_cost - firm.connected_unit_cost
    value = per_aware * (margin + relationship_weight * price) * weeks_counted
    return marketing_spend_for_value(
        (1.0 - aware_share) * population,
        population,
        firm.marketing_contact_cost,
        max(value, 0.0),
        13,
    )


def discounted_weeks(horizon_weeks: float, annual_rate: float) -> float:
    """Weeks in a horizon, each discounted at an annual rate (continuous weekly)."""
    if annual_rate <= 0:
        return float(horizon_weeks)
    weekly = np.log1p(annual_rate) / 52.0
    return float((1.0 - np.exp(-weekly * horizon_weeks)) / weekly)
