"""Experiments, end to end: sweeps on real executors, the store, resuming, failures, CLI.

The kill-and-resume test starts the sweep command as a real process, kills it with
SIGKILL twice while runs are in flight, resumes it, and checks the store is the same,
file for file and byte for byte, as an uninterrupted sweep's.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from experiments_helpers import boom_sweep, tiny, worker_killing_sweep, write_boom_module

from sim.experiments import load_results, read_manifest, run_sweep
from sim.experiments.cli import main
from sim.experiments.spec import validate_sweep
from sim.experiments.store import SweepStore, append_line, read_lines
from sim.scenario import InputError

ROOT = Path(__file__).resolve().parents[1]


def store_files(root: Path) -> dict[str, bytes]:
    """Every result file of a store by relative path (runs and series)."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for kind in ("runs", "series", "firm_series")
        for path in sorted((root / kind).glob("*.parquet"))
    }


@pytest.fixture(scope="module")
def local_store(tmp_path_factory) -> Path:
    """The tiny sweep run once on two local worker processes."""
    out = tmp_path_factory.mktemp("local") / "store"
    report = run_sweep(tiny(), out=out, workers=2, progress=False)
    assert (report.done, report.failed, report.ran) == (6, 0, 6)
    return out


class TestLocalSweep:
    def test_store_layout_and_manifest(self, local_store):
        names = {p.name for p in local_store.iterdir()}
        assert {
            "manifest.json",
            "sweep.yaml",
            "design.parquet",
            "runs",
            "series",
            "failures.jsonl",
            "timings.jsonl",
        } - names == {"failures.jsonl"}
        manifest = read_manifest(local_store)
        sweep = validate_sweep(tiny())
        assert manifest["sweep_sha256"] == sweep.digest
        assert manifest["seed_plan"]["replication_seeds"] == list(sweep.seeds)
        assert manifest["runs"] == {"total": 6, "done": 6, "failed": 0, "pending": 0}
        assert set(manifest["status"].values()) == {"done"}
        assert manifest["versions"]["numpy"] and manifest["versions"]["SALib"]
        assert manifest["sessions"][-1]["state"] == "finished"
        assert yaml.safe_load((local_store / "sweep.yaml").read_text())["name"] == "tiny"
        timings = read_lines(local_store / "timings.jsonl")
        assert len(timings) == 6 and all(t["task_seconds"] >= t["sim_seconds"] for t in timings)

    def test_runs_table_is_tidy_and_records_run_point_and_seed(self, local_store):
        df = load_results(local_store)
        sweep = validate_sweep(tiny())
        assert len(df) == 6
        assert list(df.columns[:6]) == [
            "run_id",
            "point",
            "replication",
            "seed",
            "sweep",
            "obsessed_share",
        ]
        assert list(df.columns[6:]) == list(sweep.metric_columns)
        for row in df.itertuples():
            assert row.seed == sweep.seeds[row.replication]  # common random numbers
            assert row.run_id == f"p{row.point:05d}-r{row.replication:03d}"
        assert df.loc[df.obsessed_share == 0.0, "final_customer_obsessed_share"].eq(0).all()
        assert df.loc[df.obsessed_share == 1.0, "final_customer_obsessed_share"].eq(1).all()
        assert df["final_share__shareholder_focused"].isna().sum() == 2  # absent at share 1
        assert df.attrs["parameters"] == ["obsessed_share"]

    def test_series_table(self, local_store):
        series = load_results(local_store, "series")
        assert set(series["step"]) == {0, 5, 10, 15, 20}
        assert len(series) == 6 * 5
        assert {"hhi", "customer_obsessed_share", "obsessed_share", "seed"} <= set(series.columns)

    def test_duckdb_reads_the_store(self, local_store):
        duckdb = pytest.importorskip("duckdb")
        query = (
            "SELECT obsessed_share, count(*) AS n, avg(final_consumer_surplus) AS surplus "
            f"FROM read_parquet('{local_store}/runs/*.parquet') GROUP BY 1 ORDER BY 1"
        )
        got = duckdb.sql(query).df()
        df = load_results(local_store)
        want = df.groupby("obsessed_share")["final_consumer_surplus"].mean()
        assert list(got["n"]) == [2, 2, 2]
        pd.testing.assert_series_equal(
            got.set_index("obsessed_share")["surplus"], want, check_names=False
        )

    def test_inline_executor_gives_identical_bytes(self, local_store, tmp_path):
        out = tmp_path / "inline"
        run_sweep(tiny(), out=out, executor="inline", progress=False)
        assert store_files(out) == store_files(local_store)

    def test_rerun_skips_finished_runs(self, local_store):
        before = store_files(local_store)
        report = run_sweep(tiny(), out=local_store, workers=2, progress=False)
        assert (report.ran, report.done) == (0, 6)
        report = run_sweep(tiny(), out=local_store, resume=True, progress=False)
        assert report.ran == 0
        assert store_files(local_store) == before


