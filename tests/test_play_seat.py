"""The one seat a person's firm runs through: asked by play, submitted to by a class."""

from __future__ import annotations

import pytest

from sim.classroom.form import form_decision, form_values, parse_decision
from sim.model.market import MarketModel
from sim.play.decisions import SeatDecision
from sim.play.seat import PlayerSeat, model_decision
from sim.scenario import WEEKS_PER_QUARTER, load_scenario
from sim.strategies.registry import resolve_strategy

SEAT = "Obsessed 1"


def small_model(seat: PlayerSeat) -> MarketModel:
    scenario = load_scenario("baseline", {"consumers.count": 300, "steps": 3 * WEEKS_PER_QUARTER})
    return MarketModel(scenario, seed="scenario", seats={SEAT: seat})


def firm_named(model: MarketModel, name: str = SEAT):
    return next(firm for firm in model.firms if firm.name == name)


def test_a_submitted_decision_goes_in_at_the_quarter_start_and_is_recorded():
    seat = PlayerSeat()  # no bot: a person holds it throughout
    model = small_model(seat)
    firm = firm_named(model)
    firm.decision_lag = 0
    marketing = firm.marketing_spend
    seat.submit(SeatDecision(price=33.0, experience=120.0, marketing=None))
    assert seat.start_quarter(model, firm) == seat.decisions[0]
    assert seat.pending is None and firm.price == 33.0 and firm.spend_experience == 120.0
    assert firm.marketing_spend == marketing  # None keeps the marketing in force
    for _ in range(WEEKS_PER_QUARTER):
        model.step()
    assert firm.price == 33.0  # at the decision moment the seat kept the plan in force
    assert seat.start_quarter(model, firm) is None  # nothing kept: nothing goes in
    assert len(seat.decisions) == 1


def test_a_submitted_seat_holds_for_its_person_and_lets_its_bot_decide_otherwise():
    calls = []

    class Bot(resolve_strategy("shareholder_focused")):
        def decide(self, firm, view):
            calls.append(firm.week)
            return super().decide(firm, view)

    bot = Bot()
    seat = PlayerSeat(bot=bot)
    assert not seat.held and seat.params is bot.params and seat.traits is bot.traits
    model = small_model(seat)
    firm = firm_named(model)
    opening = firm.price  # the opening keeps the scenario's plan, even with nobody in
    seat.held = True
    for _ in range(WEEKS_PER_QUARTER):
        model.step()
    assert calls == [] and firm.price == opening and firm.cumulative_payout == 0.0
    seat.held = False
    for _ in range(WEEKS_PER_QUARTER):
        model.step()
    assert calls == [2 * WEEKS_PER_QUARTER]


def test_asked_seat_asks_once_per_moment_and_keeps_the_plan_when_told_nothing():
    asked = []

    def source(firm, view, options, current):
        asked.append(firm.week)
        return None if firm.week >= WEEKS_PER_QUARTER else SeatDecision(price=31.0, payout=5.0)

    seat = PlayerSeat(source, plan=SeatDecision(price=40.0))
    model = small_model(seat)
    for _ in range(WEEKS_PER_QUARTER):
        model.step()
    assert asked == [0, WEEKS_PER_QUARTER]
    assert seat.decisions == [SeatDecision(price=31.0, payout=5.0)]
    assert seat.plan == SeatDecision(price=31.0)  # the payout is paid once
    with pytest.raises(RuntimeError, match="decision source"):
        PlayerSeat(plan=SeatDecision(price=1.0)).decision_for(
            model.firm_view(firm_named(model)), model.market_view(firm_named(model))
        )


def test_the_class_form_and_the_play_decision_make_the_same_model_decision():
    form = {"price": "34.5", "spend_experience": 100, "spend_innovation": "", "payout": 20}
    decision = parse_decision(form, cash=1_000.0)
    assert form_decision(form_values(decision)) == decision
    played = SeatDecision(price=34.5, experience=100.0, payout=20.0, marketing=None)
    assert model_decision(decision) == model_decision(played)
    made = model_decision(decision)
    assert (made.price, made.spend_experience, made.spend_innovation, made.payout) == (
        34.5,
        100.0,
        0.0,
        20.0,
    )
    assert made.extra == {"marketing_spend": None} and made.marketing_spend is None


def test_decisions_that_do_not_go_together_are_refused_before_they_wait():
    seat = PlayerSeat()
    with pytest.raises(ValueError, match="free_returns needs guarantee"):
        seat.submit(SeatDecision(price=10.0, free_returns=True))
    assert seat.pending is None
