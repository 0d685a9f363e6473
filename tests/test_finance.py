"""Financing mechanics and the financing component, against hand-worked answers."""

import numpy as np
import pytest
from builders import start_up_market, tiny_scenario

import sim
from sim.mechanics import finance as fin
from sim.mechanics.relationship import repeat_units_gained

# ---------------------------------------------------------------------------
# Pure mechanics


def test_weekly_rate_compounds_to_the_annual_rate():
    w = fin.weekly_rate(0.08)
    assert (1 + w) ** 52 == pytest.approx(1.08, rel=1e-12)
    assert fin.weekly_rate(0.0) == 0.0


def test_interest_on_debt_and_on_deposits():
    # $10,000 of debt at 8% a year: 52 weekly charges compound to $800 of interest.
    w = 1.08 ** (1 / 52) - 1
    assert fin.interest_cost(-10_000.0, 0.08) == pytest.approx(10_000 * w)
    assert fin.interest_cost(10_000.0, 0.08) == 0.0
    assert fin.interest_cost(10_000.0, 0.08, deposit_rate=0.08) == pytest.approx(-10_000 * w)


def test_credit_limit_is_earnings_multiple_plus_revenue_advance():
    assert fin.credit_limit(100.0, 1_000.0, 3.0, 0.1) == pytest.approx(400.0)
    # losses do not count against the line; revenue still secures it
    assert fin.credit_limit(-500.0, 1_000.0, 3.0, 0.1) == pytest.approx(100.0)
    assert fin.credit_limit(-500.0, 0.0, 3.0, 0.1) == 0.0


@pytest.mark.parametrize(
    ("losses", "growth", "repeat", "believe"),
    [
        (3, 0.2, 0.5, True),
        (9, 0.2, 0.5, False),  # patience exhausted
        (3, -0.1, 0.5, False),  # customers shrinking
        (3, 0.2, 0.1, False),  # customers do not come back
    ],
)
def test_investors_fund_a_growth_story_within_their_patience(losses, growth, repeat, believe):
    assert fin.investors_believe(losses, 8, growth, repeat, 0.0, 0.3) is believe


def test_investors_with_no_patience_never_fund():
    assert not fin.investors_believe(0, 0, 1.0, 1.0, 0.0, 0.0)


def test_equity_repays_debt_and_funds_the_runway():
    assert fin.equity_to_raise(-5_000.0, 2_000.0, 4.0) == pytest.approx(13_000.0)
    assert fin.equity_to_raise(20_000.0, 2_000.0, 4.0) == 0.0


def test_capacity_grows_at_once_and_is_cut_with_a_delay():
    assert fin.capacity_target(100.0, 1.2) == pytest.approx(120.0)
    assert fin.adjust_capacity(100.0, 150.0, 0.25) == 150.0
    # wanting 10 from 100, a quarter goes each quarter: 75, 56.25, ...
    capacity, path = 100.0, []
    for _ in range(3):
        capacity = fin.adjust_capacity(capacity, 10.0, 0.25)
        path.append(capacity)
    np.testing.assert_allclose(path, [75.0, 56.25, 42.1875])
    assert fin.adjust_capacity(12.0, 10.0, 0.25) == 10.0
    assert fin.restructuring_cost(25.0, 2.0, 8.0) == pytest.approx(400.0)


# ---------------------------------------------------------------------------
# Repeat purchases a sale brings: the two-state chain


def chain_repeat_units(s_h, s_0, r_h, needs):
    """Simulate the distribution over states H/O need by need (independent of the formula)."""
    transition = np.array([[1 - r_h, r_h], [s_0, 1 - s_0]])
    units = np.array([s_h, s_0])
    from_h, from_o = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    gained = 0.0
    for _ in range(needs):
        gained += from_h @ units - from_o @ units
        from_h, from_o = from_h @ transition, from_o @ transition
    return gained


@pytest.mark.parametrize(
    ("s_h", "s_0", "r_h", "needs"),
    [(0.5, 0.3, 0.3, 1), (0.5, 0.3, 0.3, 13), (0.2, 0.1, 0.7, 26), (0.9, 0.8, 0.05, 50)],
)
def test_repeat_units_match_the_markov_chain(s_h, s_0, r_h, needs):
    assert float(repeat_units_gained(s_h, s_0, r_h, needs)) == pytest.approx(
        chain_repeat_units(s_h, s_0, r_h, needs), rel=1e-9
    )


