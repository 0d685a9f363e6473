"""Strategy contract (every strategy inherits it) and behaviour of the built-in ones."""

import dataclasses
import math

import numpy as np
import pytest
from builders import firm_view, market_view, quarter_report, tiny_scenario
from pydantic import BaseModel, ValidationError
from scipy.optimize import minimize_scalar
from user_strategy import FixedMarkup

import sim
from sim.strategies import CustomerObsessed, ShareholderFocused
from sim.strategies.base import (
    Decision,
    RivalView,
    Strategy,
    StrategyParams,
)
from sim.strategies.registry import resolve_strategy

UNHAPPY = quarter_report(
    units=650.0, customers=300, customer_growth=-0.2, repeat_rate=0.1, satisfaction=-0.5
)

SITUATIONS = {
    "comfortable": ({}, {}),
    "first_decision": (
        {
            "week": 0,
            "quarter": 0,
            "last_quarter": quarter_report(),
            "previous_quarter": quarter_report(),
        },
        {"quarter": 0},
    ),
    "below_cash_floor": ({"cash": 10_000.0}, {}),
    "negative_cash": ({"cash": -25_000.0}, {}),
    "no_sales_last_quarter": ({"cash": 5_000.0, "last_quarter": quarter_report()}, {}),
    "unhappy_customers": ({"last_quarter": UNHAPPY}, {}),
    "nobody_aware": ({}, {"aware": False}),
    "last_slot": ({"price": 35.0}, {"own": 2}),
    "cheap_producer": ({"unit_cost": 0.5, "efficiency": 0.3, "cash": 1e6}, {}),
}


class StrategyContract:
    """Every strategy must pass these. Subclasses set ``strategy_class`` and ``spec``."""

    strategy_class: type[Strategy]
    spec: str  # how a scenario names it
    params: dict = {}  # read-only class default

    def make(self) -> Strategy:
        return self.strategy_class(**self.params)

    def test_is_a_strategy(self):
        assert issubclass(self.strategy_class, Strategy)

    def test_has_name(self):
        name = self.strategy_class.name
        assert isinstance(name, str)
        assert name
        assert name != Strategy.name
        assert name.isidentifier()

    def test_has_traits(self):
        traits = self.strategy_class.traits
        assert isinstance(traits, dict)
        assert traits
        assert all(isinstance(key, str) for key in traits)
        assert {"pricing", "payout"} <= set(traits)

    def test_params_are_pydantic_and_strict(self):
        params = self.strategy_class.Params
        assert issubclass(params, BaseModel)
        assert issubclass(params, StrategyParams)
        assert params.model_config.get("extra") == "forbid"
        assert isinstance(self.make().params, params)

    def test_unknown_param_raises(self):
        with pytest.raises(ValidationError, match="no_such_parameter"):
            self.strategy_class(no_such_parameter=1)

    def test_param_fields_are_documented(self):
        for name, field in self.strategy_class.Params.model_fields.items():
            assert field.description, name

    def test_resolves_from_scenario_name(self):
        assert resolve_strategy(self.spec) is self.strategy_class

    @pytest.mark.parametrize("situation", list(SITUATIONS))
    def test_decide_returns_valid_decision(self, situation):
        firm_changes, view_changes = SITUATIONS[situation]
        decision = self.make().decide(firm_view(**firm_changes), market_view(**view_changes))
        assert isinstance(decision, Decision)
        for field in ("price", "spend_experience", "spend_selection", "spend_efficiency", "payout"):
            value = getattr(decision, field)
            assert math.isfinite(value), field
            assert value >= 0, field
        assert isinstance(decision.note, str)

    def test_decide_does_not_modify_what_it_sees(self):
        firm, view = firm_view(), market_view()
        before = {
            field.name: np.copy(getattr(view.research, field.name))
            for field in dataclasses.fields(view.research)
        }
        self.make().decide(firm, view)
        for name, value in before.items():
            np.testing.assert_array_equal(getattr(view.research, name), value, err_msg=name)

    def test_same_inputs_same_decision(self):
        first = self.make().decide(firm_view(), market_view())
        second = self.make().decide(firm_view(), market_view())
        assert first == second

    def test_valid_over_a_sequence_of_quarters(self):
        strategy = self.make()
        for quarter in range(9):
            cash = 80_000.0 - 15_000.0 * quarter
            decision = strategy.decide(
                firm_view(quarter=quarter, week=13 * quarter, cash=cash),
                market_view(quarter=quarter),
            )
            assert isinstance(decision, Decision)

    def test_acquires_only_a_rival_offered_to_it(self):
        report = quarter_report(units=650.0, revenue=650 * 32.0, variable_cost=650 * 22.0)
        rival = RivalView(
            2, "Rival", "x", 32.0, True, slot=1, last_quarter=report, asking_price=10.0
        )
        view = dataclasses.replace(market_view(), rivals=(rival,))
        for firm in (firm_view(acquisition_budget=1e6), firm_view(cash=-25_000.0)):
            decision = self.make().decide(firm, view)
            assert decision.acquire in (None, "Rival")
        closed = dataclasses.replace(rival, asking_price=None)
        view = dataclasses.replace(market_view(), rivals=(closed,))
        assert self.make().decide(firm_view(acquisition_budget=1e6), view).acquire is None

    def test_runs_in_a_model(self):
        data = tiny_scenario(
            firms=[
                {"name": "Under test", "strategy": self.spec, "strategy_params": self.params},
                {"name": "Rival", "strategy": "user_strategy:FixedMarkup"},
            ],
            steps=27,
        )
        firms = sim.run(data).firms
        mine = firms[firms["name"] == "Under test"]
        assert (mine["strategy"] == self.strategy_class.name).all()
        assert np.isfinite(mine.select_dtypes("number").to_numpy(float)).all()


