"""Trust before buying: the Bayesian update, the certainty equivalent, remedies and their costs.

Closed forms are computed here independently of ``sim.mechanics.trust``: the posterior
by precisions (not by the Kalman gain the code uses), the certainty equivalent by
Gauss-Hermite quadrature of the CARA expected utility, normal probabilities by ``erf``.
"""

import math

import numpy as np
import pytest

import sim
from sim.mechanics import trust

# ------------------------------------------------------------------ the belief update


def precision_posterior(m0, v0, signals, s2):
    """Posterior of N(m0, v0) after signals of variance s2, by adding precisions."""
    precision = 1.0 / v0 + len(signals) / s2
    mean = (m0 / v0 + sum(signals) / s2) / precision
    return mean, 1.0 / precision


@pytest.mark.parametrize(
    ("m0", "v0", "signals", "s2"),
    [(1.0, 0.25, [1.6], 0.09), (0.0, 4.0, [2.0, 1.0, 3.5], 1.0), (2.0, 0.01, [0.0] * 10, 0.5)],
)
def test_sequential_updates_match_the_precision_form(m0, v0, signals, s2):
    mean, variance = np.array(m0), np.array(v0)
    for y in signals:
        mean, variance = trust.update_belief(mean, variance, y, s2)
    want_mean, want_variance = precision_posterior(m0, v0, signals, s2)
    assert float(mean) == pytest.approx(want_mean, rel=1e-12)
    assert float(variance) == pytest.approx(want_variance, rel=1e-12)


def test_known_experience_ignores_signals_and_a_noise_free_signal_reveals():
    mean, variance = trust.update_belief(np.array([1.3]), np.array([0.0]), np.array([9.0]), 0.2)
    assert mean[0] == 1.3 and variance[0] == 0.0
    mean, variance = trust.update_belief(np.array([1.3]), np.array([0.5]), np.array([0.4]), 0.0)
    assert mean[0] == 0.4 and variance[0] == 0.0


def test_pooled_signals_equal_the_precision_form():
    # three listeners hear about two firms; weights are precisions in units of 1/s2
    cells = np.array([5, 5, 7, 5, 7])
    weights = np.array([0.5, 0.25, 1.0, 0.25, 2.0])
    signals = np.array([1.0, 2.0, 0.0, 3.0, 1.5])
    unique, total, mean = trust.combine_signals(cells, weights, signals)
    assert list(unique) == [5, 7]
    np.testing.assert_allclose(total, [1.0, 3.0])
    np.testing.assert_allclose(mean, [(0.5 + 0.5 + 0.75) / 1.0, 3.0 / 3.0])
    s2, m0, v0 = 0.4, 0.2, 0.3
    got_mean, got_var = trust.update_belief(np.array(m0), np.array(v0), mean[0], s2 / total[0])
    precision = 1 / v0 + total[0] / s2
    assert float(got_var) == pytest.approx(1 / precision)
    assert float(got_mean) == pytest.approx(
        (m0 / v0 + (weights[:2] @ signals[:2] + 0.25 * 3.0) / s2) / precision
    )


def test_many_reviews_reveal_the_true_experience():
    mean = np.array([[0.8, 1.0]])
    variance = np.array([[0.25, 0.0]])
    truth = np.array([1.7, 1.0])
    for count, tolerance in ((1e3, 1e-2), (1e9, 1e-8)):
        got_mean, got_var = trust.review_belief(
            mean, variance, truth, np.array([count, count]), 0.1
        )
        assert abs(got_mean[0, 0] - 1.7) < tolerance
        assert got_var[0, 0] < tolerance
        assert got_mean[0, 1] == 1.0 and got_var[0, 1] == 0.0
    unchanged = trust.review_belief(mean, variance, truth, np.array([0.0, 0.0]), 0.1)
    np.testing.assert_array_equal(unchanged[0], mean)
    np.testing.assert_array_equal(unchanged[1], variance)


# ------------------------------------------------------------------ the certainty equivalent


@pytest.mark.parametrize(
    ("gamma", "m", "v", "e", "a"), [(1.0, 1.2, 0.3, 0.5, 2.0), (0.4, -1, 2, 0, 0.7)]
)
def test_certainty_equivalent_is_the_cara_value_of_the_gamble(gamma, m, v, e, a):
    nodes, weights = np.polynomial.hermite_e.hermegauss(60)
    utility = gamma * (m + math.sqrt(v) * nodes - e)
    expected = (weights @ np.exp(-a * utility)) / math.sqrt(2 * math.pi)
    want = -math.log(expected) / a
    got = trust.certainty_equivalent(np.array(m), np.array(v), np.array(gamma), np.array(e), a)
    assert float(got) == pytest.approx(want, rel=1e-9)