class TestCommonRandomNumbers:
    def test_a_parameter_without_effect_gives_identical_outcomes_per_replication(self, tmp_path):
        data = tiny(
            replications=3,
            parameters={"description": {"levels": ["label a", "label b"]}},
            outputs={"metrics": ["final_consumer_surplus", "final_hhi"]},
        )
        run_sweep(data, out=tmp_path / "s", executor="inline", progress=False)
        df = load_results(tmp_path / "s")
        a = df[df.description == "label a"].set_index("replication")
        b = df[df.description == "label b"].set_index("replication")
        pd.testing.assert_frame_equal(
            a[["seed", "final_consumer_surplus", "final_hhi"]],
            b[["seed", "final_consumer_surplus", "final_hhi"]],
        )
        assert a["final_consumer_surplus"].nunique() == 3


class TestStoreSafety:
    def test_invalid_sweep_writes_nothing(self, tmp_path):
        out = tmp_path / "never"
        with pytest.raises(InputError):
            run_sweep(tiny(replications=0), out=out, progress=False)
        assert not out.exists()

    def test_resume_needs_a_store(self, tmp_path):
        with pytest.raises(InputError, match="no sweep store here"):
            run_sweep(tiny(), out=tmp_path / "none", resume=True, progress=False)
        assert not (tmp_path / "none").exists()

    def test_a_store_of_another_sweep_is_refused(self, local_store):
        with pytest.raises(InputError, match="different sweep"):
            run_sweep(tiny(seed=99), out=local_store, progress=False)

    def test_a_foreign_folder_is_refused(self, tmp_path):
        (tmp_path / "mine.txt").write_text("keep me")
        with pytest.raises(InputError, match="not a sweep store"):
            run_sweep(tiny(), out=tmp_path, progress=False)

    def test_a_second_writer_is_locked_out(self, local_store):
        from sim.experiments.store import StoreLocked

        store = SweepStore.open(local_store)
        with store.lock(), pytest.raises(StoreLocked), SweepStore.open(local_store).lock():
            pass

    def test_log_lines_cut_short_by_a_kill_are_skipped_and_repaired(self, tmp_path):
        path = tmp_path / "log.jsonl"
        append_line(path, {"a": 1})
        with open(path, "a") as handle:
            handle.write('{"b": 2, "trunc')
        append_line(path, {"c": 3})
        assert read_lines(path) == [{"a": 1}, {"c": 3}]

    def test_stale_temporary_files_are_removed_on_resume(self, tmp_path):
        out = tmp_path / "s"
        run_sweep(tiny(replications=1), out=out, executor="inline", progress=False)
        stale = out / "runs" / ".p00000-r000.parquet.999.tmp"
        stale.write_bytes(b"half a file")
        run_sweep(tiny(replications=1), out=out, executor="inline", progress=False)
        assert not stale.exists()
        assert len(load_results(out)) == 3


