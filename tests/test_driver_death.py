"""A sweep driver killed by SIGKILL leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from experiments_helpers import tiny

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def parent_of(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(text.rsplit(")", 1)[1].split()[1])


def running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text.rsplit(")", 1)[1].split()[0] != "Z"


def descendants(root: int) -> set[int]:
    pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    parents = {pid: parent_of(pid) for pid in pids}
    found, frontier = set(), {root}
    while frontier:
        children = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= children
        frontier = children
    return found


def test_sigkill_of_the_driver_ends_its_workers_fork_server_and_tracker(tmp_path):
    sweep_file = tmp_path / "long.yaml"
    sweep_file.write_text(yaml.safe_dump(tiny(name="long", replications=200, steps=200)))
    out = tmp_path / "s"
    command = [sys.executable, "-m", "sim.experiments.cli", "sweep", str(sweep_file)]
    command += ["--out", str(out), "--workers", "2", "--no-progress"]
    driver = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    family: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            family = descendants(driver.pid)
            if len(family) >= 3 and (out / "runs").is_dir():  # workers and helpers
                break
            time.sleep(0.1)
        assert len(family) >= 3, f"the sweep did not start its workers: {family}"
        family = descendants(driver.pid)
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait(timeout=30)
        deadline = time.monotonic() + 60  # generous: they end within about a second
        left = {pid for pid in family if running(pid)}
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = {pid for pid in family if running(pid)}
        assert not left, f"processes outlived the driver: {sorted(left)}"
    finally:
        for pid in family | {driver.pid}:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
