"""The player's optional decisions: research spend, channel defences and acquisitions.

Each is the player's only where the scenario switches its mechanic on; elsewhere the
name is refused with a message saying which switch is off, and the form, briefing and
log are as they were.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml

from sim.cli.main import main
from sim.dashboard.play import briefing_record, form_fields, scenario_options
from sim.play import Game
from sim.play.briefing import render_briefing
from sim.play.decisions import SeatRules, check_entries, parse_decision_text, parse_value
from sim.play.terminal import ask_decision, help_text
from sim.scenario import InputError

SMALL = {"consumers.count": 300}
WEEKS = 39  # three decision quarters


def seat_rows(result, seat) -> pd.DataFrame:
    return result.firms[result.firms["name"] == seat].reset_index(drop=True)


def quarter(rows: pd.DataFrame, k: int) -> pd.DataFrame:
    """The seat's rows of the weeks played under decision quarter ``k`` (0-based)."""
    return rows[rows["step"].between(13 * k + 1, 13 * k + 13)]


def script(game: Game, text: str) -> tuple:
    """A decision file's quarters, checked with the game's rules (as the CLI reads them)."""
    return parse_decision_text(text, "test", game.channel_names, game.quarters, game.rules).quarters


def scripted(answers):
    """An ``ask`` that returns the scripted answers in turn."""
    replies = iter(answers)
    return lambda _prompt: next(replies)


# ---------------------------------------------------------------------- research


def test_research_spend_is_booked_and_buys_the_respondents_it_pays_for():
    game = Game("news_aggregator", steps=WEEKS, overrides=SMALL)
    assert game.rules.names == ("spend_research",)
    briefing = game.begin([{"spend_research": 150}, {"spend_research": 0}], interactive=True)
    rows = seat_rows(game.result or _finish(game), "Publisher 1")
    assert quarter(rows, 0)["research_spend"].eq(150.0).all()
    assert quarter(rows, 1)["research_spend"].eq(0.0).all()
    # The briefing before quarter 3 reports the research bought in quarter 2 ($0 a week):
    # the 50 free respondents only. (Quarter 2's research, bought at $150 a week, had
    # 50 + 13 * 150 / $20 = 147.5, i.e. 147 whole respondents.)
    terms = briefing.research_terms
    assert terms is not None and terms.weekly_spend == 0.0
    assert terms.survey_sample == 50 and terms.cost_per_respondent == 20.0
    assert "it cost $0/week last quarter; 50 respondents are free" in render_briefing(briefing)


def _finish(game):
    game.keep_playing_to_the_end()
    return game.result


def test_research_briefing_after_a_paid_quarter_shows_its_sample_and_cost():
    game = Game("news_aggregator", steps=WEEKS, overrides=SMALL)
    briefing = game.begin([{"spend_research": 150}], interactive=True)
    terms = briefing.research_terms
    assert (terms.weekly_spend, terms.survey_sample) == (150.0, 147)
    text = render_briefing(briefing)
    assert "147 surveyed" in text and "it cost $150/week last quarter" in text
    record = json.loads(json.dumps(briefing_record(briefing), allow_nan=False))
    assert record["research_terms"]["survey_sample"] == 147
    assert [f["name"] for f in form_fields(briefing, game.channel_names)][-1] == "spend_research"
    game.abandon()


# ---------------------------------------------------------------------- defences


def test_defences_take_effect_and_their_costs_are_booked():
    game = Game("southwest_direct", seat="Listed 1", steps=WEEKS, overrides=SMALL)
    assert game.rules.names == ("platform_price", "direct_incentive", "loyalty_rebate")
    quarters = script(
        game,
        "quarters:\n  - {price: 40, platform_price: 46, direct_incentive: 2, loyalty_rebate: 1}\n"
        "  - {platform_price: same}\n",
    )
    assert quarters[1] == {"platform_price": None}
    briefing = game.begin(quarters, interactive=True)
    facts = briefing.defences
    assert facts.platform_price is None and facts.direct_incentive == 2.0
    assert facts.loyalty_members > 0 and facts.loyalty_cost > 0
    text = render_briefing(briefing)
    assert "platform price same as direct" in text
    assert re.search(r"brand strength -?\$\d+\.\d\d per consumer", text)
    record = json.loads(json.dumps(briefing_record(briefing), allow_nan=False))
    assert record["defences"]["direct_incentive"] == 2.0
    rows = seat_rows(_finish(game), "Listed 1")
    first, second = quarter(rows, 0), quarter(rows, 1)
    assert first["platform_price"].eq(46.0).all()
    assert second["platform_price"].eq(second["price"]).all()  # "same": the direct price
    assert rows.loc[rows["step"] >= 1, "direct_incentive"].eq(2.0).all()
    # The incentive's cost is c * d * direct units (c = 0.6 in southwest_direct).
    expected = 0.6 * 2.0 * first["direct_units"]
    assert first["incentive_cost"].to_numpy() == pytest.approx(expected.to_numpy())
    # The briefing sums the quarter's weekly costs.
    assert facts.incentive_cost == pytest.approx(second["incentive_cost"].sum())


