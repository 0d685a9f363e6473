"""The dashboard's Play page over HTTP: one sim.play game per tab, checked entries, the end."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pandas as pd
import pytest

from sim.cli.main import main
from sim.dashboard.play import GameExpired, PlayGames
from sim.dashboard.server import start_in_thread
from sim.play.decisions import parse_decision_text
from sim.play.terminal import ask_decision

WEEKS = 52
SMALL = 5000  # baseline money (fixed cost, experiment budget) is set for 2,000 consumers a firm
START = {"scenario": "baseline", "steps": WEEKS, "consumers": SMALL}


@pytest.fixture()
def server(tmp_path):
    running = start_in_thread(play_out=tmp_path / "games")
    yield running
    running.shutdown()
    running.server_close()


def request(server, path, body=None, raw: bytes | None = None):
    """(status, decoded JSON) of a POST (or a GET when neither body nor raw is given)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(server.url.rstrip("/") + path, data=data)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            payload = response.read()
            kind = response.headers["Content-Type"]
            return response.status, json.loads(payload) if "json" in kind else payload
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def start(server, session="tab-one", **settings):
    status, state = request(server, "/api/play/start", {"session": session, **START, **settings})
    assert status == 200, state
    return state


def test_options_list_the_seats_and_the_decisions(server):
    status, options = request(server, "/api/play/options", {"scenario": "baseline"})
    assert status == 200
    assert options["seats"][0] == "Obsessed 1" and len(options["seats"]) == 10
    assert (options["seed"], options["steps"]) == (42, 520)
    assert [f["name"] for f in options["fields"]][:2] == ["price", "experience"]


def test_start_gives_the_first_briefing_and_a_form_with_the_values_in_force(server):
    state = start(server)
    assert state["game"] == {
        "scenario": "baseline",
        "seed": 42,
        "seat": "Obsessed 1",
        "steps": WEEKS,
        "quarters": 4,
        "consumers": SMALL,
        "channel_names": None,
    }
    briefing = state["briefing"]
    assert (briefing["quarter"], briefing["week"], state["played"]) == (0, 0, 0)
    assert "=== Obsessed 1 | quarter 1 of 4" in briefing["text"]
    form = {field["name"]: field["value"] for field in state["form"]}
    assert form["price"] == f"{briefing['price']:.2f}"
    assert "channels" not in form  # baseline has no platforms
    assert len(briefing["rivals"]) == 9
    assert briefing["research"]["sample_size"] > 0


def terminal_messages(briefing_defaults_game, answers):
    """What the terminal says to each answer (the text after '! ')."""
    game = briefing_defaults_game
    said = []
    replies = iter(answers)
    ask_decision(game.briefing, game.channel_names, lambda _prompt: next(replies), said.append)
    return [line.split("! ", 1)[1].removesuffix(". Try again (or type help).") for line in said]


def test_invalid_entries_get_the_terminals_messages_and_nothing_is_played(server):
    from sim.play.engine import Game

    start(server)
    bad = {"price": "-3", "experience": "lots", "marketing": "nan", "payout": "-1"}
    status, answer = request(
        server, "/api/play/check", {"session": "tab-one", "decision": {**bad, "pirce": 3}}
    )
    assert status == 200
    game = Game("baseline", steps=WEEKS, overrides={"consumers.count": SMALL})
    game.begin()
    answers = ["-3", "", "lots", "", "", "", "nan", "", "", "-1", ""]
    expected = terminal_messages(game, answers)
    game.abandon()
    assert [answer["problems"][name] for name in bad] == expected
    assert "did you mean 'price'" in answer["problems"]["pirce"]

    status, state = request(server, "/api/play/decide", {"session": "tab-one", "decision": bad})
    assert status == 200
    assert set(state["problems"]) == set(bad)
    assert state["played"] == 0 and state["briefing"]["week"] == 0

    status, answer = request(
        server, "/api/play/check", {"session": "tab-one", "decision": {"price": "10"}}
    )
    assert answer["problems"] == {} and "below your unit cost" in answer["notes"]["price"]


