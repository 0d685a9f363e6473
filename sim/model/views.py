"""What a deciding firm sees: its own snapshot, the market, and its market research.

A firm never reaches into the model; its strategy gets the frozen views built here
(:class:`~sim.strategies.base.FirmView`, :class:`~sim.strategies.base.MarketView`,
:class:`~sim.strategies.base.MarketResearch`). ``MarketModel.firm_view``,
``market_view`` and ``market_research`` call these functions.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.agents.firm import Firm
from sim.strategies.base import FirmView, MarketResearch, MarketView, QuarterReport, RivalView

if TYPE_CHECKING:
    from sim.model.market import MarketModel


def firm_view(model: MarketModel, firm: Firm) -> FirmView:
    """Frozen snapshot of a firm for its strategy."""
    channels = model.channels
    return FirmView(
        firm_id=firm.unique_id,
        name=firm.name,
        week=model.week,
        quarter=model.quarter,
        price=firm.price,
        unit_cost=firm.unit_cost,
        fixed_cost=firm.fixed_cost,
        experience=firm.experience,
        selection=firm.selection,
        efficiency=firm.efficiency,
        cash=firm.cash,
        cumulative_units=firm.cumulative_units,
        spend_experience=firm.spend_experience,
        spend_selection=firm.spend_selection,
        spend_efficiency=firm.spend_efficiency,
        last_quarter=seen_quarter(firm, firm.last_quarter),
        previous_quarter=seen_quarter(firm, firm.previous_quarter),
        innovation_budget=firm.innovation_budget,
        spend_innovation=firm.spend_innovation,
        marketing_spend=firm.marketing_spend,
        take_share=channels.take_share(firm),
        connected_unit_cost=channels.connected_unit_cost(firm),
        spend_research=firm.spend_research,
        **model.defences.view_fields(model, firm),
        **model.trust.view_fields(firm),
        **model.acquisitions.own_details(model, firm),
        **model.capacity.view_fields(model, firm),
        **model.finance.view_fields(firm),
    )


def seen_quarter(firm: Firm, report: QuarterReport) -> QuarterReport:
    """A quarter as the firm sees it: satisfaction read through its drifted proxy."""
    if firm.proxy_gap == 0.0 or report.units == 0:
        return report
    return dataclasses.replace(report, satisfaction=report.satisfaction + firm.proxy_gap)


def market_research(model: MarketModel, firm: Firm) -> MarketResearch:
    """A random sample of consumers, as the firm's market research sees them.

    Weights turn the sample into expected weekly purchases of the whole population: ``w_i =
    lambda_i * N / K``. With research with noise on (``sim/components/research.py``), the sample
    is the firm's owned customers and its surveyed respondents, and the tastes it sees carry
    measurement noise.
    """
    cols = model.population.columns
    n = len(cols)
    sample = model.research.sample(model, firm) if model.research.enabled else None
    if sample is None:
        size = min(model.spec.market.research_sample_size, n)
        rows = np.sort(model.rng.choice(n, size=size, replace=False)) if size < n else np.arange(n)
        weights = cols.need_rate[rows] * (n / size)
        model.research.record_free(model, firm, size)
    else:
        rows, weights = sample.rows, sample.weights
    research = MarketResearch(
        own=firm.slot,
        outside_utility=model.spec.market.outside_utility,
        quality=model.firm_quality(),
        price=model.firm_vector("price"),
        selection=model.firm_vector("selection"),
        experience=model.firm_vector("experience"),
        price_sensitivity=cols.price_sensitivity[rows],
        selection_taste=cols.selection_taste[rows],
        experience_taste=cols.experience_taste[rows],
        expectation=cols.expectation[rows],
        habit_strength=cols.habit_strength[rows],
        last_firm=cols.last_firm[rows],
        available=cols.aware[rows] & model.alive_mask[None, :],
        weights=weights,
        need_rate=cols.need_rate[rows],
        habit_scale=model.lifecycle.habit_scale(),
        brand_match=model.heterogeneity.research_match(rows, len(model.firms)),
        **owner_siblings(model, firm),
        **model.trust.research(firm, rows),
    )
    if model.channels.mode:
        research = model.channels.market_research(firm, rows, research)
    if sample is not None:
        research = model.research.observe(research, sample)
    return research


def owner_siblings(model: MarketModel, firm: Firm) -> dict[str, Any]:
    """The other live brands of the firm's owner and their markups ($)."""
    if firm.owner is None:
        return {}
    siblings = [
        other
        for other in model.firms
        if other is not firm and other.alive and other.owner == firm.owner
    ]
    return {
        "siblings": tuple(other.slot for other in siblings),
        "sibling_markups": np.array([other.price - other.unit_cost for other in siblings]),
    }


def market_view(model: MarketModel, firm: Firm) -> MarketView:
    """Read-only view of the market for one deciding firm."""
    rivals = tuple(
        RivalView(
            other.unique_id,
            other.name,
            other.strategy_name,
            other.price,
            other.alive,
            **model.acquisitions.rival_details(model, firm, other),
        )
        for other in model.firms
        if other is not firm
    )
    return MarketView(
        week=model.week,
        quarter=model.quarter,
        rivals=rivals,
        research=model.market_research(firm),
        technology=model.technology,
        platforms=model.channels.platform_options(),
    )