def test_defences_are_not_the_seats_where_the_scenario_has_them_off():
    game = Game("baseline", steps=WEEKS, overrides=SMALL)
    assert game.rules.names == ()
    with pytest.raises(InputError) as caught:
        parse_decision_text(
            "quarters:\n  - {platform_price: 30, spend_research: 10, acquire: Shareholder 1}\n",
            "mine.yaml",
            game.channel_names,
            game.quarters,
            game.rules,
        )
    text = str(caught.value)
    assert "platform_price is not a decision in this game: channel defences are off" in text
    assert "spend_research is not a decision in this game: research with noise is off" in text
    assert "acquire is not a decision in this game: acquisitions are off" in text


# ---------------------------------------------------------------------- acquisitions


def test_an_acquisition_is_done_once_and_logged_once():
    game = Game("bonobos_acquired", steps=WEEKS, overrides=SMALL)
    assert game.rules.names == ("acquire",)
    briefing = game.begin([], interactive=True)
    direct = next(r for r in briefing.rivals if r.name == "Direct brand")
    assert direct.asking_price is not None and briefing.rules.budget >= direct.asking_price
    assert f"asks ${direct.asking_price:,.0f}" in render_briefing(briefing)
    briefing = game.submit(briefing.defaults.with_entries({"acquire": "Direct brand"}))
    assert briefing.defaults.acquire is None  # not carried into the next quarter
    assert "Direct brand" not in (briefing.rules.asking_prices or {}) or (
        briefing.rules.asking_prices["Direct brand"] is None
    )
    result = _finish(game)
    bought = seat_rows(result, "Direct brand")
    assert bought["owner"].iloc[-1] == "Mass retailer"
    assert seat_rows(result, "Mass retailer")["acquisition_spend"].sum() == pytest.approx(
        direct.asking_price
    )
    quarters = yaml.safe_load(game.decision_log())["quarters"]
    assert [q["acquire"] for q in quarters] == ["Direct brand", "none", "none"]


def test_acquire_is_checked_against_live_rivals_their_prices_and_the_budget():
    rules = SeatRules(
        acquisition=True,
        rivals=("Big", "Small", "Gone"),
        asking_prices={"Big": 90_000.0, "Small": 5_000.0, "Owned": None},
        budget=10_000.0,
    )
    assert parse_value("acquire", "small", rules=rules) == "Small"
    assert parse_value("acquire", "None", rules=rules) is None
    for raw, words in [
        ("Big", "Big asks $90,000 and you can pay at most $10,000"),
        ("Owned", "Owned cannot be bought now"),
        ("Gone", "no live rival named 'Gone'"),
        ("Smal", "did you mean 'Small'?"),
        (3, "acquire must be a rival's name or 'none'"),
    ]:
        with pytest.raises(ValueError, match=None) as caught:
            parse_value("acquire", raw, rules=rules)
        assert words in str(caught.value), (raw, str(caught.value))
    # A decision file is read before the game: any firm present at the start.
    file_rules = SeatRules(acquisition=True, rivals=("Big", "Gone"))
    assert parse_value("acquire", "gone", rules=file_rules) == "Gone"


# ---------------------------------------------------------------------- entries


@pytest.mark.parametrize(
    ("name", "raw", "words"),
    [
        ("spend_research", "-5", "spend_research cannot be negative"),
        ("spend_research", "lots", "spend_research must be a number"),
        ("platform_price", "0", "platform_price must be above 0 ($ per unit), or 'same'"),
        ("platform_price", "cheap", "platform_price must be a number"),
        ("direct_incentive", "-1", "direct_incentive cannot be negative"),
        ("loyalty_rebate", "inf", "loyalty_rebate must be a finite number"),
    ],
)
def test_invalid_optional_entries_get_clear_messages(name, raw, words):
    rules = SeatRules(research=True, defences=True)
    entries, problems = check_entries({name: raw}, rules=rules)
    assert entries == {} and words in problems[name]


