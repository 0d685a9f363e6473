"""Entry that follows profits and growth: the rate, its limits, and the model's use of it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from lifecycle_builders import firm, scenario

import sim
from sim.mechanics.lifecycle import annual_growth, entry_rate, trailing_margin
from sim.model.market import MarketModel

# ---------------------------------------------------------------- the rate


def test_zero_profit_and_growth_give_the_base_rate():
    assert entry_rate(2.0, 0.0, 0.0, 5.0, 3.0, 10.0) == 2.0
    assert entry_rate(2.0, 0.3, 0.2, 0.0, 0.0, 10.0) == 2.0  # responses off: a fixed stream


def test_hand_worked_rates():
    """2 a year, margin 10%, a = 5: 2 e^0.5 = 3.29744...; growth 20%, b = 2.5: 2 e^0.5 too."""
    assert entry_rate(2.0, 0.1, 0.0, 5.0, 0.0, 10.0) == pytest.approx(3.2974425414002564)
    assert entry_rate(2.0, 0.0, 0.2, 0.0, 2.5, 10.0) == pytest.approx(3.2974425414002564)
    # both: 2 e^(0.5 + 0.5) = 2e
    assert entry_rate(2.0, 0.1, 0.2, 5.0, 2.5, 10.0) == pytest.approx(2.0 * math.e)
    # losses slow entry: margin -10%, a = 5 -> 2 e^-0.5
    assert entry_rate(2.0, -0.1, 0.0, 5.0, 0.0, 10.0) == pytest.approx(2.0 / 1.6487212707001282)


def test_rate_is_monotone_in_profit_and_growth_and_capped():
    margins = np.linspace(-0.5, 2.0, 26)
    rates = [entry_rate(1.0, m, 0.0, 4.0, 0.0, 10.0) for m in margins]
    assert (np.diff(rates) >= 0).all()
    assert rates[-1] == 10.0  # e^8 capped at 10x
    growths = np.linspace(-0.5, 1.0, 16)
    rates = [entry_rate(1.0, 0.0, g, 0.0, 2.0, 10.0) for g in growths]
    assert (np.diff(rates) > 0).all()
    assert entry_rate(0.0, 1.0, 1.0, 5.0, 5.0, 10.0) == 0.0


def test_trailing_margin_and_growth_by_hand():
    # firm A: last four quarters OP 1+2+3+4 = 10 on revenue 100; firm B: OP -2 on 100
    margin = trailing_margin([[99.0, 1, 2, 3, 4], [-2.0]], [[1e6, 25, 25, 25, 25], [100.0]])
    assert margin == pytest.approx(8.0 / 200.0)
    assert trailing_margin([], []) == 0.0
    assert annual_growth([1.0] * 7) == 0.0  # under two years of quarters
    assert annual_growth([10, 10, 10, 10, 12, 12, 13, 13]) == pytest.approx(50 / 40 - 1)


# ---------------------------------------------------------------- in the model


def entry_scenario(steps: int = 52, **entry) -> dict:
    startup = {
        "name": "Start-up",
        "strategy": "user_strategy:FixedMarkup",
        "fixed_cost": 0.0,
        "cash": 1e5,
    }
    incumbents = [
        firm("A", "user_strategy:FixedMarkup", strategy_params={"markup": 0.5}),
        firm("B", "user_strategy:FixedMarkup", strategy_params={"markup": 0.3}),
    ]
    return scenario(
        incumbents,
        steps=steps,
        entry={"rate_per_year": 1.0, "templates": [startup], "max_alive": 10, **entry},
    )


def test_model_rate_follows_incumbents_margin_from_the_firm_table():
    """After a year, rate = 1 * exp(4 m), m = incumbents' operating margin from the table."""
    model = MarketModel(entry_scenario(profit_response=4.0, growth_response=1.0), seed="scenario")
    model.run(52)
    firms = model.datacollector.get_table_dataframe("firms")
    year = firms[(firms["step"] >= 1) & (firms["step"] <= 52) & firms["name"].isin(["A", "B"])]
    margin = year["operating_profit"].sum() / year["revenue"].sum()
    assert margin > 0.1
    assert model.lifecycle.incumbent_margin == pytest.approx(margin, rel=1e-9)
    assert model.lifecycle.market_growth == 0.0  # under two years of history
    assert model.lifecycle.entry_rate_per_year == pytest.approx(math.exp(4.0 * margin), rel=1e-9)


def test_responsive_entry_is_deterministic():
    first = sim.run(entry_scenario(steps=80, profit_response=4.0, growth_response=1.0))
    second = sim.run(entry_scenario(steps=80, profit_response=4.0, growth_response=1.0))
    assert first.firms.equals(second.firms)
    assert first.tables["events"].equals(second.tables["events"])


def test_zero_responses_keep_the_fixed_stream():
    fixed = sim.run(entry_scenario(steps=80))
    zero = sim.run(entry_scenario(steps=80, profit_response=0.0, growth_response=0.0))
    assert fixed.firms.equals(zero.firms)
    assert fixed.tables["events"].equals(zero.tables["events"])
