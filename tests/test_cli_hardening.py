"""The command line and files against careless and hostile use (issue 16, items 7-21).

User code that exits, hangs or returns nonsense is stopped and named; bad options and
damaged files get one clear error; interrupted runs leave nothing half-written.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import tiny_scenario
from lifecycle_builders import firm

from sim.cli.main import main
from sim.scenario import InputError

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FLYWHEEL = [sys.executable, "-m", "sim"]

STRATEGIES = textwrap.dedent(
    """\
    import os
    import sys
    import time
    from os import _exit as raw_exit
    from pathlib import Path

    from sim.strategies.base import Decision, Strategy


    class Exits(Strategy):
        name = "exits"

        def decide(self, firm, view):
            if view.week >= 13:
                sys.exit(3)
            return Decision(price=40.0)


    class HardExit(Strategy):
        name = "hard_exit"

        def decide(self, firm, view):
            if view.week >= 13:
                os._exit(4)
            return Decision(price=40.0)


    class RawExit(Strategy):
        name = "raw_exit"

        def decide(self, firm, view):
            if view.week >= 13:
                raw_exit(5)
            return Decision(price=40.0)


    class Stubborn(Strategy):
        name = "stubborn"

        def decide(self, firm, view):
            if view.week >= 13:
                Path("stubborn.started").touch()
                while True:
                    try:
                        time.sleep(60)
                    except BaseException:
                        pass
            return Decision(price=40.0)


    class Slow(Strategy):
        name = "slow"

        def decide(self, firm, view):
            if view.week >= 13:
                Path("slow.started").touch()
                time.sleep(60)
            return Decision(price=40.0)


    class ReturnsDict(Strategy):
        name = "returns_dict"

        def decide(self, firm, view):
            return {"price": 40.0}


    class Huge(Strategy):
        name = "huge"

        def decide(self, firm, view):
            return Decision(price=1e300)
    """
)


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A folder holding ``evil.py``, the current folder, importable."""
    (tmp_path / "evil.py").write_text(STRATEGIES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("evil", None)


def user_scenario(folder: Path, cls: str, steps: int = 26) -> Path:
    path = folder / f"s_{cls}.yaml"
    path.write_text(
        f"name: user\nsteps: {steps}\nconsumers: {{count: 300}}\nfirms:\n"
        f"  - {{name: Acme, strategy: 'evil:{cls}'}}\n"
        f"  - {{name: Other, strategy: customer_obsessed}}\n",
        encoding="utf-8",
    )
    return path


def debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ------------------------------------------------------------------ 7, 19: user code


@pytest.mark.parametrize(
    ("cls", "line", "words"),
    [
        ("Exits", "line 15: sys.exit(3)", "the strategy tried to end the process: SystemExit(3)"),
        ("HardExit", "line 24: os._exit(4)", "the strategy tried to end the process: os._exit(4)"),
    ],
)
def test_a_strategy_that_exits_is_a_strategy_error(here, capsys, cls, line, words):
    path = user_scenario(here, cls)
    assert main(["run", str(path), "--quiet", "--out", str(here / "run")]) == 1
    err = capsys.readouterr().err
    assert f"firm 'Acme' (evil:{cls}) failed in decide() in quarter 1 (week 13)" in err
    assert f"{here / 'evil.py'}, {line}" in err
    assert words in err and "Traceback" not in err
    assert not (here / "run").exists() and debris(here) == []


def test_a_dict_returned_is_reported_at_the_users_file_and_line(here, capsys):
    path = user_scenario(here, "ReturnsDict")
    assert main(["run", str(path), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"{here / 'evil.py'}, line 64: def decide(self, firm, view):" in err
    assert "user_code.py" not in err
    assert "decide() must return a Decision, got dict" in err


def test_a_sweep_names_a_user_strategy_that_exits(here):
    from sim.experiments.worker import RunTask, execute
    from sim.scenario import load_scenario

    scenario = load_scenario(user_scenario(here, "Exits")).model_dump(mode="json")
    task = RunTask("p0-r0", 0, 0, 5, "abc", scenario, {}, ("final_share",))
    output = execute(task)
    assert output.row is None
    assert "evil:Exits" in output.error and "SystemExit(3)" in output.error


def run_until(args: list[str], cwd: Path, marker: str) -> subprocess.Popen:
    """Start ``flywheel ARGS`` and wait until the strategy has touched ``marker``."""
    env = {**os.environ, "PYTHONPATH": f"{cwd}{os.pathsep}{ROOT}"}
    process = subprocess.Popen(
        [*FLYWHEEL, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while not (cwd / marker).exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(0.3)
    return process


def test_ctrl_c_ends_a_run_with_one_line_and_nothing_written(here):
    """Item 15: one line, exit 130, no run folder, no hidden debris."""
    path = user_scenario(here, "Slow")
    process = run_until(["run", str(path), "--out", "run", "--quiet"], here, "slow.started")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    lines = err.decode().strip().splitlines()
    assert lines == [
        "interrupted while the strategy of 'Acme' (evil:Slow) in decide() in quarter 1 "
        "(week 13) ran; no results were written"
    ]
    assert not (here / "run").exists() and debris(here) == []


def test_a_strategy_that_swallows_ctrl_c_is_stopped_by_the_second(here):
    path = user_scenario(here, "Stubborn")
    process = run_until(["run", str(path), "--out", "run"], here, "stubborn.started")
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert process.poll() is None  # the strategy swallowed it
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "(evil:Stubborn) in decide() in quarter 1 (week 13) ran; stopped at once" in (
        err.decode()
    )
    assert not (here / "run").exists()


# ------------------------------------------------------------------ 7, 8: tournaments


def evil_tournament(folder: Path, entrants: list[tuple[str, str]], limit: float = 1.0) -> dict:
    scenario = tiny_scenario(
        [firm("A", "user_strategy:FixedMarkup"), firm("B", "user_strategy:FixedMarkup")],
        steps=26,
    )
    path = folder / "market.yaml"
    path.write_text(yaml.safe_dump(scenario))
    return {
        "name": "evil",
        "seed": 7,
        "replications": 1,
        "python_path": [str(TESTS), str(folder)],
        "entrants": [
            {"name": "good", "strategy": "user_strategy:FixedMarkup", "params": {"markup": 0.2}},
            *({"name": name, "strategy": f"evil:{cls}"} for name, cls in entrants),
        ],
        "scenarios": [{"scenario": str(path)}],
        "seating": "round_robin",
        "scores": [{"measure": "share"}],
        "time_limit_seconds": limit,
    }


@pytest.mark.slow
def test_entrants_that_exit_or_hang_are_disqualified_and_the_tournament_goes_on(here):
    from sim.tournament import load_games, load_tournament, run_tournament

    data = evil_tournament(
        here, [("exits", "Exits"), ("raw", "RawExit"), ("stubborn", "Stubborn")], limit=0.5
    )
    out = here / "store"
    started = time.monotonic()
    report = run_tournament(load_tournament(data), out, executor="inline", progress=False)
    assert report.done == report.total == 12
    # Six games hold the stubborn entrant; each is killed 1 s after the 0.5 s limit.
    assert time.monotonic() - started < 120
    games = load_games(out)
    reasons = games[games["entrant"] != "good"].groupby("entrant")["reason"].unique()
    assert list(reasons["exits"]) == ["tried to end the process: SystemExit(3) in decide"]
    assert list(reasons["raw"]) == ["ended the game's process in decide"]
    assert list(reasons["stubborn"]) == ["too slow: decide ran past the 0.5 s limit"]
    assert not games.loc[games["entrant"] == "good", "disqualified"].any()
    # The lock is free again: another writer can take it at once.
    from sim.experiments.store import SweepStore

    with SweepStore.open(out).lock():
        pass


def test_isolated_games_give_the_same_bytes_as_in_process_games(here):
    """Well-behaved entrants: a watched child process changes nothing."""
    from sim.tournament.game import play_game_here
    from sim.tournament.isolation import play_isolated
    from sim.tournament.runner import make_task
    from sim.tournament.spec import load_tournament

    data = evil_tournament(here, [("exits", "Exits")])
    tournament = load_tournament(data)
    key = next(k for k in tournament.games if "exits" in dict(k.seats).values())
    task = make_task(tournament, key, tournament.scenarios[0].model_dump(mode="json"))
    alone = pd.DataFrame(play_game_here(task).rows)
    watched = pd.DataFrame(play_isolated(task).rows)
    pd.testing.assert_frame_equal(alone, watched)
    assert watched["disqualified"].sum() == 1


def test_tournament_cli_with_an_exiting_entrant_finishes(here, capsys):
    path = here / "t.yaml"
    path.write_text(yaml.safe_dump(evil_tournament(here, [("exits", "Exits")])))
    out = here / "store"
    assert main(["tournament", str(path), "--out", str(out), "--executor", "inline"]) == 0
    text = (out / "leaderboard.md").read_text(encoding="utf-8")
    assert "tried to end the process: SystemExit(3) in decide (x2)" in text
    # Item 20: with one score the header has as many cells as the separator.
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table[0].count("|") == table[1].count("|") == table[2].count("|")


# ------------------------------------------------------------------ 9, 10: files, bounds


@pytest.mark.parametrize(
    "text", ["quarters:\n  - {price: 30, price: 31}\n", "quarters: []\nquarters: []\n"]
)
def test_duplicate_keys_in_decision_text_are_refused(text):
    from sim.play.decisions import parse_decision_text

    with pytest.raises(InputError, match="duplicate key"):
        parse_decision_text(text, "d.yaml")


def test_duplicate_keys_in_a_tournament_file_are_refused(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text("name: x\nseed: 1\nname: y\n")
    assert main(["tournament", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: name:" in err and "duplicate key (lines 1 and 3)" in err


def test_absurd_decisions_are_refused_in_code_and_decision_files(here, capsys):
    from sim.play.decisions import parse_decision_text

    with pytest.raises(InputError, match=r"price must be at most \$1,000,000,000,000"):
        parse_decision_text("quarters:\n  - {price: 1e300}\n", "d.yaml")
    path = user_scenario(here, "Huge")
    assert main(["run", str(path), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Decision.price must be at most $1,000,000,000,000, got 1e+300" in err


def test_summary_dollars_stay_short():
    from sim.outputs.wording import dollars

    assert dollars(-1.3e301) == "-$1.3e+301"
    assert dollars(2.5e12) == "$2.50 trillion"
    assert dollars(-2_500_000) == "-$2.50 million"


# ------------------------------------------------------------------ 11-14, 21: options


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("runs") / "run"
    args = ["run", "baseline", "--steps", "13", "--set", "consumers.count=500"]
    assert main([*args, "--quiet", "--out", str(folder)]) == 0
    return folder


@pytest.mark.slow
def test_report_out_a_folder_or_unwritable_is_refused_and_leaves_nothing(
    run_folder, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    assert main(["report", str(run_folder), "--out", "existing"]) == 2
    assert '--out: got "existing": is a folder' in capsys.readouterr().err
    assert main(["report", str(run_folder), "--out", "/proc/x.html"]) == 2
    assert "cannot write in /proc" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]
    assert main(["report", str(run_folder), "--out", "r.html"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing", "r.html"]


def test_results_of_a_run_folder_and_a_damaged_manifest_are_named(run_folder, tmp_path, capsys):
    assert main(["results", str(run_folder)]) == 2
    err = capsys.readouterr().err
    assert f"{run_folder / 'manifest.json'}: format:" in err
    assert "not a sweep or tournament store" in err and "Traceback" not in err
    damaged = tmp_path / "store"
    damaged.mkdir()
    (damaged / "manifest.json").write_text("{bad", encoding="utf-8")
    assert main(["results", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert f"{damaged / 'manifest.json'}" in err and "damaged: not valid JSON" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["dashboard", "--port", "80000"], "--port: expected a port number from 0 to 65535"),
        (["dashboard", "--class", "--timer", "-5"], "--timer: expected a number of seconds"),
        (["dashboard", "--class", "--timer", "inf"], "--timer: expected a number of seconds"),
        (["run", "baseline", "--seed", "9" * 5000], "(5000 characters)"),
        (["run", "baseline", "--seed", str(2**63)], "from 0 to 2**63 - 1"),
        (["run", "baseline", "--seed", "-1"], "from 0 to 2**63 - 1"),
        (["play", "baseline", "--seed", "9" * 5000], "(5000 characters)"),
    ],
)
def test_out_of_range_options_are_refused(args, words, capsys):
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "4300" not in err and len(err) < 1000


@pytest.mark.slow
def test_the_largest_seed_runs(tmp_path):
    args = ["run", "baseline", "--steps", "2", "--set", "consumers.count=200"]
    assert main([*args, "--seed", str(2**63 - 1), "--quiet", "--out", str(tmp_path / "r")]) == 0
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["seed"] == 2**63 - 1


# ------------------------------------------------------------------ 16, 17, 18


def test_interrupted_writing_leaves_no_debris_and_old_debris_is_cleaned(
    tmp_path, monkeypatch, capsys
):
    import sim.outputs.figures

    out = tmp_path / "run"
    stale = tmp_path / ".run-writing-abc123"  # left by a writer killed before this fix
    dead = tmp_path / ".run-writing-999999999-x"  # a pid that cannot exist
    stale.mkdir()
    dead.mkdir()
    other = tmp_path / ".other-writing-abc"
    other.mkdir()

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as SIGTERM now raises while the figures are drawn

    monkeypatch.setattr(sim.outputs.figures, "save_figures", killed)
    args = ["run", "baseline", "--steps", "2", "--set", "consumers.count=200"]
    assert main([*args, "--quiet", "--out", str(out)]) == 130
    assert "interrupted; no results were written" in capsys.readouterr().err
    assert debris(tmp_path) == [".other-writing-abc"]
    assert not out.exists()


@pytest.mark.slow
def test_the_memory_check_reads_the_address_space_limit(tmp_path):
    """Item 17: under ``ulimit -v`` the estimate refuses, no numpy MemoryError."""
    code = (
        "import resource, sys; from sim.cli.main import main; "
        "resource.setrlimit(resource.RLIMIT_AS, (3_000_000 * 1024, resource.RLIM_INFINITY)); "
        "sys.exit(main(['run', 'baseline', '--steps', '13', "
        "'--set', 'consumers.count=20000000', '--out', 'big']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2, done.stderr
    assert "consumers.count: got 20000000: this run needs about" in done.stderr
    assert "MemoryError" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_short_runs_draw_every_figure_without_layout_warnings(tmp_path):
    """Item 18: the cause (labels a year beside a 13-week line) is gone, not silenced."""
    import warnings

    from sim.runs.runner import run
    from sim.scenario import load_scenario

    result = run(load_scenario("baseline", {"steps": 13, "consumers.count": 300}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        result.save(tmp_path / "run")
    assert (tmp_path / "run" / "figures" / "vitality.png").is_file()


@pytest.mark.slow
def test_spread_names_its_seed_folders(tmp_path):
    out = tmp_path / "seeds"
    args = ["run", "baseline", "--steps", "13", "--set", "consumers.count=300"]
    assert main([*args, "--seeds", "2", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    text = (out / "spread.md").read_text(encoding="utf-8")
    assert "`seed-K/` (K = 1..2)" in text and "{n}" not in text