def test_zero_variance_is_the_known_experience_utility():
    gamma, m, e = np.array([0.5, 2.0]), np.array([1.1, 0.3]), np.array([0.2, 0.9])
    got = trust.certainty_equivalent(m, np.zeros(2), gamma, e, risk_aversion=5.0)
    np.testing.assert_array_equal(got, gamma * (m - e))


def normal_cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_disappointment_probability_by_erf_and_its_limit():
    got = trust.disappointment_probability(np.array(1.0), np.array(0.16), np.array(1.2), 0.5, 0.3)
    assert float(got) == pytest.approx(normal_cdf((1.2 - 0.5 - 1.0) / 0.5), rel=1e-12)
    sure = trust.disappointment_probability(np.array([0.0, 1.0]), np.zeros(2), np.ones(2), 0.5, 0.0)
    np.testing.assert_array_equal(sure, [1.0, 0.0])


def test_adjustment_is_zero_for_known_firms_and_drops_the_risk_under_a_guarantee():
    x = np.array([1.0, 1.5, 1.5, 1.5])
    mean = np.array([[1.0, 1.2, 1.2, 1.2]])
    variance = np.array([[0.0, 0.4, 0.4, 0.4]])
    gamma, alpha, e = np.array([0.8]), np.array([0.1]), np.array([1.0])
    guarantee = np.array([False, False, True, True])
    buyer_cost = np.array([0.0, 0.0, 0.0, 6.0])
    got = trust.trust_adjustment(
        x, mean, variance, gamma, alpha, e, 2.0, guarantee, buyer_cost, 0.5, 0.3
    )
    shift = 0.8 * (1.2 - 1.5)
    assert got[0, 0] == 0.0
    assert got[0, 1] == pytest.approx(shift - 0.5 * 2.0 * 0.64 * 0.4)
    assert got[0, 2] == pytest.approx(shift)
    chance = normal_cdf((1.0 - 0.5 - 1.2) / math.sqrt(0.4 + 0.09))
    assert got[0, 3] == pytest.approx(shift - 0.1 * 6.0 * chance)


def test_referral_voice_saturates():
    got = trust.referral_voice_multiplier(np.array([0.0, 5.0, 1e12]), 1.5, 5.0)
    np.testing.assert_allclose(got, [1.0, 1.75, 2.5])


# ------------------------------------------------------------------ in the model

SMALL = {"consumers.count": 1500}


def shared_columns(result, reference):
    return [c for c in reference.columns if c in result.columns]


def test_trust_on_with_every_firm_known_gives_the_same_run():
    # Known firms have no doubt to remove; with no referrals (referral_rate 0) no remedy
    # can win a customer, so the run is the run without trust, draw for draw.
    quiet = {**SMALL, "word_of_mouth.referral_rate": 0.0}
    off = sim.run("dtc_disruption", steps=60, overrides=quiet)
    on = sim.run("dtc_disruption", steps=60, overrides={**quiet, "trust.enabled": True})
    columns = list(off.firms.columns)
    assert set(columns) < set(on.firms.columns)
    assert on.firms[columns].equals(off.firms)
    assert on.model.equals(off.model)


def test_switched_off_has_no_trust_columns():
    off = sim.run("baseline", steps=5, overrides=SMALL)
    assert "trust_gap" not in off.firms.columns


@pytest.fixture(scope="module")
def casper():
    return sim.run("casper_imitators", steps=260, overrides={"consumers.count": 1200})