class TestCustomerObsessedContract(StrategyContract):
    strategy_class = CustomerObsessed
    spec = "customer_obsessed"


class TestShareholderFocusedContract(StrategyContract):
    strategy_class = ShareholderFocused
    spec = "shareholder_focused"


class TestUserStrategyContract(StrategyContract):
    strategy_class = FixedMarkup
    spec = "user_strategy:FixedMarkup"
    params = {"markup": 0.3}


def test_every_registered_strategy_has_a_contract_test():
    tested = {
        cls.strategy_class for cls in (TestCustomerObsessedContract, TestShareholderFocusedContract)
    }
    assert set(sim.strategies.STRATEGIES.values()) == tested


# ---------------------------------------------------------------------------
# Customer obsessed (the planner itself is tested in test_planner.py)


def spends(decision):
    return decision.spend_experience + decision.spend_selection + decision.spend_efficiency


@pytest.mark.parametrize(("thin_margin", "price"), [(0.15, 23.0), (0.1, 22.0), (0.0, 20.0)])
def test_customer_obsessed_prices_at_a_markup_over_cost(thin_margin, price):
    # Only the thin margin is a markup candidate and nobody knows the firm, so every plan
    # serves no one; the tie goes to the first candidate, the thin markup on unit cost.
    decision = CustomerObsessed(thin_margin=thin_margin, margin_multiples=[1.0]).decide(
        firm_view(unit_cost=20.0, cash=80_000.0, fixed_cost=0.0), market_view(aware=False)
    )
    assert decision.price == pytest.approx(price)


def test_customer_obsessed_passes_cost_savings_on():
    strategy = CustomerObsessed(margin_multiples=[1.0])
    high = strategy.decide(firm_view(unit_cost=20.0, fixed_cost=0.0), market_view(aware=False))
    low = strategy.decide(firm_view(unit_cost=16.0, fixed_cost=0.0), market_view(aware=False))
    assert low.price == pytest.approx(16.0 * 1.15)
    assert high.price - low.price == pytest.approx(4.0 * 1.15)


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_customer_obsessed_payout_share(share):
    # Nobody knows the firm: its plan spends nothing, its cash path falls by its fixed
    # cost, and it may pay out `share` of what the plan does not need, from earnings.
    firm = firm_view(cash=200_000.0, fixed_cost=100.0)
    strategy = CustomerObsessed(payout_share=share)
    decision = strategy.decide(firm, market_view(aware=False))
    assert spends(decision) == 0.0
    drawdown = 156 * 100.0  # three years of fixed cost, no revenue
    reserve = 13 * 100.0
    assert decision.payout == pytest.approx(share * (200_000.0 - drawdown - reserve))


def test_customer_obsessed_metrics_steer_allocation():
    decision = CustomerObsessed().decide(
        firm_view(cash=39_000.0, last_quarter=UNHAPPY), market_view()
    )
    # disappointed customers: experience at least as large as selection; a shrinking base:
    # selection at least a third of experience
    assert decision.spend_experience >= decision.spend_selection - 1e-9
    assert 3 * decision.spend_selection >= decision.spend_experience - 1e-9


