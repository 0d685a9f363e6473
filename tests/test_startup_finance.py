"""Start-ups funded to live: a seed line on a term, venture milestones, plans that project reach."""

import dataclasses
import math

import numpy as np
import pytest
from builders import firm_view, market_view, start_up_market, tiny_scenario

import sim
from sim.mechanics import finance as fin
from sim.mechanics.word_of_mouth import bass_reach, referral_coefficient
from sim.strategies.planner import Planner, PlanTerms


def rk4_bass(start: float, p: float, q: float, weeks: float, steps: int = 20_000) -> float:
    """dF/dt = (p + q F)(1 - F) integrated by fourth-order Runge-Kutta."""

    def slope(share):
        return (p + q * share) * (1.0 - share)

    share, h = start, weeks / steps
    for _ in range(steps):
        k1 = slope(share)
        k2 = slope(share + h * k1 / 2)
        k3 = slope(share + h * k2 / 2)
        k4 = slope(share + h * k3)
        share += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return share


# ---------------------------------------------------------------------------
# Pure functions by hand


def test_seed_line_is_amortised_over_its_term():
    # $30,000 over three years (156 weeks): half left at 78 weeks, nothing at the end
    assert fin.seed_line_left(30_000.0, 0.0, 156.0) == pytest.approx(30_000.0)
    assert fin.seed_line_left(30_000.0, 78.0, 156.0) == pytest.approx(15_000.0)
    assert fin.seed_line_left(30_000.0, 117.0, 156.0) == pytest.approx(7_500.0)
    assert fin.seed_line_left(30_000.0, 156.0, 156.0) == 0.0
    assert fin.seed_line_left(30_000.0, 400.0, 156.0) == 0.0
    # no term: nothing left (the seed line held only to the first quarter end)
    assert fin.seed_line_left(30_000.0, 0.0, 0.0) == 0.0


def test_venture_investors_stage_on_the_plan_and_the_record():
    # record 0.8, plan growth 50%: 0.8 x 1.5 - 1 = 0.2 >= 0; value 50,000 x 0.8 = 40,000
    assert fin.venture_plan_is_credible(0.5, 50_000.0, 40_000.0, 0.8, 0.0)
    assert not fin.venture_plan_is_credible(0.5, 50_000.0, 40_001.0, 0.8, 0.0)
    # growth 20%: 0.8 x 1.2 - 1 = -0.04 < 0
    assert not fin.venture_plan_is_credible(0.2, 50_000.0, 1.0, 0.8, 0.0)
    # a plan worth less than nothing raises nothing
    assert not fin.venture_plan_is_credible(3.0, -1.0, 0.0, 1.0, 0.0)
    # the same plan from an established firm with a 10% repeat share is not funded
    assert not fin.plan_is_credible(0.5, 50_000.0, 40_000.0, 0.8, 0.1, True, 0.0, 0.3)


def test_referral_coefficient_by_hand():
    # q 0.3, 6 units a week from 360 aware consumers: s = 1/60, q' = 0.005
    assert referral_coefficient(0.3, 6.0, 360.0) == pytest.approx(0.005)
    assert referral_coefficient(0.3, 6.0, 0.0) == 0.0
    assert referral_coefficient(0.0, 6.0, 360.0) == 0.0


@pytest.mark.parametrize(
    ("start", "p", "q", "weeks"),
    [(0.02, 0.0033, 0.005, 52.0), (0.05, 0.001, 0.08, 156.0), (0.3, 0.02, 0.0, 30.0)],
)
def test_bass_reach_solves_the_bass_equation(start, p, q, weeks):
    assert bass_reach(start, p, q, weeks) == pytest.approx(rk4_bass(start, p, q, weeks), abs=1e-9)


def test_bass_reach_limits():
    # marketing alone: 1 - (1 - F0) e^(-p t)
    assert bass_reach(0.1, 0.01, 0.0, 50.0) == pytest.approx(1 - 0.9 * math.exp(-0.5), abs=1e-12)
    # word of mouth alone: the logistic F0 / (F0 + (1 - F0) e^(-q t))
    logistic = 0.1 / (0.1 + 0.9 * math.exp(-2.0))
    assert bass_reach(0.1, 0.0, 0.04, 50.0) == pytest.approx(logistic, abs=1e-12)
    # neither: the share stays; at t = 0 it is the start; late it is everyone
    assert bass_reach(0.1, 0.0, 0.0, 50.0) == pytest.approx(0.1)
    assert bass_reach(0.1, 0.01, 0.04, 0.0) == pytest.approx(0.1, abs=1e-12)
    assert bass_reach(0.1, 0.01, 0.04, 1e5) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(
        bass_reach(0.1, 0.01, 0.0, np.array([0.0, 50.0])), [0.1, 0.4541], atol=1e-4
    )
    with pytest.raises(ValueError, match="start"):
        bass_reach(1.5, 0.01, 0.0, 1.0)


# ---------------------------------------------------------------------------
# The planner projects its reach


def plan_terms() -> PlanTerms:
    return PlanTerms(
        horizon_weeks=52.0,
        discount_rate=0.0,
        continuing_years=0.0,
        thin_margin=0.15,
        margin_multiples=(1.0,),
        max_margin=1.0,
        repeat_pricing=False,
        spend_share=0.25,
        spend_levels=2,
        reserve_quarters=1.0,
        credit_use=0.5,
    )


