"""The shared planner: candidates, projections by hand, financing rules, both mindsets."""

import dataclasses
import math

import numpy as np
import pytest
from builders import firm_view, market_view, technology

from sim.mechanics import finance as fin
from sim.strategies import CustomerObsessed, ShareholderFocused
from sim.strategies.base import MarketResearch, MarketView, Technology
from sim.strategies.planner import Planner, PlanTerms, plan_points, price_options, spend_grid


def terms(**changes) -> PlanTerms:
    base = PlanTerms(
        horizon_weeks=52.0,
        discount_rate=0.0,
        continuing_years=0.0,
        thin_margin=0.15,
        margin_multiples=(1.0, 2.0),
        max_margin=1.0,
        repeat_pricing=False,
        spend_share=0.25,
        spend_levels=3,
        reserve_quarters=1.0,
        credit_use=0.5,
    )
    return dataclasses.replace(base, **changes)


def test_spend_grid_halves_from_its_top_and_keeps_upkeep():
    assert spend_grid(800.0, 4, (50.0,)).tolist() == [0.0, 50.0, 100.0, 200.0, 400.0, 800.0]
    # upkeep above the top is still a candidate (holding a stock always is)
    assert spend_grid(100.0, 1, (300.0, math.inf)).tolist() == [0.0, 100.0, 300.0]
    assert spend_grid(0.0, 3, (40.0,)).tolist() == [0.0, 40.0]


def test_spend_grid_scales_with_the_market():
    # The grid's top is spend_share x needs per week x price: double the market, double it.
    small = market_view()
    big = dataclasses.replace(
        small, research=dataclasses.replace(small.research, weights=small.research.weights * 2)
    )
    firm = firm_view()
    one = Planner(firm, small, terms(), 0.0).grids[0][0]
    two = Planner(firm, big, terms(), 0.0).grids[0][0]
    needs = float(small.research.weights.sum())
    price = price_options(firm, small, terms())[0].price
    assert one.max() == pytest.approx(0.25 * needs * price)
    assert two.max() == pytest.approx(2 * one.max())


@pytest.mark.parametrize(
    ("horizon", "middles", "lengths"),
    [(52.0, [6.5, 32.5], [13.0, 39.0]), (13.0, [6.5], [13.0]), (156.0, [6.5, 84.5], [13.0, 143.0])],
)
def test_plan_points(horizon, middles, lengths):
    weeks, segment = plan_points(horizon)
    assert weeks.tolist() == pytest.approx(middles)
    assert segment.tolist() == pytest.approx(lengths)


def test_price_options_are_markups_and_the_best_response():
    firm, view = firm_view(unit_cost=20.0), market_view()
    options = price_options(firm, view, terms())
    assert [o.price for o in options[:2]] == pytest.approx([23.0, 26.0])
    best = view.research.best_response_price(20.0, firm.price)
    assert options[-1].rule == "best response"
    assert options[-1].price == pytest.approx(best)
    assert options[-1].margin == pytest.approx(best / 20.0 - 1.0)


def test_cash_path_interest_and_what_a_plan_lacks_by_hand():
    # cash 1,000; a year's plan: the coming quarter (13 weeks) at a weekly surplus of -100,
    # then 39 weeks at +50; run rate 20 at the end. Today's line of 2,000, half usable.
    firm = firm_view(cash=1000.0, fixed_cost=100.0, credit_limit=2000.0, borrowing_rate=0.08)
    planner = Planner(firm, market_view(), terms(), committed=0.0)
    out = planner.finance(np.array([[-100.0, 50.0, 20.0]]))
    cash1 = 1000.0 - 1300.0  # no debt before the first segment, no interest
    interest2 = 300.0 * (1.08 ** (39 / 52) - 1.0)  # 39 weeks on 300 at 8% a year
    cash2 = cash1 + 39 * 50.0 - interest2
    assert out["min_cash"][0] == pytest.approx(cash1)
    # reserve: 1 quarter of fixed cost = 1,300; usable line: 1,000
    assert out["needed"][0] == pytest.approx(1300.0 - 1000.0 - cash1)
    assert cash2 > 0 and bool(out["covers"][0])  # it ends without debt
    assert out["value"][0] == pytest.approx(-1300.0 + 39 * 50.0 - interest2)


def test_a_plan_ending_in_debt_must_earn_its_interest():
    firm = firm_view(cash=0.0, credit_limit=1e6)
    planner = Planner(firm, market_view(), terms(), committed=0.0)
    out = planner.finance(np.array([[-100.0, -100.0, 1.0], [-100.0, -100.0, 10.0]]))
    debt = -out["min_cash"]
    weekly = 1.08 ** (1 / 52) - 1.0
    assert debt[0] * weekly > 1.0 and debt[1] * weekly < 10.0
    assert out["covers"].tolist() == [False, True]


def growth_market(fixed_cost: float = 1000.0) -> tuple:
    """The builders' market at 10,000 needs a week, where spending on the offer pays."""
    view = market_view()
    research = dataclasses.replace(view.research, weights=view.research.weights * 50.0)
    return firm_view(fixed_cost=fixed_cost), dataclasses.replace(view, research=research)


