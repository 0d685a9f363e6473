"""Limit cases with known answers: logit Bertrand-Nash, Wright's law, stock dynamics."""

import math

import numpy as np
import pytest
from builders import tiny_scenario
from scipy.optimize import fsolve, minimize_scalar

import sim
from sim.mechanics.costs import learning_exponent, wright_unit_cost
from sim.mechanics.stocks import accumulate_stock, stock_after, stock_increment

# ---------------------------------------------------------------------------
# Logit Bertrand-Nash


@pytest.fixture(scope="module")
def nash_run():
    return sim.run("validation/logit_nash")


@pytest.fixture(scope="module")
def nash_case(nash_run):
    scenario = sim.load_scenario("validation/logit_nash")
    result = nash_run
    assert all(firm.count == 1 for firm in scenario.firms)
    assert scenario.consumers.price_sensitivity.kind == "constant"
    alpha = scenario.consumers.price_sensitivity.value
    u0 = scenario.market.outside_utility
    costs = np.array([firm.unit_cost for firm in scenario.firms])
    quality = np.array([firm.quality for firm in scenario.firms])
    last = result.firms[result.firms.step == result.firms.step.max()].set_index("name")
    prices = last.loc[[firm.name for firm in scenario.firms], "price"].to_numpy()
    return alpha, u0, costs, quality, prices


def logit_shares(prices, alpha, u0, quality):
    """s_j = exp(q_j - alpha p_j) / (exp(u0) + sum_k exp(q_k - alpha p_k))."""
    weights = np.exp(quality - alpha * np.asarray(prices))
    return weights / (math.exp(u0) + weights.sum())


def solve_nash(alpha, u0, costs, quality):
    def foc(prices):
        shares = logit_shares(prices, alpha, u0, quality)
        return prices - costs - 1.0 / (alpha * (1.0 - shares))

    solution, _info, status, message = fsolve(foc, costs + 1.0 / alpha, full_output=True)
    assert status == 1, message
    assert np.max(np.abs(foc(solution))) < 1e-9
    return solution


def test_nash_solver_reproduces_textbook_symmetric_case():
    # Two identical firms, u0 = -inf in effect (huge negative): s = 1/2 each, so the
    # markup is 1 / (alpha * 1/2) = 2 / alpha = 20 for alpha = 0.1.
    prices = solve_nash(0.1, -200.0, np.array([10.0, 10.0]), np.array([0.0, 0.0]))
    np.testing.assert_allclose(prices, [30.0, 30.0], rtol=1e-9)


def test_logit_nash_prices_match_closed_form(nash_case):
    alpha, u0, costs, quality, prices = nash_case
    nash = solve_nash(alpha, u0, costs, quality)
    np.testing.assert_allclose(prices, nash, rtol=0.01)


def test_logit_nash_prices_are_tight(nash_case):
    # Not required by the issue, but the engine is exact today; catch quiet drift.
    alpha, u0, costs, quality, prices = nash_case
    np.testing.assert_allclose(prices, solve_nash(alpha, u0, costs, quality), rtol=1e-6)


def test_logit_nash_prices_are_best_responses(nash_case):
    alpha, u0, costs, quality, prices = nash_case

    for j in range(len(prices)):

        def profit(p, j=j):
            trial = prices.copy()
            trial[j] = p
            return (p - costs[j]) * logit_shares(trial, alpha, u0, quality)[j]

        at_price = profit(prices[j])
        for factor in (0.99, 1.01, 0.999, 1.001):
            assert at_price >= profit(prices[j] * factor)
        best = minimize_scalar(
            lambda p, j=j: -profit(p, j),
            bounds=(costs[j], costs[j] + 20.0 / alpha),
            method="bounded",
            options={"xatol": 1e-10},
        )
        assert best.x == pytest.approx(prices[j], rel=1e-4)