def test_plan_projects_reach_by_bass_diffusion():
    # One of the five sampled consumers knows the firm (aware share 0.2), 1,000 consumers,
    # marketing $50 a week at $1 a contact: p = 50 / (1 x 1,000) = 0.05 a week.
    view = market_view()
    available = view.research.available.copy()
    available[:, view.research.own] = [True, False, False, False, False]
    view = dataclasses.replace(
        view, research=dataclasses.replace(view.research, available=available)
    )
    firm = firm_view(marketing_spend=50.0, marketing_contact_cost=1.0, population=1000)
    flat = Planner(firm, view, plan_terms(), 0.0)
    np.testing.assert_array_equal(flat.reach, np.ones_like(flat.reach))
    reaching = Planner(dataclasses.replace(firm, referral_rate=0.3), view, plan_terms(), 0.0)
    units = reaching.units_today[0]
    p = 50.0 / 1000.0
    q = 0.3 * units / (0.2 * 1000.0)
    for week, factor in zip(reaching.all_weeks, reaching.reach[0], strict=True):
        assert factor == pytest.approx(rk4_bass(0.2, p, q, week) / 0.2, rel=1e-8)
    # the plan's units grow with the reach (track record 1: the whole change counts)
    point = (0, 0.0, 0.0, 0.0)
    grown = reaching.plan(point).units
    kept = flat.plan(point).units
    assert grown[-1] > kept[-1]


def test_seed_line_is_a_floor_under_the_planned_credit_line():
    view = market_view()
    firm = firm_view(
        credit_limit=30_000.0,
        credit_earnings_multiple=3.0,
        credit_revenue_advance=0.1,
        seed_line=30_000.0,
        seed_line_weeks_left=104.0,
    )
    planner = Planner(firm, view, plan_terms(), 0.0)
    losses = np.full((1, len(planner.all_weeks)), -500.0)
    line = planner.credit_line(losses, np.zeros_like(losses))
    expected = [30_000.0 * (1 - w / 104.0) for w in planner.all_weeks]
    np.testing.assert_allclose(line[0], expected)


# ---------------------------------------------------------------------------
# In a running model


def test_lenders_keep_what_is_left_of_the_seed_line():
    # With a one-year term, at every quarter end the line is at least what is left of the
    # seed line (its value at entry amortised over 52 weeks); without a term it is not kept.
    firms = sim.run(start_up_market(seed_credit_years=1.0), seed=3).firms
    entrants = firms[firms["name"].str.startswith("Startup") & firms["alive"]]
    checked = 0
    for _, rows in entrants.groupby("name"):
        born, seed = rows["step"].iloc[0], rows["credit_limit"].iloc[0]
        for _, row in rows[(rows["step"] % 13 == 0) & (rows["step"] > born)].iterrows():
            left = seed * max(0.0, 1 - (row["step"] - born + 1) / 52.0)
            assert row["credit_limit"] >= left - 1e-6
            checked += left > 0
    assert checked >= 1
    plain = sim.run(start_up_market(), seed=3).firms
    plain = plain[plain["name"].str.startswith("Startup") & plain["alive"]]
    first = plain.groupby("name").apply(lambda g: g[g["step"] % 13 == 0]["credit_limit"].iloc[0])
    seeds = plain.groupby("name")["credit_limit"].first()
    assert (first < seeds).any()


# ---------------------------------------------------------------------------
# No payout of start-up capital


def greedy_owners_market() -> dict:
    """An established firm and entrants whose owners ask for all the cash every quarter."""
    greedy = {"strategy": "user_strategy:PayEverything", "strategy_params": {"markup": 0.3}}
    return tiny_scenario(
        firms=[
            {
                "name": "Incumbent",
                "strategy": "user_strategy:FixedMarkup",
                "strategy_params": {"markup": 0.5},
                "cash": 50_000.0,
                "fixed_cost": 0.0,
                "age_years": 5.0,
            },
            {"name": "Established", **greedy, "cash": 8_000.0, "age_years": 5.0},
        ],
        consumers={"count": 400},
        entry={
            "rate_per_year": 6.0,
            "templates": [{"name": "Startup", **greedy, "cash": 20_000.0, "fixed_cost": 0.0}],
        },
        steps=13 * 4,
    )


def test_entrants_never_pay_out_their_start_up_capital():
    # Owners who ask for every dollar get, at birth, nothing (cash = the $20,000 put in,
    # nothing earned yet) and, at each quarter's decision, what the firm earned: after a
    # payout exactly the capital put in (start-up capital plus equity) is left.
    firms = sim.run(greedy_owners_market(), seed=3).firms
    entrants = firms[firms["name"].str.startswith("Startup")]
    assert entrants["name"].nunique() >= 3
    paid_rows = 0
    for _, rows in entrants.groupby("name"):
        birth = rows.iloc[0]
        assert birth["payout"] == 0.0
        assert birth["cash"] == 20_000.0
        paid = rows[rows["payout"] > 0]
        capital = 20_000.0 + paid["cumulative_equity"]
        np.testing.assert_allclose(paid["cash"], capital, rtol=1e-12)
        paid_rows += len(paid)
    assert paid_rows >= 2  # the rule binds: entrants earned and paid out their earnings
    # The same owners of an established firm (age 5) take its $8,000 at the first decision.
    established = firms[firms["name"] == "Established"]
    assert established["cumulative_payout"].iloc[0] == pytest.approx(8_000.0)