class CountingExecutor(cf.Executor):
    """A thread pool that records the most futures outstanding at once."""

    def __init__(self):
        self.pool = cf.ThreadPoolExecutor(max_workers=2)
        self.outstanding = 0
        self.most = 0
        self.lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self.lock:
            self.outstanding += 1
            self.most = max(self.most, self.outstanding)
        future = self.pool.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, future):
        with self.lock:
            self.outstanding -= 1

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def test_runs_in_flight_are_bounded(tmp_path):
    executor = CountingExecutor()
    data = tiny(replications=4, steps=8, outputs={"metrics": ["final_hhi"]})
    report = run_sweep(data, out=tmp_path / "s", executor=executor, max_in_flight=3, progress=False)
    executor.shutdown()
    assert report.done == 12
    assert 1 < executor.most <= 3


class TestFailures:
    def test_a_failing_run_is_recorded_and_the_sweep_goes_on(self, tmp_path, monkeypatch):
        write_boom_module(tmp_path)
        monkeypatch.syspath_prepend(str(tmp_path))
        out = tmp_path / "s"
        report = run_sweep(boom_sweep(), out=out, executor="inline", progress=False)
        assert (report.done, report.failed) == (2, 2)
        failures = SweepStore.open(out).failures()
        assert [f["run_id"] for f in failures] == ["p00001-r000", "p00001-r001"]
        assert all("RuntimeError: boom at week 0" in f["error"] for f in failures)
        assert all("Traceback" in f["traceback"] for f in failures)
        assert failures[0]["params"] == {"explode": True}
        manifest = read_manifest(out)
        assert manifest["runs"] == {"total": 4, "done": 2, "failed": 2, "pending": 0}
        assert manifest["status"]["p00001-r000"] == "failed"
        # running again retries the failed runs only; the log keeps every attempt
        report = run_sweep(boom_sweep(), out=out, executor="inline", progress=False)
        assert (report.ran, report.failed) == (2, 2)
        assert len(SweepStore.open(out).failures()) == 4

    @pytest.mark.slow
    def test_failures_on_worker_processes_through_the_command(self, tmp_path):
        """Runs that raise, and runs that kill their worker process (the pool is rebuilt)."""
        write_boom_module(tmp_path)
        sweep_file = tmp_path / "killer.yaml"
        sweep_file.write_text(yaml.safe_dump(worker_killing_sweep(), sort_keys=False))
        out = tmp_path / "s"
        command = ["sweep", str(sweep_file), "--out", str(out), "--workers", "2", "--no-progress"]
        result = run_cli(command, pythonpath=tmp_path)
        assert result.returncode == 1, result.stderr
        assert "failed" in result.stdout and "Traceback" not in result.stderr
        manifest = read_manifest(out)
        assert manifest["sessions"][-1]["state"] == "finished"
        assert manifest["runs"]["done"] >= 2  # work went on after the pool broke
        # runs lost with a broken pool are retried; the raising and killing ones fail again
        result = run_cli(command, pythonpath=tmp_path)
        assert result.returncode == 1, result.stderr
        manifest = read_manifest(out)
        assert manifest["runs"] == {"total": 8, "done": 4, "failed": 4, "pending": 0}
        latest = {f["run_id"]: f for f in SweepStore.open(out).failures()}
        assert len(latest) == 4
        for failure in latest.values():
            if failure["params"] == {"case": "raise"}:
                assert failure["error"].startswith("StrategyError: the strategy of firm")
                assert "(boom_strategy:Boom) failed in decide()" in failure["error"]
                assert failure["error"].endswith("RuntimeError: boom at week 0")
                assert "Traceback" in failure["traceback"]
            else:
                assert failure["params"] == {"case": "kill"}
                assert failure["error"].startswith("worker died")
        assert set(load_results(out)["case"]) == {"a", "b"}