def test_logit_nash_firms_ranked_by_cost(nash_case):
    # Property of the equilibrium: with equal quality, lower cost -> lower price and
    # a larger share, but a markup that is larger too (1 / (alpha (1 - s)) rises in s).
    _, _, costs, quality, prices = nash_case
    same_quality = quality == quality[0]
    order = np.argsort(costs[same_quality])
    assert np.all(np.diff(prices[same_quality][order]) > 0)
    markups = (prices - costs)[same_quality][order]
    assert np.all(np.diff(markups) < 0)


def test_logit_nash_simulated_choices_match_logit_shares(nash_case, nash_run):
    """Over the last year, simulated purchase shares match the closed-form logit shares."""
    alpha, u0, costs, quality, _ = nash_case
    nash = solve_nash(alpha, u0, costs, quality)
    shares = logit_shares(nash, alpha, u0, quality)
    model = nash_run.model.set_index("step")
    last_year = model.index[-52:]
    n_consumers = sim.load_scenario("validation/logit_nash").consumers.count
    assert (model.loc[last_year, "needs"] == n_consumers).all()  # need rate 1
    draws = n_consumers * len(last_year)

    outside = 1.0 - shares.sum()
    standard_error = math.sqrt(outside * (1 - outside) / draws)
    assert model.loc[last_year, "outside_share"].mean() == pytest.approx(
        outside, abs=5 * standard_error
    )
    firms = nash_run.firms[nash_run.firms["step"].isin(last_year)]
    scenario = sim.load_scenario("validation/logit_nash")
    for j, spec in enumerate(scenario.firms):
        units = firms.loc[firms["name"] == spec.name, "units"].sum()
        standard_error = math.sqrt(shares[j] * (1 - shares[j]) / draws)
        assert units / draws == pytest.approx(shares[j], abs=5 * standard_error)


def test_logit_nash_consumer_surplus_closed_form(nash_case, nash_run):
    # identical consumers, u0 = 0: CS = (1 / alpha) ln(1 + sum_j exp(q_j - alpha p_j))
    alpha, u0, _, quality, prices = nash_case
    expected = (math.log(math.exp(u0) + np.exp(quality - alpha * prices).sum()) - u0) / alpha
    assert nash_run.model["consumer_surplus"].iloc[-1] == pytest.approx(expected, rel=1e-9)


# ---------------------------------------------------------------------------
# Wright's law


@pytest.mark.parametrize("progress_ratio", [0.7, 0.8, 0.85, 0.9, 1.0])
@pytest.mark.parametrize("doublings", [1, 2, 3, 4, 5])
def test_wright_unit_cost_after_doublings(progress_ratio, doublings):
    c0, q0 = 25.0, 200_000.0
    cost = wright_unit_cost(c0, q0 * 2**doublings, q0, progress_ratio)
    assert float(cost) == pytest.approx(c0 * progress_ratio**doublings, rel=1e-12)


def test_wright_hand_values():
    # 0.8 ** 3 = 0.512; 0.9 ** 2 = 0.81; one and a half doublings of 0.81 is 0.729.
    assert float(wright_unit_cost(100.0, 8_000.0, 1_000.0, 0.8)) == pytest.approx(51.2)
    assert float(wright_unit_cost(10.0, 4.0, 1.0, 0.9)) == pytest.approx(8.1)
    assert float(wright_unit_cost(10.0, 2.0**1.5, 1.0, 0.81)) == pytest.approx(7.29)


def test_wright_below_reference_stays_at_initial_cost():
    costs = wright_unit_cost(25.0, np.array([0.0, 10.0, 999.0, 1000.0]), 1000.0, 0.8)
    np.testing.assert_allclose(costs, [25.0, 25.0, 25.0, 25.0])


def test_wright_vectorised_and_monotone():
    volumes = np.geomspace(1e3, 1e9, 50)
    costs = wright_unit_cost(25.0, volumes, 1e3, 0.8)
    assert costs.shape == volumes.shape
    assert np.all(np.diff(costs) < 0)
    np.testing.assert_allclose(wright_unit_cost(25.0, volumes, 1e3, 1.0), 25.0)


