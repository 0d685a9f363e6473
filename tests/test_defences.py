"""Channel defences: loyalty, direct incentives, channel prices with parity, marketing."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

import sim
from sim.mechanics.defences import (
    incentive_cost,
    incentive_utility,
    loyalty_cost,
    loyalty_utility,
    parity_listing_price,
    switching_cost,
)
from sim.mechanics.platforms import ChannelOffer, FirmWhatIf, Shoppers, channel_demand
from sim.strategies.base import Decision

STEPS = 40


# ---------------------------------------------------------------- closed forms


def test_loyalty_utility_hand_worked():
    # h = 1, alpha = 0.1, r = $2, b = 0.5: 0.5 * 1 + 0.1 * 2 = 0.7 utils
    value = loyalty_utility(np.array([1.0, 2.0]), np.array([0.1, 0.2]), 2.0, 0.5)
    np.testing.assert_allclose(value, [0.7, 1.4])
    assert loyalty_utility(np.array([1.0]), np.array([0.1]), 0.0, 0.5)[0] == 0.0


def test_switching_cost_rises_with_the_programme():
    # plain habit: h / alpha = 1 / 0.1 = $10; with r = 2, b = 0.5: (1 + 0.7) / 0.1 = $17
    np.testing.assert_allclose(switching_cost(np.array([1.0]), np.array([0.1]), 0.0, 0.5), [10])
    np.testing.assert_allclose(switching_cost(np.array([1.0]), np.array([0.1]), 2.0, 0.5), [17])


def test_programme_and_incentive_costs_hand_worked():
    # rebate $2 on 10 member units + $0.02 x 100 members = 22
    assert loyalty_cost(10.0, 2.0, 100.0, 0.02) == pytest.approx(22.0)
    assert loyalty_cost(10.0, 0.0, 100.0, 0.02) == 0.0
    # a $3 perk costing 60 cents per $ on 10 direct units = 18
    assert incentive_cost(10.0, 3.0, 0.6) == pytest.approx(18.0)
    np.testing.assert_allclose(incentive_utility(np.array([0.1, 0.2]), 3.0), [0.3, 0.6])


def test_parity_caps_the_listing_at_the_direct_price():
    direct, asked = np.array([10.0, 20.0]), np.array([12.0, 15.0])
    np.testing.assert_allclose(parity_listing_price(direct, asked, True), [10.0, 15.0])
    np.testing.assert_allclose(parity_listing_price(direct, asked, False), [12.0, 15.0])


def test_negative_defences_are_refused():
    with pytest.raises(ValueError, match="loyalty_rebate"):
        Decision(price=10.0, loyalty_rebate=-1.0)
    with pytest.raises(ValueError, match="platform_price"):
        Decision(price=10.0, platform_price=float("nan"))
    with pytest.raises(ValueError):
        loyalty_utility(np.ones(1), np.ones(1), -1.0, 0.5)


# ---------------------------------------------------------------- the choice


def one_aggregator_offer(**changes) -> ChannelOffer:
    """Two firms, one aggregator listing firm 1 (hand-sized)."""
    offer = ChannelOffer(
        quality=np.array([2.0, 2.0]),
        price=np.array([10.0, 10.0]),
        selection=np.array([1.0, 1.0]),
        experience=np.array([0.0, 0.0]),
        direct_bonus=np.zeros(2),
        direct_open=np.array([True, True]),
        listed=np.array([[False, True]]),
        platform_open=np.array([True]),
        platform_experience=np.array([0.0]),
        seller_delivers=np.array([True]),
        transparency=np.array([1.0]),
        member_bonus=np.zeros(1),
        member_loyalty=np.zeros(1),
        pool_items=np.zeros(1),
        pool_price=np.zeros(1),
        pool_quality=np.zeros(1),
        take_rate=np.array([0.1]),
    )
    return dataclasses.replace(offer, **changes)


def shoppers(last_firm=(-1, 0), last_channel=(-1, 0)) -> Shoppers:
    n = len(last_firm)
    return Shoppers(
        price_sensitivity=np.full(n, 0.1),
        selection_taste=np.zeros(n),
        experience_taste=np.zeros(n),
        expectation=np.zeros(n),
        habit_strength=np.full(n, 1.0),
        last_firm=np.array(last_firm),
        last_channel=np.array(last_channel),
        aware=np.ones((n, 2), dtype=bool),
        aware_platform=np.ones((n, 1), dtype=bool),
        member=np.zeros((n, 1), dtype=bool),
    )


def test_utilities_by_hand_with_incentive_loyalty_and_platform_price():
    from sim.mechanics.platforms import channel_utilities

    offer = one_aggregator_offer(
        incentive=np.array([1.0, 0.0]),
        rebate=np.array([2.0, 0.0]),
        habit_boost=0.5,
        platform_price=np.array([np.nan, 12.0]),
        parity=np.array([False]),
    )
    u = channel_utilities(offer, shoppers())
    # shopper 0 (no history): firm 0 direct 2 - 1 + 0.1 = 1.1; firm 1 direct 2 - 1 = 1
    # aggregator: one listing (firm 1) at $12: 2 - 1.2 = 0.8 (log-sum of one listing)
    np.testing.assert_allclose(u[0], [1.1, 1.0, 0.8])
    # shopper 1 (member of firm 0): + habit 1 + loyalty 0.5 * 1 + 0.1 * 2 = 1.1 + 1.7
    np.testing.assert_allclose(u[1], [2.8, 1.0, 0.8])
    with_parity = dataclasses.replace(offer, parity=np.array([True]))
    # parity: the listing is shown at the direct price, $10: 2 - 1 = 1
    np.testing.assert_allclose(channel_utilities(with_parity, shoppers())[0, 2], 1.0)


@pytest.mark.parametrize(
    "change",
    [{"incentive": 1.5}, {"rebate": 3.0}, {"platform_price": 13.0}, {"price": 9.0}],
)
def test_what_if_matches_the_full_demand(change):
    offer = one_aggregator_offer(habit_boost=0.5, parity=np.array([True]))
    people = shoppers(last_firm=(-1, 0, 1, 1), last_channel=(-1, 0, 0, 1))
    weights = np.array([1.0, 2.0, 1.5, 0.5])
    for slot in (0, 1):
        what_if = FirmWhatIf(offer, people, 0.0, weights, slot)
        direct, member, platforms = what_if.units_detail(**change)
        changed = offer.with_firm(slot, **change)
        expected_direct, listings = channel_demand(changed, people, 0.0, weights)
        assert direct == pytest.approx(expected_direct[slot], rel=1e-12)
        assert platforms[0] == pytest.approx(listings[0, slot], rel=1e-12)
        assert 0.0 <= member <= direct


# ---------------------------------------------------------------- in the model


def defended_scenario(parity: bool, enabled: bool = True, **params) -> dict:
    strategy = {"markup": 0.3, **params}
    return {
        "name": "test_defences",
        "seed": 3,
        "steps": STEPS,
        "consumers": {"count": 1200, "initial_awareness": 0.7},
        "defences": {
            "enabled": enabled,
            "incentive_cost_ratio": 0.6,
            "loyalty_cost_per_member": 0.02,
        },
        "firms": [
            {
                "name": "Defender",
                "strategy": "defence_strategies:FixedDefences",
                "strategy_params": strategy,
                "channels": ["direct", "Compare"],
            },
            {
                "name": "Rival",
                "strategy": "defence_strategies:FixedDefences",
                "channels": ["direct", "Compare"],
            },
        ],
        "platforms": [
            {
                "name": "Compare",
                "kind": "aggregator",
                "strategy": "shareholder_focused",
                "take_rate": 0.1,
                "experience": 0.0,
                "price_parity": parity,
                "initial_awareness": 0.8,
            }
        ],
    }


def firm_rows(result, name):
    return result.firms[result.firms["name"] == name].sort_values("step").iloc[1:]


@pytest.fixture(scope="module")
def defended():
    params = {"platform_markup": 0.2, "direct_incentive": 2.0, "loyalty_rebate": 1.5}
    return sim.run(defended_scenario(parity=False, **params))


def test_channel_prices_are_charged_and_fees_follow_the_listing_price(defended):
    rows = firm_rows(defended, "Defender")
    assert (rows["platform_units"] > 0).any() and (rows["direct_units"] > 0).any()
    np.testing.assert_allclose(rows["platform_price"], rows["price"] * 1.2, rtol=1e-12)
    revenue = rows["price"] * rows["direct_units"] + rows["platform_price"] * rows["platform_units"]
    np.testing.assert_allclose(rows["revenue"], revenue, rtol=1e-9)
    fee_rate = defended.tables["platforms"].set_index("step")["fee_rate"]
    fees = fee_rate.loc[rows["step"]].to_numpy() * rows["platform_price"] * rows["platform_units"]
    np.testing.assert_allclose(rows["platform_fees"], fees, rtol=1e-9, atol=1e-9)


def test_defence_costs_are_booked(defended):
    rows = firm_rows(defended, "Defender")
    np.testing.assert_allclose(rows["incentive_cost"], 0.6 * 2.0 * rows["direct_units"])
    np.testing.assert_allclose(
        rows["loyalty_cost"], 1.5 * rows["loyalty_units"] + 0.02 * rows["loyalty_members"]
    )
    assert rows["loyalty_units"].sum() > 0
    assert (rows["loyalty_units"] <= rows["direct_units"]).all()
    rival = firm_rows(defended, "Rival")
    assert (rival["incentive_cost"] == 0).all() and (rival["loyalty_cost"] == 0).all()


def test_cash_flow_identity_with_defences(defended):
    for name in ("Defender", "Rival"):
        rows = defended.firms[defended.firms["name"] == name].sort_values("step")
        change = rows["cash"].diff().iloc[1:].to_numpy()
        flows = (
            rows["revenue"]
            - rows["variable_cost"]
            - rows["fixed_cost"]
            - rows["restructuring"]
            - rows["platform_fees"]
            - rows["connected_cost"]
            - rows["incentive_cost"]
            - rows["loyalty_cost"]
            - rows["investment"]
            - rows["interest"]
            - rows["payout"]
            + rows["equity_raised"]
        ).iloc[1:]
        np.testing.assert_allclose(change, flows.to_numpy(), rtol=1e-6, atol=1e-6)
        operating = (
            rows["revenue"]
            - rows["variable_cost"]
            - rows["fixed_cost"]
            - rows["restructuring"]
            - rows["platform_fees"]
            - rows["connected_cost"]
            - rows["incentive_cost"]
            - rows["loyalty_cost"]
        )
        np.testing.assert_allclose(rows["operating_profit"], operating, rtol=1e-9, atol=1e-6)


def test_platform_gmv_is_listing_price_times_units(defended):
    platform = defended.tables["platforms"]
    firms = defended.firms
    listed = (firms["platform_price"] * firms["platform_units"]).groupby(firms["step"]).sum()
    gmv = platform.set_index("step")["gmv"]
    np.testing.assert_allclose(gmv.loc[listed.index], listed, rtol=1e-9, atol=1e-9)


def test_price_parity_is_enforced():
    result = sim.run(defended_scenario(parity=True, platform_markup=0.2))
    rows = firm_rows(result, "Defender")
    assert (rows["platform_units"] > 0).any()
    # the listing is shown at the direct price: revenue is the direct price times units
    np.testing.assert_allclose(rows["revenue"], rows["price"] * rows["units"], rtol=1e-9)
    fee_rate = result.tables["platforms"].set_index("step")["fee_rate"]
    fees = fee_rate.loc[rows["step"]].to_numpy() * rows["price"] * rows["platform_units"]
    np.testing.assert_allclose(rows["platform_fees"], fees, rtol=1e-9, atol=1e-9)


def test_incentive_wins_direct_buyers():
    plain = firm_rows(sim.run(defended_scenario(parity=False)), "Defender")
    helped = firm_rows(sim.run(defended_scenario(parity=False, direct_incentive=4.0)), "Defender")
    assert helped["direct_units"].sum() > plain["direct_units"].sum()


def test_disabled_defences_change_nothing():
    params = {"platform_markup": 0.2, "direct_incentive": 2.0, "loyalty_rebate": 1.5}
    off = sim.run(defended_scenario(parity=False, enabled=False, **params))
    plain = sim.run(defended_scenario(parity=False, enabled=False))
    columns = ["units", "revenue", "cash", "direct_units", "platform_units", "brand_strength"]
    np.testing.assert_array_equal(off.firms[columns].to_numpy(), plain.firms[columns].to_numpy())
    assert (off.firms["incentive_cost"] == 0).all() and (off.firms["loyalty_rebate"] == 0).all()


def test_marketing_decided_by_the_strategy_takes_effect():
    result = sim.run(defended_scenario(parity=False, marketing_spend=300.0), steps=14)
    rows = firm_rows(result, "Defender")
    assert (rows["marketing_spend"] == 300.0).all()


# ---------------------------------------------------------------- strategies


def test_marketing_spend_closed_form_is_the_numeric_optimum():
    from scipy.optimize import minimize_scalar

    from sim.mechanics.defences import marketing_spend_for_value

    unaware, population, cost, value, weeks = 1000.0, 2000, 1.0, 10.0, 13
    # hand-worked: (1 - p)^12 = 2000 / 10000 -> p = 1 - 0.2^(1/12) = 0.12548
    spend = marketing_spend_for_value(unaware, population, cost, value, weeks)
    assert spend == pytest.approx(2000 * (1 - 0.2 ** (1 / 12)), rel=1e-12)

    def loss(p):
        return -(unaware * (1 - (1 - p) ** weeks) * value - weeks * cost * population * p)

    best = minimize_scalar(loss, bounds=(0, 1), method="bounded", options={"xatol": 1e-10})
    assert spend == pytest.approx(cost * population * best.x, rel=1e-5)
    # a contact worth less than it costs buys nothing
    assert marketing_spend_for_value(1000.0, 2000, 1.0, 1.5, 13) == 0.0


def airline_model(**changes):
    from tests.test_defences import defended_scenario

    data = defended_scenario(parity=False)
    data["firms"][0]["strategy"] = "customer_obsessed"
    data["firms"][0].pop("strategy_params")
    data["firms"][1]["strategy"] = "shareholder_focused"
    data["defences"].update(changes)
    return sim.MarketModel(data, seed="scenario")


def test_more_value_on_relationships_never_chooses_fewer_direct_units():
    from sim.strategies.defence_choice import choose_defences

    model = airline_model()
    model.run(13)
    for firm in model.firms:
        view, research = model.firm_view(firm), model.market_research(firm)
        price = firm.price
        direct = []
        for weight in (0.0, 0.25, 0.5, 1.0, 2.0):
            chosen = choose_defences(view, research, price, weight)
            units, _, _ = research.what_if.units_detail(
                price=price,
                platform_price=np.nan if chosen.platform_price is None else chosen.platform_price,
                incentive=chosen.direct_incentive,
                rebate=chosen.loyalty_rebate,
            )
            direct.append(units)
        # revealed preference: argmax of f + w g has g non-decreasing in w
        assert all(b >= a - 1e-9 for a, b in itertools.pairwise(direct)), direct


def test_no_defences_when_the_scenario_does_not_allow_them():
    from sim.strategies.defence_choice import choose_defences

    model = airline_model(enabled=False)
    firm = model.firms[0]
    chosen = choose_defences(model.firm_view(firm), model.market_research(firm), firm.price, 0.5)
    assert chosen.as_decision() == {
        "platform_price": None,
        "direct_incentive": 0.0,
        "loyalty_rebate": 0.0,
    }


def test_built_in_strategies_decide_defences_and_the_decisions_take_effect():
    model = airline_model()
    model.run(40)
    firms = model.datacollector.get_table_dataframe("firms")
    decided = firms[firms["step"] > 0]
    used = decided[["direct_incentive", "loyalty_rebate"]].to_numpy().sum()
    assert used > 0
    # what each firm decided is what it holds and what its books charged
    for firm in model.firms:
        rows = decided[decided["name"] == firm.name]
        assert rows["direct_incentive"].iloc[-1] == firm.week.direct_incentive
        np.testing.assert_allclose(
            rows["incentive_cost"], 0.6 * rows["direct_incentive"] * rows["direct_units"]
        )


def test_marketing_is_the_scenario_value_unless_strategies_set_it():
    kept = airline_model()
    kept.firms[0].marketing_spend = 123.0
    kept.run(27)
    assert kept.firms[0].marketing_spend == 123.0
    decided = airline_model(strategies_set_marketing=True)
    decided.firms[0].marketing_spend = 123.0
    decided.run(27)
    assert all(f.marketing_spend != 123.0 for f in decided.firms)


def test_brand_strength_figure_shows_defences_where_they_are_on(defended):
    import matplotlib.pyplot as plt

    from sim.outputs.sections import section
    from sim.outputs.sections.defences import defence_lines

    (figure,) = section("defences").figures_for(defended)
    drawn = figure.draw(defended)
    plt.close(drawn)
    # brand strength; defence spend with its twin axis of loyalty members
    assert (figure.name, len(drawn.axes)) == ("brand_strength", 3)
    assert "Figure: `figures/brand_strength.png`." in defence_lines(defended)
