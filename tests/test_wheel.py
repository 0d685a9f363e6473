"""The built wheel runs on its own: scenarios, sweeps and example strategies ship inside it.

The wheel is built from a copy of the sources (nothing is written to the work tree),
installed with ``--no-deps`` into a fresh virtual environment that borrows only the
third-party dependencies of the running environment (a ``.pth`` line to its
site-packages, which does not run that environment's editable-install hook), and used from
an empty folder.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(args: list, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    """(bin folder of a fresh venv with the wheel installed, environment to run it in)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "sim", source / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FLYWHEEL_"))}
    env["MPLBACKEND"] = "Agg"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", source],
         tmp, env)  # fmt: skip
    wheels = list((tmp / "dist").glob("flywheel_sim-*.whl"))
    assert len(wheels) == 1
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp, env)
    bin_dir = venv / "bin"
    purelib = subprocess.run(
        [bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    deps = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "flywheel_test_deps.pth").write_text(deps + "\n")
    _run([sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "--no-deps",
          "-q", wheels[0]], tmp, env)  # fmt: skip
    return bin_dir, env


@pytest.fixture
def empty(tmp_path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_the_package_comes_from_the_wheel(installed, empty):
    bin_dir, env = installed
    where = _run([bin_dir / "python", "-c", "import sim; print(sim.__file__)"], empty, env)
    assert Path(where.stdout.strip()).is_relative_to(bin_dir.parent)
    version = _run([bin_dir / "flywheel", "--version"], empty, env)
    assert version.stdout.startswith("flywheel ")


def test_list_run_and_sweep_from_an_empty_folder(installed, empty):
    bin_dir, env = installed
    listed = _run([bin_dir / "flywheel", "list"], empty, env).stdout
    names = {line.split()[0] for line in listed.splitlines()}
    assert {"baseline", "dtc_disruption", "validation/logit_nash"} <= names
    ran = _run(
        [bin_dir / "flywheel", "run", "baseline", "--steps", "13", "--set",
         "consumers.count=500"], empty, env,
    ).stdout  # fmt: skip
    assert "baseline: 13 weeks" in ran
    assert (empty / "runs" / "baseline" / "summary.md").is_file()
    assert (empty / "runs" / "baseline" / "firms.parquet").is_file()
    planned = _run([bin_dir / "flywheel", "sweep", "screening", "--dry-run"], empty, env).stdout
    assert "sweep screening" in planned
    assert "replication seeds" in planned
    assert not (empty / "results").exists()
    demo = _run(
        [bin_dir / "flywheel", "tournament", "tournament_demo", "--dry-run"], empty, env
    ).stdout
    assert "5 entrants x 2 scenarios" in demo


def test_dashboard_lists_the_packaged_scenarios(installed, empty):
    bin_dir, env = installed
    code = "from sim.dashboard.server import scenario_list; print(len(scenario_list()))"
    count = _run([bin_dir / "python", "-c", code], empty, env).stdout
    packaged = list((ROOT / "sim" / "data" / "scenarios").rglob("*.yaml"))
    assert int(count) == len(packaged)


def test_a_users_own_scenarios_folder_comes_first(installed, empty):
    bin_dir, env = installed
    (empty / "scenarios").mkdir()
    own = (ROOT / "sim" / "data" / "scenarios" / "baseline.yaml").read_text()
    own = own.replace("description:", "description: MINE", 1)
    (empty / "scenarios" / "baseline.yaml").write_text(own)
    (empty / "scenarios" / "mine.yaml").write_text(own.replace("name: baseline", "name: mine"))
    listed = _run([bin_dir / "flywheel", "list"], empty, env).stdout
    lines = {line.split()[0]: line for line in listed.splitlines()}
    assert "MINE" in lines["baseline"]
    assert "MINE" in lines["mine"]
    assert "MINE" not in lines["dtc_disruption"]
