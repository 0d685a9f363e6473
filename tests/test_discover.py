"""Scenario discovery (``flywheel discover``): PRIM's box and CART's leaves on known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")
pytest.importorskip("sklearn")

from sim.cli.main import main as flywheel
from sim.experiments.discover import (
    cases_of_interest,
    choose_box,
    describe_box,
    discover,
)
from sim.experiments.store import FORMAT, SweepStore


def synthetic_cases(n: int = 1000, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """Three conditions uniform on [0, 1]; of interest exactly where a > 0.6 and b < 0.3."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 3)), columns=["a", "b", "noise"])
    y = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    return x, y


def test_prim_finds_the_known_box():
    x, y = synthetic_cases()
    found = discover(x, y, min_density=0.9)
    box = found.box.set_index("parameter")
    # The true region is a > 0.6, b < 0.3; the noise condition is not restricted.
    assert set(box.index) == {"a", "b"}
    assert box.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert box.loc["b", "high"] == pytest.approx(0.3, abs=0.05)
    stats = found.stats()
    assert stats["density"] >= 0.9
    assert stats["coverage"] >= 0.8
    # The truth holds 0.4 * 0.3 = 12% of the unit square.
    assert stats["mass"] == pytest.approx(0.12, abs=0.03)
    # Both restrictions matter: their quasi-p values are tiny.
    assert box.loc["a", "qp_low"] < 1e-3
    assert box.loc["b", "qp_high"] < 1e-3


def test_box_statistics_agree_with_a_count_of_the_cases():
    x, y = synthetic_cases()
    found = discover(x, y)
    inside = np.ones(len(x), dtype=bool)
    for row in found.box.itertuples():
        inside &= (x[row.parameter] >= row.low) & (x[row.parameter] <= row.high)
    stats = found.stats()
    assert stats["mass"] == pytest.approx(inside.mean())
    assert stats["density"] == pytest.approx(y[inside].mean())
    assert stats["coverage"] == pytest.approx(y[inside].sum() / y.sum())


def test_cart_leaves_partition_the_cases_and_find_the_region():
    x, y = synthetic_cases()
    found = discover(x, y)
    leaves = found.leaves
    assert leaves["n"].sum() == len(x)
    assert leaves["coverage"].sum() == pytest.approx(1.0)
    called = leaves[leaves["of_interest"]]
    assert called["coverage"].sum() >= 0.9
    assert "a >" in " ".join(called["rule"]) and "b <=" in " ".join(called["rule"])


def test_same_seed_same_discovery():
    x, y = synthetic_cases()
    first, second = discover(x, y, seed=3), discover(x, y, seed=3)
    pd.testing.assert_frame_equal(first.trajectory, second.trajectory)
    pd.testing.assert_frame_equal(first.box, second.box)
    assert first.tree_rules == second.tree_rules


def test_choose_box_prefers_coverage_among_dense_boxes():
    trajectory = pd.DataFrame(
        {
            "coverage": [1.0, 0.9, 0.7, 0.5],
            "density": [0.2, 0.7, 0.85, 0.95],
            "res_dim": [0, 1, 2, 2],
        }
    )
    assert choose_box(trajectory, 0.8) == 2
    assert choose_box(trajectory, 0.99) == 3  # none dense enough: the densest


def test_cases_of_interest_rules():
    frame = pd.DataFrame({"p": [0.1, 0.5, 0.9], "s__a": [0.2, np.nan, 0.8], "s__b": [0.5] * 3})
    flags = cases_of_interest(frame, "s__a > s__b")
    assert flags.tolist()[0] is False and flags.tolist()[2] is True
    assert np.isnan(flags.tolist()[1])
    assert cases_of_interest(frame, "s__a", threshold=0.5).tolist()[::2] == [False, True]
    assert cases_of_interest(frame, "s__a", threshold=0.5, below=True).tolist()[::2] == [
        True,
        False,
    ]
    with pytest.raises(ValueError, match="unknown column"):
        cases_of_interest(frame, "share > 0")
    with pytest.raises(ValueError, match="--threshold"):
        cases_of_interest(frame, "s__a")
    with pytest.raises(ValueError, match="comparison"):
        cases_of_interest(frame, "s__a > 0", threshold=1.0)


