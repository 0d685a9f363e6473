"""Acquisition: the rules against hand-worked cases, deals in a running model, validation."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from acquisition_builders import PREMIUM, RATE, deal_market
from builders import firm_view, market_view, quarter_report

import sim
from sim.mechanics.acquisition import (
    acquisition_price,
    budget,
    payment,
    value_over_horizon,
    working_balance,
)
from sim.model.market import MarketModel
from sim.scenario import InputError, load_scenario
from sim.strategies.base import Decision, RivalView
from sim.strategies.customer_obsessed import CustomerObsessed
from sim.strategies.shareholder_focused import ShareholderFocused, plan_weights

DEAL_WEEK = 13
WORKING_QUARTERS = 4  # the default working balance of an acquired brand


# ------------------------------------------------------------------ the rules


def test_price_is_market_value_times_one_plus_the_premium():
    assert acquisition_price(100.0, 0.3) == pytest.approx(130.0)
    assert acquisition_price(100.0, 0.0) == pytest.approx(100.0)
    assert acquisition_price(-5.0, 0.3) == 0.0
    with pytest.raises(ValueError, match="control_premium"):
        acquisition_price(100.0, -0.1)


def test_payment_takes_cash_then_credit_then_shares():
    paid = payment(130.0, 100.0, 50.0, 1000.0, 1.0)
    assert (paid.cash, paid.credit, paid.stock) == pytest.approx((100.0, 30.0, 0.0))
    # already 20 in debt on a line of 50: 30 more can be borrowed, 170 paid in shares
    paid = payment(200.0, -20.0, 50.0, 1000.0, 1.0)
    assert (paid.cash, paid.credit, paid.stock) == pytest.approx((0.0, 30.0, 170.0))
    assert paid.total == pytest.approx(200.0)
    # shares limited to k times the acquirer's own value: 0.5 x 300 = 150 < 200
    assert payment(200.0, 0.0, 0.0, 300.0, 0.5) is None
    assert payment(150.0, 0.0, 0.0, 300.0, 0.5).stock == pytest.approx(150.0)


def test_budget_working_balance_and_value_over_horizon():
    assert budget(100.0, 50.0, 1000.0, 0.5) == pytest.approx(650.0)
    assert budget(-20.0, 50.0, 0.0, 1.0) == pytest.approx(30.0)
    assert budget(-80.0, 50.0, 0.0, 1.0) == pytest.approx(0.0)
    assert working_balance(150.0, 4.0) == pytest.approx(7800.0)
    assert value_over_horizon(10.0, 50.0, -100.0) == pytest.approx(400.0)


# ------------------------------------------------------------------ a deal in a model


@pytest.fixture(scope="module")
def cash_deal():
    return sim.run(deal_market(), seed=3)


def _row(result, name: str, step: int) -> pd.Series:
    firms = result.firms
    return firms[(firms["name"] == name) & (firms["step"] == step)].iloc[0]


def test_the_price_is_the_targets_valuation_times_the_premium(cash_deal):
    events, firms = cash_deal.tables["events"], cash_deal.firms
    deal = events[events["event"] == "acquisition"]
    assert len(deal) == 1 and deal["step"].iloc[0] == DEAL_WEEK
    assert deal["name"].iloc[0] == "Buyer"
    target = firms[firms["name"] == "Target"]
    first_quarter = target[target["step"].between(1, DEAL_WEEK)]
    annual_profit = 4 * first_quarter["operating_profit"].sum()
    row = _row(cash_deal, "Target", DEAL_WEEK)
    cash_before = row["cash"] - row["group_transfer"]
    value = cash_before + max(0.0, annual_profit) / RATE
    assert annual_profit > 0
    assert deal["value"].iloc[0] == pytest.approx((1 + PREMIUM) * value)
    assert _row(cash_deal, "Buyer", DEAL_WEEK)["acquisition_spend"] == pytest.approx(
        (1 + PREMIUM) * value
    )
    sold = events[(events["event"] == "acquired") & (events["name"] == "Target")]
    assert sold["value"].iloc[0] == pytest.approx(deal["value"].iloc[0])


def test_the_target_keeps_its_name_and_customers_and_joins_the_buyers_group(cash_deal):
    before, at = _row(cash_deal, "Target", DEAL_WEEK - 1), _row(cash_deal, "Target", DEAL_WEEK)
    after = _row(cash_deal, "Target", DEAL_WEEK + 1)
    assert at["alive"] and after["alive"]
    assert before["owner"] == "" and at["owner"] == "Buyer" and at["acquired_by"] == "Buyer"
    assert _row(cash_deal, "Buyer", DEAL_WEEK)["owner"] == "Buyer"
    assert _row(cash_deal, "Bystander", DEAL_WEEK)["owner"] == ""
    assert at["customers"] > 0 and after["customers"] == at["customers"]
    assert after["units"] > 0 and after["awareness"] == at["awareness"]
    later = cash_deal.firms[cash_deal.firms["name"] == "Target"]
    assert (later[later["step"] > DEAL_WEEK]["units"] > 0).all()


def test_cash_is_consolidated_into_the_buyer(cash_deal):
    target, buyer = _row(cash_deal, "Target", DEAL_WEEK), _row(cash_deal, "Buyer", DEAL_WEEK)
    # the fixed cost right-sized at this quarter end is in force from the next week
    fixed_cost = _row(cash_deal, "Target", DEAL_WEEK + 1)["fixed_cost"]
    assert target["cash"] == pytest.approx(13 * WORKING_QUARTERS * fixed_cost)
    assert target["group_transfer"] < 0
    assert buyer["group_transfer"] == pytest.approx(-target["group_transfer"])
    # and again at the next quarter end
    target, buyer = _row(cash_deal, "Target", 26), _row(cash_deal, "Buyer", 26)
    assert target["group_transfer"] != 0
    assert buyer["group_transfer"] == pytest.approx(-target["group_transfer"])
    weeks = cash_deal.firms[cash_deal.firms["step"].between(DEAL_WEEK + 1, 25)]
    assert (weeks["group_transfer"] == 0).all()


def _cash_identity_holds(firms: pd.DataFrame) -> int:
    checked = 0
    for _, rows in firms.groupby("firm_id"):
        rows = rows.sort_values("step")
        change = rows["cash"].diff().iloc[1:].to_numpy()
        flows = (
            rows["revenue"]
            - rows["variable_cost"]
            - rows["fixed_cost"]
            - rows["restructuring"]
            - rows["investment"]
            - rows["interest"]
            - rows["payout"]
            + rows["equity_raised"]
            - rows["acquisition_spend"]
            + rows["group_transfer"]
        ).iloc[1:]
        scale = max(1.0, rows["cash"].abs().max())
        np.testing.assert_allclose(change, flows.to_numpy(), rtol=0, atol=1e-9 * scale)
        checked += len(change)
    return checked


def test_the_summary_names_the_deal(cash_deal):
    from sim.outputs.summary import summary

    text = summary(cash_deal)
    assert "**Buyer** bought **Target** in week 13" in text
    assert "30% control premium" in text and "under its own name" in text


def test_cash_identity_with_acquisitions_and_group_transfers(cash_deal):
    assert _cash_identity_holds(cash_deal.firms) == len(cash_deal.firms) - 3
    per_step = cash_deal.firms.groupby("step")["group_transfer"].sum()
    np.testing.assert_allclose(per_step, 0.0, atol=1e-9)


def test_a_deal_beyond_cash_and_credit_is_paid_in_new_shares():
    no_credit = {"credit_earnings_multiple": 0.0, "credit_revenue_advance": 0.0}
    spec = deal_market(buyer_cash=0.0, finance=no_credit, acquisition={"max_stock_share": 2.0})
    result = sim.run(spec, seed=3)
    buyer = _row(result, "Buyer", DEAL_WEEK)
    price = buyer["acquisition_spend"]
    assert 0 < buyer["acquisition_shares"] < price
    assert buyer["equity_raised"] == pytest.approx(buyer["acquisition_shares"])
    assert buyer["cumulative_equity"] == pytest.approx(buyer["acquisition_shares"])
    # all its cash went into the deal: what it holds now is the target's swept excess
    assert buyer["cash"] == pytest.approx(buyer["group_transfer"])
    assert _cash_identity_holds(result.firms) == len(result.firms) - 3


def test_a_deal_it_cannot_pay_is_refused_with_the_reason():
    no_credit = {"credit_earnings_multiple": 0.0, "credit_revenue_advance": 0.0}
    result = sim.run(
        deal_market(buyer_cash=0.0, finance=no_credit, acquisition={"max_stock_share": 0.0}),
        seed=3,
    )
    events = result.tables["events"]
    refused = events[events["event"] == "acquisition_refused"]
    assert len(refused) == 1 and "cannot pay" in refused["detail"].iloc[0]
    assert (result.firms["owner"] == "").all()


def test_acquired_brands_price_for_the_group():
    model = MarketModel(deal_market(), seed="scenario")
    buyer, target = model.firms[0], model.firms[1]
    assert model.owner_siblings(buyer) == {}
    model.run(DEAL_WEEK)
    assert model.owner_siblings(buyer)["siblings"] == (target.slot,)
    assert model.owner_siblings(target)["siblings"] == (buyer.slot,)


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("name", ["", "  ", 7])
def test_a_decision_must_name_a_firm(name):
    with pytest.raises(ValueError, match=r"Decision\.acquire"):
        Decision(price=10.0, acquire=name)


@pytest.mark.parametrize(
    ("target", "sections", "reason"),
    [
        ("Buyer", {}, "cannot acquire itself"),
        ("Nobody", {}, "no firm named 'Nobody'"),
        ("Target", {"acquisition": {"enabled": False}}, "switched off"),
    ],
)
def test_impossible_deals_are_ignored_with_a_reason(target, sections, reason):
    result = sim.run(deal_market(target=target, **sections), seed=3)
    events = result.tables["events"]
    refused = events[events["event"] == "acquisition_refused"]
    assert len(refused) == 1 and reason in refused["detail"].iloc[0]
    assert refused["step"].iloc[0] == DEAL_WEEK
    assert not (events["event"] == "acquisition").any()
    assert (result.firms["owner"] == "").all()


def test_a_dead_or_already_owned_target_is_refused():
    model = MarketModel(deal_market(), seed="scenario")
    model.run(DEAL_WEEK)
    buyer, _, bystander = model.firms
    assert model.acquisitions.attempt(model, buyer, "Target") is False
    assert "already owned by Buyer" in model.events[-1]["detail"]
    model.firm_exits(bystander, "irrelevance")
    assert model.acquisitions.attempt(model, buyer, "Bystander") is False
    assert "has left the market" in model.events[-1]["detail"]


def test_a_bought_brand_is_sold_only_with_its_group():
    model = MarketModel(deal_market(), seed="scenario")
    model.run(DEAL_WEEK)
    buyer, target, bystander = model.firms
    view = model.market_view(bystander)
    assert next(r for r in view.rivals if r.name == "Target").asking_price is None
    assert model.acquisitions.attempt(model, bystander, "Target") is False
    assert "belongs to Buyer: buy Buyer" in model.events[-1]["detail"]
    bystander.cash = 1e9
    assert model.acquisitions.attempt(model, bystander, "Buyer") is True
    assert buyer.owner == target.owner == bystander.owner == "Bystander"
    model.acquisitions.consolidate(model)
    assert model.owner_siblings(bystander)["siblings"] == (buyer.slot, target.slot)
    assert buyer.cash == pytest.approx(13 * WORKING_QUARTERS * buyer.fixed_cost)
    assert target.cash == pytest.approx(13 * WORKING_QUARTERS * target.fixed_cost)


def test_acquisition_is_off_by_default_and_rivals_show_no_asking_price():
    spec = load_scenario(deal_market(acquisition={"enabled": False}))
    model = MarketModel(spec, seed="scenario")
    view = model.market_view(model.firms[0])
    assert all(rival.asking_price is None for rival in view.rivals)
    assert model.firm_view(model.firms[0]).acquisition_budget == 0.0
    with pytest.raises(InputError, match=r"acquisition\.control_premium"):
        load_scenario(deal_market(acquisition={"control_premium": -1}))


def test_buyers_see_asking_prices_of_rivals_outside_their_group():
    model = MarketModel(deal_market(), seed="scenario")
    model.run(DEAL_WEEK - 1)
    view = model.market_view(model.firms[0])
    target = next(rival for rival in view.rivals if rival.name == "Target")
    assert target.asking_price == pytest.approx(
        (1 + PREMIUM) * model.acquisitions.value(model.firms[1])
    )
    model.run(1)
    view = model.market_view(model.firms[0])
    assert next(r for r in view.rivals if r.name == "Target").asking_price is None


# ------------------------------------------------------------------ the strategies' rules


def _rival(**changes) -> RivalView:
    report = quarter_report(units=650.0, revenue=650 * 32.0, variable_cost=650 * 22.0)
    rival = RivalView(
        firm_id=2,
        name="Rival",
        strategy="customer_obsessed",
        price=32.0,
        alive=True,
        slot=1,
        cash=1000.0,
        annual_operating_profit=5200.0,
        last_quarter=report,
        asking_price=1000.0,
    )
    return dataclasses.replace(rival, **changes)


def _view_with(rival: RivalView):
    return dataclasses.replace(market_view(), rivals=(rival,))


def test_shareholder_focused_buys_exactly_when_value_over_its_horizon_beats_the_price():
    strategy = ShareholderFocused(horizon_years=1.0, continuing_years=1.0, hurdle_rate=0.15)
    firm = firm_view(acquisition_budget=1e9)
    rival = _rival()
    view = _view_with(rival)
    price = strategy.decide(firm, _view_with(_rival(asking_price=None))).price
    gain = strategy.group_pricing_gain(firm, view, rival, price)
    assert gain >= 0
    _, weights = plan_weights(52.0, 0.15, 1.0)
    worth = (5200.0 / 52.0 + gain) * weights.sum() + 1000.0
    below = strategy.decide(firm, _view_with(_rival(asking_price=0.99 * worth)))
    above = strategy.decide(firm, _view_with(_rival(asking_price=1.01 * worth)))
    assert below.acquire == "Rival" and above.acquire is None
    poor = strategy.decide(
        firm_view(acquisition_budget=0.5 * worth), _view_with(_rival(asking_price=0.9 * worth))
    )
    assert poor.acquire is None
    assert strategy.decide(firm, _view_with(_rival(asking_price=None))).acquire is None


def test_shareholder_focused_pays_for_a_deal_out_of_its_payout():
    strategy = ShareholderFocused()
    firm = firm_view(acquisition_budget=1e9)
    without = strategy.decide(firm, market_view())
    with_deal = ShareholderFocused().decide(firm, _view_with(_rival(asking_price=100.0)))
    assert with_deal.acquire == "Rival"
    assert with_deal.payout == pytest.approx(max(0.0, without.payout - 100.0))


def test_customer_obsessed_buys_customers_when_they_outnumber_what_the_price_would_win():
    # Nobody knows the firm yet: its own plan serves no one and spends nothing, so the
    # rival's customers are worth buying whenever it can pay.
    strategy = CustomerObsessed()
    firm = firm_view(cash=400_000.0, fixed_cost=100.0, acquisition_budget=400_000.0)

    def _view_with(rival):
        return dataclasses.replace(market_view(aware=False), rivals=(rival,))

    strategy.decide(firm, market_view(aware=False))
    cheap = strategy.decide(firm, _view_with(_rival(asking_price=1000.0, cash=0.0)))
    assert cheap.acquire == "Rival"
    # a rival selling nothing adds no customers
    empty = _rival(last_quarter=quarter_report(units=0.0), asking_price=1.0)
    assert strategy.decide(firm, _view_with(empty)).acquire is None
    # a price beyond the acquisition budget (cash, credit headroom, shares) is out of reach
    dear = _rival(asking_price=firm.acquisition_budget + 1.0, cash=0.0)
    assert strategy.decide(firm, _view_with(dear)).acquire is None
    # the price counts less the cash that comes with the rival ...
    with_cash = _rival(asking_price=firm.acquisition_budget, cash=0.9 * firm.acquisition_budget)
    assert strategy.decide(firm, _view_with(with_cash)).acquire == "Rival"
    # ... and a deal that leaves the plan unfinanced (the rival's debts) is refused
    indebted = _rival(asking_price=0.0, cash=-10 * firm.cash)
    assert strategy.decide(firm, _view_with(indebted)).acquire is None


def test_customer_obsessed_prefers_reinvesting_when_the_rival_serves_few():
    strategy = CustomerObsessed()
    firm = firm_view(cash=80_000.0, fixed_cost=1000.0)
    few = _rival(last_quarter=quarter_report(units=1.0, variable_cost=22.0), asking_price=50_000.0)
    decision = strategy.decide(firm, _view_with(few))
    assert decision.acquire is None
