"""A class period: length, End, pause, markets, seats and claims, scoring, the log."""

from __future__ import annotations

import io
import itertools
import json
import time
import urllib.error
import urllib.request

import pytest

from sim.classroom.game import ClassGame
from sim.classroom.log import replay
from sim.classroom.scoring import parse_weights
from sim.classroom.seats import SeatTaken
from sim.classroom.server import start_in_thread
from sim.play.rules import forced_exit_in, plain_number, quarter_label
from sim.scenario import WEEKS_PER_QUARTER

CODES = ["AAAAAA", "BBBBBB", "CCCCCC"]


def three_in_two_markets(**kwargs) -> ClassGame:
    return ClassGame("baseline", 3, consumers=300, codes=CODES, markets=2, quarters=6, **kwargs)


def firm_table(game: ClassGame, market: int = 0):
    return game.markets[market].model.datacollector.get_table_dataframe("firms")


def table_bytes(game: ClassGame, market: int = 0) -> bytes:
    buffer = io.BytesIO()
    firm_table(game, market).to_parquet(buffer, index=False)
    return buffer.getvalue()


# ---------------------------------------------------------------------- shared rules


def test_plain_numbers_only_and_the_field_is_named():
    assert plain_number("price", "34.5") == 34.5
    assert plain_number("price", " 12 ") == 12.0
    assert plain_number("price", 7) == 7.0
    assert plain_number("price", "1e3") == 1000.0
    for raw, words in (
        ("34,5", "price: '34,5' has a comma"),
        ("1,250", "comma"),
        ("$36", "not a plain number"),
        ("1e400", "finite"),
        ("3 4", "not a plain number"),
        ("", "not a plain number"),
        ("nan", "finite"),
        (True, "not a number"),
    ):
        with pytest.raises(ValueError, match=words):
            plain_number("price", raw)


def test_quarters_are_counted_from_one_for_the_quarter_being_decided():
    assert quarter_label(0, 78) == "Quarter 1 of 6"
    assert quarter_label(13, 78) == "Quarter 2 of 6"
    assert quarter_label(78, 78) == "Game over: 6 of 6 quarters played"


def test_forced_exit_warning_counts_quarter_ends_beyond_the_line():
    # Cash 0, line 100, losing 60 a quarter: -60 (inside), -120 (beyond, 1 of 2): not yet.
    assert forced_exit_in(0.0, 100.0, -60.0, 0, 2) is None
    # Losing 120: -120 and -240 are both beyond the line, so out at the 2nd quarter end.
    assert forced_exit_in(0.0, 100.0, -120.0, 0, 2) == 2
    # Already beyond once and still beyond at the next quarter end: out at the 1st.
    assert forced_exit_in(-150.0, 100.0, 0.0, 1, 2) == 1
    # A firm climbing back inside its line resets the count.
    assert forced_exit_in(-150.0, 100.0, 100.0, 1, 2) is None


# ---------------------------------------------------------------------- length, end, pace


def test_six_quarters_in_two_markets_then_end_now_and_the_log_replays():
    game = three_in_two_markets()
    assert [(s.market, game.firm_of(s).name) for s in game.table] == [
        (0, "Obsessed 1"),
        (1, "Obsessed 1"),
        (0, "Shareholder 1"),
    ]
    assert game.horizon == 6 * WEEKS_PER_QUARTER
    for code, name in zip(CODES, ("Ann", "Bob", "Cy"), strict=True):
        game.join(code, name)
    for price in ("31", "33", "29.5"):
        for code in CODES:
            game.submit(code, {"price": price})
    assert game.quarter == 3 and game.status()["label"] == "Quarter 4 of 6"
    game.end(background=False)
    assert game.finished and game.model.week == game.markets[1].model.week == 78
    assert len(game.log) == 6
    # The students' last prices are kept through the quarters played out.
    assert firm_table(game, 1).query("name == 'Obsessed 1' and step > 39")["price"].eq(29.5).all()
    again = replay(game.log_json())
    for market in (0, 1):
        assert table_bytes(again, market) == table_bytes(game, market)
    logged = json.loads(game.log_json())
    assert logged["markets"] == 2 and logged["length"] == 6
    assert logged["events"][-1]["action"] == "end"
    rows = logged["quarters"][2]["outcomes"]
    ann = next(r for r in rows if r["seat"] == 1)
    assert ann["student"] == "Ann" and ann["market"] == 1 and ann["firm"] == "Obsessed 1"
    assert len(rows) == 2 * len(game.model.firms)