def test_repeat_units_limits():
    # no habit, no gain; a single need gains the share difference; rho = 1 gives N times it
    assert float(repeat_units_gained(0.3, 0.3, 0.2, 10)) == 0.0
    assert float(repeat_units_gained(0.5, 0.2, 0.3, 1)) == pytest.approx(0.3)
    assert float(repeat_units_gained(0.5, 0.0, 0.0, 7)) == pytest.approx(3.5)


@pytest.mark.parametrize(
    ("growth", "value", "amount", "record", "repeat", "history", "credible"),
    [
        (0.5, 1e6, 1e5, 1.0, 0.4, True, True),
        (0.5, 1e6, 1e5, 0.5, 0.4, True, False),  # 0.5 x 1.5 - 1 = -0.25 < 0: not credible
        (0.5, 1e5, 1e5, 0.9, 0.4, True, False),  # 0.9 x value < amount
        (0.5, 1e6, 1e5, 1.0, 0.1, True, False),  # customers do not come back
        (0.5, 1e6, 1e5, 1.0, 0.0, False, True),  # a start-up has no repeat rate yet
        (-0.1, 1e6, 1e5, 1.0, 0.4, True, False),
    ],
)
def test_investors_judge_a_plan_with_the_track_record(
    growth, value, amount, record, repeat, history, credible
):
    assert (
        fin.plan_is_credible(growth, value, amount, record, repeat, history, 0.0, 0.3) is credible
    )


def test_track_record_by_hand():
    # half weight on the latest quarter: delivered 60 of 80 projected
    assert fin.track_record(1.0, 80.0, 60.0, 0.5) == pytest.approx(0.5 + 0.5 * 0.75)
    assert fin.track_record(0.6, 80.0, 100.0, 0.5) == pytest.approx(0.8)  # capped at 1
    assert fin.track_record(0.6, 0.0, 100.0, 0.5) == 0.6  # nothing projected


def test_payout_from_retained_earnings_only():
    # cash 50,000 of which 40,000 is start-up capital: at most 10,000 may be paid out
    assert fin.payout_allowed(30_000.0, 50_000.0, 40_000.0) == 10_000.0
    assert fin.payout_allowed(5_000.0, 50_000.0, 40_000.0) == 5_000.0
    assert fin.payout_allowed(5_000.0, 30_000.0, 40_000.0) == 0.0


def test_seed_credit_scales_with_the_market():
    # a quarter of fixed cost, or 13 weeks of an average firm's revenue (1,300,000 / 10)
    assert fin.seed_credit(100.0, 100_000.0, 10, 13.0) == pytest.approx(130_000.0)
    assert fin.seed_credit(100.0, 0.0, 10, 13.0) == pytest.approx(1_300.0)
    assert fin.seed_credit(100.0, 200_000.0, 10, 13.0) == pytest.approx(260_000.0)
    assert fin.seed_credit(100.0, 100_000.0, 0, 13.0) == pytest.approx(1_300.0)


# ---------------------------------------------------------------------------
# The component in a running model


def test_firm_that_can_neither_borrow_nor_raise_exits():
    # A $1000 weekly fixed cost a 50-consumer market never covers, no credit line at all and
    # no investors: the firm is beyond its line at the first quarter end and leaves there.
    data = tiny_scenario(
        firms=[
            {"name": "Doomed", "strategy": "user_strategy:FixedMarkup", "cash": 100.0},
            {"name": "Fine", "strategy": "user_strategy:FixedMarkup", "cash": 1e9},
        ],
        consumers={"count": 50},
        market={"insolvency_quarters": 1},
        finance={"initial_credit": 0.0, "credit_revenue_advance": 0.0},
        steps=30,
    )
    firms = sim.run(data).firms
    doomed = firms[firms["name"] == "Doomed"].set_index("step")
    assert doomed.loc[:12, "alive"].all()
    assert not doomed.loc[13:, "alive"].any()


