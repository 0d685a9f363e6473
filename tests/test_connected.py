"""Connected strategy: the four experiences, their costs, and learning (repeat)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import sim
from sim.components.channels import DIRECT
from sim.mechanics.learning import curated_fit, effective_fit


def connected_market(kind="none", steps=26, **extra):
    data = {
        "name": "test_connected",
        "seed": 8,
        "steps": steps,
        "consumers": {"count": 1200},
        "learning": {"fit_value": 0.5},
        "connected": {"auto_enrol": 1.0, "coach_lift": 0.5},
        "firms": [
            {
                "name": "Connected",
                "strategy": "customer_obsessed",
                "fixed_cost": 100.0,
                "connected": kind,
            },
            {"name": "Plain", "strategy": "customer_obsessed", "fixed_cost": 100.0},
        ],
    }
    for key, value in extra.items():
        data[key] = {**data.get(key, {}), **value}
    return data


def test_connected_or_learning_switches_the_journey_on():
    assert sim.load_scenario(connected_market("respond_to_desire")).channels_active
    plain = connected_market(learning={"fit_value": 0.0})
    assert not sim.load_scenario(plain).channels_active


def test_respond_to_desire_improves_the_experience_of_direct_purchases():
    model = sim.MarketModel(connected_market("respond_to_desire"), seed="scenario")
    offer = model.channels.offer()
    bonus = model.spec.connected.respond_bonus
    assert_allclose(offer.direct_experience, [offer.experience[0] + bonus, offer.experience[1]])
    result = sim.run(connected_market("respond_to_desire"))
    firms = result.firms[result.firms["step"] > 0]
    connected = firms[firms["name"] == "Connected"]
    cost = model.spec.connected.respond_unit_cost
    assert_allclose(connected["connected_cost"], cost * connected["direct_units"])
    assert (firms[firms["name"] == "Plain"]["connected_cost"] == 0).all()


def test_curated_offering_closes_part_of_the_fit_gap():
    model = sim.MarketModel(connected_market("curated_offering"), seed="scenario")
    model.run(13)
    state, learning = model.channels.columns, model.spec.learning
    rows = np.arange(len(model.population))
    direct_terms, _ = model.channels.fit_terms(rows)
    knowledge = np.array([f.knowledge for f in model.firms], dtype=np.float32)
    plain_fit = effective_fit(state.fit_firm, knowledge, learning.population_share)
    expected_curated = curated_fit(plain_fit[:, 0], model.spec.connected.curation_gain)
    assert_allclose(direct_terms[:, 0], learning.fit_value * expected_curated, rtol=1e-6)
    assert_allclose(direct_terms[:, 1], learning.fit_value * plain_fit[:, 1], rtol=1e-6)
    firms = sim.run(connected_market("curated_offering")).firms
    connected = firms[(firms["name"] == "Connected") & (firms["step"] > 0)]
    assert_allclose(connected["connected_cost"], model.spec.connected.curation_fixed_cost)


def test_coach_raises_its_customers_need_and_their_prompted_needs_come_to_it():
    model = sim.MarketModel(connected_market("coach_behaviour"), seed="scenario")
    model.run(13)
    cols, state = model.population.columns, model.channels.columns
    rates = model.channels.journey.need_rates()
    coached = (state.last_channel == DIRECT) & (cols.last_firm == 0)
    assert coached.any()
    assert_allclose(rates[coached], np.minimum(1.0, cols.need_rate[coached] * 1.5))
    assert_allclose(rates[~coached], cols.need_rate[~coached])
    for _ in range(6):
        model.step()
        prompted = model.choosers[model.channels.journey.prompted_by >= 0]
        assert len(prompted)
        bought = model.channels.journey.purchases
        from_prompted = np.isin(bought.rows, prompted)
        assert (bought.brand[from_prompted] == 0).all()
        assert (bought.channel[from_prompted] == DIRECT).all()


def test_automatic_execution_serves_subscribers_without_comparison():
    model = sim.MarketModel(connected_market("automatic_execution"), seed="scenario")
    model.run(8)
    state = model.channels.columns
    subscribers = np.flatnonzero(state.auto_firm == 0)
    assert len(subscribers) > 50
    # Make the provider absurdly dear: subscribers do not compare, so they still get served.
    model.firms[0].price = 10_000.0
    model.step()
    bought = model.channels.journey.purchases
    automatic = bought.automatic
    assert automatic.any()
    assert (bought.brand[automatic] == 0).all() and (bought.channel[automatic] == DIRECT).all()
    assert np.isin(bought.rows[automatic], subscribers).all()
    compared = ~automatic & (bought.brand == 0)
    assert compared.sum() < automatic.sum()  # comparing shoppers walked away
    cost = model.spec.connected.auto_unit_cost
    assert_allclose(model.firms[0].week.connected_cost, cost * automatic.sum())


def test_disappointed_subscribers_cancel():
    model = sim.MarketModel(
        connected_market("automatic_execution", connected={"auto_cancel_below": 10.0}),
        seed="scenario",
    )
    model.run(6)
    # any satisfaction is below 10: every automatic purchase ends the subscription
    assert (model.channels.columns.auto_firm == 0).sum() > 0
    before = model.channels.columns.auto_firm.copy()
    model.step()
    served = model.channels.journey.purchases.rows[model.channels.journey.purchases.automatic]
    assert len(served) and (before[served] == 0).all()
    assert (model.channels.columns.auto_firm[served] == -1).all()


def test_connected_relationships_learn_faster():
    model = sim.MarketModel(connected_market("respond_to_desire"), seed="scenario")
    learning = model.spec.learning
    model.step()
    state, bought = model.channels.columns, model.channels.journey.purchases
    for slot, rate in (
        (0, learning.individual_rate * learning.connected_multiplier),
        (1, learning.individual_rate),
    ):
        rows = bought.rows[(bought.brand == slot) & (bought.channel == DIRECT)]
        assert len(rows)
        assert_allclose(state.fit_firm[rows, slot], rate, rtol=1e-6)  # from 0: f = eta
    interactions = [f.data_interactions for f in model.firms]
    units = [(bought.brand == j).sum() for j in (0, 1)]
    assert_allclose(interactions, [units[0] * learning.connected_multiplier, units[1]])


def test_fit_adds_value_so_learning_keeps_customers():
    on = sim.run(connected_market("respond_to_desire", steps=156))
    off = sim.run(connected_market("respond_to_desire", steps=156, learning={"fit_value": 0.0}))

    def repeat(result):
        firms = result.firms[result.firms["step"] > 104]
        return firms["repeat_rate"].mean()

    assert repeat(on) > repeat(off)
    last = on.firms[on.firms["step"] == 156].set_index("name")
    assert last.loc["Connected", "fit"] > last.loc["Plain", "fit"] > 0


@pytest.mark.parametrize(
    "kind", ["respond_to_desire", "curated_offering", "coach_behaviour", "automatic_execution"]
)
def test_accounts_close_with_connected_costs(kind):
    result = sim.run(connected_market(kind))
    firms = result.firms.sort_values(["firm_id", "step"])
    for _, firm in firms.groupby("firm_id"):
        change = firm["cash"].diff().iloc[1:]
        flows = (
            firm["revenue"]
            - firm["variable_cost"]
            - firm["fixed_cost"]
            - firm["connected_cost"]
            - firm["platform_fees"]
            - firm["restructuring"]
            - firm["investment"]
            - firm["interest"]
            - firm["payout"]
            + firm["equity_raised"]
        ).iloc[1:]
        assert_allclose(change.to_numpy(), flows.to_numpy(), rtol=1e-9, atol=1e-6)
    spending = result.model.set_index("step")["total_spending"]
    assert_allclose(spending, result.firms.groupby("step")["revenue"].sum())
    assert isinstance(result.firms, pd.DataFrame)


def test_coached_status_kept_up_to_date_equals_a_full_recount():
    model = sim.MarketModel(connected_market("coach_behaviour"), seed="scenario")
    for _ in range(30):
        model.step()
        assert (model.channels.journey.coached == model.channels.journey.coached_among()).all()
    model.firms[0].exit(model.week, "test")  # the coach leaves: nobody is coached
    model.step()
    assert model.channels.journey.coached is None or not model.channels.journey.coached.any()