def test_markets_with_the_same_seed_and_no_students_are_alike():
    game = ClassGame("baseline", 2, consumers=300, markets=2, quarters=2)
    game.advance()
    assert table_bytes(game, 0) == table_bytes(game, 1)


def test_end_in_the_background_keeps_answering_and_stops_at_the_length():
    game = ClassGame("baseline", 1, consumers=300, codes=["AAAAAA"], quarters=5)
    game.end(background=True)
    deadline = time.time() + 60
    while not game.finished and time.time() < deadline:
        game.status()  # pages go on answering while the quarters play out
        time.sleep(0.01)
    game._end_thread.join(timeout=60)
    assert game.finished and not game.ending and game.model.week == 65


def test_length_is_set_before_the_first_quarter_only_and_checked():
    game = ClassGame("baseline", 1, consumers=300)
    with pytest.raises(ValueError, match="from 1 to 40"):
        game.configure(quarters=41)
    game.configure(quarters=3, seconds=90, rule="consumer_surplus")
    assert game.total_quarters == 3 and game.rule == "consumer_surplus"
    assert game.timer_seconds == 90
    game.advance()
    with pytest.raises(ValueError, match="before the first quarter"):
        game.configure(quarters=4)


def test_pause_keeps_the_seconds_left():
    game = ClassGame("baseline", 1, consumers=300)
    game.start_timer(100)
    game.deadline = time.time() + 40  # as if 60 s had passed
    game.pause()
    assert 39 <= game.status()["seconds_left"] <= 40
    game.resume()
    assert 38 <= game.deadline - time.time() <= 40


def test_seats_beyond_the_markets_firms_are_refused():
    with pytest.raises(ValueError, match="between 1 and 20"):
        ClassGame("baseline", 21, consumers=300, markets=2)


# ---------------------------------------------------------------------- seats


def test_a_code_holds_one_browser_unless_released_or_a_team_seat():
    game = three_in_two_markets()
    seat = game.seat_of("AAAAAA")
    first = game.claim(seat)
    assert game.claim(seat, first) == first
    with pytest.raises(SeatTaken, match="ask the instructor"):
        game.claim(seat)
    game.release(seat)
    second = game.claim(seat)
    with pytest.raises(SeatTaken):
        game.check_claim(seat, first)
    game.set_team(seat, True)
    third = game.claim(seat)
    assert seat.tokens == [second, third]
    game.join("AAAAAA", "Ann")
    game.join("AAAAAA", "Al")
    assert seat.student == "Ann & Al"


def test_a_failed_student_gets_a_new_firm_or_follows_one():
    game = three_in_two_markets()
    game.join("AAAAAA", "Ann")
    seat = game.seat_of("AAAAAA")
    game.firm_of(seat).exit(0, "insolvency")
    view = game.private_view(seat)
    assert not view["alive"] and "Ask the instructor" in view["next_step"]
    with pytest.raises(ValueError, match="left the market"):
        game.submit("AAAAAA", {"price": 30})
    game.make_analyst(seat, game.table[2])
    assert game.private_view(seat)["watching"]["firm"] == "Shareholder 1"
    free_seat = game.table[1]
    game.move(seat, free_seat)
    assert game.seat_of("AAAAAA") is free_seat and free_seat.student == "Ann"
    assert not seat.joined and "new firm" in free_seat.notices[-1]["text"]
    game.submit("AAAAAA", {"price": 30})  # decides for the new firm now (and advances)
    assert game.quarter == 1 and game.log[-1]["decisions"]["1"]["price"] == 30.0
    assert game.firm_of(free_seat).price == 30.0


