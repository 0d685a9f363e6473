"""Tournaments: validation, a hand-built case with a known winner, disqualification, resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import tiny_scenario
from lifecycle_builders import firm

from sim.cli.main import main
from sim.scenario import InputError
from sim.tournament import leaderboard, load_games, load_tournament, run_tournament
from sim.tournament.spec import lineups

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def markup_tournament(tmp_path: Path, **changes) -> dict:
    """Three fixed-markup entrants in a two-firm market of price-only consumers."""
    scenario = tiny_scenario(
        [firm("A", "user_strategy:FixedMarkup"), firm("B", "user_strategy:FixedMarkup")],
        steps=26,
    )
    path = tmp_path / "market.yaml"
    path.write_text(yaml.safe_dump(scenario))
    data = {
        "name": "markups",
        "seed": 7,
        "replications": 3,
        "python_path": [str(TESTS)],
        "entrants": [
            {"name": "thin", "strategy": "user_strategy:FixedMarkup", "params": {"markup": 0.1}},
            {"name": "middle", "strategy": "user_strategy:FixedMarkup", "params": {"markup": 0.5}},
            {"name": "fat", "strategy": "user_strategy:FixedMarkup", "params": {"markup": 2.0}},
        ],
        "scenarios": [{"scenario": str(path)}],
        "seating": "round_robin",
        "scores": [{"measure": "share"}, {"measure": "customers"}],
    }
    data.update(changes)
    return data


def test_lineups_field_and_round_robin():
    field = lineups(["a", "b", "c"], ["s1", "s2", "s3", "s4"], "field")
    assert field[0] == ((("s1", "a"), ("s2", "b"), ("s3", "c"), ("s4", "b")), ("a",))
    assert field[2] == ((("s1", "c"), ("s2", "a"), ("s3", "b"), ("s4", "a")), ("c",))
    pairs = lineups(["a", "b", "c"], ["s1", "s2"], "round_robin")
    assert len(pairs) == 6
    assert ((("s1", "b"), ("s2", "a")), ("b", "a")) in pairs


@pytest.mark.slow
def test_known_winner_with_paired_intervals(tmp_path):
    """With price-only consumers, the thinnest markup sells most: thin > middle > fat."""
    tournament = load_tournament(markup_tournament(tmp_path))
    assert len(tournament.games) == 6 * 3
    report = run_tournament(tournament, tmp_path / "store", executor="inline", progress=False)
    assert report.done == report.total == 18
    games = load_games(tmp_path / "store")
    assert len(games) == 36  # two scored entrants per game
    table = leaderboard(games, ["share", "customers"])
    assert list(table["entrant"]) == ["thin", "middle", "fat"]
    assert list(table["rank"]) == [1, 2, 3]
    # Shares of a two-firm market: the paired gap to the leader is clearly below zero.
    for _, row in table.iloc[1:].iterrows():
        assert row["diff_ci_high"] < 0
    assert (table["disqualified"] == 0).all()
    # Every game of a replication ran on the same seed (common random numbers).
    assert games.groupby("replication")["seed"].nunique().eq(1).all()


def test_cli_writes_leaderboard_files_and_a_second_run_plays_nothing(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(markup_tournament(tmp_path, replications=2)))
    out = tmp_path / "store"
    assert main(["tournament", str(path), "--out", str(out), "--executor", "inline"]) == 0
    for name in ("leaderboard.csv", "leaderboard.md", "pairwise.csv", "games.csv"):
        assert (out / name).is_file()
    assert (out / "figures" / "leaderboard.png").stat().st_size > 5_000
    board = pd.read_csv(out / "leaderboard.csv")
    assert board.loc[0, "entrant"] == "thin"
    capsys.readouterr()
    assert main(["tournament", str(path), "--out", str(out), "--executor", "inline"]) == 0
    assert "12 already in the store, 0 played" in capsys.readouterr().out


def test_disqualified_entrants_are_recorded_and_the_tournament_goes_on(tmp_path):
    data = markup_tournament(tmp_path, replications=1, time_limit_seconds=0.2)
    data["entrants"] = [
        data["entrants"][0],
        {"name": "raiser", "strategy": "tournament_strategies:RaisesLater"},
        {"name": "nonsense", "strategy": "tournament_strategies:ReturnsNonsense"},
        {"name": "sleeper", "strategy": "tournament_strategies:SleepsLater"},
    ]
    tournament = load_tournament(data)
    report = run_tournament(tournament, tmp_path / "store", executor="inline", progress=False)
    assert report.done == report.total == 12
    games = load_games(tmp_path / "store")
    bad = games[games["entrant"] != "thin"]
    assert bad["disqualified"].all()
    assert games.loc[games["entrant"] == "thin", "disqualified"].eq(False).all()
    reasons = bad.groupby("entrant")["reason"].first()
    assert reasons["raiser"] == "raised RuntimeError: out of ideas"
    assert reasons["nonsense"] == "invalid decision: decide returned dict"
    assert reasons["sleeper"].startswith("too slow")
    assert bad["share"].isna().all()
    table = leaderboard(games, ["share", "customers"])
    assert table.loc[0, "entrant"] == "thin"
    assert set(table.loc[table["disqualified"] > 0, "entrant"]) == {"raiser", "nonsense", "sleeper"}
    assert (
        "raised RuntimeError: out of ideas (x6)"
        in table.set_index("entrant").loc["raiser", "reasons"]
    )


def test_a_disqualified_firm_leaves_the_market(tmp_path):
    from sim.runs.runner import result_of
    from sim.scenario import load_scenario
    from sim.strategies.registry import resolve_strategy
    from sim.tournament.game import Referee, RefereedModel

    sys.path.insert(0, str(TESTS))
    scenario = load_scenario(
        tiny_scenario(
            [firm("A", "user_strategy:FixedMarkup"), firm("B", "user_strategy:FixedMarkup")],
            steps=52,
        )
    )
    raiser = resolve_strategy("tournament_strategies:RaisesLater")(quarter=2)
    model = RefereedModel(scenario, {"B": Referee(raiser, 5.0)})
    model.run()
    result = result_of(model, 0.0)
    rows = result.firms[result.firms["name"] == "B"].set_index("step")
    # It breaks the rule at the week-26 decision and is gone from the next week on.
    assert rows.loc[26, "alive"] and not rows.loc[27, "alive"]
    events = result.tables["events"]
    assert ((events["name"] == "B") & (events["detail"] == "disqualified")).sum() == 1


def test_bad_tournament_reports_every_problem_and_writes_nothing(tmp_path, capsys):
    data = markup_tournament(tmp_path)
    data["entrants"][1] = {"name": "thin", "strategy": "no_such_strategy"}
    data["entrants"][2]["params"] = {"markupp": 1}
    data["scenarios"].append({"scenario": "baseline", "seats": ["Obsesed 1"]})
    data["scores"] = [{"measure": "wealth"}]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as caught:
        load_tournament(path)
    text = str(caught.value)
    assert "scores.0.measure" in text
    out = tmp_path / "store"
    code = main(["tournament", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and not out.exists()
    data["scores"] = [{"measure": "share"}]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as caught:
        load_tournament(path)
    text = str(caught.value)
    for fragment in (
        "entrant names must be unique",
        "unknown strategy 'no_such_strategy'",
        "entrants.2.params.markupp",
        "did you mean 'Obsessed 1'",
    ):
        assert fragment in text
    with pytest.raises(InputError, match="unknown variant"):
        load_tournament(path, variant="quik")


def test_demo_tournament_validates_with_both_variants():
    full = load_tournament("tournament_demo")
    quick = load_tournament("tournament_demo", variant="quick")
    assert len(full.spec.entrants) >= 5 and len(full.spec.scenarios) == 2
    assert full.spec.replications >= 10
    assert len(quick.games) < len(full.games)


def _kill_group(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.mark.slow
def test_resume_after_kill_gives_the_same_results(tmp_path):
    data = markup_tournament(tmp_path, replications=3)
    scenario = yaml.safe_load(Path(data["scenarios"][0]["scenario"]).read_text())
    scenario["steps"] = 156
    scenario["consumers"]["count"] = 2000
    Path(data["scenarios"][0]["scenario"]).write_text(yaml.safe_dump(scenario))
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(data))
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    command = [
        sys.executable,
        "-m",
        "sim",
        "tournament",
        str(path),
        "--workers",
        "1",
        "--no-progress",
    ]
    process = subprocess.Popen(
        [*command, "--out", str(killed)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        if len(list((killed / "runs").glob("*.parquet"))) >= 3:
            break
        time.sleep(0.05)
    finished_before = len(list((killed / "runs").glob("*.parquet")))
    _kill_group(process)
    assert 0 < finished_before < 18, "the kill should land mid-tournament"
    subprocess.run([*command, "--out", str(killed)], cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*command, "--out", str(clean)], cwd=ROOT, check=True, capture_output=True)
    names = sorted(p.name for p in (clean / "runs").glob("*.parquet"))
    assert len(names) == 18
    assert sorted(p.name for p in (killed / "runs").glob("*.parquet")) == names
    for name in names:
        assert (killed / "runs" / name).read_bytes() == (clean / "runs" / name).read_bytes()
    assert (killed / "leaderboard.csv").read_bytes() == (clean / "leaderboard.csv").read_bytes()


def test_a_disqualification_in_the_field_is_recorded_too(tmp_path):
    data = markup_tournament(tmp_path, replications=2, seating="field")
    data["entrants"] = [
        data["entrants"][0],
        {"name": "raiser", "strategy": "tournament_strategies:RaisesLater"},
    ]
    tournament = load_tournament(data)
    run_tournament(tournament, tmp_path / "store", executor="inline", progress=False)
    games = load_games(tmp_path / "store")
    assert len(games) == 2 * 2 * 2  # two line-ups x two seats x two replications
    field_rows = games[~games["scored"]]
    assert set(field_rows["entrant"]) == {"thin", "raiser"}
    table = leaderboard(games, ["share"]).set_index("entrant")
    assert table.loc["raiser", "games"] == 2  # ranked only as the focal entrant
    assert table.loc["raiser", "disqualified"] == 4  # focal and field, in every game
    assert table.loc["thin", "disqualified"] == 0
    # Until the raiser breaks the rule (week 26, the last), the cheaper thin markup leads.
    assert games.loc[games["scored"] & (games["entrant"] == "thin"), "share"].gt(0.5).all()
