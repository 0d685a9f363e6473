"""The customer value chain (steps and their friction) and the brand-strength index."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sim
from sim.mechanics.defences import brand_strength, friction_utility, path_steps
from sim.mechanics.platforms import channel_utilities
from tests.test_defences import one_aggregator_offer, shoppers


def test_steps_and_friction_hand_worked():
    # five steps; an aggregator removes 2, a marketplace 3, 1-Click 2 more
    steps = path_steps(5, np.array([0, 2, 3, 5, 7]))
    np.testing.assert_allclose(steps, [5, 3, 2, 0, 0])
    np.testing.assert_allclose(friction_utility(steps, 0.1), [-0.5, -0.3, -0.2, 0, 0])
    with pytest.raises(ValueError):
        friction_utility(steps, -0.1)


def test_friction_enters_each_channel():
    offer = one_aggregator_offer()
    plain = channel_utilities(offer, shoppers())
    chained = channel_utilities(
        dataclasses.replace(
            offer, direct_friction=np.array([-0.5, -0.3]), platform_friction=np.array([-0.3])
        ),
        shoppers(),
    )
    np.testing.assert_allclose(chained - plain, [[-0.5, -0.3, -0.3]] * 2)


def test_brand_strength_hand_worked():
    aware = np.array([[True, False], [True, True]])
    premium = np.array([[1.0, 2.0], [3.0, 4.0]])
    alpha = np.array([0.5, 1.0])
    # firm 0: (1 / 0.5 + 3 / 1) / 2 = 2.5; firm 1: (4 / 1) / 2 = 2
    np.testing.assert_allclose(brand_strength(aware, premium, alpha), [2.5, 2.0])


def value_chain_scenario(step_cost: float) -> dict:
    return {
        "name": "test_value_chain",
        "seed": 8,
        "steps": 26,
        "consumers": {"count": 1500, "initial_awareness": 0.6},
        "value_chain": {"step_cost": step_cost},
        "firms": [
            {
                "name": "OneClick",
                "strategy": "user_strategy:FixedMarkup",
                "connected": "respond_to_desire",
                "channels": ["direct"],
            },
            {"name": "Plain", "strategy": "user_strategy:FixedMarkup", "channels": ["direct"]},
        ],
    }


def test_one_click_removes_steps_and_wins_buyers():
    off = sim.run(value_chain_scenario(0.0)).firms
    on = sim.run(value_chain_scenario(0.2)).firms
    steps = on.groupby("name")["direct_steps"].first()
    assert steps["OneClick"] == 3 and steps["Plain"] == 5

    def share(firms):
        units = firms.groupby("name")["units"].sum()
        return units["OneClick"] / units.sum()

    # friction costs Plain 2 steps more than OneClick: its share falls
    assert share(on) > share(off)


def test_brand_strength_measured_at_the_quarter_close():
    # without experiments, whose successes raise experience after the close is measured
    no_experiments = {"firms.0.innovation_budget": 0.0, "firms.1.innovation_budget": 0.0}
    model = sim.MarketModel(sim.load_scenario("baseline", no_experiments), seed=4)
    model.run(26)
    cols = model.population.columns
    for firm in model.firms:
        j = firm.slot
        # dollars over an unbranded copy: experience against expectation, plus habit
        dollars = (
            cols.experience_taste * (firm.experience - cols.expectation)
            + np.where(cols.last_firm == j, cols.habit_strength, 0.0)
        ) / cols.price_sensitivity
        expected = dollars[cols.aware[:, j]].sum() / len(cols.price_sensitivity)
        # measured at week 26's close, before the week's investment moved experience
        assert firm.brand_strength == pytest.approx(expected, rel=0.05, abs=0.05)


def test_brand_strength_in_the_firm_table_and_the_summary():
    from sim.outputs.summary import summary

    result = sim.run("baseline", steps=26, overrides={"consumers.count": 1500})
    assert np.isfinite(result.firms["brand_strength"]).all()
    assert (result.firms.loc[result.firms["step"] == 26, "brand_strength"] != 0).any()
    assert "## Brand strength" in summary(result)


def test_brand_strength_index_regroups_the_definition():
    from sim.mechanics.defences import brand_strength_index

    rng = np.random.default_rng(7)
    n, width = 500, 4
    aware = rng.random((n, width)) < 0.6
    alpha = rng.uniform(0.05, 0.3, n)
    gamma = rng.uniform(0.5, 2.0, n)
    expectation = rng.normal(0.5, 0.2, n)
    experience = rng.uniform(0.0, 1.5, width)
    holder = rng.integers(-1, width, n)
    held = rng.uniform(0.0, 1.0, n)
    extra = rng.normal(0.0, 0.3, (n, width))
    # The definition, consumer by consumer and brand by brand.
    premium = gamma[:, None] * (experience[None, :] - expectation[:, None]) + extra
    premium += np.where(holder[:, None] == np.arange(width)[None, :], held[:, None], 0.0)
    np.testing.assert_allclose(
        brand_strength_index(experience, aware, alpha, gamma, expectation, holder, held, extra),
        brand_strength(aware, premium, alpha),
        rtol=1e-10,
    )