def test_no_region_without_both_kinds_of_case():
    x, _ = synthetic_cases(50)
    with pytest.raises(ValueError, match="no case"):
        discover(x, np.zeros(len(x), dtype=bool))
    with pytest.raises(ValueError, match="every case"):
        discover(x, np.ones(len(x), dtype=bool))


def test_describe_box_reads_one_sided_and_two_sided_edges():
    box = pd.DataFrame(
        [
            {
                "parameter": "a",
                "low": 0.6,
                "high": 1.0,
                "range_low": 0.0,
                "range_high": 1.0,
                "qp_low": 0.001,
                "qp_high": np.nan,
            },
            {
                "parameter": "b",
                "low": 0.2,
                "high": 0.3,
                "range_low": 0.0,
                "range_high": 1.0,
                "qp_low": 0.2,
                "qp_high": 0.01,
            },
        ]
    )
    lines = describe_box(box)
    assert lines[0] == "a >= 0.6 (quasi-p 0.001)"
    assert lines[1] == "0.2 <= b <= 0.3 (quasi-p 0.2, 0.01)"


def make_store(root, n_per_point: int = 20) -> None:
    """A store of a 5 x 5 grid whose outcome is above 0.5 exactly where taste >= 2."""
    levels = [0.5, 1.0, 2.0, 3.0, 4.0]
    rng = np.random.default_rng(11)
    design = pd.DataFrame(
        [
            {"point": i * 5 + j, "taste": t, "ratio": r}
            for i, t in enumerate(levels)
            for j, r in enumerate(levels)
        ]
    )
    manifest = {
        "format": FORMAT,
        "sweep_sha256": "0" * 64,
        "name": "synthetic",
        "design": {"kind": "grid", "parameters": ["taste", "ratio"]},
        "outputs": {"metrics": ["share"]},
    }
    store = SweepStore.create(root, manifest, "name: synthetic\n", design)
    for row in design.itertuples():
        for rep in range(n_per_point):
            share = (0.7 if row.taste >= 2 else 0.3) + rng.normal(0, 0.05)
            run_id = f"p{row.point}-r{rep}"
            store.write_run(
                run_id,
                {
                    "run_id": run_id,
                    "point": row.point,
                    "replication": rep,
                    "seed": rep,
                    "taste": row.taste,
                    "ratio": row.ratio,
                    "share": share,
                },
            )


def test_command_writes_report_tables_and_figures(tmp_path, capsys):
    make_store(tmp_path / "store")
    out = tmp_path / "found"
    code = flywheel(
        [
            "discover",
            str(tmp_path / "store"),
            "--outcome",
            "share",
            "--threshold",
            "0.5",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    for name in (
        "discover.md",
        "discover.csv",
        "discover_trajectory.csv",
        "discover_trajectory.png",
        "discover_box.png",
    ):
        assert (out / name).is_file(), name
    box = pd.read_csv(out / "discover.csv").set_index("parameter")
    assert list(box.index) == ["taste"]
    assert 1.0 < box.loc["taste", "low"] <= 2.0
    assert box.loc["taste", "density"] == pytest.approx(1.0)
    report = (out / "discover.md").read_text()
    assert f"taste >= {box.loc['taste', 'low']:.4g}" in report and "300 of 500" in report


def test_command_errors_are_clear_and_write_nothing(tmp_path, capsys):
    make_store(tmp_path / "store")
    out = tmp_path / "found"
    code = flywheel(
        ["discover", str(tmp_path / "store"), "--outcome", "sharre > 0.5", "--out", str(out)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown column" in err and "Traceback" not in err
    assert not out.exists()
    assert flywheel(["discover", str(tmp_path / "nowhere"), "--outcome", "x > 1"]) == 2
    run_folder = tmp_path / "run"
    run_folder.mkdir()
    (run_folder / "manifest.json").write_text('{"seed": 1}')
    assert flywheel(["discover", str(run_folder), "--outcome", "x > 1"]) == 2
    assert "not a sweep or tournament store" in capsys.readouterr().err
