"""A class game's debrief: replayed from its log, ghosts, turning points, one HTML file.

A short class game (baseline, 3 seats in 2 markets, 1,000 consumers, 3 quarters) is
played and logged; ``flywheel report LOG`` writes the debrief; the HTML names no outside
address; the replay of each market alone gives the logged outcomes; a ghost run by a
seat's own bot strategy retraces the bot's path; the turning points follow the rule
in their docstring, checked on numbers set by hand.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from sim.classroom.game import ClassGame
from sim.cli.main import main
from sim.reports.debrief import (
    FirmQuarter,
    SeatRecord,
    looks_like_class_log,
    play_market,
    read_class_log,
    turning_points,
)

CODES = ["ANNANN", "BOBBOB", "CYCYCY"]


def play_short_game(log: Path, quarters: int = 3) -> ClassGame:
    """Ann (seat 1, market 1) and Bob (seat 2, market 2) play; seat 3 stays a bot."""
    game = ClassGame(
        "baseline", 3, consumers=1000, codes=CODES, markets=2, quarters=quarters, log_path=log
    )
    game.join("ANNANN", "Ann")
    game.join("BOBBOB", "Bob")
    for quarter in range(quarters):
        for code, price, spend in (("ANNANN", 30 + 4 * quarter, 200), ("BOBBOB", 60, 0)):
            game.submit(
                code,
                {
                    "price": price,
                    "spend_experience": spend,
                    "spend_selection": 0,
                    "spend_efficiency": 0,
                    "spend_innovation": 0,
                    "payout": 0,
                },
            )
    assert game.finished
    return game


@pytest.fixture(scope="module")
def class_log(tmp_path_factory) -> Path:
    log = tmp_path_factory.mktemp("class") / "period.json"
    play_short_game(log)
    return log


@pytest.fixture(scope="module")
def debrief_page(class_log) -> Path:
    assert main(["report", str(class_log)]) == 0
    out = class_log.with_name("period-debrief.html")
    assert out.is_file()
    return out


@pytest.mark.slow
def test_report_writes_one_self_contained_debrief(debrief_page, class_log):
    text = debrief_page.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text), "the debrief names an outside address"
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", text)
    assert 'id="standings"' in text
    assert text.count('<img src="data:image/png;base64,') >= 3  # two seats and a market
    for name in ("Ann", "Bob"):
        assert f"Seat {1 if name == 'Ann' else 2}: {name}, playing" in text
    for label in ("shareholder value", "cumulative profit", "customers served"):
        assert label in text
    assert "customer-obsessed ghost" in text and "shareholder-focused ghost" in text
    assert "the market&#x27;s best bot (" in text or "the market's best bot (" in text
    assert "Where the decisions made the difference" in text
    assert looks_like_class_log(class_log)
    assert not looks_like_class_log(class_log.parent)


@pytest.mark.slow
def test_the_debrief_is_the_same_bytes_on_one_process_as_on_several(
    debrief_page, class_log, tmp_path
):
    again = tmp_path / "again.html"
    assert main(["report", str(class_log), "--out", str(again), "--workers", "2"]) == 0
    first = debrief_page.read_text(encoding="utf-8").replace(str(class_log), "LOG")
    second = again.read_text(encoding="utf-8").replace(str(class_log), "LOG")
    assert first == second


def test_each_market_replayed_alone_gives_the_logged_outcomes(class_log):
    data = read_class_log(class_log)
    for number in range(2):
        market = play_market(data, number)
        for position, quarter in enumerate(data["quarters"]):
            rows = [row for row in quarter["outcomes"] if row["market"] == number + 1]
            assert rows
            for row in rows:
                mine = market.paths[row["firm"]][position]
                assert round(mine.price, 4) == row["price"]
                assert round(mine.cash, 2) == row["cash"]
                assert mine.alive == row["alive"]
                for score in ("shareholder_value", "cumulative_profit", "customers_served"):
                    assert round(mine.scores[score], 2) == row[score]


def test_a_ghost_run_by_the_seats_own_strategy_retraces_its_bot(class_log):
    """Seat 3 (index 2, market 1) is nobody's: its bot is the scenario's shareholder-focused
    strategy, so its shareholder-focused ghost is the same run; the student's ghost is not."""
    data = read_class_log(class_log)
    played = play_market(data, 0)
    bot_firm = "Shareholder 1"
    assert played.seat_slot == {0: 0, 2: 5} and played.model.firms[5].name == bot_firm
    ghost = play_market(data, 0, (2, "shareholder_focused"))
    assert ghost.paths[bot_firm] == played.paths[bot_firm]
    ann_ghost = play_market(data, 0, (0, "customer_obsessed"))
    assert ann_ghost.paths["Obsessed 1"] != played.paths["Obsessed 1"]
    assert [q.price for q in played.paths["Obsessed 1"]] == [30.0, 34.0, 38.0]


