import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def flywheel(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.slow
def test_run_writes_tables_figures_summary_and_manifest(tmp_path):
    out = tmp_path / "b"
    code = main(
        [
            "run",
            "baseline",
            "--steps",
            "30",
            "--seed",
            "5",
            "--set",
            "consumers.count=800",
            "--out",
            str(out),
            "--csv",
            "--quiet",
        ]
    )
    assert code == 0
    for name in (
        "model.parquet",
        "firms.parquet",
        "model.csv",
        "firms.csv",
        "scenario.yaml",
        "manifest.json",
        "summary.md",
    ):
        assert (out / name).is_file(), name
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert {
        "cash_and_payouts.png",
        "experience_and_satisfaction.png",
        "market_share.png",
        "price_vs_cost.png",
    } <= set(figures)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["steps"] == 30
    assert len(manifest["scenario_sha256"]) == 64
    assert "mesa" in manifest["versions"]
    model = pd.read_parquet(out / "model.parquet")
    assert list(model["step"]) == list(range(31))
    for column in (
        "needs",
        "purchases",
        "outside_share",
        "mean_price",
        "hhi",
        "n_firms_alive",
        "consumer_surplus",
    ):
        assert column in model.columns
    firms = pd.read_parquet(out / "firms.parquet")
    for column in (
        "step",
        "firm_id",
        "name",
        "strategy",
        "price",
        "unit_cost",
        "units",
        "share",
        "revenue",
        "profit",
        "cash",
        "experience",
        "selection",
        "satisfaction",
        "repeat_rate",
        "alive",
    ):
        assert column in firms.columns
    summary = (out / "summary.md").read_text()
    assert "Who won the customers" in summary and "customer-obsessed" in summary
    resolved = (out / "scenario.yaml").read_text()
    assert "count: 800" in resolved and "seed: 5" in resolved


def test_bad_scenario_exits_2_without_traceback_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nconsumer: {count: 10}\nfirms:\n"
        "  - {name: A, strategy: customer_obsesed, count: -1}\n"
    )
    out = tmp_path / "out"
    result = flywheel("run", str(bad), "--out", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(bad) in result.stderr
    assert "did you mean 'consumers'" in result.stderr
    assert "did you mean 'customer_obsessed'" in result.stderr
    assert "firms.0.count" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_bad_override_is_reported_like_a_file_problem(tmp_path):
    result = flywheel("run", "baseline", "--set", "consumers.cuont=5", "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "consumers.cuont" in result.stderr and "did you mean 'count'" in result.stderr
    assert not (tmp_path / "o").exists()


def test_validate_and_list():
    ok = flywheel("validate", "baseline", "validation/logit_nash")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("ok:") == 2
    listed = flywheel("list")
    assert listed.returncode == 0
    assert "baseline" in listed.stdout and "validation/logit_nash" in listed.stdout


def test_unknown_scenario_name_suggests_a_close_one():
    result = flywheel("run", "baselin")
    assert result.returncode == 2
    assert "did you mean 'baseline'" in result.stderr
    assert "Traceback" not in result.stderr
