"""The platform's moves and owned customers: hand-worked mechanics, limits, the running model."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from platform_builders import aggregator_scenario, marketplace_scenario

import sim
from sim.components.platform_moves import PlatformMoves
from sim.mechanics.learning import population_knowledge
from sim.mechanics.platform_moves import (
    MovesOffer,
    anticipated_dependence,
    best_seller,
    brand_dependence,
    data_value_per_customer,
    fit_premium,
    interactions_for_knowledge,
    listing_attention,
    loyal_customers,
    own_label_pays,
    own_label_terms,
    returns_to_platform,
    steered_items,
)
from sim.mechanics.platforms import listing_probabilities
from sim.model.market import MarketModel
from sim.outputs.summary import summary
from sim.scenario import InputError, load_scenario
from sim.strategies.platform import (
    PlatformQuarterReport,
    PlatformView,
    ShareholderFocusedPlatform,
)

# ---------------------------------------------------------------------------
# Own label


def test_best_seller_is_the_listed_brand_that_sold_most_lowest_index_on_a_tie():
    units = np.array([5.0, 9.0, 9.0, 20.0])
    eligible = np.array([True, True, True, False])  # the biggest seller may not be copied
    assert best_seller(units, eligible) == 1
    assert best_seller(np.zeros(4), eligible) == -1
    assert best_seller(units, np.zeros(4, dtype=bool)) == -1


def test_own_label_copies_quality_less_a_gap_and_undercuts_the_price():
    quality, price, cost = own_label_terms(3.0, 40.0, 20.0, 0.2, 0.1, 1.1)
    assert (quality, price, cost) == pytest.approx((2.8, 36.0, 22.0))
    with pytest.raises(ValueError, match="undercut"):
        own_label_terms(3.0, 40.0, 20.0, 0.2, 1.0, 1.0)


def test_own_label_launches_when_the_copied_demand_repays_the_launch():
    # margin 36 - 22 = 14 on 100 units a week over 52 weeks: $72,800
    assert own_label_pays(36.0, 22.0, 100.0, 52.0, 72_800.0)
    assert not own_label_pays(36.0, 22.0, 100.0, 52.0, 72_801.0)
    assert not own_label_pays(20.0, 22.0, 1e9, 52.0, 0.0)  # no margin, no launch


# ---------------------------------------------------------------------------
# Ranking and steering


def test_attention_falls_by_rank_of_what_a_listing_pays_the_platform():
    revenue = np.array([4.0, 2.0, 4.0, 1.0, 9.0])
    listed = np.array([True, True, True, True, False])
    # ranks among listed: 4 -> 0, 2 -> 1, 1 -> 2 (the unlisted 9 does not count)
    assert_allclose(listing_attention(revenue, listed, 0.5), [1.0, 0.5, 1.0, 0.25, 0.0])
    assert_allclose(listing_attention(revenue, listed, 0.0), [1, 1, 1, 1, 0])


def test_steered_items_keep_the_total_and_shift_choice_to_the_first_rank():
    items = np.array([1.0, 1.0, 0.0])
    revenue = np.array([2.0, 1.0, 5.0])
    steered = steered_items(items, revenue, 0.5)
    assert_allclose(steered, [4 / 3, 2 / 3, 0.0])
    # two listings of equal value: P = a_s / (a_1 + a_2) = 1 / 1.5 and 0.5 / 1.5
    values = np.zeros((1, 3))
    probabilities = listing_probabilities(values, steered, 3.0)
    assert_allclose(probabilities[0], [1 / 1.5, 0.5 / 1.5, 0.0])


def test_no_steering_is_exactly_the_current_choice():
    items = np.array([3.0, 1.0, 2.0])
    assert steered_items(items, np.array([1.0, 2.0, 3.0]), 0.0) is items
    model = MarketModel(aggregator_scenario(), seed="scenario")
    offer = model.channels.offer()
    fields = {name: getattr(offer, name) for name in offer.__dataclass_fields__}
    unsteered = MovesOffer(**fields, steering=np.zeros(offer.n_platforms))
    for k in range(offer.n_platforms):
        assert np.array_equal(unsteered.listing_items(k), offer.listing_items(k))


# ---------------------------------------------------------------------------
# Hold-up


def test_dependence_is_the_share_of_listed_brands_sales_through_the_platform():
    assert brand_dependence(30.0, 120.0) == pytest.approx(0.25)
    assert brand_dependence(0.0, 0.0) == 0.0


def test_anticipated_dependence_extrapolates_a_rise_and_ignores_a_fall():
    assert anticipated_dependence(0.4, 0.3, 2.0) == pytest.approx(0.6)
    assert anticipated_dependence(0.3, 0.4, 2.0) == pytest.approx(0.3)
    assert anticipated_dependence(0.8, 0.5, 4.0) == 1.0
    assert anticipated_dependence(0.4, 0.1, 0.0) == pytest.approx(0.4)


def _view(power: float) -> PlatformView:
    return PlatformView(
        platform_id=1,
        name="Compare",
        kind="aggregator",
        week=26,
        quarter=2,
        take_rate=0.05,
        fulfilment_cost=0.0,
        fixed_cost=0.0,
        cash=0.0,
        experience=0.0,
        efficiency=0.0,
        sellers=0,
        selection=100.0,
        members=0,
        cost_per_order=0.0,
        average_price=40.0,
        last_quarter=PlatformQuarterReport(units=100.0, power=power),
        previous_quarter=PlatformQuarterReport(),
    )


def test_holdup_fee_prices_to_anticipated_dependence():
    scenario = load_scenario(
        aggregator_scenario(
            **{"platforms.0.moves": {"holdup_fee": True, "holdup_quarters_ahead": 2}}
        )
    )
    moves = PlatformMoves(scenario, 4)
    moves.dependence = np.array([0.4])
    moves.previous_dependence = np.array([0.3])
    platform = SimpleNamespace(slot=0)
    strategy = ShareholderFocusedPlatform(base_take=0.05, max_take=0.6, adjust_speed=0.5)
    decision = strategy.decide(moves.platform_view(platform, _view(power=0.1)))
    # D* = 0.4 + 2 * 0.1 = 0.6; target 0.05 + 0.55 * 0.6 = 0.38; half the gap from 0.05
    assert decision.take_rate == pytest.approx(0.05 + 0.5 * (0.38 - 0.05))


def test_holdup_with_dependence_equal_to_power_is_the_share_following_fee():
    scenario = load_scenario(aggregator_scenario(**{"platforms.0.moves": {"holdup_fee": True}}))
    moves = PlatformMoves(scenario, 4)
    moves.dependence = moves.previous_dependence = np.array([0.35])
    strategy = ShareholderFocusedPlatform(base_take=0.05, max_take=0.6, adjust_speed=0.5)
    held_up = strategy.decide(moves.platform_view(SimpleNamespace(slot=0), _view(0.35)))
    assert held_up == strategy.decide(_view(0.35))


# ---------------------------------------------------------------------------
# The shopper's return to the platform


def test_returns_to_platform_draws_against_each_platforms_share():
    last_channel = np.array([-1, 0, 1, 2, 1])
    uniforms = np.array([0.0, 0.0, 0.3, 0.3, 0.9])
    back = returns_to_platform(last_channel, uniforms, np.array([0.5, 0.2]))
    assert back.tolist() == [-1, -1, 0, -1, -1]
    assert (returns_to_platform(last_channel, uniforms, np.zeros(2)) == -1).all()


def _shopping_model(share: float, last_channel, prompted=None, auto=None):
    scenario = load_scenario(aggregator_scenario(**{"platforms.0.moves.return_share": share}))
    n = len(last_channel)
    journey = SimpleNamespace(
        auto_kind=np.zeros(n, dtype=np.int8) if auto is None else np.asarray(auto),
        prompted_by=np.full(n, -1) if prompted is None else np.asarray(prompted),
    )
    channels = SimpleNamespace(
        journey=journey, state=SimpleNamespace(last_channel=np.asarray(last_channel))
    )
    return scenario, SimpleNamespace(
        platforms=[SimpleNamespace(alive=True)],
        firms=[None] * 4,
        channels=channels,
        rng=np.random.default_rng(0),
    )


def test_a_shopper_sent_back_compares_only_the_platforms_listings():
    scenario, model = _shopping_model(1.0, [1, 0, 1, 1], prompted=[-1, -1, 2, -1])
    utilities = np.arange(20, dtype=float).reshape(4, 5)
    utilities[3, 4] = -np.inf  # does not know the platform: left to compare everything
    before = utilities.copy()
    moves = PlatformMoves(scenario, 4)
    moves.send_back(model, np.arange(4), utilities)
    assert utilities[0].tolist() == [-np.inf] * 4 + [4.0]
    assert np.array_equal(utilities[1:], before[1:])  # direct buyer, prompted, unaware
    assert moves.returned.tolist() == [1.0]


def test_no_return_share_leaves_the_choice_and_the_generator_alone():
    scenario, model = _shopping_model(0.0, [1, 1])
    utilities = np.ones((2, 5))
    state = model.rng.bit_generator.state
    PlatformMoves(scenario, 4).send_back(model, np.arange(2), utilities)
    assert (utilities == 1.0).all()
    assert model.rng.bit_generator.state == state


# ---------------------------------------------------------------------------
# Owned customers: data value and starting strength


def test_data_value_is_margin_times_need_weighted_extra_purchase_probability():
    value = data_value_per_customer(
        np.array([0.5, 0.4]), np.array([0.3, 0.4]), np.array([0.2, 0.5]), 10.0
    )
    assert value == pytest.approx(10.0 * (0.2 * 0.2 + 0.0) / 2)
    assert data_value_per_customer(np.array([]), np.array([]), np.array([]), 10.0) == 0.0
    assert fit_premium(np.array([1.0, 0.5]), np.array([0.1, 0.05])) == pytest.approx(10.0)


def test_loyal_customers_are_aware_not_taken_and_drawn_below_the_share():
    aware = np.array([True, True, True, False])
    taken = np.array([False, True, False, False])
    chosen = loyal_customers(aware, taken, np.array([0.1, 0.1, 0.7, 0.1]), 0.5)
    assert chosen.tolist() == [True, False, False, False]


def test_starting_knowledge_lies_on_the_learning_curve():
    # K = 1 - exp(-D / s) at D = s ln 2 is one half
    assert interactions_for_knowledge(0.5, 20_000.0) == pytest.approx(20_000.0 * np.log(2))
    assert population_knowledge(interactions_for_knowledge(0.3, 500.0), 500.0) == pytest.approx(0.3)


def test_a_strong_brand_starts_with_its_own_customers_and_data():
    strong = {"firm": "Loyal", "loyal_share": 1.0, "knowledge": 0.5}
    scenario = aggregator_scenario(
        **{
            "consumers.initial_awareness": 1.0,
            "learning": {"fit_value": 0.5},
            "owned_customers": {"starting_strength": [strong]},
        }
    )
    model = MarketModel(scenario, seed="scenario")
    loyal = model.firms[3]
    cols = model.population.columns
    assert (cols.last_firm == 3).all()  # everyone knows it, so everyone is its customer
    assert (model.channels.columns.last_channel == 0).all()
    assert loyal.knowledge == 0.5
    per_1000 = len(cols) / 1000
    assert population_knowledge(loyal.data_interactions / per_1000, 20_000.0) == pytest.approx(0.5)


def test_a_loyal_share_below_one_draws_about_that_share_of_those_aware():
    scenario = aggregator_scenario(
        **{
            "consumers.count": 4000,
            "owned_customers": {"starting_strength": [{"firm": "Loyal", "loyal_share": 0.4}]},
        }
    )
    model = MarketModel(scenario, seed="scenario")
    cols = model.population.columns
    aware = cols.aware[:, 3]
    share = (cols.last_firm[aware] == 3).mean()
    assert share == pytest.approx(0.4, abs=4 * np.sqrt(0.24 / aware.sum()))
    assert (cols.last_firm[~aware] == -1).all()


def test_starting_strength_names_a_firm():
    bad = aggregator_scenario(owned_customers={"starting_strength": [{"firm": "Loyl"}]})
    with pytest.raises(InputError, match="did you mean 'Loyal'"):
        load_scenario(bad)
    with pytest.raises(InputError, match="steering"):
        load_scenario(aggregator_scenario(**{"platforms.0.moves.steering": 1.0}))


@pytest.fixture(scope="module")
def valued_run():
    scenario = aggregator_scenario(
        steps=39,
        learning={"fit_value": 1.0, "individual_rate": 0.2},
        owned_customers={"measure_data_value": True},
    )
    return sim.run(scenario)


def test_data_value_per_owned_customer_is_measured_and_positive(valued_run):
    firms = valued_run.firms
    end = firms[firms["step"] == firms["step"].max()]
    owning = end[(end["owned_customers"] > 0) & (end["price"] > end["unit_cost"])]
    assert len(owning)
    assert (owning["data_value_per_owned"] > 0).all()
    assert (owning["fit_premium"] > 0).all()
    assert "What owned customers are worth" in summary(valued_run)


def test_no_fit_no_data_value():
    scenario = aggregator_scenario(
        steps=26,
        learning={"fit_value": 1.0, "individual_rate": 0.0, "population_share": 0.0},
        owned_customers={"measure_data_value": True},
    )
    firms = sim.run(scenario).firms
    assert (firms["data_value_per_owned"] == 0.0).all()
    assert (firms["fit_premium"] == 0.0).all()


# ---------------------------------------------------------------------------
# The own label in the running model


OWN_LABEL = {
    "enabled": True,
    "earliest_week": 13,
    "launch_cost_per_1000_consumers": 1_000.0,
    "payback_weeks": 52.0,
}


def _own_label_market(**own_label) -> dict:
    return marketplace_scenario(
        steps=52,
        **{
            "firms.2.channels": ["direct", "Market"],
            "platforms.0.moves": {"own_label": {**OWN_LABEL, **own_label}, "steering": 0.3},
        },
    )


@pytest.fixture(scope="module")
def own_label_run():
    return sim.run(_own_label_market())


def test_own_label_copies_the_best_seller_at_an_undercut_price(own_label_run):
    events, firms = own_label_run.tables["events"], own_label_run.firms
    platforms = own_label_run.tables["platforms"]
    launch = events[events["event"] == "own_label"]
    assert len(launch) == 1
    week = int(launch["step"].iloc[0])
    quarter = firms[(firms["step"] > week - 13) & (firms["step"] <= week)]
    listed = quarter[quarter["channels"].str.contains("Market") & (quarter["name"] != "Retail arm")]
    assert launch["name"].iloc[0] == listed.groupby("name")["platform_units"].sum().idxmax()
    after = platforms[platforms["step"] > week]
    copied = firms[(firms["name"] == launch["name"].iloc[0]) & (firms["step"] > week)]
    assert_allclose(after["own_label_price"].to_numpy(), 0.9 * copied["price"].to_numpy())
    assert after["own_label_units"].sum() > 0
    assert (after["own_label_of"] == launch["name"].iloc[0]).all()


def test_own_label_sales_close_the_accounts(own_label_run):
    model, firms = own_label_run.model, own_label_run.firms
    platforms = own_label_run.tables["platforms"].sort_values("step")
    change = platforms["cash"].diff().iloc[1:]
    flows = (
        platforms["take"]
        + platforms["membership_revenue"]
        + platforms["own_label_margin"]
        - platforms["operating_cost"]
        - platforms["investment"]
        - platforms["payout"]
    ).iloc[1:]
    assert_allclose(change.to_numpy(), flows.to_numpy(), rtol=1e-9, atol=1e-6)
    by_step = platforms.set_index("step")
    weekly = (
        firms.groupby("step")["net_revenue"].sum()
        + by_step["take"]
        + by_step["membership_revenue"]
        + by_step["pool_revenue"]
        + by_step["own_label_price"].fillna(0.0) * by_step["own_label_units"]
    )
    assert_allclose(model.set_index("step")["total_spending"], weekly, rtol=1e-10, atol=1e-6)
    purchases = model.set_index("step")["purchases"]
    units = firms.groupby("step")["units"].sum() + by_step["pool_units"]
    assert_allclose(purchases, units + by_step["own_label_units"])


def test_own_label_in_the_summary(own_label_run):
    text = summary(own_label_run)
    assert "launched its own copy of" in text
    assert "ranks listings by what each sale pays it" in text


def test_an_own_label_never_launched_changes_nothing():
    off = sim.run(marketplace_scenario(steps=40, **{"firms.2.channels": ["direct", "Market"]}))
    late_scenario = _own_label_market(earliest_week=1000)
    late_scenario["steps"] = 40
    late_scenario["platforms"][0]["moves"]["steering"] = 0.0
    late = sim.run(late_scenario)
    pd.testing.assert_frame_equal(off.firms, late.firms)
    pd.testing.assert_frame_equal(off.model, late.model)
    common = off.tables["platforms"].columns
    pd.testing.assert_frame_equal(off.tables["platforms"], late.tables["platforms"][common])
    assert (late.tables["platforms"]["own_label_units"] == 0).all()
