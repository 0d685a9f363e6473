"""The flywheel meter's experiments: cost curve, sellers at rest, a strategy's price response.

Each link is checked against a closed form or a hand-worked case computed here, and the
meter is checked to measure a gain for every live firm in the shipped scenarios.
"""

import numpy as np
import pytest
from lifecycle_builders import identical_consumers
from numpy.testing import assert_allclose
from platform_builders import aggregator_scenario, marketplace_scenario

import sim
from sim.components.flywheel import strategy_price_response
from sim.mechanics.flywheel_meter import (
    cost_at_scale,
    experiment_elasticity,
    price_index,
    seller_steady_state,
)
from sim.strategies.base import Decision, FirmView, Strategy

H = 0.02


def elasticity_of(cost):
    return experiment_elasticity(cost(np.exp(-H)), cost(np.exp(H)), H)


def test_cost_on_wrights_curve_falls_by_its_learning_exponent():
    # progress ratio 0.8: 2 ** -b = 0.8, b = 0.3219...; past the reference the link is -b
    b = np.log(1 / 0.8) / np.log(2)
    past = elasticity_of(lambda s: cost_at_scale(10.0, 4000.0, 1000.0, 0.8, s))
    assert_allclose(past, -b, rtol=1e-12)
    # below the reference the curve is flat: no learning yet
    assert elasticity_of(lambda s: cost_at_scale(10.0, 500.0, 1000.0, 0.8, s)) == 0.0
    # at scale 1 the cost is today's
    assert cost_at_scale(10.0, 4000.0, 1000.0, 0.8, 1.0) == 10.0


def test_fixed_cost_spread_over_volume():
    # AC(s) = c + F / (s q): elasticity -(F/q) / (c + F/q) at s = 1 (central difference)
    c, fixed, units = 6.0, 1200.0, 300.0
    measured = elasticity_of(
        lambda s: cost_at_scale(c, 1.0, 1.0, 1.0, s, fixed_cost=fixed, units=units)
    )
    assert_allclose(measured, -(fixed / units) / (c + fixed / units), rtol=1e-3)
    with pytest.raises(ValueError):
        cost_at_scale(c, 1.0, 1.0, 1.0, 1.0, fixed_cost=fixed, units=0.0)


def test_sellers_at_rest_balance_joining_and_leaving():
    potential, r_in, r_out, kappa, s = 500.0, 0.05, 0.02, 40.0, 1.5
    margin, units = 6.0, 4000.0
    n = seller_steady_state(units, margin, kappa, potential, r_in, r_out, s)
    z = s * (margin * units / n - kappa) / kappa
    joining = (potential - n) * r_in / (1 + np.exp(-z))
    leaving = n * r_out / (1 + np.exp(z))
    assert_allclose(joining, leaving, rtol=1e-9)


def test_sellers_entry_response_matches_implicit_differentiation():
    """ln(n/(M-n)) = ln(r) + s(m u/n - k)/k gives d ln n / d ln u = A / (M/(M-n) + A).

    with A = s m u / (n k), by differentiating both sides in ln u.
    """
    potential, r_in, r_out, kappa, s = 500.0, 0.05, 0.02, 40.0, 1.5
    margin, units = 6.0, 4000.0
    n = seller_steady_state(units, margin, kappa, potential, r_in, r_out, s)
    a = s * margin * units / (n * kappa)
    expected = a / (potential / (potential - n) + a)
    measured = elasticity_of(
        lambda f: seller_steady_state(units * f, margin, kappa, potential, r_in, r_out, s)
    )
    assert_allclose(measured, expected, rtol=1e-3)
    # sellers who do not care about profit: n* = M r_in / (r_in + r_out), no response
    n0 = seller_steady_state(units, margin, kappa, potential, r_in, r_out, 0.0)
    assert_allclose(n0, potential * r_in / (r_in + r_out), rtol=1e-9)
    with pytest.raises(ValueError):
        seller_steady_state(units, margin, kappa, potential, 0.0, r_out, s)


def test_price_index_weights_by_units():
    assert_allclose(price_index([10.0, 20.0], [3.0, 1.0]), 12.5)
    assert np.isnan(price_index([10.0], [0.0]))


class CostPlus(Strategy):
    """Prices at unit cost plus a fixed $5 markup; keeps a count of its decisions."""

    name = "cost_plus"

    def __init__(self, **params):
        super().__init__(**params)
        self.decisions = 0

    def decide(self, firm, view):
        self.decisions += 1
        return Decision(price=firm.unit_cost + 5.0)


def firm_view(unit_cost):
    return FirmView(
        firm_id=1,
        name="A",
        week=13,
        quarter=1,
        price=20.0,
        unit_cost=unit_cost,
        fixed_cost=0.0,
        experience=0.0,
        selection=1.0,
        efficiency=0.0,
        cash=0.0,
        cumulative_units=0.0,
        spend_experience=0.0,
        spend_selection=0.0,
        spend_efficiency=0.0,
        last_quarter=None,
        previous_quarter=None,
    )


