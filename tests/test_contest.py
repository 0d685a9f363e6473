"""The honest contest: each mindset wins the customers somewhere on the mindset map.

The two points are corners of ``experiments/mindset_map.yaml`` (its quick variant's
market: two firms of each mindset, 4,000 consumers, ten years). Each must hold in at
least 8 of 10 seeds the tests use nowhere else. Since baseline has its Day 1 parts on, the
shareholder-focused point is an expected failure (see ``FLIPPED_BY_DAY1``).
"""

import numpy as np
import pytest
from without_meter import WITHOUT_METER

import sim
from sim.experiments import outcomes

pytestmark = pytest.mark.slow

SEEDS = range(300, 310)
MARKET = {
    "consumers.count": 4000,
    "firms.0.count": 2,
    "firms.1.count": 2,
    "firms.0.progress_ratio": 0.7,
    "firms.1.progress_ratio": 0.7,
    "finance.investor_patience_quarters": 0,
}
POINTS = {
    # consumers who care little for experience: price and the learning curve decide
    "customer_obsessed": {"consumers.experience_taste": 0.5},
    # consumers who prize experience: margins that fund it decide
    "shareholder_focused": {"consumers.experience_taste": 3.0},
}


def share_in_year_ten(overrides: dict, seed: int) -> dict[str, float]:
    result = sim.run("baseline", seed=seed, overrides={**WITHOUT_METER, **overrides})
    return {
        strategy: outcomes.share_y10(result, 52, strategy)
        for strategy in ("customer_obsessed", "shareholder_focused")
    }


FLIPPED_BY_DAY1 = pytest.mark.xfail(
    strict=True,
    reason="with baseline's Day 1 parts on (vitality effects, experiments, trends, proxies) "
    "the shareholder-focused firms won the customers at taste 3 in 0 of these 10 seeds; on "
    "the earlier flagship, vitality effects alone or the innovation budget alone flip seed "
    "300 (docs/CONTEST.md); the mindset map must be re-measured to find where they win",
)


@pytest.mark.parametrize(
    "winner",
    ["customer_obsessed", pytest.param("shareholder_focused", marks=FLIPPED_BY_DAY1)],
)
def test_each_mindset_wins_the_customers_at_its_point(winner):
    loser = next(name for name in POINTS if name != winner)
    wins = []
    for seed in SEEDS:
        shares = share_in_year_ten({**MARKET, **POINTS[winner]}, seed)
        wins.append(shares[winner] > shares[loser])
    assert np.mean(wins) >= 0.8, f"{winner} won the customers in {sum(wins)} of {len(wins)} seeds"


def test_baseline_customer_obsessed_firms_win_customers_and_value():
    """The flagship: on the mindset map's baseline point the customer-obsessed firms took
    all of year ten's units and more shareholder value per firm at years 2, 5 and 10 in 10
    of 10 replications. Here, on ten other seeds, at least 8 of 10 must agree."""
    wins = 0
    for seed in range(320, 330):
        result = sim.run("baseline", seed=seed, overrides=WITHOUT_METER)
        share = {s: outcomes.share_y10(result, 52, s) for s in POINTS}
        value = {s: outcomes.shareholder_value_y10(result, 52, s) for s in POINTS}
        wins += (
            share["customer_obsessed"] > share["shareholder_focused"]
            and value["customer_obsessed"] > value["shareholder_focused"]
        )
    assert wins >= 8, f"customer-obsessed firms won customers and value in {wins} of 10 seeds"
