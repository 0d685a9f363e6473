"""Platforms in the running model: accounting, relationships, sellers, channels, schema."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from platform_builders import aggregator_scenario, marketplace_scenario

import sim
from sim.components.channels import DIRECT
from sim.scenario import InputError


@pytest.fixture(scope="module")
def market_run():
    return sim.run(marketplace_scenario(steps=80))


# ---------------------------------------------------------------------------
# Accounting closes with platforms, sellers, memberships and connected costs


def test_consumer_spending_equals_firm_revenue_plus_platform_take(market_run):
    model, firms, platforms = market_run.model, market_run.firms, market_run.tables["platforms"]
    weekly = pd.DataFrame(
        {
            "firm_net": firms.groupby("step")["net_revenue"].sum(),
            "take": platforms.groupby("step")["take"].sum(),
            "members": platforms.groupby("step")["membership_revenue"].sum(),
            "sellers_net": platforms.groupby("step")["pool_revenue"].sum(),
        }
    )
    spending = model.set_index("step")["total_spending"]
    assert_allclose(
        spending.to_numpy(),
        (
            weekly["firm_net"] + weekly["take"] + weekly["members"] + weekly["sellers_net"]
        ).to_numpy(),
        rtol=1e-10,
        atol=1e-6,
    )
    assert model["platform_take"].sum() > 0
    assert platforms["membership_revenue"].sum() > 0
    assert platforms["pool_revenue"].sum() > 0


def test_platform_take_is_fee_rate_times_gmv(market_run):
    platforms = market_run.tables["platforms"]
    assert_allclose(platforms["take"], platforms["fee_rate"] * platforms["gmv"], rtol=1e-12)
    # What firms pay plus the fee on third-party sellers' sales is what platforms keep.
    firm_fees = market_run.firms.groupby("step")["platform_fees"].sum()
    by_step = platforms.set_index("step")
    pool_fees = by_step["fee_rate"] * by_step["pool_sales"]
    assert_allclose(firm_fees + pool_fees, by_step["take"], rtol=1e-10, atol=1e-9)
    assert_allclose(market_run.model.set_index("step")["platform_take"], by_step["take"])


def test_firm_cash_changes_by_revenue_less_costs_fees_investment_payouts(market_run):
    firms = market_run.firms.sort_values(["firm_id", "step"])
    for _, firm in firms.groupby("firm_id"):
        firm = firm[firm["alive"]]
        change = firm["cash"].diff().iloc[1:]
        flows = (
            firm["revenue"]
            - firm["variable_cost"]
            - firm["fixed_cost"]
            - firm["platform_fees"]
            - firm["connected_cost"]
            - firm["restructuring"]
            - firm["investment"]
            - firm["interest"]
            - firm["payout"]
            + firm["equity_raised"]
        ).iloc[1:]
        assert_allclose(change.to_numpy(), flows.to_numpy(), rtol=1e-9, atol=1e-6)


def test_platform_cash_changes_by_take_and_fees_less_costs_and_payouts(market_run):
    platforms = market_run.tables["platforms"].sort_values("step")
    change = platforms["cash"].diff().iloc[1:]
    flows = (
        platforms["take"]
        + platforms["membership_revenue"]
        - platforms["operating_cost"]
        - platforms["investment"]
        - platforms["payout"]
    ).iloc[1:]
    assert_allclose(change.to_numpy(), flows.to_numpy(), rtol=1e-9, atol=1e-6)


def test_units_add_up_across_channels(market_run):
    firms, platforms, model = market_run.firms, market_run.tables["platforms"], market_run.model
    assert_allclose(firms["units"], firms["direct_units"] + firms["platform_units"])
    by_step = firms.groupby("step")["platform_units"].sum()
    on_platform = platforms.set_index("step")
    assert_allclose(
        by_step, on_platform["owner_units"] + on_platform["brand_units"], rtol=0, atol=1e-9
    )
    purchases = model.set_index("step")["purchases"]
    assert_allclose(purchases, firms.groupby("step")["units"].sum() + on_platform["pool_units"])
    share = model.set_index("step")["disintermediation_index"]
    expected = (on_platform["purchases"] / purchases).fillna(0.0)
    assert_allclose(share, expected, atol=1e-12)


def test_third_party_share_counts_everyone_but_the_owner(market_run):
    platforms = market_run.tables["platforms"]
    sold = platforms[platforms["purchases"] > 0]
    assert_allclose(
        sold["third_party_share"], 1 - sold["owner_units"] / sold["purchases"], atol=1e-12
    )
    model = market_run.model.set_index("step").loc[sold["step"]]
    assert_allclose(model["third_party_share"].to_numpy(), sold["third_party_share"].to_numpy())


# ---------------------------------------------------------------------------
# Who owns the relationship


def test_platform_buyers_give_habit_to_the_platform_and_forget_the_brand():
    model = sim.MarketModel(
        marketplace_scenario(**{"relationships.awareness_fade": 1.0}), seed="scenario"
    )
    for _ in range(6):
        model.step()
        bought = model.channels.journey.purchases
        via = (bought.channel > 0) & (bought.brand >= 0)
        assert via.any()
        cols, state = model.population.columns, model.channels.columns
        # fade = 1: every platform buyer of a brand lost it as a direct option
        assert not cols.aware[bought.rows[via], bought.brand[via]].any()
        assert (state.last_channel[bought.rows] == bought.channel).all()
        direct = bought.channel == DIRECT
        assert (cols.last_firm[bought.rows[direct]] == bought.brand[direct]).all()


def test_learning_flows_only_to_the_relationship_owner():
    model = sim.MarketModel(marketplace_scenario(), seed="scenario")
    state = model.channels.columns
    before_firm, before_platform = state.fit_firm.copy(), state.fit_platform.copy()
    model.step()
    bought = model.channels.journey.purchases
    rows = bought.rows
    via = bought.channel > 0
    direct = ~via
    # direct buyers: their fit with the brand rose; nobody else's fit with a brand moved
    grew = state.fit_firm[rows[direct], bought.brand[direct]]
    assert (grew > before_firm[rows[direct], bought.brand[direct]]).all()
    changed = state.fit_firm != before_firm
    changed[rows[direct], bought.brand[direct]] = False
    assert not changed.any()
    # platform buyers: the platform learned, the brand they bought did not
    k = bought.channel[via] - 1
    assert (state.fit_platform[rows[via], k] > before_platform[rows[via], k]).all()
    branded = bought.brand[via] >= 0
    assert (
        state.fit_firm[rows[via][branded], bought.brand[via][branded]]
        == before_firm[rows[via][branded], bought.brand[via][branded]]
    ).all()


def test_membership_only_after_launch_and_fee_is_members_times_fee():
    result = sim.run(marketplace_scenario(steps=40))
    platforms = result.tables["platforms"]
    before = platforms[platforms["step"] < 26]  # first quarter close after launch is week 26
    assert (before["members"] == 0).all()
    assert platforms["members"].max() > 0
    # a week's fees are paid by the members at its start (renewals happen at quarter ends)
    members_during = platforms["members"].shift(1).fillna(0.0)
    assert_allclose(platforms["membership_revenue"], members_during * 1.0)


# ---------------------------------------------------------------------------
# Sellers follow traffic and fees (the cross-side network effect)


def fixed_fee(take: float) -> dict:
    return {
        "platforms.0.strategy": "shareholder_focused",
        "platforms.0.strategy_params": {
            "base_take": take,
            "max_take": take,
            "adjust_speed": 0.0,
            "maintenance_share": 0.0,
        },
        "platforms.0.take_rate": take,
        "steps": 104,
    }


@pytest.mark.slow
def test_sellers_leave_a_high_fee_and_join_a_low_one():
    low = sim.run(marketplace_scenario(**fixed_fee(0.05))).tables["platforms"]
    high = sim.run(marketplace_scenario(**fixed_fee(0.45))).tables["platforms"]
    assert low["sellers"].iloc[-1] > high["sellers"].iloc[-1]
    assert high["sellers"].iloc[-1] < 20  # fewer than it started with


@pytest.mark.slow
def test_more_traffic_brings_more_sellers():
    busy = sim.run(
        marketplace_scenario(**fixed_fee(0.15), **{"platforms.0.initial_awareness": 1.0})
    ).tables["platforms"]
    quiet = sim.run(
        marketplace_scenario(
            **fixed_fee(0.15),
            **{
                "platforms.0.initial_awareness": 0.1,
                "platforms.0.awareness_innovation": 0.0,
                "platforms.0.awareness_imitation": 0.0,
            },
        )
    ).tables["platforms"]
    assert busy["purchases"].sum() > 2 * quiet["purchases"].sum()
    assert busy["sellers"].iloc[-1] > quiet["sellers"].iloc[-1]


# ---------------------------------------------------------------------------
# Channels: fixed by the scenario or chosen by the strategy


def test_fixed_channels_are_kept_and_free_firms_choose():
    result = sim.run(aggregator_scenario())
    firms = result.firms
    assert (firms[firms["name"] == "Loyal"]["channels"] == "direct").all()
    assert (firms[firms["name"] == "Loyal"]["platform_units"] == 0).all()
    free = firms[firms["name"].str.startswith("Free")]
    assert (free["channels"] == "direct+Compare").any()
    assert free["platform_units"].sum() > 0


def test_a_strategy_that_values_relationships_stays_direct():
    valued = aggregator_scenario(
        **{"firms.0.strategy_params": {"relationship_weight": 5.0}, "steps": 13}
    )
    firms = sim.run(valued).firms
    free = firms[firms["name"].str.startswith("Free")]
    assert (free["channels"] == "direct").all()


def test_owner_sells_only_through_its_platform(market_run):
    firms = market_run.firms
    arm = firms[firms["name"] == "Retail arm"]
    assert (arm["direct_units"] == 0).all()
    assert arm["platform_units"].sum() > 0


def test_same_seed_same_results_with_platforms():
    a = sim.run(marketplace_scenario(steps=30))
    b = sim.run(marketplace_scenario(steps=30))
    for name, table in a.all_tables().items():
        pd.testing.assert_frame_equal(table, b.all_tables()[name])


def test_no_platforms_means_the_original_engine():
    result = sim.run("baseline", overrides={"consumers.count": 500, "steps": 26})
    assert "platforms" not in result.tables
    assert (result.model["disintermediation_index"] == 0).all()
    assert_allclose(result.firms["direct_units"], result.firms["units"])
    model = sim.MarketModel(
        sim.load_scenario("baseline", {"consumers.count": 500}), seed="scenario"
    )
    assert not model.channels.mode and model.channels.columns is None


# ---------------------------------------------------------------------------
# Scenario schema


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"firms.0.channels": ["direct", "Markt"]}, "did you mean 'Market'"),
        ({"platforms.0.owner": "Retail"}, "no firm named 'Retail'"),
        ({"platforms.0.kind": "aggregator"}, "third_party sellers need kind marketplace"),
        ({"platforms.0.strategy": "customer_obsesed"}, "did you mean 'customer_obsessed'"),
        ({"platforms.0.take_rate": 1.2}, "less than or equal to 0.95"),
        ({"platforms.0.third_party.initial_sellers": 5000}, "must not exceed"),
        ({"platforms.0.membership.fee": -1}, "greater than or equal to 0"),
        ({"firms.0.connected": "telepathy"}, "respond_to_desire"),
    ],
)
def test_bad_platform_scenarios_are_rejected_with_a_clear_message(change, message):
    with pytest.raises(InputError) as error:
        sim.load_scenario(marketplace_scenario(**change))
    assert message in str(error.value)


def test_duplicate_platform_names_are_rejected():
    data = marketplace_scenario()
    data["platforms"].append(dict(data["platforms"][0], owner=None, third_party=None))
    with pytest.raises(InputError, match="unique"):
        sim.load_scenario(data)


def test_platform_results_save_and_load(tmp_path, market_run):
    folder = market_run.save(tmp_path / "run", figures=False)
    loaded = sim.load_result(folder)
    assert {"platforms", "flywheel"} <= set(loaded.tables)
    pd.testing.assert_frame_equal(loaded.tables["platforms"], market_run.tables["platforms"])
    assert np.isfinite(loaded.tables["flywheel"]["e_price_to_traffic"]).any()


def test_a_firm_that_enters_gets_channel_columns():
    """Entry (another branch adds it) must not break channels: fit columns grow."""
    from sim.agents.firm import Firm
    from sim.strategies.registry import resolve_strategy

    model = sim.MarketModel(marketplace_scenario(steps=10), seed="scenario")
    model.run(3)
    spec = model.spec.firms[2]
    strategy = resolve_strategy(spec.strategy)(**spec.strategy_params)
    model.firms.append(Firm(model, spec, "Entrant", len(model.firms), strategy))
    model.finance.register(model.firms[-1])
    model.population.columns.add_firm_column(np.ones(len(model.population), dtype=bool))
    model.run(14)
    assert model.channels.columns.fit_firm.shape[1] == len(model.firms) == 4
    assert model.firms[-1].week.units > 0


def test_limit_case_a_platform_nobody_knows_leaves_the_logit_nash_market():
    """Channels on, but nobody knows the platform and every firm sells direct only:
    the channel market must reproduce the engine's logit Bertrand-Nash market."""
    engine = sim.run("validation/logit_nash", overrides={"steps": 104})
    data = sim.load_scenario("validation/logit_nash", {"steps": 104}).model_dump(mode="json")
    for firm in data["firms"]:
        firm["channels"] = ["direct"]
    data["platforms"] = [
        {
            "name": "Ghost",
            "kind": "aggregator",
            "strategy": "shareholder_focused",
            "initial_awareness": 0.0,
            "fixed_cost": 0.0,
        }
    ]
    data["flywheel_meter"] = {"enabled": False}
    channels = sim.run(data)
    assert channels.tables["platforms"]["purchases"].sum() == 0
    last = engine.firms["step"].max()
    a = engine.firms[engine.firms["step"] == last].set_index("name")
    b = channels.firms[channels.firms["step"] == last].set_index("name")
    assert_allclose(b["price"], a["price"], rtol=1e-5)
    assert_allclose(b["units"], a["units"], rtol=0.05)
    assert_allclose(channels.model["consumer_surplus"], engine.model["consumer_surplus"], rtol=1e-3)