@pytest.mark.slow
def test_decide_undo_save_and_finish(server, tmp_path):
    first = start(server)
    entries = {"price": "36.5", "experience": "1200", "payout": ""}
    status, state = request(server, "/api/play/decide", {"session": "tab-one", "decision": entries})
    assert status == 200 and state["problems"] == {}
    assert state["played"] == 1 and state["briefing"]["week"] == 13
    assert state["briefing"]["defaults"]["price"] == 36.5
    assert state["briefing"]["defaults"]["experience"] == 1200
    assert state["can_undo"] and [row["quarter"] for row in state["history"]] == [1]

    status, undone = request(server, "/api/play/undo", {"session": "tab-one"})
    assert status == 200 and undone["played"] == 0 and undone["history"] == []
    assert undone["briefing"] == first["briefing"]
    status, answer = request(server, "/api/play/undo", {"session": "tab-one"})
    assert status == 400 and "nothing to undo" in answer["error"]

    request(server, "/api/play/decide", {"session": "tab-one", "decision": entries})
    status, saved = request(server, "/api/play/save", {"session": "tab-one"})
    assert status == 200
    written = tmp_path / "games" / saved["filename"]
    assert written.read_text(encoding="utf-8") == saved["text"]
    log = parse_decision_text(saved["text"])
    assert log.game == {"scenario": "baseline", "seed": 42, "seat": "Obsessed 1", "steps": WEEKS}
    assert [q["price"] for q in log.quarters] == [36.5]

    status, answer = request(server, "/api/play/finish", {"session": "tab-one"})
    assert status == 400 and "3 quarters left" in answer["error"]
    status, answer = request(server, "/api/play/figure?session=tab-one")
    assert status == 400 and "finish the game first" in answer["error"]

    status, state = request(
        server, "/api/play/decide", {"session": "tab-one", "decision": {}, "rest": True}
    )
    assert status == 200 and state["over"] and state["briefing"] is None
    assert state["played"] == 4
    status, state = request(server, "/api/play/finish", {"session": "tab-one"})
    assert status == 200
    card = state["scorecard"]
    assert card["columns"] == ["you", "customer_obsessed", "shareholder_focused"]
    assert [row["metric"] for row in card["rows"]][:2] == ["customer_growth", "revenue_growth"]
    assert not state["can_undo"]
    folder = tmp_path / "games" / "play-baseline-Obsessed_1-seed42-tab-one"
    assert card["folder"] == folder.name  # its name in the play folder, not where that is
    for name in ("firms.parquet", "summary.md", "decisions.yaml", "scorecard.csv"):
        assert (folder / name).is_file(), name
    assert "## Ghost replay" in (folder / "summary.md").read_text(encoding="utf-8")
    status, png = request(server, "/api/play/figure?session=tab-one")
    assert status == 200 and png[:8] == b"\x89PNG\r\n\x1a\n"
    status, answer = request(server, "/api/play/decide", {"session": "tab-one", "decision": {}})
    assert status == 400 and "game is over" in answer["error"]


@pytest.mark.slow
def test_a_web_game_gives_the_same_tables_as_flywheel_play_with_that_decision_file(
    server, tmp_path
):
    text = (
        "quarters:\n"
        "  - {price: 34, experience: 1200, marketing: 300}\n"
        "  - {}\n"
        "  - {payout: 1000, selection: 250.5}\n"
    )
    decisions = tmp_path / "mine.yaml"
    decisions.write_text(text, encoding="utf-8")
    cli_out = tmp_path / "cli"
    args = ["play", "baseline", "--steps", str(WEEKS + 13), "--seed", "7"]
    args += ["--set", f"consumers.count={SMALL}", "--decisions", str(decisions)]
    assert main([*args, "--out", str(cli_out), "--quiet"]) == 0

    start(server, "tab-web", seed="7", steps=WEEKS + 13)
    for quarter in parse_decision_text(text).quarters:
        typed = {name: str(value) for name, value in quarter.items()}
        status, state = request(
            server, "/api/play/decide", {"session": "tab-web", "decision": typed}
        )
        assert status == 200 and state["problems"] == {}
    request(server, "/api/play/decide", {"session": "tab-web", "decision": {}, "rest": True})
    status, state = request(server, "/api/play/finish", {"session": "tab-web"})
    assert status == 200
    web_out = tmp_path / "games" / "play-baseline-Obsessed_1-seed7-tab-web"
    assert state["scorecard"]["folder"] == web_out.name
    for name in ("firms.parquet", "model.parquet", "scorecard.csv", "summary.md"):
        assert (web_out / name).read_bytes() == (cli_out / name).read_bytes(), name
    web_log = parse_decision_text((web_out / "decisions.yaml").read_text(encoding="utf-8"))
    cli_log = parse_decision_text((cli_out / "decisions.yaml").read_text(encoding="utf-8"))
    assert web_log == cli_log
    pd.testing.assert_frame_equal(
        pd.read_parquet(web_out / "firms.parquet"), pd.read_parquet(cli_out / "firms.parquet")
    )


def test_a_saved_game_resumes_in_a_new_tab(server):
    start(server)
    request(server, "/api/play/decide", {"session": "tab-one", "decision": {"price": "33"}})
    request(server, "/api/play/decide", {"session": "tab-one", "decision": {"payout": "500"}})
    _, before = request(server, "/api/play/state", {"session": "tab-one"})
    _, saved = request(server, "/api/play/save", {"session": "tab-one"})
    resumed = start(server, "tab-two", decisions=saved["text"])
    assert resumed["played"] == 2
    assert resumed["briefing"] == before["briefing"]

    status, answer = request(
        server,
        "/api/play/start",
        {"session": "tab-three", **START, "decisions": "quarters:\n  - {price: -1, speed: 3}\n"},
    )
    assert status == 400
    assert "quarters.0.price" in answer["error"] and "quarters.0.speed" in answer["error"]
    other = saved["text"].replace("scenario: baseline", "scenario: amazon_flywheel")
    status, answer = request(
        server, "/api/play/start", {"session": "tab-four", **START, "decisions": other}
    )
    assert status == 400 and "amazon_flywheel" in answer["error"]