def test_both_mindsets_plan_with_the_same_candidates():
    firm, view = growth_market()
    co, sf = CustomerObsessed(), ShareholderFocused()
    co_planner = Planner(firm, view, co.terms(), co.committed(firm))
    sf_planner = Planner(firm, view, sf.terms(), sf.committed(firm))
    co_prices = [(o.rule, round(o.price, 9)) for o in co_planner.options]
    sf_prices = [(o.rule, round(o.price, 9)) for o in sf_planner.options]
    # the repeat response differs only through the horizon; markups and best response agree
    assert co_prices[:5] == sf_prices[:5]
    for a, b in zip(co_planner.grids, sf_planner.grids, strict=True):
        for ga, gb in zip(a, b, strict=True):
            assert ga.tolist() == gb.tolist()
    assert co_planner.reserve == sf_planner.reserve
    assert co_planner.credit == sf_planner.credit


def test_customer_obsessed_draws_its_credit_line_when_the_plan_pays_for_it():
    # Little cash: with no credit line the plan cannot spend; with one it invests.
    firm, view = growth_market()
    poor = dataclasses.replace(firm, cash=2000.0, credit_limit=0.0)
    lent = dataclasses.replace(poor, credit_limit=500_000.0)
    without = CustomerObsessed().decide(poor, view)
    strategy = CustomerObsessed()
    with_line = strategy.decide(lent, view)
    spend = lambda d: d.spend_experience + d.spend_selection + d.spend_efficiency  # noqa: E731
    assert spend(with_line) > spend(without)
    assert strategy.plan.min_cash < 0  # it borrows
    assert strategy.plan.feasible  # within the rules: reserve kept, interest earned


def test_customer_obsessed_invests_below_its_old_cash_floor():
    # Cash of 10,000 is under two quarters of fixed cost (26,000), where the firm used to
    # spend nothing on its offer and widen its margin; now the plan decides, and it
    # serves more customers at the horizon than spending nothing would.
    firm, view = growth_market(fixed_cost=1000.0)
    strategy = CustomerObsessed()
    decision = strategy.decide(
        dataclasses.replace(firm, cash=10_000.0, credit_limit=200_000.0), view
    )
    assert strategy.plan.feasible
    assert decision.spend_experience + decision.spend_selection + decision.spend_efficiency > 0
    idle = Planner(
        dataclasses.replace(firm, cash=10_000.0, credit_limit=200_000.0),
        view,
        strategy.terms(),
        strategy.committed(firm),
    )
    k = next(i for i, o in enumerate(idle.options) if o.price == strategy.plan.price.price)
    assert strategy.plan.units_end > idle.plan((k, 0.0, 0.0, 0.0)).units_end


def test_the_mindsets_choose_by_their_objectives():
    firm, view = growth_market()
    co, sf = CustomerObsessed(), ShareholderFocused()
    co.decide(firm, view)
    sf.decide(firm, view)
    # Each plan is at least as good as the other's by its own objective (same machinery).
    co_planner = Planner(firm, view, co.terms(), co.committed(firm))
    sf_planner = Planner(firm, view, sf.terms(), sf.committed(firm))

    def point(plan, planner):
        k = next(i for i, o in enumerate(planner.options) if o.rule == plan.price.rule)
        if plan.price.rule == "markup":
            k = next(
                i for i, o in enumerate(planner.options) if abs(o.price - plan.price.price) < 1e-9
            )
        return (k, plan.spend_experience, plan.spend_selection, plan.spend_efficiency)

    sf_in_co = co_planner.plan(point(sf.plan, co_planner))
    co_in_sf = sf_planner.plan(point(co.plan, sf_planner))
    if sf_in_co.feasible:
        assert co.plan.units_end >= sf_in_co.units_end - 1e-9
    if co_in_sf.feasible:
        assert sf.plan.value >= co_in_sf.value - 1e-9


def test_payout_only_from_retained_earnings():
    firm, view = growth_market()
    rich = dataclasses.replace(firm, cash=500_000.0)
    free = ShareholderFocused().decide(rich, view).payout
    assert free > 10_000.0
    capped = ShareholderFocused().decide(
        dataclasses.replace(rich, retained_earnings=10_000.0), view
    )
    assert capped.payout == pytest.approx(10_000.0)
    start_up = ShareholderFocused().decide(dataclasses.replace(rich, retained_earnings=0.0), view)
    assert start_up.payout == 0.0


def test_a_plan_short_of_money_asks_investors_and_shows_its_plan():
    firm, view = firm_view(cash=-25_000.0, credit_limit=0.0), market_view()
    for strategy in (CustomerObsessed(), ShareholderFocused()):
        decision = strategy.decide(firm, view)
        assert decision.equity_request == pytest.approx(strategy.plan.needed)
        assert decision.equity_request > 0
        plan = decision.funding_plan
        assert plan.units[-1] == pytest.approx(strategy.plan.units_end)
        assert plan.weeks[-1] == pytest.approx(strategy.horizon_weeks)


