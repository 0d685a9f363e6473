"""Known answers for the pure platform, learning and journey mechanics."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim.mechanics.journey import auto_cancellation, auto_enrolment, coached_need_rate
from sim.mechanics.learning import (
    curated_fit,
    effective_fit,
    individual_fit_update,
    population_knowledge,
)
from sim.mechanics.platforms import (
    ChannelOffer,
    Shoppers,
    bass_adoption_probability,
    channel_demand,
    channel_utilities,
    choose_with_surplus,
    cost_plus_take_rate,
    fade_awareness,
    listing_probabilities,
    listing_values,
    membership_value,
    platform_value,
    power_take_rate,
    seller_flow_probabilities,
    seller_profit,
    third_party_price,
)


def test_listing_values_closed_form():
    values = listing_values(
        np.array([2.0, 1.0]),
        np.array([10.0, 5.0]),
        np.array([0.5, 0.0]),
        np.array([0.1, 0.2]),
        np.array([1.0, 2.0]),
    )
    assert_allclose(values, [[2 - 1 + 0.5, 1 - 0.5], [2 - 2 + 1.0, 1 - 1.0]])


def test_platform_value_single_listing_is_its_value():
    values = np.array([[1.3], [-0.4]])
    assert_allclose(platform_value(values, np.array([7.0]), 3.0), [1.3, -0.4])


def test_platform_value_item_weighted_logsum():
    values = np.array([[1.0, 2.0]])
    items = np.array([1.0, 3.0])
    mu = 2.0
    expected = np.log(0.25 * np.exp(2.0) + 0.75 * np.exp(4.0)) / mu
    assert_allclose(platform_value(values, items, mu), [expected])


def test_platform_value_tends_to_best_listing_as_transparency_grows():
    values = np.array([[1.0, 2.0, 0.5]])
    items = np.array([5.0, 1.0, 5.0])
    assert platform_value(values, items, 1.0)[0] < platform_value(values, items, 10.0)[0]
    assert_allclose(platform_value(values, items, 500.0), [2.0], atol=0.01)


def test_platform_value_ignores_unlisted_and_is_minus_inf_when_empty():
    values = np.array([[1.0, 9.0]])
    assert_allclose(platform_value(values, np.array([2.0, 0.0]), 3.0), [1.0])
    assert platform_value(values, np.zeros(2), 3.0)[0] == -np.inf


def test_listing_probabilities_weight_items_and_sharpen_with_transparency():
    values = np.array([[1.0, 1.0, 5.0]])
    probabilities = listing_probabilities(values.copy(), np.array([1.0, 3.0, 0.0]), 2.0)
    assert_allclose(probabilities, [[0.25, 0.75, 0.0]])
    values = np.array([[1.0, 1.5]])
    p1 = listing_probabilities(values.copy(), np.array([1.0, 1.0]), 1.0)[0, 1]
    p4 = listing_probabilities(values.copy(), np.array([1.0, 1.0]), 4.0)[0, 1]
    assert_allclose(p1, 1 / (1 + np.exp(-0.5)))
    assert_allclose(p4, 1 / (1 + np.exp(-2.0)))


def test_choose_with_surplus_matches_logit_frequencies_and_logsum():
    rng = np.random.default_rng(3)
    n = 200_000
    utilities = np.tile([0.5, -np.inf, 1.5], (n, 1))
    alpha = np.full(n, 0.1)
    choice, surplus = choose_with_surplus(utilities, 0.0, alpha, rng.random(n))
    weights = np.array([1.0, np.exp(0.5), 0.0, np.exp(1.5)])
    expected = weights / weights.sum()
    observed = np.bincount(choice, minlength=4) / n
    assert_allclose(observed, expected, atol=0.005)
    assert_allclose(surplus[0], np.log(weights.sum()) / 0.1)


def test_third_party_price_pass_through():
    assert_allclose(third_party_price(20.0, 0.25, 0.2, 1.0), 25.0 / 0.8)
    assert_allclose(third_party_price(20.0, 0.25, 0.2, 0.0), 25.0)
    assert_allclose(third_party_price(20.0, 0.25, 0.0, 0.5), 25.0)
    with pytest.raises(ValueError):
        third_party_price(20.0, 0.25, 1.0, 0.5)


def test_seller_profit_shares_pool_sales():
    # margin (30 * 0.9 - 20) = 7 per unit, 100 units over 10 sellers, cost 50
    assert_allclose(seller_profit(30.0, 20.0, 0.1, 100.0, 10, 50.0), 7 * 10 - 50)
    assert_allclose(seller_profit(30.0, 20.0, 0.1, 0.0, 0, 50.0), -50.0)


def test_seller_flows_balance_at_zero_profit_and_move_with_its_sign():
    join, leave = seller_flow_probabilities(0.0, 10.0, 0.02, 0.04)
    assert_allclose((join, leave), (0.01, 0.02))
    rich = seller_flow_probabilities(100.0, 10.0, 0.02, 0.04)
    poor = seller_flow_probabilities(-100.0, 10.0, 0.02, 0.04)
    assert rich[0] > join > poor[0]
    assert rich[1] < leave < poor[1]


def test_take_rates():
    assert_allclose(cost_plus_take_rate(3.0, 30.0, 0.1, 0.0, 1.0), 0.11)
    assert cost_plus_take_rate(30.0, 30.0, 0.1, 0.05, 0.3) == 0.3
    assert cost_plus_take_rate(0.1, 30.0, 0.1, 0.05, 0.3) == 0.05
    assert_allclose(power_take_rate(0.1, 0.5, 0.25), 0.2)
    assert power_take_rate(0.1, 0.5, 2.0) == 0.5


def test_membership_value_and_bass_and_fade():
    value = membership_value(
        np.array([0.5, 0.5]),
        np.array([True, False]),
        np.array([2.0, 2.0]),
        np.array([0.1, 0.1]),
        0.3,
        0.4,
    )
    assert_allclose(value, [0.5 * (0.6 + 0.4) / 0.1, 0.0])
    assert_allclose(bass_adoption_probability(0.01, 0.5, 0.2), 0.11)
    assert bass_adoption_probability(0.5, 5.0, 1.0) == 1.0
    aware = np.array([True, True, False])
    assert fade_awareness(aware, np.array([0.05, 0.5, 0.0]), 0.1).tolist() == [
        False,
        True,
        False,
    ]


def test_learning_closed_forms():
    fit = np.zeros(3, dtype=np.float32)
    for _ in range(4):
        fit = individual_fit_update(fit, 0.2)
    assert_allclose(fit, 1 - 0.8**4, rtol=1e-6)
    assert fit.dtype == np.float32
    assert_allclose(population_knowledge(2.0, 2.0), 1 - np.exp(-1))
    assert population_knowledge(0.0, 5.0) == 0.0
    with pytest.raises(ValueError):
        population_knowledge(1.0, 0.0)
    assert_allclose(effective_fit(np.array([0.1, 0.6]), 0.8, 0.5), [0.4, 0.6])
    assert_allclose(curated_fit(np.array([0.0, 0.5, 1.0]), 0.5), [0.5, 0.75, 1.0])


def test_journey_mechanics():
    rates = coached_need_rate(np.array([0.2, 0.9, 0.2]), np.array([True, True, False]), 0.5)
    assert_allclose(rates, [0.3, 1.0, 0.2])
    assert auto_enrolment(np.array([0.1, 0.3]), 0.2).tolist() == [True, False]
    assert auto_cancellation(np.array([-1.0, 0.0]), -0.5).tolist() == [True, False]


# ---------------------------------------------------------------------------
# The channel choice as a whole


def offer(**changes):
    base = dict(
        quality=np.array([2.0, 2.0]),
        price=np.array([30.0, 30.0]),
        selection=np.array([100.0, 100.0]),
        experience=np.array([1.0, 1.0]),
        direct_bonus=np.zeros(2),
        direct_open=np.array([True, True]),
        listed=np.array([[False, True]]),
        platform_open=np.array([True]),
        platform_experience=np.array([1.0]),
        seller_delivers=np.array([False]),
        transparency=np.array([3.0]),
        member_bonus=np.zeros(1),
        member_loyalty=np.zeros(1),
        pool_items=np.array([100.0]),
        pool_price=np.array([30.0]),
        pool_quality=np.array([2.0]),
        take_rate=np.array([0.15]),
    )
    base.update(changes)
    return ChannelOffer(**base)


def shoppers(n=1, **changes):
    base = dict(
        price_sensitivity=np.full(n, 0.1),
        selection_taste=np.full(n, 0.3),
        experience_taste=np.ones(n),
        expectation=np.ones(n),
        habit_strength=np.full(n, 0.5),
        last_firm=np.full(n, -1),
        last_channel=np.full(n, -1),
        aware=np.ones((n, 2), dtype=bool),
        aware_platform=np.ones((n, 1), dtype=bool),
        member=np.zeros((n, 1), dtype=bool),
    )
    base.update(changes)
    return Shoppers(**base)


def test_channel_utilities_hand_worked():
    u = channel_utilities(offer(), shoppers())
    direct = 2.0 - 3.0 + 0.3 * np.log(100.0) + 0.0
    # platform: firm 1 and the pool have equal value; selection 200 items
    platform = (2.0 - 3.0) + 0.3 * np.log(200.0) + 1.0 * (1.0 - 1.0)
    assert_allclose(u[0], [direct, direct, platform])


def test_habit_goes_to_whoever_owns_the_relationship():
    direct_buyer = channel_utilities(
        offer(), shoppers(last_firm=np.array([1]), last_channel=np.array([0]))
    )
    platform_buyer = channel_utilities(
        offer(), shoppers(last_firm=np.array([1]), last_channel=np.array([1]))
    )
    fresh = channel_utilities(offer(), shoppers())
    assert_allclose(direct_buyer[0] - fresh[0], [0.0, 0.5, 0.0])
    assert_allclose(platform_buyer[0] - fresh[0], [0.0, 0.0, 0.5])


def test_membership_and_unawareness_in_platform_utility():
    member = channel_utilities(
        offer(member_bonus=np.array([0.3]), member_loyalty=np.array([0.2])),
        shoppers(member=np.array([[True]])),
    )
    plain = channel_utilities(offer(), shoppers())
    assert_allclose(member[0, 2] - plain[0, 2], 0.3 * 1.0 + 0.2)
    unaware = channel_utilities(offer(), shoppers(aware_platform=np.array([[False]])))
    assert unaware[0, 2] == -np.inf


def test_aggregator_passes_on_the_sellers_experience():
    marketplace = channel_utilities(offer(), shoppers())
    aggregator = channel_utilities(
        offer(seller_delivers=np.array([True]), pool_items=np.array([0.0])), shoppers()
    )
    # aggregator: the only listing is firm 1 (experience 1.0 delivered by the seller)
    expected = (2.0 - 3.0 + 1.0) + 0.3 * np.log(100.0) + (1.0 - 1.0)
    assert_allclose(aggregator[0, 2], expected)
    assert aggregator[0, 2] != marketplace[0, 2]


def test_channel_demand_sums_to_logit_purchases():
    o = offer()
    s = shoppers(3, price_sensitivity=np.array([0.05, 0.1, 0.2]))
    weights = np.array([1.0, 2.0, 0.5])
    direct, listings = channel_demand(o, s, 1.0, weights)
    u = channel_utilities(o, s)
    expected_buy = 1.0 - 1.0 / (1.0 + np.exp(u - 1.0).sum(axis=1))
    assert_allclose(direct.sum() + listings.sum(), weights @ expected_buy)
    assert listings[0, 0] == 0.0  # firm 0 is not listed
    assert listings[0, 1] > 0 and listings[0, 2] > 0


def test_with_channels_and_with_firm():
    o = offer()
    moved = o.with_channels(0, direct=False, platforms=(0,))
    assert not moved.direct_open[0] and moved.listed[0, 0]
    assert o.direct_open[0] and not o.listed[0, 0]  # the original is untouched
    cheaper = o.with_firm(1, price=20.0)
    assert cheaper.listing_price(0)[1] == 20.0 and o.listing_price(0)[1] == 30.0
    scaled = o.scale_platform(0, price_factor=2.0, items_factor=0.5)
    assert_allclose(scaled.listing_price(0), [60.0, 60.0, 60.0])
    assert_allclose(scaled.listing_items(0), [0.0, 50.0, 50.0])


def random_market(rng, n=300, n_firms=4, n_platforms=2, aggregator=True):
    o = ChannelOffer(
        quality=rng.uniform(1.5, 2.5, n_firms),
        price=rng.uniform(25, 40, n_firms),
        selection=rng.uniform(50, 300, n_firms),
        experience=rng.uniform(0.5, 1.5, n_firms),
        direct_bonus=np.where(rng.random(n_firms) < 0.5, 0.3, 0.0),
        direct_open=np.array([True, False, True, True])[:n_firms],
        listed=rng.random((n_platforms, n_firms)) < 0.5,
        platform_open=np.ones(n_platforms, dtype=bool),
        platform_experience=rng.uniform(0.5, 1.5, n_platforms),
        seller_delivers=np.array([False, aggregator])[:n_platforms],
        transparency=np.array([3.0, 2.0])[:n_platforms],
        member_bonus=np.array([0.3, 0.0])[:n_platforms],
        member_loyalty=np.array([0.2, 0.0])[:n_platforms],
        pool_items=np.array([80.0, 0.0])[:n_platforms],
        pool_price=np.array([29.0, 0.0])[:n_platforms],
        pool_quality=np.array([1.9, 0.0])[:n_platforms],
        take_rate=np.array([0.15, 0.1])[:n_platforms],
    )
    s = Shoppers(
        price_sensitivity=rng.uniform(0.04, 0.12, n),
        selection_taste=rng.uniform(0.1, 0.5, n),
        experience_taste=rng.uniform(0.5, 1.5, n),
        expectation=rng.uniform(0.5, 1.5, n),
        habit_strength=rng.uniform(0.0, 1.0, n),
        last_firm=rng.integers(-1, n_firms, n),
        last_channel=rng.integers(-1, n_platforms + 1, n),
        aware=rng.random((n, n_firms)) < 0.7,
        aware_platform=rng.random((n, n_platforms)) < 0.7,
        member=rng.random((n, n_platforms)) < 0.3,
        fit_direct=rng.uniform(0, 0.5, (n, n_firms)),
        fit_platform=rng.uniform(0, 0.5, (n, n_platforms)),
    )
    return o, s, rng.uniform(0.1, 1.0, n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_firm_what_if_equals_full_channel_demand(seed):
    from sim.mechanics.platforms import FirmWhatIf

    rng = np.random.default_rng(seed)
    o, s, weights = random_market(rng)
    for slot in range(o.n_firms):
        what_if = FirmWhatIf(o, s, 0.5, weights, slot)
        cases = [
            ({}, o),
            ({"price": 31.0}, o.with_firm(slot, price=31.0)),
            ({"selection": 400.0}, o.with_firm(slot, selection=400.0)),
            ({"experience": 2.0}, o.with_firm(slot, experience=2.0)),
            ({"direct": False, "platforms": (0, 1)}, o.with_channels(slot, False, (0, 1))),
            ({"direct": True, "platforms": ()}, o.with_channels(slot, True, ())),
            ({"direct": True, "platforms": (1,)}, o.with_channels(slot, True, (1,))),
        ]
        for kwargs, changed in cases:
            direct, platforms = what_if.units(**kwargs)
            full_direct, listings = channel_demand(changed, s, 0.5, weights)
            assert_allclose(direct, full_direct[slot], rtol=1e-10, atol=1e-12)
            assert_allclose(platforms, listings[:, slot], rtol=1e-10, atol=1e-12)