def test_strategy_price_response_by_hand():
    """p = c + 5 at c = 10: p(10) = 15, p(10 e^h) = 15.2020...

    (ln 15.2020 - ln 15) / 0.02 = 0.66888..., close to c / p = 2/3 (one-sided: the
    error is of order h).
    """
    strategy = CostPlus()
    measured = strategy_price_response(strategy, firm_view(10.0), None, H)
    up = 10.0 * np.exp(H) + 5.0
    assert_allclose(up, 15.2020134, rtol=1e-8)
    assert_allclose(measured, (np.log(up) - np.log(15.0)) / H, rtol=1e-12)
    assert_allclose(measured, 0.668884, rtol=1e-5)
    assert strategy.decisions == 0  # the experiments ran on copies
    # the decision's own price is used when given: no second copy needed
    given = strategy_price_response(strategy, firm_view(10.0), None, H, price_now=16.0)
    assert_allclose(given, (np.log(up) - np.log(16.0)) / H, rtol=1e-12)


def test_a_power_pricing_rule_gives_its_exponent_exactly():
    """p = 3 c^0.7: the one-sided experiment gives 0.7 to rounding (ln p is linear in ln c)."""

    class Power(CostPlus):
        def decide(self, firm, view):
            return Decision(price=3.0 * firm.unit_cost**0.7)

    assert_allclose(strategy_price_response(Power(), firm_view(10.0), None, H), 0.7, rtol=1e-9)


def test_a_strategy_that_cannot_decide_on_a_copy_is_not_measured():
    class Broken(CostPlus):
        def decide(self, firm, view):
            raise RuntimeError("no")

    assert np.isnan(strategy_price_response(Broken(), firm_view(10.0), None, H))


def cost_plus_market():
    return {
        "name": "meter_cost_plus",
        "seed": 5,
        "steps": 52,
        "consumers": identical_consumers(400),
        "firms": [
            {
                "name": "A",
                "strategy": "test_flywheel_experiments:CostPlus",
                "unit_cost": 12.0,
                "progress_ratio": 1.0,
                "price": 17.0,
            },
            {"name": "B", "strategy": "shareholder_focused", "unit_cost": 14.0},
        ],
        "flywheel_meter": {"sample_size": 100},
    }


def test_the_meter_measures_the_strategy_in_the_run():
    result = sim.run(cost_plus_market())
    table = result.tables["flywheel"]
    a = table[table["name"] == "A"]
    up = 12.0 * np.exp(H) + 5.0  # against the decision's own price, 12 + 5
    assert_allclose(a["e_cost_to_price"], (np.log(up) - np.log(17.0)) / H, rtol=1e-12)
    # no learning (progress ratio 1): volume does not lower the unit cost
    assert (a["e_volume_to_cost"] == 0).all()
    assert np.isfinite(table["loop_gain"]).all()


def test_marketplace_links_follow_the_listing_rule_and_the_fee():
    table = sim.run(marketplace_scenario(steps=52)).tables["flywheel"]
    market = table[table["agent"] == "platform"]
    # selection = other listings + sellers x 2 items: elasticity = pool items / selection
    pool_share = market["sellers"] * 2.0 / market["selection"]
    assert_allclose(market["e_sellers_to_selection"], pool_share, rtol=1e-3)
    assert np.isfinite(market[["e_traffic_to_sellers", "e_cost_to_price", "loop_gain"]]).all().all()
    assert (market["e_volume_to_cost"] > 0).all()  # scale lowers the cost per order


def test_an_aggregators_fee_moves_no_price_and_it_has_no_sellers():
    table = sim.run(aggregator_scenario(steps=39)).tables["flywheel"]
    compare = table[table["agent"] == "platform"]
    assert (compare["e_cost_to_price"] == 0).all()
    assert compare["e_traffic_to_sellers"].isna().all()
    assert (compare["loop_gain"] == compare["gain_scale_loop"]).all()


# Scenarios where the meter used to be blank; smaller markets and five years keep it quick.
COVERAGE = {
    "amazon_flywheel": 1500,
    "connected_strategy": 1500,
    "dtc_disruption": 1500,
    "baseline": 1500,
}


@pytest.mark.parametrize("scenario", sorted(COVERAGE))
@pytest.mark.slow
def test_every_live_firm_has_a_measured_gain(scenario):
    result = sim.run(scenario, steps=260, overrides={"consumers.count": COVERAGE[scenario]})
    table = result.tables["flywheel"]
    after = table[table["step"] > 52]
    firms = after[after["agent"] == "firm"]
    assert len(firms)
    share = firms.groupby("name")["loop_gain"].apply(lambda g: np.isfinite(g).mean())
    assert (share >= 0.9).all(), share[share < 0.9].to_dict()
    platforms = after[after["agent"] == "platform"]
    if len(platforms):
        assert np.isfinite(platforms["loop_gain"]).mean() >= 0.9