def test_the_terminal_asks_the_optional_decisions_again_after_invalid_entries():
    game = Game("southwest_direct", seat="Listed 1", steps=WEEKS, overrides=SMALL)
    briefing = game.begin()
    said, prompts = [], []
    answers = iter(["", "", "", "", "", "", "", "-2", "9", "x", "1.5", "help", "keep"])

    def ask(prompt):
        prompts.append(prompt)
        return next(answers)

    decision = ask_decision(briefing, game.channel_names, ask, said.append)
    game.abandon()
    assert (decision.platform_price, decision.direct_incentive) == (9.0, 1.5)
    assert decision.loyalty_rebate == 0.0
    assert prompts[7] == "platform_price ($ per unit) [same]: "
    assert prompts[8] == prompts[7] and prompts[10] == prompts[9]
    problems = [line for line in said if line.startswith("  ! ")]
    assert "platform_price must be above 0" in problems[0]
    assert "direct_incentive must be a number" in problems[1]
    assert any(line.startswith("  note: below your unit cost") for line in said)
    assert "loyalty_rebate" in said[-1] and "'same' lists at your direct price" in said[-1]


def test_a_scenario_without_the_mechanics_asks_and_shows_what_it_did_before():
    game = Game("baseline", steps=WEEKS, overrides=SMALL)
    briefing = game.begin()
    assert briefing.research_terms is None and briefing.defences is None
    assert all(rival.asking_price is None for rival in briefing.rivals)
    names = [field["name"] for field in form_fields(briefing, game.channel_names)]
    expected = "price experience selection efficiency marketing innovation payout"
    assert names == expected.split()
    text = render_briefing(briefing)
    assert "Acquisitions" not in text and "precision" not in text and "defences" not in text
    assert "spend_research" not in help_text(briefing.rules)
    assert [f["name"] for f in scenario_options("baseline")["fields"]][-1] == "channels"
    game.keep_playing_to_the_end()
    assert "spend_research" not in game.decision_log()


# ---------------------------------------------------------------------- replay


@pytest.mark.parametrize(
    ("scenario", "seat", "text"),
    [
        (
            "southwest_direct",
            "Listed 1",
            "  - {price: 41, platform_price: 47, direct_incentive: 1.5, loyalty_rebate: 0.5}\n"
            "  - {platform_price: same, loyalty_rebate: 0}\n",
        ),
        ("news_aggregator", "Publisher 1", "  - {spend_research: 120}\n  - {}\n"),
        ("bonobos_acquired", "Mass retailer", "  - {}\n  - {acquire: Direct brand}\n"),
        (
            "casper_imitators",
            "Direct brand",
            "  - {guarantee: yes, free_returns: yes, referral_reward: 8}\n  - {try_on: yes}\n",
        ),
    ],
)
@pytest.mark.slow
def test_replaying_a_log_with_optional_decisions_gives_the_same_bytes(
    tmp_path, capsys, scenario, seat, text
):
    decisions = tmp_path / "mine.yaml"
    decisions.write_text("quarters:\n" + text)
    first, second = tmp_path / "first", tmp_path / "second"
    args = ["play", scenario, "--seat", seat, "--set", "consumers.count=300"]
    settings = ["--steps", str(WEEKS), "--no-ghosts", "--quiet"]
    assert main([*args, *settings, "--decisions", str(decisions), "--out", str(first)]) == 0
    log = yaml.safe_load((first / "decisions.yaml").read_text())
    assert len(log["quarters"]) == 3
    replay = ["--no-ghosts", "--quiet", "--decisions", str(first / "decisions.yaml")]
    assert main([*args, *replay, "--out", str(second)]) == 0
    capsys.readouterr()
    compared = [p.name for p in first.iterdir() if p.is_file() and p.name != "manifest.json"]
    assert {"firms.parquet", "decisions.yaml"} <= set(compared)
    for name in compared:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_decision_file_with_a_name_the_scenario_has_off_exits_2(tmp_path, capsys):
    decisions = tmp_path / "mine.yaml"
    decisions.write_text("quarters:\n  - {spend_research: 100}\n")
    out = tmp_path / "out"
    args = ["play", "baseline", "--steps", "13", "--set", "consumers.count=300"]
    assert main([*args, "--decisions", str(decisions), "--out", str(out), "--no-ghosts"]) == 2
    err = capsys.readouterr().err
    assert "quarters.0.spend_research" in err and "research with noise is off" in err
    assert "Traceback" not in err and not out.exists()