@pytest.mark.slow
def test_sigterm_stops_a_sweep_gracefully(tmp_path):
    sweep_file = tmp_path / "long.yaml"
    sweep_file.write_text(yaml.safe_dump(tiny(name="long", replications=40)))
    out = tmp_path / "s"
    env = dict(os.environ)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim.experiments.cli",
            "sweep",
            str(sweep_file),
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-progress",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # No timing assumption: wait (as long as a slow machine needs) for runs to finish,
    # then interrupt; every run finished before the signal must be recorded as done.
    deadline = time.monotonic() + 900
    finished = 0
    while time.monotonic() < deadline and finished < 3 and process.poll() is None:
        time.sleep(0.02)
        finished = len(list((out / "runs").glob("*.parquet")))
    assert process.poll() is None, "the sweep ended before it could be interrupted"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    session = read_manifest(out)["sessions"][-1]
    assert session["state"] == "interrupted"
    assert finished >= 1
    # Runs finished before the signal stay finished (a resume skips them).
    assert finished <= len(SweepStore.open(out).finished()) < 120
    assert read_manifest(out)["runs"]["done"] < 120


def run_cli(args: list[str], pythonpath: Path | None = None, **kwargs):
    env = dict(os.environ)
    paths = [str(ROOT / "tests")] + ([str(pythonpath)] if pythonpath else [])
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "sim.experiments.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        **kwargs,
    )


# ---------------------------------------------------------------- kill and resume


