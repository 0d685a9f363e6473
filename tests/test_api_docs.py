"""The API reference builds from the docstrings without a warning about this package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pdoc")

BUILD = Path(__file__).parents[1] / "docs" / "build_api.py"


@pytest.mark.slow
def test_api_reference_builds_cleanly(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BUILD), str(tmp_path)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "error:" not in done.stderr
    pages = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")}
    for page in ("sim.html", "sim/mechanics/demand.html", "sim/experiments/discover.html"):
        assert page in pages, page
    assert "choice_utilities" in (tmp_path / "sim/mechanics/demand.html").read_text()


def test_only_this_packages_warnings_fail_the_build():
    sys.path.insert(0, str(BUILD.parent))
    try:
        import build_api
    finally:
        sys.path.pop(0)
    assert build_api.ours("Error parsing docstring for sim.model.market.MarketModel.step: bad")
    assert not build_api.ours(
        "Error parsing type annotation S for sim.MarketModel.scenario. "
        "Import of S failed: name 'S' is not defined"
    )
    assert not build_api.ours("Error parsing type annotation X for mesa.model.Model.x")
