"""Industry-dynamics statistics against hand-computed answers and known distributions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from builders import tiny_scenario

from sim.outputs import industry_statistics as industry
from sim.outputs.sections.industry import comparison_table, industry_statistics, industry_summary


def weekly_table(sizes_by_year: dict[int, dict[int, float]], profit_rate=None) -> pd.DataFrame:
    """A firm table whose firms sell ``size / 52`` units in every week of each year.

    Args:
        sizes_by_year: ``{firm_id: {year: yearly units}}``; a firm is alive exactly in
            the years listed and dead (one row, alive False) right after its last one.
        profit_rate: ``{firm_id: {year: operating profit / revenue}}`` (0 if None).
    """
    rows = []
    last_step = 52 * max(max(years) for years in sizes_by_year.values())
    for firm, years in sizes_by_year.items():
        first_year, final_year = min(years), max(years)
        start = 0 if first_year == 1 else 52 * (first_year - 1) + 1
        for step in range(start, last_step + 1):
            year = max(1, (step - 1) // 52 + 1)
            alive = year <= final_year
            units = years.get(year, 0.0) / 52 if step >= 1 and alive else 0.0
            rate = (profit_rate or {}).get(firm, {}).get(year, 0.0)
            rows.append(
                {
                    "step": step,
                    "firm_id": firm,
                    "name": f"F{firm}",
                    "strategy": "s",
                    "units": units,
                    "revenue": 10 * units,
                    "operating_profit": rate * 10 * units,
                    "alive": alive,
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- sizes


def test_skewness_of_a_hand_computed_sample():
    # mean 2, deviations -1,-1,-1,3: m2 = 12/4 = 3, m3 = (-3 + 27)/4 = 6, g1 = 6 / 3^1.5
    assert industry.skewness([1, 1, 1, 5]) == pytest.approx(6 / 3**1.5)


def test_top_shares_and_mean_median():
    sizes = [50, 20, 10, 10, 5, 5]
    assert industry.top_share(sizes, 1) == pytest.approx(0.5)
    assert industry.top_share(sizes, 4) == pytest.approx(0.9)
    assert industry.mean_median_ratio(sizes) == pytest.approx((100 / 6) / 10)
    assert industry.herfindahl(sizes) == pytest.approx(0.25 + 0.04 + 0.01 + 0.01 + 0.0025 * 2)


def test_hill_estimator_by_hand():
    # k = 2: ln(8/2) + ln(4/2) = 3 ln 2, alpha = 2 / (3 ln 2)
    assert industry.hill_tail_index([1, 2, 4, 8], k=2) == pytest.approx(2 / (3 * math.log(2)))


def test_tail_estimators_recover_a_pareto_tail():
    rng = np.random.default_rng(1)
    alpha = 1.2
    sizes = (1 - rng.random(20_000)) ** (-1 / alpha)  # P(S > s) = s^-alpha, s >= 1
    assert industry.hill_tail_index(sizes, k=2000) == pytest.approx(alpha, rel=0.08)
    assert industry.zipf_slope(sizes) == pytest.approx(alpha, rel=0.08)


def test_lognormal_sample():
    rng = np.random.default_rng(2)
    sizes = rng.lognormal(3.0, 1.0, 50_000)
    mu, sigma = industry.lognormal_fit(sizes)
    assert mu == pytest.approx(3.0, abs=0.02)
    assert sigma == pytest.approx(1.0, abs=0.02)
    # log-normal: mean / median = exp(sigma^2 / 2), skewness (e^s2 + 2) sqrt(e^s2 - 1) ~ 6.18
    assert industry.mean_median_ratio(sizes) == pytest.approx(math.exp(0.5), rel=0.03)
    assert industry.skewness(sizes) > 3


def test_degenerate_samples_give_nan():
    assert math.isnan(industry.skewness([2, 2, 2, 2]))
    assert math.isnan(industry.hill_tail_index([3.0], k=2))
    assert math.isnan(industry.top_share([0, 0]))
    assert math.isnan(industry.excess_kurtosis([1, 2, 3]))
    assert math.isnan(industry.subbotin_shape(np.arange(10.0)))


# ---------------------------------------------------------------- growth


def test_laplace_and_normal_growth_shapes():
    rng = np.random.default_rng(3)
    laplace = rng.laplace(0.0, 0.2, 20_000)
    normal = rng.normal(0.0, 0.2, 20_000)
    assert industry.excess_kurtosis(laplace) == pytest.approx(3.0, abs=0.35)
    assert industry.excess_kurtosis(normal) == pytest.approx(0.0, abs=0.15)
    assert industry.subbotin_shape(laplace) == pytest.approx(1.0, abs=0.06)
    assert industry.subbotin_shape(normal) == pytest.approx(2.0, abs=0.12)


def test_growth_size_scaling_recovers_beta():
    rng = np.random.default_rng(5)
    sizes = rng.lognormal(5.0, 1.5, 40_000)
    growth = 0.02 + sizes**-0.2 * rng.laplace(0.0, 0.3, len(sizes))
    assert industry.growth_size_scaling(sizes, growth) == pytest.approx(0.2, abs=0.02)
    gibrat = 0.02 + rng.laplace(0.0, 0.3, len(sizes))
    assert industry.growth_size_scaling(sizes, gibrat) == pytest.approx(0.0, abs=0.02)
    assert math.isnan(industry.growth_size_scaling([1.0] * 20, np.arange(20.0)))


def test_growth_rates_only_between_complete_consecutive_years():
    firms = weekly_table({1: {1: 100, 2: 200, 3: 100}, 2: {1: 50, 2: 50}, 3: {2: 10, 3: 30}})
    panel = industry.annual_panel(firms)
    # firm 3 enters in year 2 (from week 53 on, a complete year), so it has 2 -> 3
    assert sorted(np.round(industry.growth_rates(panel), 6)) == sorted(
        np.round([math.log(2), math.log(0.5), 0.0, math.log(3)], 6)
    )
    assert set(panel["year"]) == {1, 2, 3}
    assert panel.loc[(panel["firm_id"] == 1) & (panel["year"] == 2), "size"].item() == (
        pytest.approx(200)
    )


# ---------------------------------------------------------------- leaders


def hand_ranks(leaders_by_year: list[list[int]]) -> pd.DataFrame:
    rows = []
    for year, order in enumerate(leaders_by_year, start=1):
        for rank, firm in enumerate(order, start=1):
            rows.append({"year": year, "firm_id": firm, "size": 100 - rank, "rank": rank})
    return pd.DataFrame(rows)


def test_turnover_and_rank_changes_on_a_hand_made_sequence():
    ranks = hand_ranks([[1, 2, 3], [2, 1, 3], [2, 4, 1], [2, 4, 1]])
    # top 2: {1,2} -> {2,1}: 0 new; -> {2,4}: 1 new of 2; -> {2,4}: 0 new. mean = 1/6
    assert industry.top_k_turnover(ranks, k=2) == pytest.approx(1 / 6)
    # top-2 firms, rank now -> next year: y1: firm 1 1->2, firm 2 2->1; y2: firm 2 1->1,
    # firm 1 2->3; y3: firm 2 1->1, firm 4 2->2. |changes| 1+1+0+1+0+0 = 3 over 6
    assert industry.mean_rank_change(ranks, k=2) == pytest.approx(3 / 6)
    # leaders 1,2,2,2: within 1 year: 1->2 changed, 2->2, 2->2: 1/3; within 3: 1 -> 2: 1/1
    assert industry.leader_displacement_probability(ranks, years=1) == pytest.approx(1 / 3)
    assert industry.leader_displacement_probability(ranks, years=3) == pytest.approx(1.0)
    assert math.isnan(industry.leader_displacement_probability(ranks, years=4))


def test_ranking_orders_by_size():
    firms = weekly_table({1: {1: 10, 2: 30}, 2: {1: 20, 2: 5}})
    ranks = industry.ranking(industry.annual_panel(firms))
    year1 = ranks[ranks["year"] == 1].set_index("firm_id")["rank"]
    year2 = ranks[ranks["year"] == 2].set_index("firm_id")["rank"]
    assert (year1[2], year1[1], year2[1], year2[2]) == (1, 2, 1, 2)


# ---------------------------------------------------------------- profits


def test_profit_persistence_halving_deviations():
    # deviations from the yearly mean: +0.1, +0.05, +0.025 and the mirror image: lambda 0.5
    rates = {1: {1: 0.2, 2: 0.15, 3: 0.125}, 2: {1: 0.0, 2: 0.05, 3: 0.075}}
    firms = weekly_table({1: {1: 52, 2: 52, 3: 52}, 2: {1: 52, 2: 52, 3: 52}}, rates)
    table = industry.profit_rates(industry.annual_panel(firms))
    assert table["deviation"].abs().round(6).tolist() == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert industry.profit_persistence(table) == pytest.approx(0.5)


def test_profit_persistence_recovers_a_simulated_ar1():
    rng = np.random.default_rng(4)
    n, years, lam = 400, 30, 0.6
    x = np.zeros((n, years))
    x[:, 0] = rng.normal(0, 1, n)
    for t in range(1, years):
        x[:, t] = lam * x[:, t - 1] + rng.normal(0, 1, n)
    table = pd.DataFrame(
        {
            "year": np.tile(np.arange(1, years + 1), n),
            "firm_id": np.repeat(np.arange(n), years),
            "rate": x.ravel(),
        }
    )
    table["deviation"] = table["rate"] - table.groupby("year")["rate"].transform("mean")
    assert industry.profit_persistence(table) == pytest.approx(lam, abs=0.03)


# ---------------------------------------------------------------- entry, exit, HHI


def test_entry_and_exit_rates_by_hand():
    # four incumbents; firm 4 exits in year 2, firm 5 enters in year 2, firm 6 in year 3
    firms = weekly_table(
        {
            1: {1: 10, 2: 10, 3: 10},
            2: {1: 10, 2: 10, 3: 10},
            3: {1: 10, 2: 10, 3: 10},
            4: {1: 10},
            5: {2: 10, 3: 10},
            6: {3: 10},
        }
    )
    flows = industry.entry_exit_by_year(firms).set_index("year")
    assert flows.loc[1, ["incumbents", "entrants", "exits"]].tolist() == [4, 0, 0]
    # firm 4 is dead from week 53 on: the exit falls in year 2
    assert flows.loc[2, ["incumbents", "entrants", "exits"]].tolist() == [4, 1, 1]
    assert flows.loc[3, ["incumbents", "entrants", "exits"]].tolist() == [4, 1, 0]
    assert flows.loc[2, "entry_rate"] == pytest.approx(0.25)


def test_entrant_survival():
    firms = weekly_table({1: {y: 10 for y in range(1, 8)}, 2: {2: 10}, 3: {2: 10, 3: 10}})
    firms = pd.concat([firms, weekly_table({4: {y: 10 for y in range(2, 8)}}).query("step > 52")])
    # entrants 2, 3 (die within a year or two) and 4 (alive to the end): 1 of 3 lives 5 years
    assert industry.entrant_survival(firms, years=5) == pytest.approx(1 / 3)


def test_monopoly_drift():
    hhi = pd.Series([0.2, 0.4, 0.6, 0.8], index=[1, 2, 3, 4])
    drift = industry.monopoly_drift(hhi, threshold=0.7)
    assert drift["slope_per_decade"] == pytest.approx(2.0)  # +0.2 a year
    assert drift["share_of_years_above"] == pytest.approx(0.25)
    assert (drift["hhi_first"], drift["hhi_last"]) == (0.2, 0.8)


def test_comparison_marks_matches_and_unknowns():
    table = comparison_table({"profit_persistence": 0.45, "entry_rate_per_year": 0.5})
    verdict = table.set_index("statistic")["matches"]
    assert verdict["profit_persistence"] == "yes"
    assert verdict["entry_rate_per_year"] == "no"
    assert verdict["hill_tail_index"] == "n/a"


# ---------------------------------------------------------------- on a run


@pytest.mark.slow
def test_statistics_and_summary_of_a_run_with_entry():
    import sim

    scenario = tiny_scenario(
        firms=[{"name": "A", "strategy": "customer_obsessed", "count": 3, "fixed_cost": 20.0}],
        steps=156,
        entry={
            "rate_per_year": 3.0,
            "templates": [{"name": "New", "strategy": "customer_obsessed", "fixed_cost": 20.0}],
        },
    )
    result = sim.run(scenario)
    stats = industry_statistics(result.firms)
    assert stats["years"] == 3
    assert 0 <= stats["top1_share"] <= 1
    text = industry_summary(result.firms)
    assert text.startswith("## Does this industry look like a real one?")
    from sim.outputs.summary import summary

    assert "Does this industry look like a real one?" in summary(result)
    plain = sim.run(tiny_scenario(steps=60))
    assert "Does this industry look like a real one?" not in summary(plain)