@pytest.mark.parametrize("progress_ratio", [0.5, 0.8, 0.95, 1.0])
def test_learning_exponent_defines_progress_ratio(progress_ratio):
    assert 2.0 ** -learning_exponent(progress_ratio) == pytest.approx(progress_ratio)


@pytest.mark.parametrize("bad", [0.0, -0.5, 1.5])
def test_learning_exponent_rejects_bad_ratio(bad):
    with pytest.raises(ValueError, match="progress_ratio"):
        learning_exponent(bad)


@pytest.mark.parametrize("progress_ratio", [0.7, 0.8, 0.9])
def test_wright_law_in_running_model(progress_ratio):
    """One non-investing firm; every consumer buys every week, so Q_t = N (1 + t).

    With Q0 = N the cumulative volume reaches Q0 * 2**k after 2**k - 1 weeks, when the
    unit cost must be c0 * progress_ratio**k.
    """
    n, c0 = 64, 25.0
    data = tiny_scenario(
        firms=[
            {
                "name": "Learner",
                "strategy": "user_strategy:FixedMarkup",
                "unit_cost": c0,
                "reference_units": n,
                "progress_ratio": progress_ratio,
                "quality": 5.0,
                "fixed_cost": 0.0,
            }
        ],
        market={"outside_utility": -100.0},
        consumers={"count": n},
    )
    model = sim.MarketModel(data, seed="scenario")
    firm = model.firms[0]
    assert firm.unit_cost == pytest.approx(c0)
    expected_at_week = {2**k - 1: c0 * progress_ratio**k for k in range(1, 6)}
    for week in range(1, 32):
        model.step()
        assert model.stats.purchases == n
        assert firm.cumulative_units == n * (1 + week)
        assert firm.efficiency == 0.0
        if week in expected_at_week:
            assert firm.unit_cost == pytest.approx(expected_at_week[week], rel=1e-12)
    # the firm table records, at week t + 1, the cost reached at the end of week t
    table = model.datacollector.get_table_dataframe("firms").set_index("step")
    assert table.loc[8, "unit_cost"] == pytest.approx(c0 * progress_ratio**3, rel=1e-12)


# ---------------------------------------------------------------------------
# Capability stocks


@pytest.mark.parametrize(
    ("stock", "spend", "weeks", "depreciation", "productivity", "scale", "floor"),
    [
        (1.0, 1000.0, 52, 0.01, 0.015, 1000.0, 0.0),
        (100.0, 0.0, 200, 0.005, 0.75, 1000.0, 1.0),
        (100.0, 5000.0, 156, 0.005, 0.75, 1000.0, 1.0),
        (0.0, 250.0, 13, 0.002, 0.0005, 1000.0, 0.0),
        (3.0, 400.0, 40, 0.0, 0.2, 100.0, 0.0),
        (2.0, 0.0, 500, 0.3, 1.0, 10.0, 1.5),
        (5.0, 10.0, 0, 0.1, 1.0, 10.0, 0.0),
    ],
)
def test_stock_closed_form_matches_recursion(
    stock, spend, weeks, depreciation, productivity, scale, floor
):
    iterated = stock
    for _ in range(weeks):
        iterated = float(
            accumulate_stock(iterated, spend, depreciation, productivity, scale, floor)
        )
    closed = stock_after(stock, spend, weeks, depreciation, productivity, scale, floor)
    assert closed == pytest.approx(iterated, rel=1e-10, abs=1e-12)


def test_stock_increment_hand_values():
    # ln(1 + 1000/1000) = ln 2 = 0.6931471805599453
    assert float(stock_increment(1000.0, 0.015, 1000.0)) == pytest.approx(
        0.015 * 0.6931471805599453
    )
    assert float(stock_increment(0.0, 0.75, 1000.0)) == 0.0
    assert float(stock_increment(-50.0, 0.75, 1000.0)) == 0.0


