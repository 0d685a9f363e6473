"""Undo from the model snapshots a game keeps gives the same game as a replay from the start."""

from __future__ import annotations

import pytest

from sim.play import Game
from sim.play.engine import SNAPSHOT_EVERY, SNAPSHOTS_KEPT

# The play loop on the baseline market without its Day 1 parts: decisions take effect
# at once and no experiment budget is committed (the Day 1 parts are tested elsewhere);
# and without lasting brand matches, with which the seat's firm, at these fixed
# decisions in a 1,200-consumer market, is out of the market before quarter 17.
DAY1_OFF = {
    "consumers.brand_match_sd": 0.0,
    "vitality.max_decision_lag_weeks": 0.0,
    "firms.0.innovation_budget": 0.0,
    "firms.1.innovation_budget": 0.0,
}
SMALL = {"consumers.count": 1200}
# platform_disintermediation without its platform's moves: with them, the seat's firm at
# these fixed decisions is out of this small market after 8 decisions, before the 12
# the test plays.
MOVES_OFF = {"platforms.0.moves": {}}


def new_game(scenario="baseline", steps=13 * 11):
    overrides = {**SMALL, **DAY1_OFF} if scenario == "baseline" else {**SMALL, **MOVES_OFF}
    return Game(scenario, steps=steps, overrides=overrides)


def play(game, prices):
    for price in prices:
        game.submit(game.briefing.defaults.with_entries({"price": price, "experience": 300.0}))


def test_snapshots_are_kept_every_few_quarters_and_only_the_latest():
    # A market large enough that the seat, keeping its opening decisions, lasts the 17
    # quarters played (at 1,200 consumers it is insolvent by quarter 10 against the bots).
    game = Game("baseline", steps=13 * 20, overrides={**DAY1_OFF, "consumers.count": 2500})
    game.begin()
    for _ in range(17):
        game.submit(game.briefing.defaults)
    expected = [k for k in range(1, 18) if k % SNAPSHOT_EVERY == 0][-SNAPSHOTS_KEPT:]
    assert sorted(game._snapshots) == expected
    game.abandon()


def test_undo_from_a_snapshot_gives_the_briefing_a_replay_from_the_start_gives():
    game = new_game()
    game.begin()
    play(game, [39.0, 38.0, 37.0, 36.0, 35.0, 34.0])
    assert SNAPSHOT_EVERY in game._snapshots
    undone = game.undo()  # redo decision 5, from the snapshot before decision 4
    assert game.undo_from == SNAPSHOT_EVERY
    replay = new_game()
    from_start = replay.begin([d.as_entries() for d in game.log])
    assert repr(undone) == repr(from_start)  # every field, NaN included
    assert len(game.log) == 5
    replay.abandon()
    game.abandon()


@pytest.mark.slow
def test_a_game_with_undos_gives_the_same_tables_as_its_log_played_straight():
    game = new_game("platform_disintermediation")
    game.begin()
    play(game, [39.0, 38.5, 38.0, 37.0, 36.0, 35.0, 34.0])
    game.undo()
    game.undo()  # back to decision 5: the snapshot of decision 4 is still used
    assert game.undo_from == SNAPSHOT_EVERY
    play(game, [41.0, 42.0, 40.0, 43.0])
    game.undo()  # takes back decision 8 from the snapshot taken just before it
    assert game.undo_from == 2 * SNAPSHOT_EVERY
    play(game, [39.5])
    result = game.keep_playing_to_the_end()
    straight = new_game("platform_disintermediation")
    straight.begin([d.as_entries() for d in game.log], interactive=False)
    assert [d.price for d in game.log][:10] == [
        39.0,
        38.5,
        38.0,
        37.0,
        36.0,
        41.0,
        42.0,
        40.0,
        39.5,
        39.5,
    ]
    ours, theirs = result.all_tables(), straight.result.all_tables()
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name].equals(theirs[name]), name
