"""Named market metrics, ``f(model) -> float``, shared by data collection, plots and tests.

Each is a module-level function (so it pickles for parallel runs) reading the current
week's :class:`~sim.model.market.StepStats` and the firms.
"""

from __future__ import annotations

import numpy as np


def step(model) -> int:
    """Weeks completed (0 before the first week)."""
    return model.week


def needs(model) -> int:
    """Consumers who had a need this week."""
    return model.stats.needs


def purchases(model) -> int:
    """Units bought from firms this week."""
    return model.stats.purchases


def outside_share(model) -> float:
    """Share of needs met by the outside option (not buying); 0 with no needs."""
    if model.stats.needs == 0:
        return 0.0
    return 1.0 - model.stats.purchases / model.stats.needs


def spending(model) -> float:
    """Consumer spending on firms this week ($)."""
    return model.stats.spending


def mean_price(model) -> float:
    """Quantity-weighted mean price paid ($); posted mean of live firms if nothing sold."""
    if model.stats.purchases > 0:
        return model.stats.spending / model.stats.purchases
    prices = [firm.price for firm in model.firms if firm.alive]
    return float(np.mean(prices)) if prices else 0.0


def herfindahl_index(
    firm_units: np.ndarray, pool_units: np.ndarray | None = None, pool_sellers=None
) -> float:
    """Herfindahl-Hirschman index of unit shares, third-party sellers counted as sellers.

    ``HHI = sum_j s_j**2 + sum_k s_k**2 / n_k``: firms' shares ``s_j`` of all units, and
    each marketplace's pool of ``n_k`` small third-party sellers, who share its pool's
    units ``s_k`` equally (``sim.agents.platform.SellerPool``), so each holds
    ``s_k / n_k``. Without pool units this is the sum of the firms' squared shares.

    Args:
        firm_units: units sold by each firm, ``(F,)``.
        pool_units: units sold by each marketplace's third-party pool, ``(K,)``.
        pool_sellers: sellers in each pool, ``(K,)`` (a pool with units counts >= 1).

    Returns:
        HHI in [0, 1]; 0 when nothing was sold.
    """
    firm_units = np.asarray(firm_units, dtype=float)
    pools = np.zeros(0) if pool_units is None else np.asarray(pool_units, dtype=float)
    if not pools.sum() > 0:
        if firm_units.sum() == 0:
            return 0.0
        shares = firm_units / firm_units.sum()
        return float(shares @ shares)
    total = firm_units.sum() + pools.sum()
    shares, pool_shares = firm_units / total, pools / total
    sellers = np.maximum(np.asarray(pool_sellers, dtype=float), 1.0)
    return float(shares @ shares + pool_shares**2 @ (1.0 / sellers))


def hhi(model) -> float:
    """Herfindahl-Hirschman index of this week's unit shares, in [0, 1].

    Third-party sellers on a marketplace count as sellers (``herfindahl_index``).
    """
    units = model.stats.units_by_slot
    if units is None:
        return 0.0
    platforms = getattr(model, "platforms", ())
    if not platforms or not len(model.channels.listing_units):
        return herfindahl_index(units)
    pool_units = np.array(
        [
            model.channels.listing_units[k, -1] if p.pool is not None else 0.0
            for k, p in enumerate(platforms)
        ]
    )
    sellers = np.array([p.sellers for p in platforms])
    return herfindahl_index(units, pool_units, sellers)


def n_firms_alive(model) -> int:
    """Firms still in the market."""
    return sum(firm.alive for firm in model.firms)


def consumer_surplus(model) -> float:
    """Mean logit inclusive value, in $, per consumer with a need this week."""
    if model.stats.needs == 0:
        return 0.0
    return model.stats.surplus_total / model.stats.needs


def consumer_surplus_total(model) -> float:
    """Sum of the logit inclusive values, in $, of all consumers with a need this week."""
    return model.stats.surplus_total


def repeat_share(model) -> float:
    """Share of this week's purchases made from the buyer's previous firm."""
    if model.stats.purchases == 0:
        return 0.0
    return model.stats.repeat_purchases / model.stats.purchases


def mean_expectation(model) -> float:
    """Mean experience expectation across all consumers (experience units)."""
    return float(model.population.columns.expectation.mean())


def customer_obsessed_share(model) -> float:
    """Share of this week's units sold by customer-obsessed firms."""
    units = model.stats.units_by_slot
    if units is None or units.sum() == 0:
        return 0.0
    mask = np.array([firm.strategy_name == "customer_obsessed" for firm in model.firms])
    return float(units[mask].sum() / units.sum())


