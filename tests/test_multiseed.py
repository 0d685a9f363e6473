"""Multi-seed runs: the seed plan, the run folders, the spread and the command line."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml
from builders import tiny_scenario

import sim
from sim.cli.main import main
from sim.experiments.multiseed import headlines, run_seeds, scenario_strategies, spread
from sim.model.seeds import replication_seeds
from sim.scenario import load_scenario


def two_mindsets(steps: int = 20) -> dict:
    return tiny_scenario(
        firms=[
            {"name": "Obsessed", "strategy": "customer_obsessed", "count": 2, "fixed_cost": 20.0},
            {"name": "Holder", "strategy": "shareholder_focused", "count": 2, "fixed_cost": 20.0},
        ],
        steps=steps,
    )


def test_spread_by_hand():
    per_seed = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [2.0, np.nan, 2.0, 2.0, 2.0]})
    table = spread(per_seed, ["x", "y"]).set_index("headline")
    x = table.loc["x"]
    assert (x["n"], x["mean"], x["min"], x["max"]) == (5, 3.0, 1.0, 5.0)
    # 5th and 95th percentiles, linear between order statistics: 1 + 0.05*4*1, 5 - 0.2
    assert (x["low"], x["high"]) == (pytest.approx(1.2), pytest.approx(4.8))
    half = 2.131846786 * math.sqrt(2.5) / math.sqrt(5)  # t(0.95, 4) * sd / sqrt(n)
    assert (x["mean_ci_low"], x["mean_ci_high"]) == (
        pytest.approx(3 - half),
        pytest.approx(3 + half),
    )
    y = table.loc["y"]
    assert (y["n"], y["mean"], y["sd"], y["low"], y["high"]) == (4, 2.0, 0.0, 2.0, 2.0)


def test_seeds_follow_the_plan_and_each_folder_is_the_single_run(tmp_path):
    scenario = load_scenario(two_mindsets())
    report = run_seeds(scenario, 3, tmp_path / "out", executor="inline", figures=False)
    plan = replication_seeds(scenario.seed, 3)
    assert report.seeds == plan
    assert report.per_seed["seed"].tolist() == plan
    single = sim.run(scenario, seed=plan[1])
    saved = pd.read_parquet(tmp_path / "out" / "seed-2" / "firms.parquet")
    pd.testing.assert_frame_equal(saved, single.firms.reset_index(drop=True), check_dtype=False)
    expected = headlines(single, scenario_strategies(scenario))
    row = report.per_seed.iloc[1]
    for column, value in expected.items():
        assert row[column] == pytest.approx(value, nan_ok=True)
    for name in ("spread.md", "spread.csv", "seeds.csv"):
        assert (tmp_path / "out" / name).is_file()
    table = pd.read_csv(tmp_path / "out" / "spread.csv").set_index("headline")
    for column in expected:
        values = report.per_seed[column].dropna()
        if len(values):
            assert table.loc[column, "min"] == pytest.approx(values.min())
            assert table.loc[column, "max"] == pytest.approx(values.max())
            assert table.loc[column, "min"] <= table.loc[column, "mean"] <= table.loc[column, "max"]


def test_unit_shares_of_the_strategies_add_up():
    scenario = load_scenario(two_mindsets(30))
    values = headlines(sim.run(scenario), scenario_strategies(scenario))
    shares = (
        values["share_last_year__customer_obsessed"]
        + values["share_last_year__shareholder_focused"]
    )
    assert shares == pytest.approx(1.0)


@pytest.mark.slow
def test_command_line_runs_seeds_on_worker_processes(tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(two_mindsets()), encoding="utf-8")
    out = tmp_path / "runs"
    code = main(["run", str(path), "--seeds", "2", "--workers", "2", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "how much the seed matters (2 seeds)" in printed
    assert (out / "seed-1" / "summary.md").is_file()
    assert (out / "seed-2" / "figures").is_dir()
    inline = run_seeds(
        load_scenario(path), 2, tmp_path / "inline", executor="inline", figures=False
    )
    local = pd.read_csv(out / "seeds.csv").drop(columns="wall_seconds")
    pd.testing.assert_frame_equal(
        local, inline.per_seed.drop(columns="wall_seconds"), check_dtype=False
    )


def test_bad_input_writes_nothing(tmp_path, capsys):
    out = tmp_path / "never"
    code = main(
        ["run", "baseline", "--seeds", "2", "--set", "consumers.count=-5", "--out", str(out)]
    )
    assert code == 2
    assert "consumers.count" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(SystemExit) as stop:
        main(["run", "baseline", "--seeds", "0", "--out", str(out)])
    assert stop.value.code == 2
    assert not out.exists()


@pytest.mark.slow
def test_entry_adds_the_industry_comparison_over_seeds(tmp_path):
    data = two_mindsets(110)
    data["entry"] = {
        "rate_per_year": 4.0,
        "templates": [{"name": "New", "strategy": "customer_obsessed", "fixed_cost": 20.0}],
    }
    report = run_seeds(load_scenario(data), 2, tmp_path, executor="inline", figures=False)
    assert "Does this industry look like a real one? (means over the seeds)" in report.text
    assert (report.per_seed["industry__years"] == 2).all()
    plain = run_seeds(
        load_scenario(two_mindsets()), 1, tmp_path / "p", executor="inline", figures=False
    )
    assert "industry" not in plain.text
    assert not any(c.startswith("industry__") for c in plain.per_seed.columns)
