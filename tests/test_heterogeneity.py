"""Lasting differences: brand match (mixed logit), founding draws, fading AR(1) shocks.

Closed forms are computed here independently of the code: the AR(1) decay ``rho^k`` and
stationary variance ``sigma^2 / (1 - rho^2)``, and the mixed-logit choice probability of a
two-firm market by Gauss-Hermite quadrature over the two matches. Sampling tolerances are
five standard errors of the statistic at the test's sample size.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from lifecycle_builders import identical_consumers

import sim
from sim.agents.firm import Firm
from sim.mechanics.heterogeneity import (
    ar1_stationary_sd,
    ar1_step,
    brand_match,
    cost_shock_factor,
    spread_in_logs,
)
from sim.scenario import InputError, load_scenario

Z = 5.0  # tolerance in standard errors


def markup_firm(name: str, **changes) -> dict:
    spec = {
        "name": name,
        "strategy": "user_strategy:FixedMarkup",
        "fixed_cost": 0.0,
        "cash": 1e6,
        "progress_ratio": 1.0,
        "quality": 3.0,
    }
    spec.update(changes)
    return spec


def two_firm_market(count: int, match_sd: float, **sections) -> dict:
    """Identical consumers (alpha 0.1, need every week, no habit) and two fixed-markup firms.

    Prices are unit cost x 1.2 = $24 and $30, so ``V = 3 - 0.1 p`` is 0.6 and 0.0; u0 = 0.
    """
    data = {
        "name": "two firms",
        "seed": 11,
        "steps": 4,
        "market": {"outside_utility": 0.0, "research_sample_size": count},
        "consumers": identical_consumers(count, brand_match_sd=match_sd),
        "firms": [markup_firm("Cheap", unit_cost=20.0), markup_firm("Dear", unit_cost=25.0)],
    }
    data.update(sections)
    return data


def mixed_logit_two_firms(v1: float, v2: float, u0: float, s: float, nodes: int = 80):
    """``P_j = E[exp(V_j + mu_j) / (exp(u0) + sum_k exp(V_k + mu_k))]``, mu_k ~ N(0, s^2) iid.

    Two-dimensional Gauss-Hermite (probabilists') quadrature.
    """
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / math.sqrt(2.0 * math.pi)
    m1, m2 = np.meshgrid(s * x, s * x, indexing="ij")
    weight = np.outer(w, w)
    e1, e2 = np.exp(v1 + m1), np.exp(v2 + m2)
    total = math.exp(u0) + e1 + e2
    return float((weight * e1 / total).sum()), float((weight * e2 / total).sum())


# ----------------------------------------------------------------------------- AR(1)


def test_single_shock_decays_as_rho_to_the_k():
    rho, sigma = 0.9, 0.1
    x = ar1_step(0.0, rho, sigma, 1.0)  # one innovation of one sd
    assert float(x) == pytest.approx(0.1, abs=1e-15)
    for k in range(1, 6):
        x = ar1_step(x, rho, sigma, 0.0)
        assert float(x) == pytest.approx(0.1 * 0.9**k, rel=1e-12)
    assert float(x) == pytest.approx(0.059049, rel=1e-12)  # 0.1 x 0.9^5 by hand


def test_ar1_stationary_mean_and_variance_by_simulation():
    rho, sigma, chains, periods = 0.9, 0.1, 20_000, 150  # rho^(2 x 150) ~ 2e-14: forgotten
    rng = np.random.default_rng(2024)
    x = np.zeros(chains)
    for _ in range(periods):
        x = ar1_step(x, rho, sigma, rng.standard_normal(chains))
    variance = 0.01 / 0.19  # sigma^2 / (1 - rho^2) by hand
    assert abs(x.mean()) < Z * math.sqrt(variance / chains)
    se_variance = variance * math.sqrt(2.0 / (chains - 1))
    assert abs(x.var(ddof=1) - variance) < Z * se_variance
    assert ar1_stationary_sd(rho, sigma) == pytest.approx(math.sqrt(variance), rel=1e-12)


def test_ar1_started_from_stationary_draw_stays_stationary():
    rho, sigma, chains = 0.5, 0.2, 20_000
    rng = np.random.default_rng(5)
    sd = ar1_stationary_sd(rho, sigma)
    x = sd * rng.standard_normal(chains)
    variance = 0.04 / 0.75
    for _ in range(3):
        x = ar1_step(x, rho, sigma, rng.standard_normal(chains))
        assert abs(x.var(ddof=1) - variance) < Z * variance * math.sqrt(2.0 / (chains - 1))


@pytest.mark.parametrize("rho", [-0.1, 1.0, 1.5])
def test_ar1_rejects_persistence_outside_unit_interval(rho):
    with pytest.raises(ValueError, match="persistence"):
        ar1_step(0.0, rho, 0.1, 0.0)


def test_cost_shock_factor_and_log_spread_hand_values():
    assert cost_shock_factor(0.0) == 1.0
    assert cost_shock_factor(math.log(1.5)) == pytest.approx(1.5, rel=1e-15)
    assert spread_in_logs(25.0, 0.2, 0.0) == 25.0
    assert spread_in_logs(25.0, 0.5, 2.0) == pytest.approx(25.0 * math.e, rel=1e-15)


def test_brand_match_is_spread_times_normal_in_float32():
    z = np.array([0.0, 1.0, -2.0], dtype=np.float32)
    match = brand_match(1.5, z)
    assert match.dtype == np.float32
    np.testing.assert_array_equal(match, np.array([0.0, 1.5, -3.0], dtype=np.float32))
    with pytest.raises(ValueError, match="spread"):
        brand_match(-1.0, z)


# ----------------------------------------------------------------------------- brand match


@pytest.fixture(scope="module")
def matched_market():
    count, s = 100_000, 1.5
    model = sim.MarketModel(two_firm_market(count, s), seed="scenario")
    return model, count, s


def test_mixed_logit_quadrature_differs_from_plain_logit():
    # The test below can tell a match from no match: the gaps are many standard errors.
    p_mixed = mixed_logit_two_firms(0.6, 0.0, 0.0, 1.5)
    p_plain = np.array([math.exp(0.6), 1.0]) / (1.0 + math.exp(0.6) + 1.0)
    se = math.sqrt(0.25 / 100_000)
    assert abs(p_mixed[0] - p_plain[0]) > 3 * Z * se  # 0.449 against 0.477
    assert abs(p_mixed[1] - p_plain[1]) > 5 * Z * se  # 0.307 against 0.262
    np.testing.assert_allclose(mixed_logit_two_firms(0.6, 0.0, 0.0, 0.0), p_plain, rtol=1e-12)


def test_choices_follow_mixed_logit_of_two_firms(matched_market):
    model, count, s = matched_market
    assert [firm.price for firm in model.firms] == [24.0, 30.0]
    p1, p2 = mixed_logit_two_firms(0.6, 0.0, 0.0, s)
    model.step()
    for firm, p in zip(model.firms, (p1, p2), strict=True):
        share = firm.week.units / count
        assert abs(share - p) < Z * math.sqrt(p * (1 - p) / count), (firm.name, share, p)


def test_market_research_sees_the_match(matched_market):
    model, count, s = matched_market
    p1, p2 = mixed_logit_two_firms(0.6, 0.0, 0.0, s)
    research = model.market_research(model.firms[0])
    assert research.brand_match.shape == (count, 2)
    units = research.demand_by_firm()
    # Conditional logit probabilities given each consumer's match: variance <= 1/4.
    for expected_units, p in zip(units, (p1, p2), strict=True):
        assert abs(expected_units / count - p) < Z * math.sqrt(0.25 / count)
    own_units = research.demand()
    assert own_units == pytest.approx(units[0], rel=1e-9)


def test_match_spread_and_independence_across_firms(matched_market):
    model, count, s = matched_market
    first, second = (column.astype(float) for column in model.heterogeneity.match)
    for column in (first, second):
        assert abs(column.mean()) < Z * s / math.sqrt(count)
        assert abs(column.std(ddof=1) - s) < Z * s / math.sqrt(2 * (count - 1))
    assert abs(np.corrcoef(first, second)[0, 1]) < Z / math.sqrt(count)


def test_same_consumer_meets_same_firm_with_same_match():
    model = sim.MarketModel(two_firm_market(2_000, 1.0), seed="scenario")
    rows = np.array([3, 17, 1999])
    before = [column.copy() for column in model.heterogeneity.match]
    seen = []
    for _ in range(3):
        model.step()
        utilities = np.zeros((2, len(rows)))
        model.heterogeneity.add_brand_match(utilities, rows, model.alive_mask)
        seen.append(utilities)
    np.testing.assert_array_equal(seen[0], seen[1])
    np.testing.assert_array_equal(seen[0], seen[2])
    for kept, column in zip(before, model.heterogeneity.match, strict=True):
        np.testing.assert_array_equal(kept, column)
    np.testing.assert_array_equal(
        model.heterogeneity.research_match(rows, 2), seen[0].T.astype(float)
    )
    consumer = model.consumers[17]
    assert consumer.brand_match == {
        "Cheap": float(before[0][17]),
        "Dear": float(before[1][17]),
    }


def test_entrants_get_a_match_column_and_leavers_free_theirs():
    data = two_firm_market(
        3_000,
        1.0,
        entry={
            "rate_per_year": 52.0,
            "awareness": 0.5,
            "templates": [markup_firm("Newcomer", unit_cost=22.0)],
        },
        steps=8,
    )
    model = sim.MarketModel(data, seed="scenario")
    model.run(8)
    assert len(model.firms) > 2
    match = model.heterogeneity.match
    assert len(match) == len(model.firms)
    for firm, column in zip(model.firms, match, strict=True):
        if firm.alive:
            assert column.shape == (3_000,)
            assert abs(column.std() - 1.0) < Z / math.sqrt(2 * 3_000)
    model.firm_exits(model.firms[0], "test")
    model.step()
    assert model.heterogeneity.match[0] is None


def test_brand_match_with_platforms_is_a_clear_error():
    with pytest.raises(InputError, match="brand_match_sd"):
        load_scenario("platform_disintermediation", {"consumers.brand_match_sd": 1.0})


# ----------------------------------------------------------------------------- shocks


def test_demand_shock_shifts_utility_of_its_firm():
    count = 100_000
    data = two_firm_market(count, 0.0, shocks={"demand_sd": 1e-6, "cost_sd": 0.0})
    data["firms"] = data["firms"][:1]
    model = sim.MarketModel(data, seed="scenario")
    model.firms[0].demand_shock = -0.8
    np.testing.assert_array_equal(model.firm_quality(), [3.0 - 0.8])
    model.step()
    v = 0.6 - 0.8
    p = math.exp(v) / (1.0 + math.exp(v))
    share = model.firms[0].week.units / count
    assert abs(share - p) < Z * math.sqrt(p * (1 - p) / count)


def test_cost_shock_multiplies_unit_cost():
    model = sim.MarketModel(two_firm_market(200, 0.0), seed="scenario")
    firm = model.firms[0]
    plain = firm.current_unit_cost()
    assert plain == 20.0
    firm.cost_shock = math.log(1.5)
    assert firm.current_unit_cost() == pytest.approx(30.0, rel=1e-14)


@pytest.mark.parametrize("period", ["quarter", "week"])
def test_shocks_move_on_their_calendar(period):
    data = two_firm_market(
        300,
        0.0,
        shocks={"period": period, "demand_sd": 0.2, "cost_sd": 0.05},
        steps=30,
    )
    firms = sim.run(data).firms
    one = firms[firms.name == "Cheap"].set_index("step")
    moved = one.demand_shock.diff().fillna(0.0) != 0.0
    moved_steps = list(one.index[moved])
    if period == "quarter":
        assert moved_steps == [13, 26]
    else:
        assert moved_steps == list(range(1, 31))
    assert (one.cost_shock.diff().fillna(0.0) != 0.0).sum() == len(moved_steps)


@pytest.mark.slow
def test_firm_starts_from_stationary_shock_distribution():
    data = two_firm_market(50, 0.0, shocks={"demand_sd": 0.1, "demand_persistence": 0.6})
    data["firms"] = [markup_firm("Many", count=800)]
    model = sim.MarketModel(data, seed="scenario")
    shocks = np.array([firm.demand_shock for firm in model.firms])
    sd = 0.1 / math.sqrt(1 - 0.36)
    assert abs(shocks.mean()) < Z * sd / math.sqrt(800)
    assert abs(shocks.std(ddof=1) - sd) < Z * sd / math.sqrt(2 * 799)


# ----------------------------------------------------------------------------- founding draws


@pytest.mark.slow
def test_founding_draws_of_capabilities():
    n = 800
    data = two_firm_market(50, 0.0)
    data["firms"] = [
        markup_firm(
            "Many",
            count=n,
            unit_cost=25.0,
            unit_cost_sd=0.2,
            experience=1.0,
            experience_sd=0.3,
            selection=1.0,
            selection_sd=1.0,
        )
    ]
    firms = sim.MarketModel(data, seed="scenario").firms
    log_cost = np.log([firm.initial_cost for firm in firms])
    assert abs(log_cost.mean() - math.log(25.0)) < Z * 0.2 / math.sqrt(n)
    assert abs(log_cost.std(ddof=1) - 0.2) < Z * 0.2 / math.sqrt(2 * (n - 1))
    experience = np.array([firm.experience for firm in firms])
    assert abs(experience.mean() - 1.0) < Z * 0.3 / math.sqrt(n)
    assert abs(experience.std(ddof=1) - 0.3) < Z * 0.3 / math.sqrt(2 * (n - 1))
    selection = np.array([firm.selection for firm in firms])
    assert selection.min() == 1.0  # floor: half the draws fall below the median 1
    assert abs((selection == 1.0).mean() - 0.5) < Z * 0.5 / math.sqrt(n)
    assert firms[0].unit_cost == pytest.approx(firms[0].initial_cost, rel=1e-14)


def test_zero_spreads_leave_the_template_exact():
    model = sim.MarketModel(two_firm_market(50, 0.0), seed="scenario")
    firm = model.firms[1]
    assert (firm.initial_cost, firm.experience, firm.selection, firm.quality) == (
        25.0,
        1.0,
        100.0,
        3.0,
    )
    assert isinstance(firm, Firm)


# ----------------------------------------------------------------------------- determinism


ALL_ON = {
    "consumers.count": 1_500,
    "consumers.brand_match_sd": 1.0,
    "consumers.experience_taste": {"kind": "lognormal", "mean": 1.0, "sd": 0.5},
    "firms.0.quality_sd": 0.3,
    "firms.1.quality_sd": 0.3,
    "firms.0.unit_cost_sd": 0.1,
    "firms.1.experience_sd": 0.2,
    "shocks.demand_sd": 0.1,
    "shocks.cost_sd": 0.1,
}


def test_same_seed_same_tables_with_everything_on():
    first = sim.run("baseline", steps=30, overrides=ALL_ON)
    second = sim.run("baseline", steps=30, overrides=ALL_ON)
    other = sim.run("baseline", steps=30, seed=43, overrides=ALL_ON)
    pd.testing.assert_frame_equal(first.firms, second.firms)
    pd.testing.assert_frame_equal(first.model, second.model)
    assert not first.firms.units.equals(other.firms.units)


def test_zero_spreads_draw_nothing_and_change_nothing():
    zeros = {
        "consumers.count": 1_500,
        "consumers.brand_match_sd": 0.0,
        "firms.0.experience_sd": 0.0,
        "firms.0.selection_sd": 0.0,
        "firms.0.unit_cost_sd": 0.0,
        "shocks.period": "week",
        "shocks.demand_persistence": 0.3,
        "shocks.cost_persistence": 0.2,
        "shocks.demand_sd": 0.0,
        "shocks.cost_sd": 0.0,
    }
    plain = sim.MarketModel(
        load_scenario("day1_vs_day2", {"consumers.count": 1_500}), seed="scenario"
    )
    zero = sim.MarketModel(load_scenario("day1_vs_day2", zeros), seed="scenario")
    for model in (plain, zero):
        model.run(30)
    assert plain.rng.bit_generator.state == zero.rng.bit_generator.state
    assert zero.heterogeneity.match == []
    assert "demand_shock" not in zero.datacollector.get_table_dataframe("firms")
    pd.testing.assert_frame_equal(
        plain.datacollector.get_table_dataframe("firms"),
        zero.datacollector.get_table_dataframe("firms"),
    )
