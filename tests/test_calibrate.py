"""Calibration (``flywheel calibrate``): the file, the distances, the study and its resume."""

from __future__ import annotations

import math

import pandas as pd
import pytest

pytest.importorskip("optuna")

from sim.cli.main import main as flywheel
from sim.experiments.calibrate import band_gap, load_spec, run_seeds
from sim.scenario import InputError

TINY = """\
target: amazon_third_party_share
parameters:
  platforms.0.third_party.profit_sensitivity: [1.5, 6.0]
  firms.0.selection: {low: 170, high: 680, log: true}
fixed: {consumers.count: 300}
steps: 52
seeds: 2
trials: 2
seed: 5
"""


def test_band_gap_by_hand():
    assert band_gap(0.45, 0.3, 0.7) == 0.0
    assert band_gap(0.3, 0.3, 0.7) == 0.0  # an edge is inside
    assert band_gap(0.14, 0.3, 0.7) == pytest.approx(0.16 / 0.7)
    assert band_gap(0.84, 0.3, 0.7) == pytest.approx(0.14 / 0.7)
    assert band_gap(0.5, 1.0, math.inf) == pytest.approx(0.5)  # open above: scale |low|
    assert band_gap(9.0, 0.0, 0.05) == 1.0  # capped
    assert band_gap(float("nan"), 0.0, 1.0) == 1.0  # the run cannot tell
    assert band_gap(-0.5, 0.0, 0.0) == pytest.approx(0.5)  # a zero scale counts as 1


def test_seeds_are_common_and_reproducible(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(TINY)
    spec = load_spec(path)
    assert run_seeds(spec) == run_seeds(spec)
    assert len(set(run_seeds(spec))) == 2


def test_bad_file_lists_every_problem(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "target: nowhere\nparameters:\n  a.b: [2, 1]\n  c: {low: 0, high: 1, log: true}\n"
        "seeds: 0\nsurprise: 1\n"
    )
    with pytest.raises(InputError) as caught:
        load_spec(path)
    text = str(caught.value)
    for expected in ("target", "a.b", "low (2.0) must be below", "log-scale", "seeds", "surprise"):
        assert expected in text, expected


def test_unknown_setting_is_refused_before_any_run(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(TINY.replace("firms.0.selection", "firms.0.selektion"))
    out = tmp_path / "out"
    assert flywheel(["calibrate", "amazon_flywheel", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "firms.0.selektion" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.slow
def test_study_starts_from_the_scenario_and_resumes(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(TINY)
    out = tmp_path / "out"
    assert flywheel(["calibrate", "amazon_flywheel", str(path), "--out", str(out)]) == 0
    rows = pd.read_csv(out / "trials.csv")
    assert sorted(rows["trial"].unique()) == [0, 1]
    hand = rows[rows["trial"] == 0]
    assert (hand["platforms.0.third_party.profit_sensitivity"] == 3.18).all()
    assert (hand["firms.0.selection"] == 340).all()
    # Resume with a larger budget: only the new trial runs, the finished ones are kept.
    assert (
        flywheel(["calibrate", "amazon_flywheel", str(path), "--out", str(out), "--trials", "3"])
        == 0
    )
    rows = pd.read_csv(out / "trials.csv")
    assert len(rows) == 6 and sorted(rows["trial"].unique()) == [0, 1, 2]
    for name in ("calibration.md", "calibration.csv", "fitted.yaml", "convergence.png"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "calibration.csv").set_index("parameter")
    per_trial = rows.groupby("trial")["distance"].mean()
    best = per_trial.idxmin()
    fitted = rows[rows["trial"] == best].iloc[0]
    assert table.loc["firms.0.selection", "fitted"] == pytest.approx(fitted["firms.0.selection"])
    report = (out / "calibration.md").read_text()
    assert "hand-set (trial 0)" in report and f"fitted (trial {best})" in report


def test_shipped_files_are_found_by_name_and_valid():
    from sim.experiments.calibrate import find_calibration, shipped_calibrations

    assert shipped_calibrations() == ["amazon_flywheel", "industry_dynamics"]
    for name in shipped_calibrations():
        spec = load_spec(name)
        assert find_calibration(name).is_file() and spec.trials >= 1
    with pytest.raises(InputError, match="shipped calibration files: amazon_flywheel"):
        load_spec("nowhere")
