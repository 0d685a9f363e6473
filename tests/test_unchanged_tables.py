"""Mechanics a scenario does not switch on change nothing: stored tables still come out.

Each shipped scenario was run for two years at 1,500 consumers and its tables stored in
``tests/golden/unchanged/``. A run today must give the same values in every stored
column, exactly. Columns added since are ignored; a stored column that disappears is a
failure. The tables depend on floating-point library code (exp, log), so they are compared
only where numpy and the CPU's SIMD features match those the tables were stored with.

Regenerate (only when a change of results is intended and explained):
``FLYWHEEL_STORE_GOLDEN=1 .venv/bin/python -m pytest tests/test_unchanged_tables.py``.
On a machine whose CPU features differ from the stored ones, store a reference of the
previous code into a folder of your own first and compare against it:
``FLYWHEEL_GOLDEN_DIR=/tmp/golden FLYWHEEL_STORE_GOLDEN=1 ...`` (previous code), then
``FLYWHEEL_GOLDEN_DIR=/tmp/golden ...`` (changed code).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim

GOLDEN = Path(
    os.environ.get("FLYWHEEL_GOLDEN_DIR") or Path(__file__).parent / "golden" / "unchanged"
)
STEPS = 104
OVERRIDES = {"consumers.count": 1500}
SCENARIOS = (
    "amazon_flywheel",
    "baseline",
    "connected_strategy",
    "day1_vs_day2",
    "dtc_disruption",
    "industry_dynamics",
    "platform_disintermediation",
    "short_termism",
    "validation/logit_nash",
)
STORE = os.environ.get("FLYWHEEL_STORE_GOLDEN") == "1"


def environment() -> dict:
    """What the stored bytes depend on besides the code."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # pragma: no cover - older numpy layout
        from numpy.core._multiarray_umath import __cpu_features__ as features
    return {
        "numpy": np.__version__,
        "cpu_features": sorted(name for name, on in features.items() if on),
    }


def stored_name(scenario: str, table: str) -> Path:
    return GOLDEN / f"{scenario.replace('/', '__')}.{table}.parquet"


@pytest.fixture(scope="module")
def stored_environment() -> dict:
    path = GOLDEN / "environment.json"
    if STORE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(environment(), indent=1) + "\n")
    return json.loads(path.read_text())


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.slow
def test_tables_unchanged(scenario, stored_environment):
    if not STORE and stored_environment != environment():
        pytest.skip("stored with another numpy or CPU feature set; bytes may differ")
    tables = sim.run(scenario, steps=STEPS, overrides=OVERRIDES).all_tables()
    if STORE:
        for table, frame in tables.items():
            frame.to_parquet(stored_name(scenario, table), index=False)
    stored_tables = sorted(GOLDEN.glob(f"{scenario.replace('/', '__')}.*.parquet"))
    assert stored_tables, f"no stored tables for {scenario}"
    for path in stored_tables:
        table = path.name.split(".")[-2]
        expected = pd.read_parquet(path)
        assert table in tables, f"{scenario}: table {table} no longer produced"
        actual = tables[table]
        missing = [column for column in expected.columns if column not in actual.columns]
        assert not missing, f"{scenario}.{table}: columns gone: {missing}"
        pd.testing.assert_frame_equal(
            actual[list(expected.columns)].reset_index(drop=True),
            expected,
            check_exact=True,
            check_dtype=False,
            obj=f"{scenario}.{table}",
        )
