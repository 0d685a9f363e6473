"""Sweep stores: damaged run files are found, reported, left out and redone."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from experiments_helpers import tiny

from sim.experiments import load_results, run_sweep
from sim.experiments.cli import main, query_hint
from sim.experiments.store import SweepStore


def files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for kind in ("runs", "series")
        for path in sorted((root / kind).glob("*.parquet"))
    }


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("integrity") / "store"
    report = run_sweep(tiny(replications=1), out=out, executor="inline", progress=False)
    assert report.done == 3
    return out


@pytest.fixture
def damaged_store(pristine, tmp_path) -> Path:
    out = tmp_path / "store"
    shutil.copytree(pristine, out)
    truncated = out / "runs" / "p00001-r000.parquet"
    truncated.write_bytes(truncated.read_bytes()[:100])
    altered = out / "series" / "p00002-r000.parquet"
    data = bytearray(altered.read_bytes())
    data[10] ^= 0xFF  # a flipped bit inside a page: the footer is intact
    altered.write_bytes(bytes(data))
    return out


def test_damaged_files_are_found(damaged_store, pristine):
    assert SweepStore(pristine).damaged() == {}
    found = SweepStore(damaged_store).damaged()
    assert sorted(found) == ["p00001-r000", "p00002-r000"]
    assert "not a whole Parquet file" in found["p00001-r000"]
    assert "SHA-256" in found["p00002-r000"]


def test_results_and_analyze_leave_damaged_runs_out_and_say_so(damaged_store, capsys):
    frame = load_results(damaged_store)
    assert sorted(frame["run_id"]) == ["p00000-r000"]
    assert main(["results", str(damaged_store)]) == 0
    err = capsys.readouterr().err
    assert "2 run(s) have a damaged file" in err and "p00001-r000" in err
    assert "--resume" in err and "Traceback" not in err
    main(["analyze", str(damaged_store), "--out", str(damaged_store / "analysis")])
    err = capsys.readouterr().err
    assert "2 run(s) have a damaged file" in err and "magic" not in err.split("p00001-r000")[0]


def test_resume_redoes_damaged_runs_to_the_same_bytes(damaged_store, pristine):
    report = run_sweep(tiny(replications=1), out=damaged_store, executor="inline", progress=False)
    assert (report.ran, report.done) == (2, 3)
    assert files(damaged_store) == files(pristine)
    assert (damaged_store / "damaged" / "runs" / "p00001-r000.parquet").is_file()
    assert SweepStore(damaged_store).damaged() == {}


def test_query_hint_fits_what_is_installed(pristine, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    hint = query_hint(pristine)
    assert "duckdb" not in hint
    command = hint.removeprefix("query: ")
    done = subprocess.run(
        command,
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "p00002-r000" in done.stdout
