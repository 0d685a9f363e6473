"""Experiments: heavy-tailed gains, learning from failure, budgets under each mindset."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lifecycle_builders import FIXED, firm, identical_consumers, scenario

import sim
from sim.mechanics import innovation
from sim.strategies.base import QuarterReport
from sim.strategies.customer_obsessed import CustomerObsessed
from sim.strategies.shareholder_focused import ShareholderFocused

# ---------------------------------------------------------------------------
# Gains


def test_pareto_multiples_by_inversion_hand_worked():
    # a = 1: P(X > x) = 1/x, so the 0.9 and 0.99 quantiles are 10 and 100
    multiples = innovation.pareto_multiples(np.array([0.0, 0.5, 0.9, 0.99, 0.999]), 1.0, 100.0)
    assert multiples == pytest.approx([1.0, 2.0, 10.0, 100.0, 100.0])


@pytest.mark.parametrize("tail_index", [0.8, 1.0, 1.5])
def test_pareto_tail_frequencies(tail_index):
    """One success in 10**a is worth 10x; one in 100**a is worth 100x (capped at 100)."""
    draws = innovation.pareto_multiples(np.random.default_rng(1).random(400_000), tail_index, 100.0)
    for x in (10.0, 50.0):
        expected = x**-tail_index
        sd = np.sqrt(expected * (1 - expected) / len(draws))
        assert np.mean(draws > x) == pytest.approx(expected, abs=5 * sd)
    assert draws.max() == 100.0


@pytest.mark.parametrize("tail_index", [1.0, 1.5, 3.0])
def test_expected_multiple_matches_monte_carlo(tail_index):
    draws = innovation.pareto_multiples(
        np.random.default_rng(2).random(1_000_000), tail_index, 50.0
    )
    se = draws.std() / np.sqrt(len(draws))
    assert innovation.expected_multiple(tail_index, 50.0) == pytest.approx(draws.mean(), abs=5 * se)


def test_a_few_wins_carry_most_of_the_value():
    """With the default tail (a = 1, cap 100), the top 5% of wins carry > 30% of the value."""
    draws = np.sort(innovation.pareto_multiples(np.random.default_rng(3).random(100_000), 1, 100))
    top = draws[-len(draws) // 20 :].sum() / draws.sum()
    assert top > 0.3


# ---------------------------------------------------------------------------
# Success and learning from failure


def test_success_probability_closed_form():
    assert innovation.success_probability(0, 0.1, 0.4, 20) == pytest.approx(0.1)
    assert innovation.success_probability(20, 0.1, 0.4, 20) == pytest.approx(
        0.1 + 0.3 * (1 - np.exp(-1))
    )
    assert innovation.success_probability(1e9, 0.1, 0.4, 20) == pytest.approx(0.4)
    assert innovation.success_probability(1e9, 0.1, 0.4, 20, vitality_factor=0.5) == (
        pytest.approx(0.2)
    )


@given(st.floats(0, 1000), st.floats(0, 1000))
def test_failures_never_lower_the_odds(a, b):
    low, high = sorted((a, b))
    assert innovation.success_probability(low, 0.05, 0.5, 15) <= innovation.success_probability(
        high, 0.05, 0.5, 15
    )


def test_no_budget_no_experiments_and_no_draws():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert innovation.run_experiments(0.0, 100.0, 0, 0.1, 0.3, 20, 1.0, rng) == (0, 0)
    assert rng.bit_generator.state == state


def test_experiment_counts_and_success_rate():
    rng = np.random.default_rng(4)
    results = np.array(
        [
            innovation.run_experiments(1300.0, 100.0, 0, 0.25, 0.25, 20, 1.0, rng)
            for _ in range(4000)
        ]
    )
    experiments, successes = results[:, 0], results[:, 1]
    assert experiments.mean() == pytest.approx(13.0, abs=5 * np.sqrt(13 / 4000))
    assert successes.sum() / experiments.sum() == pytest.approx(0.25, abs=0.01)


def _experimenting(steps: int, budget: float = 1000.0, **innovation_spec) -> dict:
    return scenario(
        firms=[firm("Lab", FIXED, innovation_budget=budget)],
        steps=steps,
        consumers=identical_consumers(200),
        innovation={"experiment_cost": 500.0, **innovation_spec},
    )


def test_later_experiments_succeed_more_often_because_failures_teach():
    """Base chance 5%, ceiling 50%, 20 failures close 63% of the gap: success rises.

    About four experiments a quarter: the first year's (mostly before 20 failures) must
    succeed clearly less often than the last two years'.
    """
    early, late = np.zeros(2), np.zeros(2)
    for seed in range(6):
        data = _experimenting(
            520, budget=150.0, base_success=0.05, max_success=0.5, failures_to_learn=20.0
        )
        firms = sim.run(data, seed=seed).firms.set_index("step")
        for bucket, (start, end) in ((early, (0, 52)), (late, (416, 520))):
            bucket += [
                firms.loc[end, "experiments"] - firms.loc[start, "experiments"],
                firms.loc[end, "successes"] - firms.loc[start, "successes"],
            ]
    assert late[1] / late[0] > early[1] / early[0] + 0.15


def test_experience_successes_raise_experience_at_the_quarter_end():
    data = _experimenting(
        13, base_success=1.0, max_success=1.0, latent_need_share=0.0, typical_experience_gain=0.1
    )
    firms = sim.run(data, seed=1).firms.set_index("step")
    successes = firms.loc[13, "successes"]
    assert successes > 0
    # experience depreciates 1% a week from 1.0; the gains land at week 13, at least 0.1 each
    assert firms.loc[12, "experience"] == pytest.approx(0.99**12)
    assert firms.loc[13, "experience"] >= 0.99**13 + 0.1 * successes - 1e-9


def test_latent_needs_are_valued_only_once_launched():
    """A latent-need success changes nothing until launch, then raises quality."""
    data = _experimenting(
        60,
        base_success=1.0,
        max_success=1.0,
        latent_need_share=1.0,
        typical_quality_gain=0.05,
        launch_weeks=20,
    )
    result = sim.run(data, seed=1)
    firms = result.firms.set_index("step")
    launches = result.tables["events"].query("event == 'launch'")
    assert firms.loc[32, "quality"] == 2.0
    assert firms.loc[13, "successes"] > 0
    first = launches["step"].min()
    assert first == 13 + 20
    assert firms.loc[first, "quality"] > 2.0
    assert firms.loc[first - 1, "quality"] == 2.0


# ---------------------------------------------------------------------------
# Budgets under each mindset


def _views(strategy_name: str, budget: float):
    data = scenario(
        firms=[firm("Me", strategy_name, innovation_budget=budget, fixed_cost=100.0)],
        consumers=identical_consumers(300),
    )
    model = sim.MarketModel(data, seed="scenario")
    me = model.firms[0]
    return model, me


def _bad_quarter(view):
    bad = QuarterReport(
        units=10.0,
        revenue=400.0,
        operating_profit=-5000.0,
        investment=2000.0,
        customers=10,
        customer_growth=-0.5,
        repeat_rate=0.1,
        satisfaction=-1.0,
    )
    return dataclasses.replace(view, last_quarter=bad, previous_quarter=view.last_quarter)


def test_customer_obsessed_keeps_experimenting_through_a_bad_quarter():
    model, me = _views("customer_obsessed", 700.0)
    strategy = CustomerObsessed()
    good = strategy.decide(model.firm_view(me), model.market_view(me))
    bad = strategy.decide(_bad_quarter(model.firm_view(me)), model.market_view(me))
    assert good.spend_innovation == bad.spend_innovation == 700.0


def test_shareholder_focused_cuts_experiments_when_a_quarter_misses_plan():
    model, me = _views("shareholder_focused", 700.0)
    strategy = ShareholderFocused(innovation_cut=0.5)
    first = strategy.decide(model.firm_view(me), model.market_view(me))
    assert first.spend_innovation == 700.0
    view = dataclasses.replace(model.firm_view(me), quarter=1)
    market = dataclasses.replace(model.market_view(me), quarter=1)
    missed = strategy.decide(_bad_quarter(view), market)
    assert missed.spend_innovation == 350.0
    again = strategy.decide(_bad_quarter(view), market)
    assert again.spend_innovation == 175.0
    next_year = dataclasses.replace(market, quarter=4)
    restored = strategy.decide(dataclasses.replace(view, quarter=4), next_year)
    assert restored.spend_innovation == 700.0


def test_budgets_in_a_run_follow_the_mindsets():
    """In a squeezed market the shareholder-focused firm cuts, the other never does."""
    data = scenario(
        firms=[
            firm("Patient", "customer_obsessed", innovation_budget=300.0, fixed_cost=200.0),
            firm("Quarterly", "shareholder_focused", innovation_budget=300.0, fixed_cost=200.0),
        ],
        steps=156,
        consumers=identical_consumers(1500, need_rate=0.3),
    )
    firms = sim.run(data, seed=3).firms
    live = firms[firms["alive"] & (firms["step"] > 0)]
    patient = live[live["name"] == "Patient"]["innovation_spend"]
    quarterly = live[live["name"] == "Quarterly"]["innovation_spend"]
    assert (patient == 300.0).all()
    assert quarterly.min() < 300.0
