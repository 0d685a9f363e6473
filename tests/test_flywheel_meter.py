"""The flywheel meter: known elasticities, logit closed forms, wiring, no side effects."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from lifecycle_builders import identical_consumers
from numpy.testing import assert_allclose
from platform_builders import marketplace_scenario

import sim
from sim.components.flywheel import FlywheelMeter, panel_rows
from sim.mechanics.flywheel_meter import (
    experiment_elasticity,
    flywheel_gain,
    log_log_slope,
    loop_gain,
)
from sim.scenario import FlywheelMeterSpec
from sim.scenario.files import list_scenarios


def test_log_log_slope_recovers_a_power_law():
    x = np.array([1.0, 2.0, 3.5, 5.0, 8.0])
    assert_allclose(log_log_slope(x, 3.0 * x**0.7), 0.7)
    assert_allclose(log_log_slope(x, 2.0 / x), -1.0)


def test_log_log_slope_is_nan_when_not_identified():
    assert np.isnan(log_log_slope([1.0, 2.0], [1.0, 2.0]))  # too few points
    assert np.isnan(log_log_slope([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]))  # no spread
    flat = np.array([100.0, 100.5, 101.0, 100.2])
    assert np.isnan(log_log_slope(flat, flat, min_log_spread=0.05))
    assert np.isfinite(log_log_slope(flat, flat, min_log_spread=0.0))
    # non-positive values are left out, not logged
    assert_allclose(log_log_slope([0.0, 1.0, 2.0, 4.0], [5.0, 1.0, 4.0, 16.0]), 2.0)


def test_experiment_elasticity_of_a_constant_elasticity_curve():
    h, p = 0.02, 30.0

    def demand(price):
        return 500.0 * price**-2.5

    assert_allclose(experiment_elasticity(demand(p * np.exp(-h)), demand(p * np.exp(h)), h), -2.5)
    assert np.isnan(experiment_elasticity(0.0, 1.0, h))
    with pytest.raises(ValueError):
        experiment_elasticity(1.0, 1.0, 0.0)


def test_gains_multiply_round_a_loop_and_add_across_loops():
    assert_allclose(loop_gain(0.5, 0.4, 2.0), 0.4)
    assert np.isnan(loop_gain(0.5, np.nan, 2.0))
    assert_allclose(flywheel_gain(0.4, 0.1), 0.5)
    assert_allclose(flywheel_gain(np.nan, 0.1), 0.1)
    assert np.isnan(flywheel_gain(np.nan, np.nan))


def test_panel_is_systematic_and_covers_the_population():
    rows = panel_rows(1000, 10)
    assert rows[0] == 0 and rows[-1] == 999 and len(np.unique(rows)) == 10
    assert_allclose(panel_rows(5, 10), np.arange(5))


def test_observed_links_follow_the_series_with_the_right_signs():
    meter = FlywheelMeter(FlywheelMeterSpec(window_quarters=6))
    key0 = ("platform", 1)
    for t in range(5):
        meter.record(key0, traffic=1.0 + t, sellers=1.0, selection=1.0, average_cost=1.0, price=1.0)
    assert np.isnan(meter.slope(key0, "traffic", "sellers"))  # window not full yet
    key = ("platform", 0)
    for t in range(10):
        traffic = np.exp(0.1 * t)
        sellers = 2.0 * traffic**0.8
        cost = 10.0 * traffic**-0.3
        meter.record(
            key,
            traffic=traffic,
            sellers=sellers,
            selection=5.0 * sellers**0.5,
            average_cost=cost,
            unit_cost=cost,
            price=3.0 * cost**0.9,
        )
    owner = SimpleNamespace(unique_id=7, name="P", strategy_name="customer_obsessed")
    measured = {
        "key": key,
        "traffic_to_sellers": 0.5,
        "sellers_to_selection": 0.4,
        "selection_to_traffic": 0.25,
        "volume_to_cost": 0.2,
        "cost_to_price": 1.0,
        "price_to_traffic": 1.5,
        "has_sellers": True,
    }
    row = meter.row(SimpleNamespace(week=130), 10, "platform", owner, measured)
    assert_allclose(row["observed_traffic_to_sellers"], 0.8)
    assert_allclose(row["observed_sellers_to_selection"], 0.5)
    assert_allclose(row["observed_volume_to_cost"], 0.3)  # cost falls: the link turns the wheel
    assert_allclose(row["observed_cost_to_price"], 0.9)
    assert_allclose(row["observed_loop_gain"], 0.8 * 0.5 * 0.25 + 0.3 * 0.9 * 1.5)
    # the measured gain: sum over the two loops of the product of their links
    assert_allclose(row["gain_selection_loop"], 0.5 * 0.4 * 0.25)
    assert_allclose(row["gain_scale_loop"], 0.2 * 1.0 * 1.5)
    assert_allclose(row["loop_gain"], 0.5 * 0.4 * 0.25 + 0.2 * 1.0 * 1.5)
    # a firm without third-party sellers has only the scale loop
    firm = {**measured, "traffic_to_sellers": np.nan, "sellers_to_selection": np.nan}
    firm["has_sellers"] = False
    row = meter.row(SimpleNamespace(week=130), 10, "firm", owner, firm)
    assert np.isnan(row["gain_selection_loop"]) and np.isnan(row["observed_traffic_to_sellers"])
    assert_allclose(row["loop_gain"], 0.2 * 1.0 * 1.5)
    # a loop with an unmeasured link leaves the measured gain unmeasured
    missing = {**measured, "cost_to_price": np.nan}
    row = meter.row(SimpleNamespace(week=130), 10, "platform", owner, missing)
    assert np.isnan(row["loop_gain"])


def logit_market(selection_taste=0.3):
    return {
        "name": "meter_logit",
        "seed": 3,
        "steps": 26,
        "market": {"outside_utility": 0.0},
        "consumers": identical_consumers(800, selection_taste=selection_taste),
        "firms": [
            {"name": "A", "strategy": "shareholder_focused", "unit_cost": 20.0, "quality": 3.0},
            {"name": "B", "strategy": "shareholder_focused", "unit_cost": 26.0, "quality": 3.5},
            {"name": "C", "strategy": "shareholder_focused", "unit_cost": 30.0, "quality": 3.0},
        ],
        "flywheel_meter": {"sample_size": 200},
    }


def test_demand_links_match_logit_theory():
    """In a logit market of identical consumers the links have closed forms.

    Own-price elasticity ``alpha p (1 - s)`` and selection elasticity ``beta (1 - s)``,
    with ``s`` the firm's choice probability (outside option included).
    """
    model = sim.MarketModel(logit_market(), seed="scenario")
    model.run()
    table = model.datacollector.get_table_dataframe("flywheel")
    last = table[table["step"] == table["step"].max()].set_index("name")
    quality = {firm.name: firm.quality for firm in model.firms}
    # prices and selection in force when the quarter was measured (the meter's own rows)
    strength = {
        name: np.exp(quality[name] - 0.1 * row["price"] + 0.3 * np.log(row["selection"]))
        for name, row in last.iterrows()
    }
    total = 1.0 + sum(strength.values())
    for name, row in last.iterrows():
        share = strength[name] / total
        assert_allclose(
            row["e_price_to_traffic"], 0.1 * row["price"] * (1 - share), rtol=1e-3
        )  # central difference, h = 0.02: O(h**2)
        assert_allclose(
            row["e_selection_to_traffic"], 0.3 * (1 - share), rtol=1e-3
        )  # central difference, h = 0.02: O(h**2)


def test_the_meter_changes_nothing_in_the_run():
    on = sim.run(marketplace_scenario(steps=40))
    off = sim.run(marketplace_scenario(steps=40, **{"flywheel_meter.enabled": False}))
    for name in ("model", "firms", "platforms"):
        pd.testing.assert_frame_equal(on.all_tables()[name], off.all_tables()[name])
    assert len(on.tables["flywheel"]) and not len(off.tables["flywheel"])


SHIPPED = [name for name, _ in list_scenarios()]


@pytest.mark.parametrize("scenario", SHIPPED)
@pytest.mark.slow
def test_the_meter_changes_no_table_but_its_own_in_any_shipped_scenario(scenario):
    """What lets runs that do not read the meter switch it off (calibration, slow tests)."""
    size = {"steps": 60, "consumers.count": 1_500}
    on = sim.run(scenario, seed=11, overrides=size).all_tables()
    off = sim.run(
        scenario, seed=11, overrides={**size, "flywheel_meter.enabled": False}
    ).all_tables()
    assert set(on) == set(off)
    for name in set(on) - {"flywheel"}:
        pd.testing.assert_frame_equal(on[name], off[name], obj=f"{scenario}: {name}")
    assert len(on["flywheel"]) and not len(off["flywheel"])


def test_meter_rows_cover_every_live_agent_each_quarter():
    result = sim.run(marketplace_scenario(steps=52))
    table = result.tables["flywheel"]
    assert sorted(table["step"].unique()) == [13, 26, 39, 52]
    per_quarter = table.groupby("step")["agent"].value_counts().unstack()
    assert (per_quarter["firm"] == 3).all() and (per_quarter["platform"] == 1).all()
    platform = table[table["agent"] == "platform"]
    assert platform["e_price_to_traffic"].gt(0).all()  # dearer listings, less traffic
    assert platform["e_selection_to_traffic"].gt(0).all()
