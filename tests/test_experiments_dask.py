"""Experiments on Dask distributed: a real LocalCluster on loopback gives the local results.

Also checks the other side of the optional extra: the default path never imports Dask.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from experiments_helpers import tiny

from sim.experiments import load_results, read_manifest, run_sweep
from sim.experiments.cli import main

ROOT = Path(__file__).resolve().parents[1]


def store_files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for kind in ("runs", "series")
        for path in sorted((root / kind).glob("*.parquet"))
    }


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},  # keep port 8787 free
    ) as local_cluster:
        yield local_cluster


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "local"
    run_sweep(tiny(), out=out, workers=2, progress=False)
    return out


@pytest.mark.slow
def test_scheduler_address_gives_the_local_results(cluster, local_reference, tmp_path):
    out = tmp_path / "dask"
    report = run_sweep(tiny(), out=out, scheduler=cluster.scheduler_address, progress=False)
    assert (report.done, report.failed) == (6, 0)
    assert report.executor == f"dask scheduler {cluster.scheduler_address}"
    assert store_files(out) == store_files(local_reference)
    assert load_results(out).equals(load_results(local_reference))
    session = read_manifest(out)["sessions"][-1]
    assert session["executor"].startswith("dask scheduler tcp://127.0.0.1:")


def test_any_concurrent_futures_executor_from_a_client(cluster, local_reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.Client(cluster) as client:
        executor = client.get_executor(pure=False)
        run_sweep(tiny(), out=tmp_path / "client", executor=executor, workers=2, progress=False)
    assert store_files(tmp_path / "client") == store_files(local_reference)


def test_command_with_dask_executor_starts_its_own_cluster(tmp_path, capsys):
    pytest.importorskip("distributed")
    data = tiny(replications=1)
    out = tmp_path / "own"
    import yaml

    sweep_file = tmp_path / "tiny.yaml"
    sweep_file.write_text(yaml.safe_dump(data))
    code = main(
        [
            "sweep",
            str(sweep_file),
            "--out",
            str(out),
            "--executor",
            "dask",
            "--workers",
            "2",
            "--no-progress",
        ]
    )
    assert code == 0
    assert "dask LocalCluster x2" in capsys.readouterr().out
    assert len(load_results(out)) == 3


def test_unreachable_scheduler_is_bad_input_and_writes_nothing(tmp_path, capsys):
    pytest.importorskip("distributed")
    out = tmp_path / "never"
    sweep_file = tmp_path / "tiny.yaml"
    import yaml

    sweep_file.write_text(yaml.safe_dump(tiny()))
    code = main(
        [
            "sweep",
            str(sweep_file),
            "--out",
            str(out),
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--connect-timeout",
            "2",
            "--no-progress",
        ]
    )
    assert code == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_default_path_never_imports_dask(tmp_path):
    code = (
        "import sys\n"
        "from experiments_helpers import tiny\n"
        "from sim.experiments import run_sweep\n"
        f"run_sweep(tiny(replications=1), out={str(tmp_path / 's')!r}, workers=1,"
        " progress=False)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "tests",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