def test_a_locked_seat_is_not_waited_for_and_cannot_submit():
    game = three_in_two_markets()
    game.join("AAAAAA", "Ann")
    game.join("BBBBBB", "Bob")
    game.set_locked(game.seat_of("BBBBBB"), True)
    with pytest.raises(ValueError, match="locked"):
        game.submit("BBBBBB", {"price": 30})
    game.submit("AAAAAA", {"price": 30})
    assert game.quarter == 1  # Bob's locked seat was not waited for


def test_freeing_a_seat_gives_the_firm_back_to_its_bot_and_replays():
    game = three_in_two_markets()
    game.join("AAAAAA", "Ann")
    game.submit("AAAAAA", {"price": 30})
    game.free(game.seat_of("AAAAAA"))
    game.advance()
    assert game.log[-1]["held"] == []
    again = replay(game.log_json())
    assert table_bytes(again) == table_bytes(game)


# ---------------------------------------------------------------------- scoring


def test_scores_are_the_books_summed_and_the_mix_is_shares_of_the_best():
    game = three_in_two_markets(rule="mix", weights={"cumulative_profit": 1, "consumer_surplus": 3})
    game.advance()
    game.advance()
    table = firm_table(game)
    standings = game.standings()
    rows = standings["markets"][0]
    for row in rows:
        mine = table[(table["name"] == row["firm"]) & (table["step"] > 0)]
        last = mine.iloc[-1]
        assert row["scores"]["cumulative_profit"] == pytest.approx(mine["profit"].sum())
        assert row["scores"]["customers_served"] == pytest.approx(mine["units"].sum())
        assert row["scores"]["consumer_surplus"] == pytest.approx(last["cumulative_customer_value"])
        assert row["scores"]["shareholder_value"] == pytest.approx(
            last["cumulative_payout"] + last["market_value"]
        )
    every = [r for market in standings["markets"] for r in market]
    best_profit = max(abs(r["scores"]["cumulative_profit"]) for r in every)
    best_surplus = max(abs(r["scores"]["consumer_surplus"]) for r in every)
    for row in every:
        expected = (
            row["scores"]["cumulative_profit"] / best_profit
            + 3 * row["scores"]["consumer_surplus"] / best_surplus
        ) / 4
        assert row["scores"]["mix"] == pytest.approx(expected)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(a["scores"]["mix"] >= b["scores"]["mix"] for a, b in itertools.pairwise(rows))
    assert [r["seat"] for r in standings["overall"]] and len(standings["overall"]) == 3
    assert {r["mindset"] for r in rows} == {"Obsessed", "Shareholder"}


def test_weights_are_checked():
    assert parse_weights("shareholder_value=2, consumer_surplus=1") == {
        "shareholder_value": 2.0,
        "consumer_surplus": 1.0,
    }
    for text, words in (("profit=1", "not one of"), ("shareholder_value", "score=number")):
        with pytest.raises(ValueError, match=words):
            parse_weights(text)
    with pytest.raises(ValueError, match="rule must be one of"):
        ClassGame("baseline", 1, consumers=300, rule="fun")


# ---------------------------------------------------------------------- the server