def test_undo_replays_the_optional_decisions_as_they_were():
    game = Game("southwest_direct", seat="Listed 1", steps=WEEKS, overrides=SMALL)
    briefing = game.begin()
    first = briefing.defaults.with_entries({"platform_price": 47.0, "loyalty_rebate": 1.0})
    asked = game.submit(first)
    second = asked.defaults.with_entries({"platform_price": None, "direct_incentive": 2.0})
    before = game.submit(second)
    again = game.undo()
    assert game.log == [first] and again.defaults == first
    assert again.defences == asked.defences
    assert game.submit(second).defences == before.defences
    assert game.log == [first, second]
    game.abandon()


# ---------------------------------------------------------------------- trust


def test_trust_remedies_take_effect_and_the_briefing_shows_the_trust_gap():
    game = Game("casper_imitators", seat="Direct brand", steps=WEEKS, overrides=SMALL)
    assert game.rules.names == ("guarantee", "free_returns", "try_on", "reviews", "referral_reward")
    quarters = script(
        game,
        "quarters:\n  - {guarantee: yes, free_returns: yes, reviews: yes, referral_reward: 10}\n"
        "  - {free_returns: no, try_on: on}\n",
    )
    briefing = game.begin(quarters, interactive=True)
    facts = briefing.trust
    assert (facts.guarantee, facts.free_returns, facts.try_on, facts.reviews) == (
        True,
        False,
        True,
        True,
    )
    assert facts.referral_reward == 10.0 and facts.review_cost == 20.0
    text = render_briefing(briefing)
    assert "trust gap" in text and "guarantee yes, free returns no, try-on yes" in text
    record = json.loads(json.dumps(briefing_record(briefing), allow_nan=False))
    assert record["trust"]["review_cost"] == 20.0
    rows = seat_rows(_finish(game), "Direct brand")
    # Quarter 3 keeps quarter 2's decisions: its weeks all run them, whatever the lag.
    first, second = quarter(rows, 0), quarter(rows, 2)
    assert first["guarantee"].all() and first["free_returns"].all() and first["reviews"].all()
    assert first["referral_reward"].eq(10.0).all() and not first["try_on"].any()
    assert second["try_on"].all() and not second["free_returns"].any()
    # Publishing reviews costs review_cost a week: $20 in every week they run.
    assert (first["review_cost"] == 20.0).all()
    quarters = yaml.safe_load(game.decision_log())["quarters"]
    assert quarters[0]["guarantee"] is True and quarters[2]["try_on"] is True


def test_free_returns_need_a_guarantee_everywhere():
    game = Game("casper_imitators", seat="Direct brand", steps=WEEKS, overrides=SMALL)
    with pytest.raises(InputError) as caught:
        script(game, "quarters:\n  - {free_returns: yes}\n  - {guarantee: yes}\n")
    assert "quarters.0.free_returns" in str(caught.value)
    assert "free_returns needs guarantee: yes" in str(caught.value)
    with pytest.raises(InputError) as caught:  # a guarantee withdrawn, returns kept
        script(game, "quarters:\n  - {guarantee: yes, free_returns: yes}\n  - {guarantee: no}\n")
    assert "quarters.1.free_returns" in str(caught.value)
    assert "(kept from before)" in str(caught.value)
    with pytest.raises(InputError) as caught:
        script(game, "quarters:\n  - {guarantee: maybe}\n")
    assert "guarantee must be yes or no" in str(caught.value)
    briefing = game.begin()
    entries, problems = check_entries(
        {"free_returns": "yes"}, rules=briefing.rules, defaults=briefing.defaults
    )
    assert problems == {
        "free_returns": "free_returns needs guarantee: yes (without a trial nothing is returned)"
    }
    entries, problems = check_entries(
        {"guarantee": "y", "free_returns": "yes"}, rules=briefing.rules, defaults=briefing.defaults
    )
    assert problems == {} and entries == {"guarantee": True, "free_returns": True}
    said = []
    answers = ["", "", "", "", "", "", "", "no", "yes", "no", "", "", "", "keep"]
    decision = ask_decision(briefing, game.channel_names, scripted(answers), said.append)
    game.abandon()
    assert decision.guarantee is False and decision.free_returns is False
    assert any("free_returns needs guarantee: yes" in line for line in said)
