"""The classroom game: seats as decision sources, the quarter loop, the log and its replay."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request

import pytest

from sim.classroom.game import ClassGame, parse_decision, seat_slots
from sim.classroom.log import replay
from sim.classroom.server import start_in_thread
from sim.play.seat import PlayerSeat
from sim.scenario import WEEKS_PER_QUARTER, load_scenario

CODES = ["AAAAAA", "BBBBBB"]


def game(**kwargs) -> ClassGame:
    return ClassGame("baseline", 2, consumers=300, codes=CODES, **kwargs)


def firm_of(g: ClassGame, code: str):
    return g.model.firms[g.seat_of(code).slot]


def table_bytes(g: ClassGame) -> bytes:
    buffer = io.BytesIO()
    g.model.datacollector.get_table_dataframe("firms").to_parquet(buffer, index=False)
    return buffer.getvalue()


def test_seats_take_one_firm_of_each_group_in_turn():
    slots = seat_slots(load_scenario("baseline"))
    assert slots[:4] == [0, 5, 1, 6]
    g = game()
    assert [firm_of(g, c).name for c in CODES] == ["Obsessed 1", "Shareholder 1"]
    assert all(isinstance(firm_of(g, c).strategy, PlayerSeat) for c in CODES)


def test_a_submitted_decision_is_what_the_firm_does():
    g = game()
    g.join("aaaaaa", "Ann")  # codes are not case sensitive
    g.submit("AAAAAA", {"price": 33.5, "spend_experience": 120, "payout": 0})
    assert g.model.week == WEEKS_PER_QUARTER  # the only joined seat submitted: advanced
    firm = firm_of(g, "AAAAAA")
    assert firm.price == 33.5 and firm.spend_experience == 120
    rows = g.model.datacollector.get_table_dataframe("firms")
    mine = rows[(rows["name"] == firm.name) & (rows["step"].between(1, WEEKS_PER_QUARTER))]
    assert (mine["price"] == 33.5).all()


def test_held_seat_pays_nothing_out_while_its_bot_would():
    g = game()
    bot_firm = firm_of(g, "BBBBBB")  # a shareholder-focused firm, left to its bot
    g.join("AAAAAA")
    g.join("BBBBBB")
    held = firm_of(g, "BBBBBB").strategy
    assert held.held
    g.submit("AAAAAA", {"price": 30})
    g.submit("BBBBBB", {"price": 40})
    assert bot_firm.cumulative_payout == 0.0


def test_waits_for_every_joined_seat_then_advances():
    g = game()
    g.join("AAAAAA")
    g.join("BBBBBB")
    g.submit("AAAAAA", {"price": 30})
    assert g.model.week == 0 and [s.index for s in g.waiting_for()] == [1]
    g.submit("BBBBBB", {"price": 40})
    assert g.model.week == WEEKS_PER_QUARTER
    assert all(seat.submitted is None for seat in g.table)


def test_timer_and_pause():
    g = game()
    g.join("AAAAAA")
    g.start_timer(60)
    assert not g.maybe_advance(now=g.deadline - 1)
    g.paused = True
    assert not g.maybe_advance(now=g.deadline + 1)
    g.paused = False
    assert g.maybe_advance(now=g.deadline + 1)
    assert g.model.week == WEEKS_PER_QUARTER
    assert g.log[-1]["decisions"] == {}  # nobody submitted: the held firm kept its plan


def test_never_runs_past_the_horizon():
    g = ClassGame("validation/logit_nash", 1, consumers=200, codes=["AAAAAA"])
    while not g.finished:
        g.advance()
    assert g.model.week == g.horizon
    assert g.advance() == 0
    g.join("AAAAAA")
    with pytest.raises(ValueError, match="horizon"):
        g.submit("AAAAAA", {"price": 10})


def test_bad_decisions_are_rejected_with_every_problem():
    with pytest.raises(ValueError) as error:
        parse_decision({"price": "-1", "spend_selection": "lots", "payout": 5e9}, cash=1000.0)
    text = str(error.value)
    assert "price" in text and "spend_selection" in text and "payout" in text


def test_a_code_opens_only_its_own_seat():
    g = game()
    with pytest.raises(KeyError):
        g.join("ZZZZZZ")
    with pytest.raises(ValueError, match="join"):
        g.submit("BBBBBB", {"price": 30})


def test_replaying_the_log_gives_the_same_bytes():
    g = game()
    g.join("AAAAAA", "Ann")
    g.submit("AAAAAA", {"price": 31, "spend_selection": 50})
    g.join("BBBBBB", "Bob")  # joins in quarter 2
    g.submit("AAAAAA", {"price": 29})
    g.submit("BBBBBB", {"price": 45, "payout": 100})
    g.advance()  # nobody submitted this quarter
    again = replay(g.log_json())
    assert again.model.week == g.model.week == 3 * WEEKS_PER_QUARTER
    assert table_bytes(again) == table_bytes(g)
    other = json.loads(g.log_json())
    other["quarters"][0]["decisions"]["0"]["price"] = 35.0
    assert table_bytes(replay(json.dumps(other))) != table_bytes(g)


def test_log_file_is_written_after_each_quarter(tmp_path):
    path = tmp_path / "game.json"
    g = game(log_path=path)
    g.advance()
    assert json.loads(path.read_text())["quarters"][0]["week"] == 0


def _post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_server_keeps_seats_apart_and_needs_the_instructor_key():
    server = start_in_thread(game())
    try:
        url = server.url
        seat = _post(url + "api/join", {"code": "AAAAAA", "name": "Ann"})
        assert seat["private"]["firm"] == "Obsessed 1"
        with pytest.raises(urllib.error.HTTPError) as wrong:
            _post(url + "api/submit", {"code": "CCCCCC", "decision": {"price": 1}})
        assert wrong.value.code == 403
        with pytest.raises(urllib.error.HTTPError) as not_joined:
            _post(url + "api/seat", {"code": "BBBBBB"})
        assert not_joined.value.code == 403
        with pytest.raises(urllib.error.HTTPError) as no_key:
            _post(url + "api/instructor", {"key": "guess", "action": "advance"})
        assert no_key.value.code == 403
        state = _post(url + "api/instructor", {"key": server.key, "action": "advance"})
        assert state["status"]["week"] == WEEKS_PER_QUARTER
        public = json.loads(urllib.request.urlopen(url + "api/public").read())
        assert "submitted" not in json.dumps(public["leaderboard"])
        assert "codes" not in public
    finally:
        server.shutdown()
        server.server_close()


def test_class_command_rejects_too_many_seats(capsys):
    from sim.cli.main import main

    assert main(["dashboard", "--class", "--seats", "99", "--consumers", "200"]) == 2
    assert "seats must be between 1 and 10" in capsys.readouterr().err
