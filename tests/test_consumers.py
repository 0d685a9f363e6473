"""Consumers: inspectable Mesa agents that are views over the population columns."""

import mesa
import numpy as np
import pytest
from builders import tiny_scenario

import sim
from sim.agents.consumer import Consumer
from sim.scenario import Distribution


@pytest.fixture(scope="module")
def model():
    scenario = sim.load_scenario("baseline", overrides={"consumers.count": 750})
    model = sim.MarketModel(scenario, seed="scenario")
    model.run(steps=14)
    return model


def test_population_size(model):
    assert len(model.consumers) == 750
    assert len(model.consumers) == model.spec.consumers.count
    assert len(list(model.consumers)) == 750


@pytest.mark.parametrize("row", [0, 1, 374, 749])
def test_consumer_is_a_mesa_agent_viewing_its_row(model, row):
    consumer = model.consumers[row]
    columns = model.population.columns
    assert isinstance(consumer, mesa.Agent)
    assert isinstance(consumer, Consumer)
    assert consumer.model is model
    assert consumer.price_sensitivity == columns.price_sensitivity[row]
    assert consumer.selection_taste == columns.selection_taste[row]
    assert consumer.experience_taste == columns.experience_taste[row]
    assert consumer.need_rate == columns.need_rate[row]
    assert consumer.habit_strength == columns.habit_strength[row]
    assert consumer.expectation == columns.expectation[row]
    assert consumer.purchases == columns.purchases[row]
    last = columns.last_firm[row]
    assert consumer.last_firm is (None if last < 0 else model.firms[last])
    assert [firm.slot for firm in consumer.aware_of] == list(np.flatnonzero(columns.aware[row]))


def test_consumer_agents_are_stable(model):
    assert model.consumers[5] is model.consumers[5]
    assert model.consumers[-1] is model.consumers[749]
    assert [c.row for c in model.consumers[10:13]] == [10, 11, 12]


def test_consumer_index_out_of_range(model):
    with pytest.raises(IndexError):
        model.consumers[750]
    with pytest.raises(IndexError):
        model.consumers[-751]


def test_consumer_views_follow_the_columns():
    data = tiny_scenario(consumers={"count": 20}, market={"outside_utility": -100.0})
    model = sim.MarketModel(data, seed="scenario")
    consumer = model.consumers[3]
    assert consumer.purchases == 0
    assert consumer.last_firm is None
    model.run(steps=3)  # a need every week, one firm, no outside option: 3 purchases
    assert consumer.purchases == int(model.population.columns.purchases[3]) == 3
    assert consumer.last_firm is model.firms[0]


def test_consumers_have_unique_ids_distinct_from_firms(model):
    ids = {model.consumers[i].unique_id for i in range(0, 750, 50)}
    assert len(ids) == 15
    assert not ids & {firm.unique_id for firm in model.firms}


def test_purchases_column_counts_units_sold(model):
    # every unit sold is one consumer purchase
    total_units = sum(firm.cumulative_units - firm.reference_units for firm in model.firms)
    assert model.population.columns.purchases.sum() == total_units


# ---------------------------------------------------------------------------
# Trait distributions (moments of the draws against the requested ones)


@pytest.mark.parametrize(
    ("spec", "low", "high"),
    [
        ({"kind": "lognormal", "mean": 0.08, "sd": 0.02}, 1e-6, np.inf),
        ({"kind": "beta", "mean": 0.25, "sd": 0.1}, 0.0, 1.0),
        ({"kind": "normal", "mean": 1.0, "sd": 0.3}, -np.inf, np.inf),
        ({"kind": "uniform", "low": 2.0, "high": 4.0}, -np.inf, np.inf),
    ],
)
def test_distribution_moments(spec, low, high):
    distribution = Distribution.model_validate(spec)
    draws = distribution.sample(np.random.default_rng(0), 200_000, low, high)
    if spec["kind"] == "uniform":
        mean, sd = 3.0, 2.0 / np.sqrt(12.0)
    else:
        mean, sd = spec["mean"], spec["sd"]
    assert draws.mean() == pytest.approx(mean, rel=0.01)
    assert draws.std() == pytest.approx(sd, rel=0.02)
    assert draws.min() >= low
    assert draws.max() <= high


