"""Hand-built inputs for the tests: tiny scenarios and synthetic strategy views."""

from __future__ import annotations

import dataclasses

import numpy as np
from lifecycle_builders import identical_consumers

from sim.scenario import TechnologySpec
from sim.strategies.base import FirmView, MarketResearch, MarketView, QuarterReport, Technology


def tiny_scenario(firms: list[dict] | None = None, **sections) -> dict:
    """A small scenario mapping: 200 identical consumers, one fixed-markup firm."""
    data = {
        "name": "tiny",
        "seed": 3,
        "steps": 10,
        "market": {"outside_utility": 0.0, "research_sample_size": 50},
        "consumers": identical_consumers(200),
        "firms": firms
        if firms is not None
        else [{"name": "Solo", "strategy": "user_strategy:FixedMarkup"}],
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def start_up_market(**finance) -> dict:
    """A shareholder-focused incumbent and shareholder-focused start-ups entering 4 a year
    (400 consumers, six quarters); ``finance`` settings, if any, as the finance section."""
    return tiny_scenario(
        firms=[{"name": "Incumbent", "strategy": "shareholder_focused", "cash": 50_000.0}],
        consumers={"count": 400},
        entry={
            "rate_per_year": 4.0,
            "templates": [
                {
                    "name": "Startup",
                    "strategy": "shareholder_focused",
                    "cash": 20_000.0,
                    "fixed_cost": 100.0,
                }
            ],
        },
        steps=13 * 6,
        **({"finance": finance} if finance else {}),
    )


def technology() -> Technology:
    """The default technology of a scenario, as the model hands it to strategies."""
    spec = TechnologySpec()
    return Technology(
        experience=(
            spec.experience_depreciation,
            spec.experience_productivity,
            spec.experience_spend_scale,
        ),
        selection=(
            spec.selection_depreciation,
            spec.selection_productivity,
            spec.selection_spend_scale,
        ),
        efficiency=(
            spec.efficiency_depreciation,
            spec.efficiency_productivity,
            spec.efficiency_spend_scale,
        ),
    )


def research(own: int = 0, aware: bool = True, prices=(30.0, 32.0, 35.0)) -> MarketResearch:
    """Market research over five hand-written consumers and three firms."""
    n_firms = len(prices)
    return MarketResearch(
        own=own,
        outside_utility=0.0,
        quality=np.array([3.0, 3.0, 3.5])[:n_firms],
        price=np.array(prices, dtype=float),
        selection=np.array([100.0, 80.0, 120.0])[:n_firms],
        experience=np.array([1.0, 1.2, 0.8])[:n_firms],
        price_sensitivity=np.array([0.05, 0.08, 0.10, 0.12, 0.20]),
        selection_taste=np.array([0.3, 0.3, 0.2, 0.0, 0.1]),
        experience_taste=np.array([1.0, 0.5, 1.5, 1.0, 0.0]),
        expectation=np.array([1.0, 1.1, 0.9, 1.0, 1.3]),
        habit_strength=np.array([0.5, 0.0, 0.5, 1.0, 0.2]),
        last_firm=np.array([-1, 0, 1, 2, -1], dtype=np.int32),
        available=np.full((5, n_firms), aware, dtype=bool),
        weights=np.array([50.0, 40.0, 60.0, 30.0, 20.0]),
    )


def firm_view(**changes) -> FirmView:
    """A firm mid-life: cash comfortably above any floor, a normal last quarter."""
    quarter = QuarterReport(
        units=650.0,
        revenue=650.0 * 30.0,
        operating_profit=2000.0,
        investment=1000.0,
        customers=400,
        customer_growth=0.05,
        repeat_rate=0.3,
        satisfaction=0.1,
        needs_reached=3000.0,
    )
    view = FirmView(
        firm_id=1,
        name="Test firm",
        week=13,
        quarter=1,
        price=30.0,
        unit_cost=20.0,
        fixed_cost=1000.0,
        experience=1.0,
        selection=100.0,
        efficiency=0.0,
        cash=80_000.0,
        cumulative_units=200_000.0,
        spend_experience=0.0,
        spend_selection=0.0,
        spend_efficiency=0.0,
        last_quarter=quarter,
        previous_quarter=quarter,
    )
    return dataclasses.replace(view, **changes)


def quarter_report(**changes) -> QuarterReport:
    """A quarter report with the fields given, zeros elsewhere."""
    return dataclasses.replace(QuarterReport(), **changes)


def market_view(quarter: int = 1, **research_kwargs) -> MarketView:
    """A market view wrapping :func:`research`."""
    return MarketView(
        week=13 * quarter,
        quarter=quarter,
        rivals=(),
        research=research(**research_kwargs),
        technology=technology(),
    )