@pytest.mark.slow
def test_trust_costs_add_up_and_are_booked(casper):
    firms = casper.firms.sort_values(["firm_id", "step"])
    parts = (
        firms["refunds"]
        + firms["return_collection"]
        + firms["try_on_cost"]
        + firms["review_cost"]
        + firms["referral_payments"]
    )
    np.testing.assert_allclose(firms["trust_cost"], parts, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(firms["refunds"], firms["price"] * firms["returns"], rtol=1e-12)
    operating = (
        firms["revenue"]
        - firms["variable_cost"]
        - firms["fixed_cost"]
        - firms["restructuring"]
        - firms["trust_cost"]
    )
    np.testing.assert_allclose(firms["operating_profit"], operating, rtol=1e-9, atol=1e-6)
    assert firms["returns"].sum() > 0 and firms["refunds"].sum() > 0


def test_referral_payments_are_the_reward_in_force_times_referred_customers(casper):
    checked = 0
    for _, rows in casper.firms.sort_values("step").groupby("firm_id"):
        in_force = rows["referral_reward"].shift(1).fillna(0.0).to_numpy()
        np.testing.assert_allclose(
            rows["referral_payments"].to_numpy(),
            in_force * rows["referred_customers"].to_numpy(),
            rtol=1e-12,
        )
        checked += int((rows["referral_payments"] > 0).sum())
    assert checked > 0


def test_review_cost_is_paid_while_reviews_are_published(casper):
    firms = casper.firms.sort_values(["firm_id", "step"])
    published = firms.groupby("firm_id")["reviews"].shift(1, fill_value=False).astype(bool)
    alive = firms["alive"].astype(bool)
    cost = casper.scenario.trust.review_cost
    np.testing.assert_allclose(firms.loc[published & alive, "review_cost"], cost)
    assert (firms.loc[~published, "review_cost"] == 0).all()


def test_a_guarantee_with_free_returns_removes_exactly_the_risk_premium():
    from sim.components.trust_beliefs import TrustBeliefs
    from sim.scenario import TrustSpec
    from sim.strategies.trust_view import TrustPolicy

    spec = TrustSpec(enabled=True, prior_mean=1.0, prior_sd=0.6, risk_aversion=1.5)
    component = TrustBeliefs(spec, 3, np.array([1.0, 1.6]), np.array([False, True]), 0.3, 0.5)
    rows = np.arange(3)
    gamma, alpha, e = np.array([0.5, 1.0, 2.0]), np.full(3, 0.08), np.ones(3)
    args = (rows, np.array([1.0, 1.6]), gamma, alpha, e)
    without = component.adjustment(*args)
    component.set_policy(1, TrustPolicy(guarantee=True, free_returns=True))
    with_trial = component.adjustment(*args)
    np.testing.assert_array_equal(without[:, 0], 0.0)
    np.testing.assert_allclose(with_trial[:, 1] - without[:, 1], 0.5 * 1.5 * gamma**2 * 0.36)
    np.testing.assert_allclose(with_trial[:, 1], gamma * (1.0 - 1.6))


def test_drift_grows_uncertain_beliefs_up_to_the_prior_and_leaves_known_ones():
    variance = np.array([[0.0, 0.1, 0.35]], dtype=np.float32)
    got = trust.drift_variance(variance, 0.02, np.array([0.36, 0.36, 0.36]))
    np.testing.assert_allclose(got, [[0.0, 0.12, 0.36]], rtol=1e-6)
    assert got.dtype == np.float32


def test_try_on_kits_go_once_to_aware_uninformed_shoppers_at_the_firms_cost():
    from sim.components.trust_beliefs import TrustBeliefs
    from sim.scenario import TrustSpec
    from sim.strategies.trust_view import TrustPolicy

    spec = TrustSpec(enabled=True, prior_mean=1.0, prior_sd=0.5, try_on_cost=4.0)
    component = TrustBeliefs(spec, 4, np.array([1.0, 1.6]), np.array([False, True]), 0.3, 0.5)
    component.set_policy(1, TrustPolicy(try_on=True))
    rows = np.array([0, 1, 2])
    aware = np.array([[True, True], [True, False], [True, True]])
    alive = np.array([True, True])
    rng = np.random.default_rng(7)
    component.try_on(rows, aware, alive, np.array([1.0, 1.6]), rng)
    one_purchase = 0.25 * 0.09 / (0.25 + 0.09)
    np.testing.assert_allclose(component.variance[[0, 2], 1], one_purchase, rtol=1e-6)
    assert component.variance[1, 1] == np.float32(0.25)  # not aware: no kit
    assert component.variance[3, 1] == np.float32(0.25)  # no need this week: no kit
    assert component.flows["try_ons"][1] == 2 and component.flows["try_on_cost"][1] == 8.0
    component.try_on(rows, aware, alive, np.array([1.0, 1.6]), rng)
    assert component.flows["try_ons"][1] == 2  # informed now: no second kit
    assert component.flows["try_ons"][0] == 0  # the known firm offers none
