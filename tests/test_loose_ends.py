"""Start-up, the run progress bar, and the research loose ends of sweeps and contest maps."""

import io
import itertools
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import yaml

import sim.cli.main
from sim.experiments import contest_map, outcomes
from sim.experiments.cli import query_hint
from sim.experiments.multiseed import rerun_command
from sim.experiments.spec import list_sweeps, load_sweep
from sim.scenario import InputError

HEAVY = ("mesa", "pandas", "matplotlib", "scipy", "pydantic", "numpy")


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["list"]])
def test_quick_commands_import_nothing_heavy(argv):
    code = textwrap.dedent(
        f"""
        import sys
        import sim.cli.main
        try:
            sim.cli.main.main({argv!r})
        except SystemExit:
            pass
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_import_sim_is_light_and_exports_on_use():
    code = "import sys, sim; print('mesa' in sys.modules, sim.run.__module__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "sim.runs.runner"]


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("quiet", [False, True])
@pytest.mark.slow
def test_run_shows_a_progress_bar_on_a_terminal_unless_quiet(quiet, tmp_path, monkeypatch):
    out, err = Terminal(), Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sim.cli.main, "PROGRESS_DELAY", 0.0)
    argv = ["run", "baseline", "--steps", "3", "--set", "consumers.count=200"]
    argv += ["--out", str(tmp_path / "run")] + (["--quiet"] if quiet else [])
    assert sim.cli.main.main(argv) == 0
    assert ("3/3" in err.getvalue()) is not quiet


@pytest.mark.slow
def test_no_progress_bar_when_output_is_not_a_terminal(tmp_path, capsys):
    argv = ["run", "baseline", "--steps", "3", "--set", "consumers.count=200"]
    assert sim.cli.main.main([*argv, "--out", str(tmp_path / "run")]) == 0
    assert "3/3" not in capsys.readouterr().err


# ---------------------------------------------------------------- sweeps


@pytest.mark.parametrize("name", [name for name, _ in list_sweeps() if name != "tournament_demo"])
def test_the_stores_sweep_yaml_loads_back_to_the_same_sweep(name, tmp_path):
    sweep = load_sweep(name, ["replications=2"])
    path = tmp_path / "sweep.yaml"
    path.write_text(sweep.resolved_yaml())
    again = load_sweep(path)
    assert again.digest == sweep.digest
    assert again.n_runs == sweep.n_runs


def test_design_kind_switches_by_set():
    morris = load_sweep("screening")
    assert morris.spec.design.kind.value == "morris"
    sobol = load_sweep("screening", ["design.kind=sobol", "design.samples=8"])
    assert sobol.spec.design.kind.value == "sobol"
    lhs = load_sweep("screening", {"design.kind": "lhs"})
    assert lhs.spec.design.kind.value == "lhs"
    with pytest.raises(InputError, match="levels applies to morris designs only"):
        load_sweep("screening", ["design.kind=lhs", "design.levels=6"])


TINY_SWEEP = {
    "name": "tiny",
    "scenario": "baseline",
    "seed": 3,
    "replications": 2,
    "fixed": {"consumers.count": 200, "steps": 6},
    "parameters": {
        "alpha": {"levels": [0.05, 0.1], "set": {"consumers.price_sensitivity.mean": "alpha"}}
    },
    "outputs": {"metrics": ["final_hhi", "my_outcomes:mean_price"]},
}


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "my_outcomes.py").write_text(
        "def mean_price(result, window):\n"
        "    return float(result.firms['price'].mean())\n"
        "def one_argument(result):\n"
        "    return 1.0\n"
        "not_a_function = 3\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_tidy_results_csv_and_a_users_outcome(user_module, capsys):
    path = user_module / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY_SWEEP))
    store = user_module / "store"
    argv = ["sweep", str(path), "--executor", "inline", "--out", str(store), "--no-progress"]
    assert sim.cli.main.main(argv) == 0
    runs = pd.read_parquet(store / "runs")
    firms_price = runs["my_outcomes:mean_price"]
    assert firms_price.notna().all() and (firms_price > 0).all()
    csv = user_module / "table.csv"
    argv = ["results", str(store), "--outcome", "final_hhi", "--outcome", "my_outcomes:mean_price"]
    assert sim.cli.main.main([*argv, "--csv", str(csv)]) == 0
    table = pd.read_csv(csv)
    assert list(table.columns) == ["alpha", "outcome", "n", "mean", "low", "high"]
    assert len(table) == 4
    for column in ("mean", "low", "high"):
        assert pd.api.types.is_float_dtype(table[column])
    hhi = table[(table["outcome"] == "final_hhi") & (table["alpha"] == 0.05)]
    expected = runs[runs["alpha"] == 0.05]["final_hhi"].mean()
    assert hhi["mean"].iloc[0] == pytest.approx(expected)
    assert hhi["low"].iloc[0] < hhi["mean"].iloc[0] < hhi["high"].iloc[0]


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("my_outcomes:one_argument", "must take two arguments (result, window)"),
        ("my_outcomes:not_a_function", "has no function 'not_a_function'"),
        ("my_outcomes:missing", "has no function 'missing'"),
        ("no_such_module:f", "cannot import 'no_such_module'"),
        ("my_outcomes:", "a user outcome is written module:function"),
    ],
)
def test_a_bad_user_outcome_is_refused_with_a_clear_rule(user_module, name, rule):
    data = {**TINY_SWEEP, "outputs": {"metrics": [name]}}
    with pytest.raises(InputError) as caught:
        load_sweep(data)
    assert rule in str(caught.value)
    assert "outputs.metrics" in str(caught.value)


@pytest.mark.slow
def test_rerun_hint_repeats_steps_and_overrides(tmp_path):
    out = tmp_path / "seeds"
    argv = ["run", "baseline", "--seeds", "2", "--steps", "4", "--workers", "1"]
    argv += ["--set", "consumers.count=200", "--set", "market.outside_utility=0.5"]
    assert sim.cli.main.main([*argv, "--out", str(out), "--quiet"]) == 0
    text = (out / "spread.md").read_text()
    command = rerun_command("baseline", 4, ["consumers.count=200", "market.outside_utility=0.5"])
    assert f"`{command} --seed <seed>`" in text
    assert "--steps 4 --set consumers.count=200 --set market.outside_utility=0.5" in command


def test_query_hint_names_only_installed_tools(monkeypatch, tmp_path):
    import importlib.util
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    hint = query_hint(tmp_path)
    assert "duckdb" not in hint
    assert "load_results" in hint


# ---------------------------------------------------------------- contest map


def test_contest_map_text_reads_right_at_the_edges_of_a_mix():
    rows = []
    for share in (0.0, 0.5, 1.0):
        for rep in range(5):
            obsessed = np.nan if share == 0.0 else 0.6 + rep / 100
            holder = np.nan if share == 1.0 else 0.4
            rows.append(
                {
                    "point": f"p{share}",
                    "obsessed_share": share,
                    "final_share__customer_obsessed": obsessed,
                    "final_share__shareholder_focused": holder,
                }
            )
    df = pd.DataFrame(rows)
    table = contest_map.win_table(
        df, ["obsessed_share"], "final_share", "customer_obsessed", "shareholder_focused"
    )
    assert list(table["winner"]) == ["undefined", "customer_obsessed", "undefined"]
    text = contest_map.describe(
        table, ["obsessed_share"], "customer_obsessed", "shareholder_focused"
    )
    assert "wins most clearly at obsessed_share = 0.5" in text
    assert "obsessed_share = 0.0 (" not in text
    assert "no contest at obsessed_share = 0.0" in text
    assert "no contest at obsessed_share = 1.0" in text
    assert "shareholder_focused wins most clearly" not in text


def test_units_share_of_an_absent_strategy_is_undefined_not_zero():
    import sim

    data = sim.load_scenario("baseline").model_dump(mode="json")
    data["firms"] = data["firms"][1:]  # shareholder-focused firms only
    result = sim.run(data, steps=4, overrides={"consumers.count": 200})
    assert np.isnan(outcomes.final_units_share(result, 52, "customer_obsessed"))
    assert outcomes.final_units_share(result, 52, "shareholder_focused") == pytest.approx(1.0)


def _four_way_sweep(names):
    """Two levels of each parameter, two replications; the first side wins iff the last
    parameter is 1 (so averaging over it would show 50% everywhere)."""
    rows = []
    for point, levels in enumerate(itertools.product((0.0, 1.0), repeat=len(names))):
        for rep in range(2):
            wins = levels[-1] == 1.0
            rows.append(
                {
                    "point": point,
                    **dict(zip(names, levels, strict=True)),
                    "value__a": 2.0 + rep if wins else 1.0,
                    "value__b": 1.5,
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("count", [4, 5])
def test_contest_map_draws_a_fourth_parameter_as_rows_and_never_hatches_an_average(
    count, tmp_path, monkeypatch
):
    # The last name decides: fourth with four parameters (drawn as rows), fifth with five
    # (averaged in the picture).
    names = ["w", "x", "y", "z", "v"][:count]
    drawn = []
    original = contest_map.plot_win_map

    def recording(rows, *args, hatch=True, **kwargs):
        drawn.append((rows.copy(), hatch))
        return original(rows, *args, hatch=hatch, **kwargs)

    monkeypatch.setattr(contest_map, "plot_win_map", recording)
    written = contest_map.write_contest_maps(_four_way_sweep(names), names, tmp_path)
    assert (tmp_path / "contest_map_value.png") in written
    assert len(drawn) == 4  # 2 levels of the third parameter x 2 of the fourth
    for rows, hatch in drawn:
        if count == 4:
            assert len(set(rows["first_wins"])) == 1  # each panel is one level of the decider
            assert hatch
        else:
            assert set(rows["first_wins"]) == {0.5}  # an average over the decider's levels
            assert not hatch
