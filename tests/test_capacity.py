"""Capacity that binds: rationing, re-choice, the order pipeline and the default order.

Closed forms are computed here from the utilities by hand, never by the code's formula.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import firm_view
from lifecycle_builders import firm, identical_consumers, scenario

import sim
from sim.mechanics import capacity as cap
from sim.strategies.base import Decision, default_capacity_order


def cumulative(utilities: list[float], shoppers: int) -> np.ndarray:
    """Cumulative choice weights ``(K, M)`` for identical shoppers, as logit_choose leaves."""
    weights = np.exp(np.array(utilities))
    return np.repeat(np.cumsum(weights)[:, None], shoppers, axis=1)


# ---------------------------------------------------------------- rationing, by hand


def test_two_firms_one_capped_turns_away_the_excess_only():
    """10 chose firm 1 (capacity 4), 5 chose firm 2 (room), 5 stayed out: 6 turned away."""
    choice = np.array([1] * 10 + [2] * 5 + [0] * 5)
    final, turned = cap.clear_with_capacity(
        choice, cumulative([0.0, 1.0, 0.5], 20), np.array([4.0, 100.0]), np.random.default_rng(1)
    )
    assert turned.tolist() == [6, 0]
    assert np.count_nonzero(final == 1) == 4
    # the 6 turned away go to firm 2 or stay out; nobody else moves
    assert (final[10:] == choice[10:]).all()
    assert set(final[:10][final[:10] != 1]) <= {0, 2}
    assert np.count_nonzero(final == 2) + np.count_nonzero(final[:10] == 0) == 5 + 6


def test_rechoice_probabilities_match_the_logit_over_the_rest():
    """Turned away from firm 1: P(2) = e^0.5 / (e^0 + e^0.5), P(0) = 1 / (1 + e^0.5)."""
    probabilities = cap.rechoice_probabilities(
        np.exp(np.array([[0.0], [1.0], [0.5]])), np.array([True, False, True])
    )
    e_half = 1.6487212707001282  # e ** 0.5
    assert probabilities[:, 0] == pytest.approx([1 / (1 + e_half), 0.0, e_half / (1 + e_half)])


def test_rationing_large_sample_turned_away_share_and_rechoice_frequencies():
    """Shoppers with V = (0, 1, 0.5), firm 1 capped at K: closed forms for N shoppers.

    First choice of firm 1 has p1 = e / (1 + e + e^0.5); the expected share turned away is
    (N p1 - K) / N; the turned away pick firm 2 with e^0.5 / (1 + e^0.5).
    """
    n, k = 200_000, 30_000
    rng = np.random.default_rng(7)
    e, e_half = math.e, math.sqrt(math.e)
    total = 1.0 + e + e_half
    p = np.array([1.0, e, e_half]) / total
    choice = rng.choice(3, size=n, p=p)
    first_to_1 = np.count_nonzero(choice == 1)
    final, turned = cap.clear_with_capacity(
        choice, cumulative([0.0, 1.0, 0.5], n), np.array([float(k), 1e9]), rng
    )
    assert turned[0] == first_to_1 - k
    assert turned[0] / n == pytest.approx(p[1] - k / n, abs=4 * math.sqrt(p[1] * (1 - p[1]) / n))
    moved = final[choice == 1]
    moved = moved[moved != 1]
    share_to_2 = np.count_nonzero(moved == 2) / len(moved)
    expected = e_half / (1.0 + e_half)
    assert share_to_2 == pytest.approx(
        expected, abs=4 * math.sqrt(expected * (1 - expected) / len(moved))
    )
    assert np.count_nonzero(final == 1) == k


def test_random_rationing_serves_every_shopper_with_equal_chance():
    """Each of 10 shoppers at a firm with capacity 3 is served with probability 3/10."""
    rng = np.random.default_rng(3)
    served = np.zeros(10)
    trials = 20_000
    for _ in range(trials):
        away = cap.turned_away(np.zeros(10, dtype=int), rng.random(10), np.array([3]))
        served += ~away
    assert served / trials == pytest.approx(np.full(10, 0.3), abs=0.015)


def test_cascade_overflow_is_rationed_again_and_never_exceeds_capacity():
    """Both firms capped: re-choosers overfill firm 2, which rations them in turn."""
    n = 5_000
    rng = np.random.default_rng(11)
    choice = np.ones(n, dtype=int)
    final, turned = cap.clear_with_capacity(
        choice, cumulative([-3.0, 1.0, 1.0], n), np.array([1000.0, 500.5]), rng
    )
    units = np.bincount(final, minlength=3)
    assert units[1] == 1000 and units[2] == 500  # floor of 500.5
    assert turned[0] == n - 1000 and turned[1] > 0
    assert units.sum() == n


def test_no_draw_when_no_firm_is_over_capacity():
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    choice = np.array([0, 1, 2, 1])
    final, turned = cap.clear_with_capacity(
        choice, cumulative([0.0, 0.0, 0.0], 4), np.array([2.0, 1.0]), rng
    )
    assert (final == choice).all() and turned.tolist() == [0, 0]
    assert rng.bit_generator.state == state


# ---------------------------------------------------------------- orders and the default rule


def test_order_pipeline_delivers_after_the_lead_time():
    pipeline = cap.place_order((), week=10, units=40.0, lead_weeks=13)
    pipeline = cap.place_order(pipeline, week=12, units=5.0, lead_weeks=13)
    assert cap.place_order(pipeline, 12, 0.0, 13) == pipeline
    assert cap.receive_orders(pipeline, 22) == (0.0, pipeline)
    assert cap.receive_orders(pipeline, 23) == (40.0, ((25, 5.0),))
    with pytest.raises(ValueError, match="capacity order"):
        cap.place_order((), 0, -1.0, 13)


def test_default_order_covers_projected_demand_at_the_horizon():
    """Demand 100 -> 120 a week a quarter; horizon 26 weeks: 120 + 20 * 2 = 160; h = 1.2.

    Order = 1.2 * 160 - capacity 150 - on order 10 = 32.
    """
    view = firm_view(
        capacity_binds=True,
        capacity=150.0,
        capacity_on_order=10.0,
        capacity_lead_weeks=13,
        capacity_headroom=1.2,
        demand_last_quarter=120.0,
        demand_previous_quarter=100.0,
    )
    assert default_capacity_order(view) == pytest.approx(32.0)
    assert default_capacity_order(view, horizon_weeks=0) == 0.0  # 144 < 160 in hand
    assert default_capacity_order(firm_view()) == 0.0  # capacity does not bind


def test_decision_rejects_a_negative_capacity_order():
    with pytest.raises(ValueError, match="capacity_order"):
        Decision(price=10.0, capacity_order=-1.0)


# ---------------------------------------------------------------- in the model


def capped_scenario(**finance) -> dict:
    """Two firms, 400 shoppers a week, each firm's capacity 60 a week at start."""
    firms = [
        firm("Big", "user_strategy:FixedMarkup", fixed_cost=120.0, quality=2.0),
        firm("Small", "user_strategy:FixedMarkup", fixed_cost=120.0),
    ]
    return scenario(
        firms,
        steps=78,
        consumers=identical_consumers(400),
        finance={"capacity_binds": True, "capacity_lead_weeks": 13, **finance},
    )