def kill_when(out: Path, command: list[str], at_least: int, env: dict) -> int:
    """Start the sweep command, SIGKILL it once ``at_least`` runs are stored."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = len(list((out / "runs").glob("*.parquet"))) if out.exists() else 0
            if done >= at_least:
                break
            if process.poll() is not None:
                pytest.fail("the sweep finished before it could be killed")
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        # the killed driver's worker processes are ours too; end them by group id
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(list((out / "runs").glob("*.parquet")))


@pytest.mark.slow
def test_kill_and_resume_matches_an_uninterrupted_sweep(tmp_path):
    data = tiny(
        name="killable",
        replications=4,
        steps=26,
        parameters={
            "obsessed_share": {
                **tiny()["parameters"]["obsessed_share"],
                "levels": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            }
        },
        outputs={"metrics": "all", "series": ["hhi"], "firm_series": ["share"], "series_every": 13},
    )
    sweep_file = tmp_path / "killable.yaml"
    sweep_file.write_text(yaml.safe_dump(data))
    out = tmp_path / "killed"
    env = dict(os.environ)
    command = [
        sys.executable,
        "-m",
        "sim.experiments.cli",
        "sweep",
        str(sweep_file),
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-progress",
    ]
    first = kill_when(out, command, 4, env)
    second = kill_when(out, command, first + 6, env)
    assert 4 <= first < second < 24
    manifest = read_manifest(out)
    assert manifest["sessions"][-1]["state"] == "running"  # died without a word
    resumed = subprocess.run(
        [*command, "--resume"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{second} already done before" in resumed.stdout

    reference = tmp_path / "uninterrupted"
    run_sweep(data, out=reference, workers=2, progress=False)
    assert store_files(out) == store_files(reference)
    assert len(store_files(out)) == 24 * 3
    for kind in ("runs", "series", "firm_series"):
        pd.testing.assert_frame_equal(load_results(out, kind), load_results(reference, kind))
    assert read_manifest(out)["runs"]["done"] == 24
    assert not list(out.rglob("*.tmp"))


# ---------------------------------------------------------------- command line


class TestCommandLine:
    def test_bad_input_exits_2_with_every_problem_and_writes_nothing(self, tmp_path, capsys):
        bad = tmp_path / "bad.yaml"
        bad.write_text(yaml.safe_dump(tiny(replicatons=2, seed=-3)))
        out = tmp_path / "out"
        assert main(["sweep", str(bad), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "2 problems" in err and "did you mean 'replications'?" in err and "seed" in err
        assert "Traceback" not in err
        assert not out.exists()

    def test_unknown_sweep_and_bad_set(self, tmp_path, capsys):
        assert main(["sweep", "orientation_mx", "--out", str(tmp_path / "o")]) == 2
        assert "did you mean 'orientation_mix'?" in capsys.readouterr().err
        code = main(
            ["sweep", "orientation_mix", "--set", "replications=zero", "--out", str(tmp_path / "o")]
        )
        assert code == 2
        assert not (tmp_path / "o").exists()

    def test_dry_run(self, capsys):
        assert main(["sweep", "learning_and_scale", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert "20 points x 4 replications = 80 runs" in out
        assert "firms.0.fixed_cost, firms.1.fixed_cost" in out

    @pytest.mark.slow
    def test_sweep_results_and_analyze(self, tmp_path, capsys):
        sweep_file = tmp_path / "tiny.yaml"
        sweep_file.write_text(yaml.safe_dump(tiny()))
        out = tmp_path / "store"
        assert (
            main(
                [
                    "sweep",
                    str(sweep_file),
                    "--out",
                    str(out),
                    "--executor",
                    "inline",
                    "--no-progress",
                ]
            )
            == 0
        )
        assert "6 of 6 runs done, 0 failed" in capsys.readouterr().out
        assert main(["results", str(out)]) == 0
        text = capsys.readouterr().out
        assert "runs: 6 done, 0 failed, 0 pending" in text
        assert "final_customer_obsessed_share" in text and "read_parquet" in text
        assert main(["results", str(out), "--outcome", "final_hh"]) == 2
        assert "did you mean 'final_hhi'?" in capsys.readouterr().err
        assert (
            main(
                [
                    "analyze",
                    str(out),
                    "--compare",
                    "obsessed_share=1",
                    "p0",
                    "--compare-outcomes",
                    "final_share__customer_obsessed",
                    "final_share__shareholder_focused",
                ]
            )
            == 0
        )
        text = capsys.readouterr().out
        assert "paired comparisons" in text
        written = {p.name for p in (out / "analysis").iterdir()}
        assert "final_consumer_surplus_vs_obsessed_share.png" in written
        assert "paired_final_hhi_by_obsessed_share.csv" in written
        comparisons = pd.read_csv(out / "analysis" / "comparisons.csv")
        assert len(comparisons) == 4

    def test_results_of_a_missing_store(self, tmp_path, capsys):
        assert main(["results", str(tmp_path / "nothing")]) == 2
        assert "not a sweep store" in capsys.readouterr().err

    def test_sensitivity_through_the_command(self, tmp_path, capsys):
        data = tiny(
            replications=1,
            steps=10,
            parameters={
                "price_sensitivity": {
                    "low": 0.05,
                    "high": 0.12,
                    "path": "consumers.price_sensitivity.mean",
                },
                "outside_utility": {"low": 0.0, "high": 2.0, "path": "market.outside_utility"},
                "thin_margin": {
                    "low": 0.05,
                    "high": 0.4,
                    "path": "firms.0.strategy_params.thin_margin",
                },
            },
            empty_firm_groups="error",
            design={"kind": "morris", "samples": 3, "levels": 4},
            outputs={"metrics": ["final_consumer_surplus", "final_outside_share"]},
        )
        out = tmp_path / "morris"
        run_sweep(data, out=out, executor="inline", progress=False)
        assert main(["analyze", str(out), "--outcome", "final_outside_share"]) == 0
        table = pd.read_csv(out / "analysis" / "sensitivity_final_outside_share.csv")
        mu_star = table[table["index"] == "mu_star"].set_index("parameter")["value"]
        assert mu_star["outside_utility"] > 0  # not buying depends on the outside option
        assert (out / "analysis" / "morris_final_outside_share.png").is_file()
        capsys.readouterr()


def test_manifest_is_json_with_every_run(local_store):
    manifest = json.loads((local_store / "manifest.json").read_text())
    assert len(manifest["status"]) == 6
    assert manifest["design"]["kind"] == "grid"
    assert manifest["base_scenario"]["name"] == "baseline"