def test_tabs_have_independent_games(server):
    start(server, "tab-one")
    start(server, "tab-two", seat="Shareholder 2")
    request(server, "/api/play/decide", {"session": "tab-one", "decision": {"price": "30"}})
    _, one = request(server, "/api/play/state", {"session": "tab-one"})
    _, two = request(server, "/api/play/state", {"session": "tab-two"})
    assert (one["played"], two["played"]) == (1, 0)
    assert two["game"]["seat"] == "Shareholder 2" and two["briefing"]["week"] == 0


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/api/play/start", {"session": "x", **START}, 400, "session id"),
        ("/api/play/start", {"session": "tab-one"}, 400, "choose a scenario"),
        ("/api/play/start", {"session": "tab-one", "scenario": "nowhere"}, 400, "nowhere"),
        ("/api/play/start", {"session": "tab-one", **START, "seat": "Nobody"}, 400, "no firm"),
        ("/api/play/start", {"session": "tab-one", **START, "steps": "5"}, 400, "steps must be"),
        ("/api/play/start", {"session": "tab-one", **START, "steps": "ten"}, 400, "whole number"),
        ("/api/play/start", {"session": "tab-one", **START, "seed": "-1"}, 400, "seed must be"),
        ("/api/play/start", {"session": "tab-one", **START, "consumers": 5}, 400, "consumers"),
        ("/api/play/start", {"session": "tab-one", **START, "decisions": 3}, 400, "text"),
        ("/api/play/decide", {"session": "tab-gone", "decision": {}}, 409, "expired"),
        ("/api/play/options", {"scenario": ""}, 400, "choose a scenario"),
        ("/api/play/teleport", {"session": "tab-one"}, 404, "not found"),
    ],
)
def test_bad_requests_get_a_clear_json_error(server, path, body, status, words):
    got, answer = request(server, path, body)
    assert got == status
    assert words in answer["error"]
    assert "Traceback" not in answer["error"]


def test_malformed_bodies_get_a_json_error(server):
    for raw in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        status, answer = request(server, "/api/play/start", raw=raw)
        assert status == 400 and answer["error"], raw
    start(server)
    status, answer = request(
        server, "/api/play/check", {"session": "tab-one", "decision": ["price", 3]}
    )
    assert status == 400 and "mapping" in answer["error"]


def test_idle_games_are_stopped_and_forgotten_and_the_oldest_go_beyond_the_limit(tmp_path):
    games = PlayGames(tmp_path, idle_seconds=3600, max_games=2)
    settings = {**START, "steps": 26}
    first = games.start("tab-aaaa", settings)
    games.start("tab-bbbb", settings)
    games.start("tab-cccc", settings)
    assert len(games) == 2
    assert not first.game._thread.is_alive()
    with pytest.raises(GameExpired):
        games.get("tab-aaaa")
    assert games.sweep() == 0
    games.idle_seconds = 0
    kept = games.get("tab-cccc")
    assert games.sweep() == 2 and len(games) == 0
    assert not kept.game._thread.is_alive()


def test_the_dashboard_links_to_the_play_page(server):
    status, page = request(server, "/")
    assert status == 200 and b'href="/play"' in page
    status, page = request(server, "/play")
    assert status == 200 and b"Play a firm" in page and b'src="/static/play.js"' in page
    for path in ("/static/play.js", "/static/play.css"):
        assert request(server, path)[0] == 200


def test_summary_window_of_a_market_with_no_firm_left_is_empty_not_an_error():
    from sim.outputs.market_story import window_means

    firms = pd.DataFrame(
        {
            "step": [1, 2, 1, 2],
            "alive": [True, False, True, False],
            "strategy": ["a", "a", "b", "b"],
            "units": [5.0, 0.0, 3.0, 0.0],
            "price": [10.0, 10.0, 12.0, 12.0],
            "unit_cost": [6.0, 6.0, 6.0, 6.0],
            "experience": [1.0, 1.0, 1.0, 1.0],
            "satisfaction": [0.1, 0.1, 0.2, 0.2],
        }
    )
    closing = window_means(firms, False, 1)
    assert closing.empty and closing["share"].get("a", 0.0) == 0.0
    opening = window_means(firms, True, 1)
    assert opening.loc["a", "share"] == 5 / 8 and opening.loc["b", "price"] == 12.0