@pytest.fixture(scope="module")
def capped():
    return sim.run(capped_scenario(capacity_capital_cost=20.0))


def test_units_never_exceed_capacity_in_service(capped):
    """Capacity in service in week s is last week's capacity plus this week's arrivals."""
    firms = capped.firms.sort_values(["firm_id", "step"])
    checked = 0
    for _, rows in firms.groupby("firm_id"):
        in_service = rows["capacity"].shift(1) + rows["capacity_added"]
        units = rows["units"].iloc[1:]
        assert (units <= np.floor(in_service.iloc[1:] + 1e-9)).all()
        checked += len(units)
    assert checked > 0
    assert firms["turned_away"].sum() > 0  # the constraint was met


def test_orders_arrive_after_the_lead_time_and_are_paid(capped):
    """Added in week s = ordered in week s - L; capital paid = c_K * ordered."""
    lead = 13
    for _, rows in capped.firms.groupby("firm_id"):
        rows = rows.sort_values("step").set_index("step")
        ordered, added = rows["capacity_ordered"], rows["capacity_added"]
        expected = ordered.shift(lead).fillna(0.0)
        np.testing.assert_allclose(added.to_numpy(), expected.to_numpy())
        np.testing.assert_allclose(rows["capacity_capital_paid"], 20.0 * ordered)
        assert (rows["investment"] >= rows["capacity_capital_paid"] - 1e-9).all()
    assert capped.firms["capacity_ordered"].sum() > 0


def test_capacity_grows_only_by_orders(capped):
    """Week over week, capacity rises by no more than what arrived (cuts may lower it)."""
    for _, rows in capped.firms.groupby("firm_id"):
        rows = rows.sort_values("step")
        rise = rows["capacity"].diff().iloc[1:]
        assert (rise <= rows["capacity_added"].iloc[1:] + 1e-9).all()


def test_capacity_on_is_deterministic():
    first = sim.run(capped_scenario(), steps=40)
    second = sim.run(capped_scenario(), steps=40)
    assert first.firms.equals(second.firms)
    assert first.model.equals(second.model)


def test_capacity_with_platforms_is_refused():
    with pytest.raises(ValueError, match="capacity_binds"):
        sim.run("platform_disintermediation", steps=1, overrides={"finance.capacity_binds": True})