def quarter(number: int, price: float, spend: float, value: float) -> FirmQuarter:
    scores = dict.fromkeys(("cumulative_profit", "customers_served", "consumer_surplus"), 0.0)
    return FirmQuarter(
        number, True, price, spend, 0.0, 0.0, 0.0, {**scores, "shareholder_value": value}
    )


def test_turning_points_follow_the_rule_on_numbers_set_by_hand():
    seat = SeatRecord(
        1,
        1,
        "Obsessed 1",
        "Obsessed",
        "Ann",
        [quarter(1, 10, 100, 50), quarter(2, 20, 0, 40), quarter(3, 10, 100, 70)],
        {
            "customer_obsessed": [
                quarter(1, 10, 100, 50),
                quarter(2, 10, 0, 60),
                quarter(3, 10, 50, 65),
            ],
            "shareholder_focused": [
                quarter(1, 12, 100, 45),
                quarter(2, 16, 0, 41),
                quarter(3, 8, 100, 70),
            ],
        },
    )
    points = turning_points(seat, "shareholder_value", count=2)
    # departures: q1 0 | 2/12; q2 10/10 | 4/16; q3 0 + 50/100 | 2/8
    assert [(p.quarter, p.ghost) for p in points] == [
        (2, "customer_obsessed"),
        (3, "customer_obsessed"),
    ]
    assert points[0].departure == pytest.approx(1.0)
    assert points[0].gap == 40 - 60 and points[0].gap_next == 70 - 65
    assert points[1].departure == pytest.approx(0.5) and points[1].gap_next is None


def test_a_bad_log_is_named_and_nothing_written(tmp_path, capsys):
    log = tmp_path / "broken.json"
    log.write_text(json.dumps({"scenario": "baseline", "seats": 2, "quarters": "x"}))
    assert looks_like_class_log(log)
    assert main(["report", str(log)]) == 2
    err = capsys.readouterr().err
    assert str(log) in err and "quarters: must be a list" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [log]


def test_a_game_not_started_has_nothing_to_debrief(tmp_path, capsys):
    log = tmp_path / "unplayed.json"
    ClassGame("baseline", 2, consumers=300, log_path=log).write_log()
    assert main(["report", str(log)]) == 2
    assert "nothing to debrief" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [log]


def test_workers_below_one_are_refused(class_log, capsys):
    assert main(["report", str(class_log), "--workers", "0", "--out", "x.html"]) == 2
    assert "--workers" in capsys.readouterr().err


@pytest.mark.slow
def test_the_instructor_button_answers_the_debrief_and_writes_it_beside_the_log(tmp_path):
    from sim.classroom.server import start_in_thread

    log = tmp_path / "lesson.json"
    game = play_short_game(log, quarters=2)
    server = start_in_thread(game)
    try:
        request = urllib.request.Request(
            f"{server.url}api/instructor",
            data=json.dumps({"key": server.key, "action": "debrief"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.loads(response.read())
    finally:
        server.shutdown()
        server.server_close()
    assert answer["written"] == "lesson-debrief.html"
    written = (tmp_path / "lesson-debrief.html").read_text(encoding="utf-8")
    assert written == answer["html"]
    assert 'id="standings"' in written and "Ann" in written
