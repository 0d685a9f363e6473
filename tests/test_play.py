"""The play engine: scripted games, the terminal loop, replay, undo, ghosts, the CLI."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.play import Game, SeatDecision, read_decision_file
from sim.play.briefing import render_briefing
from sim.play.decisions import parse_value
from sim.play.seat import PlayerSeat
from sim.play.terminal import play_in_terminal
from sim.runs.runner import run
from sim.scenario import InputError, load_scenario
from sim.strategies.customer_obsessed import CustomerObsessed

# The play loop on the baseline market without its Day 1 parts: decisions take effect
# at once and no experiment budget is committed (the Day 1 parts are tested elsewhere).
DAY1_OFF = {
    "vitality.max_decision_lag_weeks": 0.0,
    "firms.0.innovation_budget": 0.0,
    "firms.1.innovation_budget": 0.0,
}
SMALL = {"consumers.count": 1500, **DAY1_OFF}
WEEKS = 52


def small_game(**kwargs) -> Game:
    return Game("baseline", steps=WEEKS, overrides=SMALL, **kwargs)


def seat_rows(result, seat="Obsessed 1") -> pd.DataFrame:
    return result.firms[result.firms["name"] == seat].reset_index(drop=True)


def scripted_answers(answers):
    """An ``ask`` that returns the scripted answers in turn and records the prompts."""
    prompts = []
    iterator = iter(answers)

    def ask(prompt):
        prompts.append(prompt)
        return next(iterator)

    return ask, prompts


def test_empty_decision_file_keeps_the_starting_decisions_throughout(tmp_path):
    game = small_game()
    assert game.begin([], interactive=False) is None
    rows = seat_rows(game.result)
    spec = load_scenario("baseline").firms[0]
    assert (rows["price"] == spec.price).all()
    assert (rows["investment"] == 0.0).all()
    assert len(game.log) == game.quarters == 4
    assert all(decision == game.start for decision in game.log)


def test_a_missing_name_or_quarter_keeps_the_previous_value():
    game = small_game()
    game.begin([{"price": 33.0, "experience": 800.0}, {"price": 31.0}], interactive=False)
    prices = [d.price for d in game.log]
    assert prices == [33.0, 31.0, 31.0, 31.0]
    assert [d.experience for d in game.log] == [800.0] * 4
    rows = seat_rows(game.result)
    # A decision takes effect at its quarter boundary (no decision lag at full vitality).
    assert rows.loc[rows["step"].between(1, 13), "price"].eq(33.0).all()
    assert rows.loc[rows["step"].between(14, 26), "price"].eq(31.0).all()


def test_marketing_decision_sets_the_weekly_marketing_spend():
    game = small_game()
    game.begin([{"marketing": 700.0}], interactive=False)
    rows = seat_rows(game.result)
    assert rows.loc[rows["step"] >= 1, "marketing_spend"].eq(700.0).all()


def test_parse_value_rejects_bad_entries_with_clear_messages():
    assert parse_value("price", "1250.5") == 1250.5
    for name, raw, words in [
        ("price", "34,5", "price must be a number .*comma"),
        ("experience", "1,200", "comma"),
        ("price", "$36", "not a plain number"),
        ("price", "abc", "must be a number"),
        ("price", "0", "above 0"),
        ("experience", "-3", "cannot be negative"),
        ("payout", "nan", "finite"),
        ("prcie", "3", "did you mean 'price'"),
        ("channels", "direct", "cannot be chosen"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_value(name, raw)
    with pytest.raises(ValueError, match="did you mean 'Compare'"):
        parse_value("channels", "direct, Compar", ("direct", "Compare"))
    assert parse_value("channels", "compare+direct", ("direct", "Compare")) == ("direct", "Compare")


def test_decision_file_reports_every_problem_at_once(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "quarterz": 1,
                "quarters": [{"price": -1}, "cheap", {"experiance": 5, "payout": "lots"}],
            }
        )
    )
    with pytest.raises(InputError) as caught:
        read_decision_file(path, max_quarters=2)
    text = str(caught.value)
    assert len(caught.value.problems) == 6
    for fragment in (
        "quarterz",
        "did you mean 'quarters'",
        "the game has 2 decision quarters",
        "quarters.0.price",
        "quarters.1",
        "quarters.2.experiance",
        "quarters.2.payout",
    ):
        assert fragment in text


def test_terminal_loop_asks_again_after_invalid_entries_and_records_the_answers(tmp_path):
    answers = [
        "forty",
        "-2",
        "36",  # price: two wrong entries, then 36
        "1,000",  # a comma: refused, asked again
        "1000",
        "",
        "",
        "",
        "",
        "",  # experience 1000, the rest kept
        "help",
        "keep",  # quarter 2: help, then keep everything
        "34",
        "keep",  # quarter 3
        "",
        "",
        "",
        "",
        "",
        "",
        "5000000",  # quarter 4: a payout
    ]
    ask, prompts = scripted_answers(answers)
    said = []
    # an established firm (age 5): its starting cash is earnings kept, which it may pay out
    overrides = {**SMALL, "firms.0.cash": 1e6, "firms.0.age_years": 5.0}
    game = Game("baseline", steps=WEEKS, overrides=overrides)
    game.begin()
    assert play_in_terminal(game, tmp_path / "save.yaml", ask=ask, say=said.append)
    assert game.over
    assert [d.price for d in game.log] == [36.0, 36.0, 34.0, 34.0]
    assert [d.experience for d in game.log] == [1000.0] * 4
    assert game.log[3].payout == 5_000_000.0
    messages = "\n".join(said)
    assert "price must be a number" in messages
    assert "price must be above 0" in messages
    assert "experience must be a number ($ per week): '1,000' has a comma" in messages
    assert "Commands at any question" in messages
    assert sum(p.startswith("price") for p in prompts) == 3 + 2 + 1 + 1
    # The dividend is capped by cash: at week 39 all the cash there was is paid out.
    week39 = seat_rows(game.result).set_index("step").loc[39]
    assert 0 < week39["payout"] < 5_000_000
    assert week39["cash"] == 0.0


@pytest.mark.slow
def test_undo_replays_to_the_same_briefing_and_forgets_the_quarter():
    game = small_game()
    first = game.begin()
    second = game.submit(first.defaults.with_entries({"price": 30.0}))
    game.submit(second.defaults.with_entries({"price": 45.0}))
    assert len(game.log) == 2
    again = game.undo()
    assert len(game.log) == 1
    assert render_briefing(again) == render_briefing(second)
    assert replace(again, flywheel={}) == replace(second, flywheel={})  # NaN links differ
    game.submit(again.defaults.with_entries({"price": 29.0}))
    result = game.keep_playing_to_the_end()
    assert [d.price for d in game.log] == [30.0, 29.0, 29.0, 29.0]
    fresh = small_game()
    fresh.begin([{"price": 30.0}, {"price": 29.0}], interactive=False)
    pd.testing.assert_frame_equal(result.firms, fresh.result.firms)


def test_undo_before_any_quarter_is_refused_and_quit_saves(tmp_path):
    ask, _ = scripted_answers(["undo", "40", "keep", "quit"])
    said = []
    game = small_game()
    game.begin()
    save = tmp_path / "saved.yaml"
    assert not play_in_terminal(game, save, ask=ask, say=said.append)
    assert "nothing to undo" in "\n".join(said)
    saved = read_decision_file(save)
    assert saved.quarters == ({**game.start.as_entries(), "price": 40.0},)
    assert saved.game == {"scenario": "baseline", "seed": 42, "seat": "Obsessed 1", "steps": 52}


def test_a_seat_that_decides_like_a_strategy_changes_nothing_in_the_market():
    """The seat perturbs nothing: fed a strategy's decisions, the run is that strategy's."""
    scenario = load_scenario("baseline", {**SMALL, "steps": WEEKS})
    game = Game(scenario)
    bot = CustomerObsessed()

    def source(firm, view, options, current):
        d = bot.decide(firm, view)
        return SeatDecision(
            price=d.price,
            experience=d.spend_experience,
            selection=d.spend_selection,
            efficiency=d.spend_efficiency,
            marketing=firm.marketing_spend,
            innovation=d.spend_innovation,
            payout=d.payout,
        )

    from sim.model.market import MarketModel
    from sim.runs.runner import result_of

    model = MarketModel(
        game.scenario, seats={game.seat: PlayerSeat(source, traits=bot.traits)}, seed="scenario"
    )
    model.run()
    seated = result_of(model, 0.0)
    plain = run(game.ghost_scenario("customer_obsessed"))
    columns = [c for c in plain.firms.columns if c != "strategy"]
    pd.testing.assert_frame_equal(seated.firms[columns], plain.firms[columns])
    neutral = [c for c in plain.model.columns if "obsessed" not in c and "shareholder" not in c]
    pd.testing.assert_frame_equal(seated.model[neutral], plain.model[neutral])


@pytest.mark.slow
def test_ghost_equals_a_plain_run_with_that_strategy_in_the_seat():
    game = small_game()
    game.begin([{"price": 35.0}], interactive=False)
    ghosts = game.ghosts()
    assert set(ghosts) == {"customer_obsessed", "shareholder_focused"}
    data = load_scenario("baseline").model_dump(mode="json")
    obsessed = data["firms"][0]
    data["firms"][0:1] = [{**obsessed, "name": f"Obsessed {k}", "count": 1} for k in range(1, 6)]
    data["firms"][0]["strategy"] = "shareholder_focused"
    data["firms"][0]["strategy_params"] = {}
    for firm in data["firms"]:
        firm["innovation_budget"] = 0.0  # as DAY1_OFF does for the game's two groups
    plain = run(load_scenario(data, {**SMALL, "steps": WEEKS}))
    pd.testing.assert_frame_equal(ghosts["shareholder_focused"].firms, plain.firms)


def test_unknown_seat_is_reported_with_a_suggestion():
    with pytest.raises(InputError, match="did you mean 'Shareholder 2'"):
        Game("baseline", seat="Shareholder2", overrides=SMALL)


def test_channels_are_chosen_at_the_yearly_review(tmp_path):
    game = Game(
        "platform_disintermediation",
        steps=WEEKS + 13,
        overrides={"consumers.count": 1500},
    )
    assert game.channel_names == ("direct", "Compare")
    game.begin(
        [{"channels": ["Compare"]}, {}, {}, {}, {"channels": ["direct", "Compare"]}],
        interactive=False,
    )
    rows = seat_rows(game.result, "Joiner 1")
    # The review at the end of week 52 applies the fifth quarter's channels.
    assert set(rows.loc[rows["step"] < 52, "channels"]) == {"Compare"}
    assert set(rows.loc[rows["step"] >= 52, "channels"]) == {"direct+Compare"}


@pytest.mark.slow
def test_play_cli_replay_gives_the_same_bytes(tmp_path, capsys):
    decisions = tmp_path / "mine.yaml"
    decisions.write_text(
        "quarters:\n  - {price: 34, experience: 1200}\n  - {}\n  - {payout: 1000}\n"
    )
    first, second = tmp_path / "first", tmp_path / "second"
    args = ["play", "baseline", "--steps", str(WEEKS), "--set", "consumers.count=1500"]
    assert main([*args, "--decisions", str(decisions), "--out", str(first)]) == 0
    out = capsys.readouterr().out
    assert "Ghost replay" in out and "| metric | you | customer_obsessed |" in out
    log = first / "decisions.yaml"
    assert (
        main(
            [
                "play",
                "baseline",
                "--set",
                "consumers.count=1500",
                "--decisions",
                str(log),
                "--out",
                str(second),
                "--quiet",
            ]
        )
        == 0
    )
    compared = [p.name for p in first.iterdir() if p.is_file() and p.name != "manifest.json"]
    assert {
        "firms.parquet",
        "model.parquet",
        "decisions.yaml",
        "scorecard.csv",
        "summary.md",
    } <= set(compared)
    for name in compared:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "figures" / "ghost_replay.png").stat().st_size > 10_000


def test_play_cli_bad_decision_file_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("quarters:\n  - {price: free, selction: 3}\n")
    out = tmp_path / "out"
    code = main(
        [
            "play",
            "baseline",
            "--set",
            "consumers.count=1500",
            "--steps",
            "26",
            "--decisions",
            str(bad),
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "2 problems" in err and "did you mean 'selection'" in err
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.slow
def test_resume_replays_the_saved_quarters_then_asks(tmp_path, monkeypatch, capsys):
    saved = tmp_path / "saved.yaml"
    game = small_game()
    game.begin([{"price": 37.0}, {"price": 36.0}], interactive=False)
    data = yaml.safe_load(game.decision_log())
    data["quarters"] = data["quarters"][:2]
    saved.write_text(yaml.safe_dump(data))
    answers = iter(["35", "keep", "keep"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    out = tmp_path / "resumed"
    args = ["play", "baseline", "--set", "consumers.count=1500", "--resume", str(saved)]
    assert main([*args, "--out", str(out), "--no-ghosts"]) == 0
    replayed = yaml.safe_load((out / "decisions.yaml").read_text())
    assert [q["price"] for q in replayed["quarters"]] == [37.0, 36.0, 35.0, 35.0]


@pytest.mark.slow
def test_save_during_a_terminal_game_then_finishing_writes_the_run_folder(
    tmp_path, monkeypatch, capsys
):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("save\nkeep\nkeep\n"))
    out = tmp_path / "game"
    args = ["play", "baseline", "--steps", "26", "--set", "consumers.count=1000"]
    assert main([*args, "--out", str(out), "--no-ghosts", "--quiet"]) == 0
    assert (out / "summary.md").is_file() and (out / "decisions.yaml").is_file()
    saved = read_decision_file(tmp_path / "game-saved.yaml")
    assert saved.quarters == ()  # saved before the first quarter was played
    assert "game-saved.yaml" in capsys.readouterr().out