def _post(url, body):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_server_second_browser_release_broadcast_and_end():
    game = three_in_two_markets()
    server = start_in_thread(game)
    url, key = server.url, server.key
    try:
        first = _post(url + "api/join", {"code": "AAAAAA", "name": "Ann"})
        assert first["token"] and first["status"]["rule"] == "shareholder_value"
        with pytest.raises(urllib.error.HTTPError) as second:
            _post(url + "api/join", {"code": "AAAAAA", "name": "Eve"})
        assert second.value.code == 409
        assert "ask the instructor" in json.loads(second.value.read())["error"]
        again = _post(url + "api/seat", {"code": "AAAAAA", "token": first["token"]})
        assert again["student"] == "Ann"
        _post(url + "api/instructor", {"key": key, "action": "release", "seat": 1})
        taken = _post(url + "api/join", {"code": "AAAAAA", "name": "Ann"})
        assert taken["token"] != first["token"]
        with pytest.raises(urllib.error.HTTPError) as stale:
            _post(url + "api/seat", {"code": "AAAAAA", "token": first["token"]})
        assert stale.value.code == 409
        with pytest.raises(urllib.error.HTTPError) as comma:
            _post(
                url + "api/submit",
                {"code": "AAAAAA", "token": taken["token"], "decision": {"price": "34,5"}},
            )
        assert comma.value.code == 400 and "price" in json.loads(comma.value.read())["error"]
        _post(url + "api/instructor", {"key": key, "action": "message", "message": "Two minutes"})
        state = _post(url + "api/instructor", {"key": key, "action": "end"})
        assert state["status"]["messages"][-1]["text"] == "Two minutes"
        deadline = time.time() + 60
        while not game.finished and time.time() < deadline:
            time.sleep(0.05)
        public = json.loads(urllib.request.urlopen(url + "api/public").read())
        assert public["status"]["finished"] and public["status"]["label"].startswith("Game over")
        assert len(public["standings"]["markets"]) == 2
        assert all("cash" not in row for row in public["standings"]["overall"])
    finally:
        server.shutdown()
        server.server_close()


def test_class_command_checks_its_settings(capsys, tmp_path):
    from sim.cli.main import main

    base = ["class", "--consumers", "200", "--port", "0"]
    assert main([*base, "--quarters", "41"]) == 2
    assert "quarters must be a whole number from 1 to 40" in capsys.readouterr().err
    assert main([*base, "--rule", "mix", "--weights", "profit=1"]) == 2
    assert "--weights: 'profit' is not one of" in capsys.readouterr().err
    assert main([*base, "--seats", "61", "--markets", "6"]) == 2
    assert "between 1 and 60 (the firms of baseline x 6 markets)" in capsys.readouterr().err
    log = tmp_path / "game.json"
    ClassGame("baseline", 1, consumers=200, log_path=log).write_log()
    assert main(["class", "--resume", str(log), "--markets", "2"]) == 2
    assert "drop --markets" in capsys.readouterr().err


def test_a_seat_sinking_past_its_credit_line_is_warned_on_both_pages():
    game = three_in_two_markets()
    game.advance()
    seat = game.table[0]
    market = game.markets[0]
    firm = game.firm_of(seat)
    assert game.private_view(seat)["warning"] is None
    line = market.model.finance.account(firm).credit_limit
    firm.cash = -0.5 * line
    market.cash_flow[firm.slot] = -0.6 * line  # two more such quarters: beyond twice
    warning = game.private_view(seat)["warning"]
    assert "forced out of the market within 2 quarters" in warning

    from sim.play import Game

    play = Game("baseline", steps=13 * 6, overrides={"consumers.count": 1500})
    briefing = play.begin()
    warned = []
    while briefing is not None:
        warned.append(briefing.exit_warning)
        cheap = briefing.defaults.with_entries({"price": 5.0, "experience": 50_000.0})
        briefing = play.submit(cheap)
    assert warned[0] is None and any(w and "forced out" in w for w in warned)


def test_instructor_requests_with_bad_fields_are_refused_by_name():
    game = three_in_two_markets()
    server = start_in_thread(game)
    try:
        for body, words in (
            ({"action": "lock", "seat": "first"}, "seat"),
            ({"action": "lock", "seat": 9}, "seat"),
            ({"action": "move", "seat": 1}, "target"),
            ({"action": "setup", "weights": [1, 2]}, "weights"),
            ({"action": "setup", "rule": "luck"}, "rule must be one of"),
            ({"action": "message", "message": {"text": "x"}}, "message"),
            ({"action": "message", "message": "   "}, "type the text"),
        ):
            with pytest.raises(urllib.error.HTTPError) as refused:
                _post(server.url + "api/instructor", {"key": server.key, **body})
            assert refused.value.code == 400
            assert words in json.loads(refused.value.read())["error"], body
    finally:
        server.shutdown()
        server.server_close()