def test_patient_investors_keep_a_loss_maker_alive_while_patience_lasts():
    # The same doomed firm: with patient investors (and no evidence asked for) equity covers
    # its losses while it has made losses for at most four quarters; then it exits.
    base = {
        "firms": [
            {"name": "Doomed", "strategy": "user_strategy:FixedMarkup", "cash": 100.0},
            {"name": "Fine", "strategy": "user_strategy:FixedMarkup", "cash": 1e9},
        ],
        "consumers": {"count": 50},
        "market": {"insolvency_quarters": 1},
        "steps": 13 * 8,
    }
    finance = {
        "initial_credit": 0.0,
        "credit_revenue_advance": 0.0,
        "investor_patience_quarters": 4,
        "investor_runway_quarters": 1.0,
        "investor_min_repeat_rate": 0.0,
        "investor_min_customer_growth": -1.0,
    }
    firms = sim.run(tiny_scenario(**base, finance=finance)).firms
    doomed = firms[firms["name"] == "Doomed"].set_index("step")
    raises = doomed.index[doomed["equity_raised"] > 0]
    assert len(raises) >= 1
    assert raises[0] == 13 and all(step % 13 == 0 and step <= 13 * 4 for step in raises)
    assert doomed.loc[13 * 2, "alive"]
    assert not doomed["alive"].iloc[-1]
    exit_step = doomed.index[~doomed["alive"]][0]
    assert exit_step > 13 * 4  # lived past the point where it would have died unfunded
    # without investors the same firm leaves at the first quarter end
    unfunded = sim.run(
        tiny_scenario(**base, finance={"initial_credit": 0.0, "credit_revenue_advance": 0.0})
    ).firms
    assert not unfunded[(unfunded["name"] == "Doomed") & (unfunded["step"] == 13)]["alive"].any()


def test_shrinking_firm_cuts_capacity_and_pays_for_the_cut():
    data = tiny_scenario(
        firms=[{"name": "Small", "strategy": "user_strategy:FixedMarkup", "cash": 1e6}],
        consumers={"count": 50},
        finance={"capacity_share": 0.8, "capacity_unit_cost": 1.0, "restructuring_weeks": 4.0},
        steps=13 * 4,
    )
    firms = sim.run(data).firms.set_index("step")
    capacity = firms["capacity"]
    assert capacity.loc[0] == pytest.approx(0.8 * 1000.0)
    # a quarter cut at each quarter end while far above its volume
    np.testing.assert_allclose(
        [capacity.loc[13], capacity.loc[26], capacity.loc[39]], [600.0, 450.0, 337.5]
    )
    assert firms.loc[13, "restructuring"] == pytest.approx(200.0 * 4.0)
    assert firms.loc[14, "fixed_cost"] == pytest.approx(200.0 + 600.0)


def test_small_market_keeps_a_firm():
    # The baseline's ten firms in a market of 1,000 consumers: a shakeout, not an empty market.
    # Experiments are scaled with the market as the scenario sets them ($0.20 a week per
    # consumer a firm serves, 100 here; an experiment six weeks of that budget); unscaled,
    # $4,000 a week of experiments in a market of about $10,000 a week empties it.
    small = {
        "consumers.count": 1000,
        "firms.0.innovation_budget": 20.0,
        "firms.1.innovation_budget": 20.0,
        "innovation.experiment_cost": 120.0,
    }
    for seed in (1, 2, 3):
        result = sim.run("baseline", seed=seed, overrides=small)
        end = result.firms[result.firms["step"] == result.firms["step"].max()]
        assert end["alive"].sum() >= 1


def test_start_ups_pay_out_no_start_up_capital_and_get_seed_credit():
    # Shareholder-focused entrants in a market of incumbents: none pays out more than it
    # earned (cash less start-up capital and equity), and their first line is seed-sized.
    data = start_up_market()
    result = sim.run(data, seed=3)
    firms = result.firms
    entrants = firms[firms["name"].str.startswith("Startup")]
    assert len(entrants["name"].unique()) >= 1
    for _, rows in entrants.groupby("name"):
        first = rows.iloc[0]
        # a quarter of its fixed cost would be 1,300; the market gives it more
        assert first["credit_limit"] > 1_300.0
        paid = rows["cumulative_payout"].iloc[-1]
        earned = rows["cash"].iloc[-1] + paid - 20_000.0 - rows["cumulative_equity"].iloc[-1]
        assert paid <= max(0.0, earned) + 1e-6