MODEL_REPORTERS = {
    function.__name__: function
    for function in (
        step,
        needs,
        purchases,
        outside_share,
        spending,
        mean_price,
        hhi,
        n_firms_alive,
        consumer_surplus,
        consumer_surplus_total,
        repeat_share,
        mean_expectation,
        customer_obsessed_share,
    )
}


# ---------------------------------------------------------------------------
# Day 1 and Day 2: awareness, vitality, entry and exit, tenure, long-run value.


def adopter_share(model) -> float:
    """Share of consumers who have bought from some firm at least once."""
    return model.adopters / len(model.population)


def mean_awareness(model) -> float:
    """Mean share of consumers aware of a live firm."""
    alive = model.alive_mask
    if not alive.any():
        return 0.0
    return float(model.lifecycle.word_of_mouth.awareness_shares()[alive].mean())


def mean_vitality(model) -> float:
    """Mean vitality of the live firms, in [0, 1]; 0 with no live firm."""
    values = [firm.vitality for firm in model.firms if firm.alive]
    return float(np.mean(values)) if values else 0.0


def day2_share(model) -> float:
    """Share of live firms in Day 2 (vitality below the stasis threshold)."""
    alive = [firm for firm in model.firms if firm.alive]
    if not alive:
        return 0.0
    return sum(firm.in_stasis for firm in alive) / len(alive)


def entries(model) -> int:
    """Firms that have entered since the start."""
    return model.lifecycle.entries


def exits(model) -> int:
    """Firms that have left the market since the start."""
    return sum(not firm.alive for firm in model.firms)


def tenure_top_k(model) -> float:
    """Mean years the current top-K firms (by trailing-year revenue) have been in the top K.

    Compare with the average tenure of S&P 500 companies (Innosight 2018: 33 years in
    1964, 24 in 2016, about 12 forecast for 2027). Spells that began before the first
    ranking (week 13) are counted from then, so early values are short by construction.
    """
    at_top = [firm for firm in model.firms if firm.at_top]
    if not at_top:
        return 0.0
    return float(np.mean([(model.week - firm.top_since) / 52.0 for firm in at_top]))


def cumulative_consumer_surplus(model) -> float:
    """Consumer surplus summed over all shopping needs since the start ($)."""
    return model.cumulative_surplus


MODEL_REPORTERS |= {
    function.__name__: function
    for function in (
        adopter_share,
        mean_awareness,
        mean_vitality,
        day2_share,
        entries,
        exits,
        tenure_top_k,
        cumulative_consumer_surplus,
    )
}
# Platforms and disintermediation (zero when the scenario has no platforms)


def disintermediation_index(model) -> float:
    """Share of this week's purchases made through platforms, in [0, 1]."""
    if model.stats.purchases == 0:
        return 0.0
    return model.stats.platform_purchases / model.stats.purchases


def platform_take(model) -> float:
    """Fees kept by all platforms this week ($)."""
    return model.stats.platform_take


def membership_fees(model) -> float:
    """Membership fees paid to platforms this week ($)."""
    return model.stats.membership_fees


def total_spending(model) -> float:
    """All consumer spending this week: purchases plus membership fees ($)."""
    return model.stats.spending + model.stats.membership_fees


def third_party_revenue(model) -> float:
    """Third-party sellers' sales this week, after platform fees ($)."""
    return model.stats.pool_revenue


def third_party_share(model) -> float:
    """Share of units on owned marketplaces not sold by the owner (Amazon's 3P share).

    Units through platforms that have an owner (first-party retail), less the owner's
    units, over all units through those platforms; 0 when there are none.
    """
    owned = [p for p in model.platforms if p.owner_slots and p.alive]
    units = sum(p.week.units for p in owned)
    if units == 0:
        return 0.0
    return (units - sum(p.week.owner_units for p in owned)) / units


def third_party_sellers(model) -> int:
    """Small third-party sellers on all marketplaces."""
    return sum(p.sellers for p in model.platforms if p.alive)


def platform_members(model) -> int:
    """Members of all platforms' membership programmes."""
    return sum(p.members for p in model.platforms if p.alive)


def automatic_share(model) -> float:
    """Share of this week's purchases fulfilled by automatic execution."""
    if model.stats.purchases == 0:
        return 0.0
    return model.stats.automatic_purchases / model.stats.purchases


MODEL_REPORTERS.update(
    {
        function.__name__: function
        for function in (
            disintermediation_index,
            platform_take,
            membership_fees,
            total_spending,
            third_party_revenue,
            third_party_share,
            third_party_sellers,
            platform_members,
            automatic_share,
        )
    }
)
