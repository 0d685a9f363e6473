"""The disintermediation map: its outcomes by hand, and its quick variant end to end."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from sim.experiments.cli import main
from sim.experiments.staying_direct import (
    operating_profit_in_year,
    operating_profit_y3__direct,
    shareholder_value_in_year,
)


def fake_result(steps: int) -> SimpleNamespace:
    """Two direct brands and one joiner; ``Direct 2`` leaves no rows after week 60."""
    rows = []
    for step in range(1, steps + 1):
        for name, profit in (("Direct 1", 10.0), ("Direct 2", 4.0), ("Joiner 1", 7.0)):
            if name == "Direct 2" and step > 60:
                continue
            rows.append(
                {
                    "step": step,
                    "name": name,
                    "operating_profit": profit,
                    "cumulative_payout": 2.0 * step,
                    "market_value": 100.0,
                    "cumulative_equity": 50.0,
                }
            )
    return SimpleNamespace(firms=pd.DataFrame(rows))


def test_profit_per_firm_sums_the_year_and_counts_a_failed_firm_as_zero():
    result = fake_result(160)
    # year 1 (weeks 1-52): Direct 1 52 x 10, Direct 2 52 x 4, per firm (520 + 208) / 2
    assert operating_profit_in_year(result, "direct", 1) == pytest.approx(364.0)
    # year 3 (weeks 105-156): Direct 2 has gone, so (520 + 0) / 2
    assert operating_profit_y3__direct(result, 52) == pytest.approx(260.0)
    assert operating_profit_in_year(result, "joiner", 3) == pytest.approx(364.0)


def test_shareholder_value_at_the_year_end():
    result = fake_result(160)
    # week 156: Direct 1 has D = 312, E = 50, V = 100: 362; Direct 2 counts as 0
    assert shareholder_value_in_year(result, "direct", 3) == pytest.approx(181.0)
    assert shareholder_value_in_year(result, "joiner", 3) == pytest.approx(362.0)


def test_a_run_shorter_than_the_year_gives_nan():
    result = fake_result(100)
    assert math.isnan(operating_profit_in_year(result, "direct", 3))
    assert math.isnan(shareholder_value_in_year(result, "joiner", 10))


def test_quick_variant_draws_the_map_at_tiny_size(tmp_path, capsys):
    out = tmp_path / "map"
    command = [
        "sweep",
        "disintermediation_map",
        "--variant",
        "quick",
        "--set",
        "fixed.consumers.count=150",
        "--set",
        "steps=160",
        "--executor",
        "inline",
        "--no-progress",
        "--out",
        str(out),
    ]
    assert main(command) == 0
    assert main(["analyze", str(out)]) == 0
    table = pd.read_csv(out / "analysis" / "contest_map.csv")
    families = set(table["outcome"])
    assert {
        "sim.experiments.staying_direct:operating_profit_y3",
        "sim.experiments.staying_direct:shareholder_value_y10",
    } <= families
    year3 = table[table["outcome"] == "sim.experiments.staying_direct:operating_profit_y3"]
    assert sorted(year3["brand_strength"]) == [0.0, 0.4]
    assert (year3["n"] == 2).all()
    assert year3["first_wins"].between(0, 1).all()
    # a 160-week run has no year 10: no contest there
    year10 = table[table["outcome"] == "sim.experiments.staying_direct:shareholder_value_y10"]
    assert (year10["n"] == 0).all() and (year10["winner"] == "undefined").all()
    figure = "contest_map_sim.experiments.staying_direct_operating_profit_y3.png"
    assert (out / "analysis" / figure).is_file()
    assert "direct" in capsys.readouterr().out