def test_customer_obsessed_replans_every_quarter_and_never_cuts_experiments():
    strategy = CustomerObsessed()
    first = strategy.decide(firm_view(quarter=0, innovation_budget=500.0), market_view(0))
    plan = strategy.plan
    second = strategy.decide(firm_view(quarter=1, innovation_budget=500.0), market_view(1))
    assert strategy.plan is not plan
    assert first.spend_innovation == second.spend_innovation == 500.0


# ---------------------------------------------------------------------------
# Shareholder focused


@pytest.mark.parametrize("cash", [50_000.0, 80_000.0, 10_000.0, -5.0])
def test_shareholder_focused_pays_out_what_the_plan_does_not_need(cash):
    # Nobody knows the firm: its plan spends nothing and loses its fixed cost for a year;
    # it keeps that and a quarter's reserve, and pays out the rest (nothing in debt).
    decision = ShareholderFocused().decide(
        firm_view(cash=cash, fixed_cost=100.0), market_view(aware=False)
    )
    assert decision.payout == pytest.approx(max(0.0, cash - 52 * 100.0 - 13 * 100.0))


def independent_expected_profit(price, firm, research):
    """(p - c) * sum_i w_i P_i(own), utilities written out by hand."""
    prices = research.price.copy()
    prices[research.own] = price
    utilities = (
        research.quality[None, :]
        - research.price_sensitivity[:, None] * prices[None, :]
        + research.selection_taste[:, None] * np.log(research.selection)[None, :]
        + research.experience_taste[:, None]
        * (research.experience[None, :] - research.expectation[:, None])
    )
    for i, last in enumerate(research.last_firm):
        if last >= 0:
            utilities[i, last] += research.habit_strength[i]
    expo = np.where(research.available, np.exp(utilities), 0.0)
    share = expo[:, research.own] / (math.exp(research.outside_utility) + expo.sum(axis=1))
    return (price - firm.unit_cost) * float(research.weights @ share)


@pytest.mark.parametrize("own", [0, 1, 2])
def test_shareholder_focused_price_maximises_expected_profit(own):
    firm, view = firm_view(unit_cost=20.0), market_view(own=own)
    decision = ShareholderFocused().decide(firm, view)
    best = minimize_scalar(
        lambda p: -independent_expected_profit(p, firm, view.research),
        bounds=(20.0, 200.0),
        method="bounded",
        options={"xatol": 1e-9},
    )
    assert decision.price == pytest.approx(best.x, rel=1e-5)


def test_shareholder_focused_replans_when_quarter_misses_plan():
    strategy = ShareholderFocused()
    first = strategy.decide(firm_view(quarter=0, week=0), market_view(quarter=0))
    assert first.note == "annual plan"
    plan = strategy.plan
    target = 13.0 * plan.surplus[0]

    on_plan = quarter_report(units=650.0, operating_profit=target + 1000.0, investment=1000.0)
    decision = strategy.decide(firm_view(last_quarter=on_plan), market_view(quarter=1))
    assert strategy.plan is plan
    assert decision.note == ""

    missed = quarter_report(
        units=650.0, operating_profit=target - 0.5 * abs(target) - 1000.0, investment=0.0
    )
    decision = strategy.decide(firm_view(last_quarter=missed, quarter=2), market_view(quarter=2))
    assert strategy.plan is not plan
    assert "re-planned" in decision.note


def test_shareholder_focused_small_miss_within_threshold_keeps_plan():
    strategy = ShareholderFocused(plan_miss_threshold=0.2)
    strategy.decide(firm_view(quarter=0, week=0), market_view(quarter=0))
    plan = strategy.plan
    target = 13.0 * plan.surplus[0]
    slight = quarter_report(operating_profit=target - 0.1 * abs(target), investment=0.0)
    strategy.decide(firm_view(last_quarter=slight), market_view(quarter=1))
    assert strategy.plan is plan


def test_shareholder_focused_replans_every_year():
    strategy = ShareholderFocused()
    strategy.decide(firm_view(quarter=0, week=0), market_view(quarter=0))
    plan = strategy.plan
    decision = strategy.decide(firm_view(quarter=4, week=52), market_view(quarter=4))
    assert decision.note == "annual plan"
    assert strategy.plan is not plan
    assert strategy.period == 1


def test_shareholder_focused_never_invests_in_zero_return_plan():
    # With no one aware of the firm, no spend can pay back: the plan spends nothing.
    decision = ShareholderFocused().decide(firm_view(), market_view(aware=False))
    assert spends(decision) == 0.0


def test_fixed_markup_user_strategy():
    decision = FixedMarkup(markup=0.25).decide(firm_view(unit_cost=20.0), market_view())
    assert decision.price == pytest.approx(25.0)
    assert spends(decision) == 0.0
