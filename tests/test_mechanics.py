"""Pure mechanics against hand-worked cases, closed forms and properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import minimize_scalar
from scipy.stats import chi2

from sim.mechanics.costs import average_cost
from sim.mechanics.demand import (
    choice_utilities,
    consumer_surplus,
    expected_demand,
    inclusive_value,
    logit_best_response_price,
    logit_probabilities,
    sample_choices,
)
from sim.mechanics.experience import ratchet_expectations, realised_experience, satisfaction

LN2, LN3, LN6 = math.log(2.0), math.log(3.0), math.log(6.0)

# ---------------------------------------------------------------------------
# Logit probabilities


def test_logit_probabilities_two_firm_hand_example():
    # exp(0) = 1, exp(ln 2) = 2, exp(ln 3) = 3: probabilities 1/6, 2/6, 3/6.
    probabilities = logit_probabilities(np.array([[LN2, LN3]]), 0.0)
    np.testing.assert_allclose(probabilities, [[1 / 6, 2 / 6, 3 / 6]], rtol=1e-12)


def test_logit_probabilities_outside_option_and_unavailable_firm():
    # u0 = ln 2, firms ln 2 and -inf: outside and firm 1 split evenly, firm 2 gets 0.
    probabilities = logit_probabilities(np.array([[LN2, -np.inf]]), LN2)
    np.testing.assert_allclose(probabilities, [[0.5, 0.5, 0.0]], rtol=1e-12)


def test_logit_probabilities_no_firm_available():
    probabilities = logit_probabilities(np.full((3, 2), -np.inf), 1.0)
    np.testing.assert_array_equal(probabilities, [[1.0, 0.0, 0.0]] * 3)


def test_logit_probabilities_do_not_overflow():
    probabilities = logit_probabilities(np.array([[1000.0, 1000.0], [-1000.0, 0.0]]), 0.0)
    assert np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(probabilities[0], [0.0, 0.5, 0.5], atol=1e-300)
    assert probabilities[1, 1] == pytest.approx(0.0, abs=1e-300)


utility_values = st.one_of(st.floats(-50, 50, allow_nan=False), st.just(-np.inf), st.just(-np.inf))


@settings(max_examples=50, deadline=None)
@given(
    utilities=arrays(
        float, st.tuples(st.integers(1, 8), st.integers(0, 5)), elements=utility_values
    ),
    outside=st.floats(-20, 20),
)
def test_logit_probabilities_rows_sum_to_one(utilities, outside):
    probabilities = logit_probabilities(utilities, outside)
    assert probabilities.shape == (utilities.shape[0], utilities.shape[1] + 1)
    assert np.all(probabilities >= 0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(probabilities[:, 1:][np.isneginf(utilities)] == 0.0)
    # odds against the outside option are exp(V - u0) (independence of irrelevant alts)
    finite = np.isfinite(utilities) & (np.abs(utilities - outside) < 30)
    rows, cols = np.nonzero(finite)
    odds = probabilities[rows, cols + 1] / probabilities[rows, 0]
    np.testing.assert_allclose(odds, np.exp(utilities[rows, cols] - outside), rtol=1e-9)


# ---------------------------------------------------------------------------
# Sampling choices


def test_sample_choices_hand_cases():
    probabilities = np.tile([0.2, 0.5, 0.3], (6, 1))
    uniforms = np.array([0.0, 0.1, 0.19, 0.21, 0.69, 0.71])
    np.testing.assert_array_equal(sample_choices(probabilities, uniforms), [0, 0, 0, 1, 1, 2])
    # intervals are half-open, [0, 0.2) -> 0 and [0.2, 0.7) -> 1, so u = 0.2 picks 1
    assert sample_choices(np.array([[0.2, 0.5, 0.3]]), np.array([0.2]))[0] == 1
    # u = 0 must not pick a leading zero-probability column
    assert sample_choices(np.array([[0.0, 0.5, 0.5]]), np.array([0.0]))[0] == 1
    # largest uniform below one never runs past the last column
    assert sample_choices(np.array([[0.2, 0.5, 0.3]]), np.array([np.nextafter(1.0, 0)]))[0] == 2


def test_sample_choices_never_picks_zero_probability():
    probabilities = np.tile([0.3, 0.0, 0.7, 0.0], (1000, 1))
    chosen = sample_choices(probabilities, np.linspace(0.0, 1.0, 1000, endpoint=False))
    assert set(np.unique(chosen)) == {0, 2}


@pytest.mark.parametrize(
    "row",
    [[0.1, 0.25, 0.0, 0.4, 0.25], [0.9, 0.05, 0.05], [1 / 6, 2 / 6, 3 / 6]],
)
def test_sample_choices_frequencies_match_probabilities(row):
    n = 200_000
    p = np.array(row)
    rng = np.random.default_rng(0)
    chosen = sample_choices(np.tile(p, (n, 1)), rng.random(n))
    counts = np.bincount(chosen, minlength=len(p))
    assert counts[p == 0].sum() == 0
    expected = n * p[p > 0]
    statistic = ((counts[p > 0] - expected) ** 2 / expected).sum()
    assert statistic < chi2.ppf(0.999, df=(p > 0).sum() - 1)


def test_sample_choices_heterogeneous_rows():
    n = 100_000
    rng = np.random.default_rng(0)
    probabilities = np.where((np.arange(n) % 2 == 0)[:, None], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8])
    chosen = sample_choices(probabilities, rng.random(n))
    for parity, p in ((0, [0.7, 0.2, 0.1]), (1, [0.1, 0.1, 0.8])):
        counts = np.bincount(chosen[parity::2], minlength=3)
        expected = (n // 2) * np.array(p)
        assert ((counts - expected) ** 2 / expected).sum() < chi2.ppf(0.999, df=2)


# ---------------------------------------------------------------------------
# Consumer surplus and inclusive value


def test_consumer_surplus_hand_example():
    # u0 = 0: CS = (1/alpha) ln(1 + 2 + 3) = 2 ln 6 for alpha = 0.5
    surplus = consumer_surplus(np.array([[LN2, LN3]]), 0.0, np.array([0.5]))
    assert surplus[0] == pytest.approx(2.0 * LN6)


def test_consumer_surplus_measured_against_outside_option():
    # u0 = ln 2, firms ln 2 and ln 4: ln(2 + 2 + 4) - ln 2 = ln 4; alpha = 0.25 -> 4 ln 4
    surplus = consumer_surplus(np.array([[LN2, math.log(4.0)]]), LN2, np.array([0.25]))
    assert surplus[0] == pytest.approx(4.0 * math.log(4.0))


def test_consumer_surplus_zero_without_firms():
    alphas = np.array([0.1, 0.5, 2.0])
    np.testing.assert_array_equal(consumer_surplus(np.full((3, 4), -np.inf), 1.5, alphas), 0.0)
    np.testing.assert_array_equal(consumer_surplus(np.empty((3, 0)), 1.5, alphas), 0.0)


def test_consumer_surplus_roy_identity():
    # dCS/dp_j = -s_j (Roy's identity for the logit log-sum)
    alpha, quality, prices, u0 = 0.1, np.array([3.0, 2.5, 4.0]), np.array([30.0, 25.0, 45.0]), 0.5

    def surplus(p):
        return consumer_surplus((quality - alpha * p)[None, :], u0, np.array([alpha]))[0]

    shares = logit_probabilities((quality - alpha * prices)[None, :], u0)[0, 1:]
    h = 1e-5
    for j in range(3):
        up, down = prices.copy(), prices.copy()
        up[j] += h
        down[j] -= h
        derivative = (surplus(up) - surplus(down)) / (2 * h)
        assert derivative == pytest.approx(-shares[j], rel=1e-6)


def test_inclusive_value_is_expected_maximum_utility():
    # E[max_j (V_j + Gumbel)] = ln sum_j exp(V_j) + Euler's gamma (McFadden)
    utilities = np.array([0.5, -0.2, 1.0])
    u0 = 0.3
    rng = np.random.default_rng(0)
    noise = rng.gumbel(size=(400_000, 4))
    simulated = np.max(np.concatenate([[u0], utilities]) + noise, axis=1).mean()
    analytic = inclusive_value(utilities[None, :], u0)[0] + np.euler_gamma
    assert simulated == pytest.approx(analytic, abs=0.01)


# ---------------------------------------------------------------------------
# Utilities


def test_choice_utilities_hand_example():
    utilities = choice_utilities(
        quality=np.array([1.0, 2.0, 0.5]),
        price=np.array([10.0, 20.0, 5.0]),
        log_selection=np.array([0.0, 1.0, 2.0]),
        experience=np.array([1.0, 2.0, 0.0]),
        price_sensitivity=np.array([0.1, 0.2, 0.1]),
        selection_taste=np.array([0.5, 0.0, 0.0]),
        experience_taste=np.array([1.0, 2.0, 0.0]),
        expectation=np.array([1.0, 0.5, 0.0]),
        habit_strength=np.array([0.7, 0.3, 5.0]),
        last_firm=np.array([1, -1, 2]),
        available=np.array([[True, True, False], [True, True, True], [True, False, False]]),
    )
    # consumer 0: 1-1+0+0 = 0 ; 2-2+0.5+1+0.7(habit) = 2.2 ; unaware -> -inf
    # consumer 1: 1-2+0+1 = 0 ; 2-4+0+3 = 1 ; 0.5-1+0-1 = -1.5 (no last firm, no habit)
    # consumer 2: 1-1 = 0 ; unavailable ; last firm unavailable stays -inf despite habit
    expected = np.array([[0.0, 2.2, -np.inf], [0.0, 1.0, -1.5], [0.0, -np.inf, -np.inf]])
    np.testing.assert_allclose(utilities, expected, rtol=1e-12, atol=1e-12)


def test_expected_demand_hand_example():
    # Two consumers with weights 10 and 20; probabilities (1/6, 2/6, 3/6) and (1/2, 1/2, 0)
    utilities = np.array([[LN2, LN3], [0.0, -np.inf]])
    demand = expected_demand(utilities, 0.0, np.array([10.0, 20.0]))
    np.testing.assert_allclose(demand, [10 * 2 / 6 + 20 * 0.5, 10 * 3 / 6])


# ---------------------------------------------------------------------------
# Best-response pricing


def independent_profit(p, own, cost, quality, prices, alphas, weights, u0):
    """(p - c) sum_i w_i s_ij(p), written out from scratch."""
    trial = np.array(prices, dtype=float)
    trial[own] = p
    expo = np.exp(quality[None, :] - alphas[:, None] * trial[None, :])
    shares = expo[:, own] / (math.exp(u0) + expo.sum(axis=1))
    return (p - cost) * float(weights @ shares)


def zero_own_price_utilities(own, quality, prices, alphas):
    trial = np.array(prices, dtype=float)
    trial[own] = 0.0
    return quality[None, :] - alphas[:, None] * trial[None, :]


@pytest.mark.parametrize(
    ("cost", "rival_price", "alpha"), [(20.0, 30.0, 0.1), (5.0, 8.0, 0.5), (40.0, 35.0, 0.05)]
)
def test_best_response_single_type_markup(cost, rival_price, alpha):
    quality, u0 = np.array([3.0, 3.0]), 0.0
    prices, alphas, weights = [0.0, rival_price], np.array([alpha]), np.array([1.0])
    price = logit_best_response_price(
        0, cost, zero_own_price_utilities(0, quality, prices, alphas), alphas, u0, weights, 30.0
    )
    best = minimize_scalar(
        lambda p: -independent_profit(p, 0, cost, quality, prices, alphas, weights, u0),
        bounds=(cost, cost + 50.0 / alpha),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert price == pytest.approx(best.x, rel=1e-6)
    trial = np.array([price, rival_price])
    share = math.exp(3.0 - alpha * price) / (1 + np.exp(quality - alpha * trial).sum())
    assert price - cost == pytest.approx(1.0 / (alpha * (1.0 - share)), rel=1e-8)


def test_best_response_mixed_logit_maximises_profit():
    quality = np.array([3.0, 2.5, 3.5])
    prices = [0.0, 28.0, 40.0]
    alphas = np.array([0.05, 0.1, 0.2])
    weights = np.array([10.0, 30.0, 15.0])
    u0, cost = 0.5, 18.0
    price = logit_best_response_price(
        0, cost, zero_own_price_utilities(0, quality, prices, alphas), alphas, u0, weights, 25.0
    )
    best = minimize_scalar(
        lambda p: -independent_profit(p, 0, cost, quality, prices, alphas, weights, u0),
        bounds=(cost, cost + 200.0),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert price == pytest.approx(best.x, rel=1e-6)


def test_best_response_invariant_to_weight_scale():
    quality, prices, alphas = np.array([3.0, 3.0]), [0.0, 30.0], np.array([0.05, 0.15])
    base = zero_own_price_utilities(0, quality, prices, alphas)
    one = logit_best_response_price(0, 20.0, base, alphas, 0.0, np.array([1.0, 2.0]), 30.0)
    many = logit_best_response_price(0, 20.0, base, alphas, 0.0, np.array([500.0, 1000.0]), 30.0)
    assert one == pytest.approx(many, rel=1e-9)


def test_best_response_when_nobody_can_buy_keeps_start_price():
    utilities = np.array([[-np.inf, 1.0], [-np.inf, 0.0]])
    price = logit_best_response_price(
        0, 20.0, utilities, np.array([0.1, 0.1]), 0.0, np.array([1.0, 1.0]), 33.0
    )
    assert price == 33.0


# ---------------------------------------------------------------------------
# Costs


def test_average_cost_hand_values():
    assert average_cost(20.0, 1000.0, 50.0) == pytest.approx(40.0)
    assert average_cost(20.0, 0.0, 7.0) == pytest.approx(20.0)
    assert average_cost(20.0, 1000.0, 0.0) == math.inf


# ---------------------------------------------------------------------------
# Experience


def test_satisfaction_hand_example():
    np.testing.assert_allclose(
        satisfaction(np.array([1.5, 0.8, 1.0]), np.array([1.0, 1.0, 1.0])), [0.5, -0.2, 0.0]
    )


def test_realised_experience_hand_example():
    np.testing.assert_allclose(
        realised_experience(np.array([2.0, 2.0]), 0.5, np.array([-1.0, 2.0])), [1.5, 3.0]
    )
    np.testing.assert_array_equal(
        realised_experience(np.array([1.0, 3.0]), 0.0, np.array([5.0, -5.0])), [1.0, 3.0]
    )


def test_ratchet_hand_example():
    # kappa = 0.1: 1.0 -> 1.0 + 0.1 * 0.5 = 1.05 ; a worse experience leaves 1.0 unchanged
    updated = ratchet_expectations(np.array([1.0, 1.0]), np.array([1.5, 0.2]), 0.1)
    np.testing.assert_allclose(updated, [1.05, 1.0])


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(
    pairs=arrays(float, st.tuples(st.integers(1, 30), st.just(2)), elements=finite),
    kappa=st.floats(0.0, 1.0),
)
def test_ratchet_never_lowers_expectations(pairs, kappa):
    expectation, experienced = pairs[:, 0], pairs[:, 1]
    updated = ratchet_expectations(expectation, experienced, kappa)
    assert np.all(updated >= expectation)
    assert np.all(
        updated <= np.maximum(expectation, experienced) + 1e-9 * (1 + np.abs(pairs).max())
    )


@settings(max_examples=30, deadline=None)
@given(
    pairs=arrays(float, st.tuples(st.integers(1, 30), st.just(2)), elements=finite),
    kappa=st.floats(0.0, 1.0),
)
def test_ratchet_repeated_disappointment_never_lowers(pairs, kappa):
    expectation = pairs[:, 0]
    for _ in range(5):
        lowered = ratchet_expectations(expectation, expectation - np.abs(pairs[:, 1]) - 1, kappa)
        np.testing.assert_array_equal(lowered, expectation)


def test_ratchet_full_and_no_adaptation():
    expectation, experienced = np.array([1.0, 2.0, -1.0]), np.array([3.0, 1.0, 0.0])
    np.testing.assert_allclose(ratchet_expectations(expectation, experienced, 1.0), [3.0, 2.0, 0.0])
    np.testing.assert_array_equal(ratchet_expectations(expectation, experienced, 0.0), expectation)


def test_attributed_surplus_from_cumulative_weights_matches_probabilities():
    from sim.mechanics.demand import logit_probabilities
    from sim.mechanics.value import attributed_surplus, attributed_surplus_from_cumulative

    rng = np.random.default_rng(3)
    utilities = rng.normal(size=(50, 4))
    utilities[rng.random((50, 4)) < 0.2] = -np.inf
    surplus = rng.random(50) * 10
    probabilities = logit_probabilities(utilities, 0.3)
    weights = np.vstack([np.full(50, 0.3), utilities.T])
    weights = np.exp(weights - weights.max(axis=0))
    cumulative = np.cumsum(weights, axis=0)
    np.testing.assert_allclose(
        attributed_surplus_from_cumulative(cumulative, surplus),
        attributed_surplus(probabilities, surplus),
        rtol=1e-12,
    )