def test_distribution_constant_and_clipping():
    rng = np.random.default_rng(0)
    assert np.all(Distribution.model_validate(0.5).sample(rng, 10, 0.0, 1.0) == 0.5)
    clipped = Distribution.model_validate({"kind": "normal", "mean": 0.5, "sd": 5.0})
    draws = clipped.sample(rng, 1000, 0.0, 1.0)
    assert draws.min() == 0.0
    assert draws.max() == 1.0


def test_population_columns_follow_scenario_distributions():
    data = tiny_scenario(
        consumers={
            "count": 5000,
            "price_sensitivity": {"kind": "uniform", "low": 0.05, "high": 0.15},
            "need_rate": 0.4,
            "initial_awareness": 0.3,
        },
        firms=[{"name": "F", "strategy": "user_strategy:FixedMarkup", "count": 4}],
    )
    columns = sim.MarketModel(data, seed="scenario").population.columns
    assert columns.price_sensitivity.min() >= 0.05
    assert columns.price_sensitivity.max() <= 0.15
    assert np.all(columns.need_rate == 0.4)
    assert columns.aware.shape == (5000, 4)
    assert columns.aware.mean() == pytest.approx(0.3, abs=0.01)


def test_beta_with_tiny_sd_acts_as_constant():
    distribution = Distribution.model_validate({"kind": "beta", "mean": 0.5, "sd": 1e-200})
    draws = distribution.sample(np.random.default_rng(0), 5, 0.0, 1.0)
    np.testing.assert_allclose(draws, 0.5)


def test_needs_arise_at_each_consumers_rate():
    # E[needs per week] = sum_i lambda_i, Var = sum_i lambda_i (1 - lambda_i)
    scenario = sim.load_scenario("baseline", overrides={"consumers.count": 2000})
    model = sim.MarketModel(scenario, seed="scenario")
    rates = model.population.columns.need_rate
    weeks = 40
    needs = []
    for _ in range(weeks):
        model.step()
        needs.append(model.stats.needs)
    standard_error = np.sqrt((rates * (1 - rates)).sum() / weeks)
    assert np.mean(needs) == pytest.approx(rates.sum(), abs=5 * standard_error)


SEGMENTS = [
    {
        "name": "bargain hunters",
        "weight": 3.0,
        "price_sensitivity": {"kind": "lognormal", "mean": 0.16, "sd": 0.03},
        "experience_taste": 0.2,
    },
    {"name": "experience seekers", "weight": 1.0, "experience_taste": 2.5},
]


def test_segments_split_the_population_by_weight_with_their_own_tastes():
    data = tiny_scenario(consumers={"count": 20_000, "segments": SEGMENTS})
    model = sim.MarketModel(data, seed="scenario")
    cols = model.population.columns
    bargain, seekers = cols.segment == 0, cols.segment == 1
    # weights 3:1, so a quarter are experience seekers (binomial sd about 0.003)
    assert seekers.mean() == pytest.approx(0.25, abs=0.015)
    assert cols.price_sensitivity[bargain].mean() == pytest.approx(0.16, rel=0.02)
    assert np.all(cols.experience_taste[bargain] == 0.2)
    assert np.all(cols.experience_taste[seekers] == 2.5)
    # a trait the segment leaves out comes from the population's distribution
    population = sim.load_scenario(data).consumers.price_sensitivity.value
    assert np.all(cols.price_sensitivity[seekers] == population)
    assert model.consumers[int(np.flatnonzero(seekers)[0])].segment == "experience seekers"


def test_no_segments_draws_as_before():
    model = sim.MarketModel(tiny_scenario(), seed="scenario")
    assert model.population.columns.segment is None
    assert model.consumers[0].segment is None


def test_segment_names_must_be_unique():
    data = tiny_scenario(consumers={"segments": [SEGMENTS[1], SEGMENTS[1]]})
    with pytest.raises(sim.scenario.InputError, match="unique"):
        sim.load_scenario(data)