def test_stock_two_hand_steps():
    # g = 1 when spend = scale * (e - 1); delta = 0.5: 0 -> 1 -> 1.5 -> 1.75
    spend = 10.0 * (math.e - 1.0)
    assert float(accumulate_stock(0.0, spend, 0.5, 1.0, 10.0)) == pytest.approx(1.0)
    assert stock_after(0.0, spend, 2, 0.5, 1.0, 10.0) == pytest.approx(1.5)
    assert stock_after(0.0, spend, 3, 0.5, 1.0, 10.0) == pytest.approx(1.75)
    # no depreciation: linear growth S + n g
    assert stock_after(2.0, spend, 7, 0.0, 1.0, 10.0) == pytest.approx(9.0)


@pytest.mark.parametrize("start", [0.0, 3.0, 10.0, 25.0])
def test_stock_steady_state_is_gain_over_depreciation(start):
    # g = 1 and delta = 0.1: the steady state is g / delta = 10 from any start.
    spend = 100.0 * (math.e - 1.0)
    assert stock_after(start, spend, 2000, 0.1, 1.0, 100.0) == pytest.approx(10.0, abs=1e-9)
    assert float(accumulate_stock(10.0, spend, 0.1, 1.0, 100.0)) == pytest.approx(10.0)


def test_experience_stock_steady_state_default_technology():
    # default technology: delta = 0.01, productivity 0.015, scale $1000. At $1000 a
    # week: g / delta = 0.015 * ln 2 / 0.01 = 1.0397207708399179
    level = stock_after(0.0, 1000.0, 20_000, 0.01, 0.015, 1000.0)
    assert level == pytest.approx(1.0397207708399179, rel=1e-9)


def test_stock_floor_binds():
    assert stock_after(2.0, 0.0, 1000, 0.3, 1.0, 10.0, floor=1.0) == 1.0
    assert float(accumulate_stock(1.0, 0.0, 0.5, 1.0, 10.0, floor=1.0)) == 1.0


# ---------------------------------------------------------------------------
# Market research and exit, in a running model


def test_market_research_demand_is_expected_weekly_purchases(nash_case):
    # Identical consumers with a need every week: expected units are N * s_j exactly,
    # whichever consumers the research happens to sample.
    alpha, u0, _, quality, _ = nash_case
    scenario = sim.load_scenario("validation/logit_nash")
    model = sim.MarketModel(scenario, seed="scenario")
    prices = np.array([firm.price for firm in model.firms])
    shares = logit_shares(prices, alpha, u0, quality)
    for j, firm in enumerate(model.firms):
        research = model.market_research(firm)
        assert research.demand() == pytest.approx(scenario.consumers.count * shares[j], rel=1e-9)
        # and at a different own price, only that firm's share moves
        trial = prices.copy()
        trial[j] += 5.0
        moved = logit_shares(trial, alpha, u0, quality)[j]
        assert research.demand(price=trial[j]) == pytest.approx(
            scenario.consumers.count * moved, rel=1e-9
        )


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_insolvent_firm_exits_after_limit_quarters(limit):
    # Cash starts negative and, in a 50-consumer market, a $5 margin never covers the
    # $1000 weekly fixed cost: every quarter-end is a distressed quarter, so the firm
    # leaves at the end of quarter `limit`, i.e. week 13 * limit.
    data = tiny_scenario(
        firms=[
            {"name": "Doomed", "strategy": "user_strategy:FixedMarkup", "cash": -1.0},
            {"name": "Fine", "strategy": "user_strategy:FixedMarkup", "cash": 1e9},
        ],
        market={"insolvency_quarters": limit},
        consumers={"count": 50},
        steps=13 * limit + 13,
    )
    firms = sim.run(data).firms
    doomed = firms[firms["name"] == "Doomed"].set_index("step")["alive"]
    assert doomed.loc[: 13 * limit - 1].all()
    assert not doomed.loc[13 * limit :].any()
    assert firms[firms["name"] == "Fine"]["alive"].all()
