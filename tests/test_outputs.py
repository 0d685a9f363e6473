"""Output folders: checked before a run, written whole, replaced whole."""

import os
import sys
from pathlib import Path

import pytest

import sim.runs.runner
from sim.cli.main import main
from sim.outputs.folders import check_run_out
from sim.scenario import InputError

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--steps", "4", "--set", "consumers.count=300", "--quiet"]


def no_run(*args, **kwargs):
    raise AssertionError("the simulation must not start")


def test_existing_file_as_out_is_refused_before_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sim.runs.runner, "run", no_run)
    target = tmp_path / "taken"
    target.write_text("keep me")
    assert main(["run", "baseline", "--out", str(target), *SMALL]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["run", "baseline", "--out", str(target / "sub"), *SMALL]) == 2
    assert "no folder can be created" in capsys.readouterr().err
    assert target.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a read-only /proc")
def test_unwritable_out_is_refused_before_the_run(monkeypatch, capsys):
    monkeypatch.setattr(sim.runs.runner, "run", no_run)
    assert main(["run", "baseline", "--out", "/proc/flywheel-run", *SMALL]) == 2
    assert "cannot write in /proc" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes anyway")
def test_read_only_folder_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sim.runs.runner, "run", no_run)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["run", "baseline", "--out", str(locked / "run"), *SMALL]) == 2
    finally:
        locked.chmod(0o755)
    assert "cannot write" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a read-only /proc")
def test_unwritable_sweep_out_is_refused(capsys):
    sweep = str(ROOT / "experiments" / "screening.yaml")
    code = main(["sweep", sweep, "--out", "/proc/flywheel-sweep", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot write" in err and "Traceback" not in err


@pytest.mark.slow
def test_rerun_replaces_the_run_folder_whole(tmp_path):
    out = tmp_path / "run"
    flywheel_args = ["run", "amazon_flywheel", "--out", str(out), "--csv", *SMALL]
    assert main(flywheel_args) == 0
    assert (out / "platforms.parquet").is_file() and (out / "model.csv").is_file()
    assert main(["run", "baseline", "--out", str(out), "--seed", "3", *SMALL]) == 0
    names = {p.name for p in out.iterdir()}
    assert "platforms.parquet" not in names and "model.csv" not in names
    assert "seed: 3" in (out / "scenario.yaml").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary sibling left


def test_folder_that_is_not_a_run_is_left_alone(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sim.runs.runner, "run", no_run)
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["run", "baseline", "--out", str(tmp_path), *SMALL]) == 2
    assert "not a run folder" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(InputError):
        check_run_out(tmp_path)


def test_failure_while_writing_keeps_the_earlier_run(tmp_path, monkeypatch):
    out = tmp_path / "run"
    result = sim.runs.runner.run("baseline", steps=4, overrides={"consumers.count": 300})
    result.save(out, figures=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("sim.outputs.summary.summary", broken)
    with pytest.raises(OSError, match="disk full"):
        result.save(out, figures=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