def test_mindset_parameters_name_fields_of_the_params():
    for cls in (CustomerObsessed, ShareholderFocused):
        fields = set(cls.Params.model_fields)
        assert cls.mindset_parameters <= fields
        assert {"horizon_years", "payout_share", "replan_quarters", "innovation_cut"} <= (
            cls.mindset_parameters
        )
        # the implementation constants are the same for both mindsets
        constants = fields - cls.mindset_parameters
        assert {"spend_share", "thin_margin", "reserve_quarters", "credit_use"} <= constants
    shared = {"spend_share", "spend_levels", "thin_margin", "max_margin", "reserve_quarters"}
    for name in shared | {"credit_use", "margin_multiples"}:
        assert (
            CustomerObsessed.Params.model_fields[name].default
            == ShareholderFocused.Params.model_fields[name].default
        )


# ---------------------------------------------------------------------------
# Shareholder focused: upkeep of capabilities, by hand


def one_consumer_research(weight: float, experience: float = 1.0) -> MarketResearch:
    """One firm, one consumer type standing for ``weight`` purchases a week at most."""
    return MarketResearch(
        own=0,
        outside_utility=0.0,
        quality=np.array([1.0]),
        price=np.array([30.0]),
        selection=np.array([1.0]),
        experience=np.array([experience]),
        price_sensitivity=np.array([0.05]),
        selection_taste=np.array([0.0]),
        experience_taste=np.array([1.0]),
        expectation=np.array([0.0]),
        habit_strength=np.array([0.0]),
        last_firm=np.array([-1], dtype=np.int32),
        available=np.ones((1, 1), dtype=bool),
        weights=np.array([weight]),
    )


def hand_value(weekly_spend, weight, price, tech, fixed=0.0):
    """A year's surplus of a constant experience spend at the plan's two points.

    The plan's segments are the coming quarter (middle 6.5 weeks) and the 39 weeks after
    (middle 32.5). The stock is simulated week by week, plus half a week of the linear
    recursion around its fixed point; each segment's surplus is its middle's.
    """
    depreciation, productivity, scale = tech.experience
    gain = productivity * math.log(1 + weekly_spend / scale)
    total = 0.0
    for middle, length in ((6.5, 13), (32.5, 39)):
        stock = 1.0
        for _ in range(int(middle)):
            stock = stock * (1 - depreciation) + gain
        fixed_point = gain / depreciation
        stock = fixed_point + (stock - fixed_point) * (1 - depreciation) ** 0.5
        utility = 1.0 - 0.05 * price + stock
        share = math.exp(utility) / (1.0 + math.exp(utility))
        total += length * ((price - 20.0) * weight * share - weekly_spend - fixed)
    return total


def hand_upkeep(tech):
    """Spend that holds experience at 1.0: ``s (exp(delta / g) - 1)``, solved by hand."""
    depreciation, productivity, scale = tech.experience
    return scale * (math.exp(depreciation * 1.0 / productivity) - 1.0)


@pytest.mark.parametrize(("weight", "funds"), [(20_000.0, True), (300.0, False)])
def test_shareholder_focused_funds_upkeep_exactly_when_it_pays(weight, funds):
    # A year's plan, no hurdle, no continuing value; one consumer type whose purchases
    # depend on experience only; efficiency cannot be built. The spend grid's top is tiny,
    # so the choice is between (about) nothing and the upkeep.
    base = technology()
    tech = Technology(base.experience, base.selection, (base.efficiency[0], 0.0, 1000.0))
    upkeep = hand_upkeep(tech)
    strategy = ShareholderFocused(
        hurdle_rate=0.0,
        continuing_years=0.0,
        price_for_repeat=False,
        spend_share=1e-9,
        spend_levels=1,
        thin_margin=0.5,
        margin_multiples=[1.0],
    )
    view = MarketView(
        week=0, quarter=0, rivals=(), research=one_consumer_research(weight), technology=tech
    )
    firm = firm_view(quarter=0, week=0, price=30.0, unit_cost=20.0, experience=1.0, fixed_cost=0.0)
    strategy.decide(firm, view)
    plan = strategy.plan
    price = plan.price.price
    pays = bool(hand_value(upkeep, weight, price, tech) > hand_value(0.0, weight, price, tech))
    assert pays is funds  # the two cases are what they say, by hand
    if funds:
        assert plan.spend_experience == pytest.approx(upkeep, rel=1e-9)
    else:
        assert plan.spend_experience < 1e-6


def test_investors_value_a_plan_by_hand():
    # two segments of 26 weeks (middles 13 and 39) and the run rate for ever, at 10%
    value = fin.plan_value((13.0, 39.0, 52.0), (-100.0, 50.0, 80.0), 0.10)
    expected = (
        26 * -100.0 * 1.1 ** (-13 / 52)
        + 26 * 50.0 * 1.1 ** (-39 / 52)
        + 52 * 80.0 / 0.10 * 1.1 ** (-1.0)
    )
    assert value == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="required_return"):
        fin.plan_value((13.0,), (1.0,), 0.0)
