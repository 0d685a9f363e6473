"""Headline of ``news_aggregator`` over ten seeds (small market, three years).

Workers return small summaries, not whole tables. The share of seeds asserted is the
one stated in the scenario's comments.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest
from without_meter import WITHOUT_METER

import sim
from sim.mechanics.value import shareholder_value

SEEDS = tuple(range(10))
STEPS = 156
OVERRIDES = {**WITHOUT_METER, "consumers.count": 1200}

pytestmark = pytest.mark.slow


def summary(seed: int) -> dict:
    result = sim.run("news_aggregator", seed=seed, steps=STEPS, overrides=OVERRIDES)
    firms = result.firms
    end = firms[firms["step"] == STEPS].copy()
    end["on_aggregator"] = end["channels"].str.contains("News+", regex=False)
    end["value"] = shareholder_value(
        end["cumulative_payout"], end["market_value"], end["cumulative_equity"]
    )
    units = firms.groupby("name")["units"].sum()
    end["units_total"] = end["name"].map(units)
    groups = end.groupby("on_aggregator")
    return {
        "seed": seed,
        "joined": int(end["on_aggregator"].sum()),
        "holdouts_out": bool(
            (~end.loc[end["name"].str.startswith("Holdout"), "on_aggregator"]).all()
        ),
        **{
            f"{column}_{'in' if on else 'out'}": float(value)
            for column in ("owned_customers", "research_error", "units_total", "value")
            for on, value in groups[column].mean().items()
        },
    }


@pytest.fixture(scope="module")
def runs():
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        return list(pool.map(summary, SEEDS))


def test_publishers_join_and_holdouts_stay_out(runs):
    assert all(r["holdouts_out"] for r in runs)
    assert sum(r["joined"] == 3 for r in runs) >= 9


def test_aggregator_publishers_sell_more_and_end_worth_more(runs):
    """Stated in the scenario: at least 9 of 10 seeds (10 of 10 measured).

    With the holdouts' loyal start and the readers' return to News+ on, owning fewer
    readers and knowing them less, the sources' costs of joining, hold in only 2 of 10
    seeds each: the scenario's comments report them, no test asserts them.
    """
    ok = [
        r
        for r in runs
        if r["units_total_in"] > r["units_total_out"] and r["value_in"] > r["value_out"]
    ]
    assert len(ok) >= 9, runs
