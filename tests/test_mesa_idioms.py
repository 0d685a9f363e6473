"""MarketModel as a Mesa user meets it: rng, keyword parameters, running, agents, batch_run."""

import mesa
import numpy as np
import pandas as pd
import pytest

import sim
from sim.agents.firm import Firm

SMALL = {"consumers.count": 300, "steps": 13}


@pytest.mark.slow
def test_batch_run_with_dotted_parameters_and_rng_values_stops_at_the_horizon():
    rows = mesa.batch_run(
        sim.MarketModel,
        parameters={
            "scenario": "baseline",
            "steps": 13,
            "consumers.count": [300, 400],
            "market.outside_utility": [-1.0, 0.5],
        },
        rng=[1, 2],
        number_processes=1,
        display_progress=False,
    )
    table = pd.DataFrame(rows)
    assert table["RunId"].nunique() == 8
    assert set(table["Step"]) == {13}  # no max_steps: the model stopped at its horizon
    assert set(table["seed"]) == {1, 2}
    per_run = table.groupby("RunId").agg(
        count=("consumers.count", "first"),
        outside=("market.outside_utility", "first"),
        seed=("seed", "first"),
        firms=("firm", "nunique"),
        units=("units", "sum"),
        cash=("cash", "sum"),
    )
    assert (per_run["firms"] == 10).all()  # firm data from the agent-type reporters
    assert len(per_run.drop_duplicates(["count", "outside", "seed"])) == 8
    assert per_run["cash"].nunique() == 8  # every run differs from every other
    repeat = sim.MarketModel(
        "baseline", rng=1, steps=13, **{"consumers.count": 300, "market.outside_utility": 0.5}
    )
    repeat.run()
    first = per_run[
        (per_run["count"] == 300) & (per_run["outside"] == 0.5) & (per_run["seed"] == 1)
    ]
    assert sum(firm.cash for firm in repeat.firms) == pytest.approx(first["cash"].iloc[0])


def test_rng_none_draws_fresh_entropy_and_the_scenario_seed_only_when_asked():
    fresh = [sim.MarketModel("baseline", **SMALL).seed for _ in range(3)]
    assert len(set(fresh)) == 3
    assert sim.MarketModel("baseline", seed="scenario", **SMALL).seed == 42
    assert sim.MarketModel("baseline", rng=7, **SMALL).seed == 7
    assert sim.MarketModel("baseline", seed=7, **SMALL).seed == 7
    drawn = [sim.MarketModel("baseline", rng=np.random.default_rng(5), **SMALL).seed for _ in "ab"]
    assert drawn[0] == drawn[1]
    with pytest.raises(ValueError, match="not both"):
        sim.MarketModel("baseline", seed=1, rng=1, **SMALL)


def test_a_model_with_the_run_seed_repeats_sim_run():
    result = sim.run("baseline", seed=9, overrides=SMALL)
    model = sim.MarketModel("baseline", rng=9, **SMALL)
    model.run()
    firms = model.datacollector.get_table_dataframe("firms")
    pd.testing.assert_frame_equal(firms, result.firms, check_exact=True)


def test_double_underscore_keywords_and_dotted_keywords_agree():
    dotted = sim.MarketModel("baseline", rng=3, **{"consumers.count": 321, "steps": 5})
    under = sim.MarketModel("baseline", rng=3, consumers__count=321, steps=5)
    assert dotted.spec == under.spec
    assert dotted.spec.consumers.count == 321


def test_running_turns_false_at_the_horizon():
    model = sim.MarketModel("baseline", rng=1, **SMALL)
    for week in range(1, 14):
        assert model.running
        model.step()
        assert model.week == week
    assert not model.running


def test_agents_are_the_same_however_consumers_are_looked_at():
    model = sim.MarketModel("baseline", rng=1, **SMALL)
    before = set(model.agents)
    assert before == set(model.firms)
    _ = [model.consumers[i].expectation for i in range(0, 300, 7)]
    _ = list(model.consumers)
    assert set(model.agents) == before
    assert isinstance(model.consumers[0], mesa.Agent)


@pytest.mark.slow
def test_exited_firms_leave_model_agents_and_keep_their_record():
    model = sim.MarketModel("industry_dynamics", rng=2, **{"consumers.count": 500, "steps": 260})
    model.run()
    exited = [firm for firm in model.firms if not firm.alive]
    assert exited, "the scenario should see exits in five years"
    agents = set(model.agents)
    assert not agents & set(exited)
    assert {firm for firm in model.firms if firm.alive} <= agents
    assert all(firm.exit_step is not None for firm in exited)


def test_the_project_scenario_does_not_shadow_mesas():
    model = sim.MarketModel("baseline", rng=4, **SMALL)
    assert isinstance(model.spec, sim.Scenario)
    assert isinstance(model.scenario, mesa.experimental.scenarios.Scenario)
    assert model.spec.steps == 13


def test_firm_reporters_are_mesa_agent_type_reporters():
    model = sim.MarketModel("baseline", rng=4, **SMALL)
    model.run()
    table = model.datacollector.get_agenttype_vars_dataframe(Firm)
    assert len(table) == 14 * 10
    assert set(table["firm"]) == {firm.name for firm in model.firms}
