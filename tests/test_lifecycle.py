"""Entry, exit, tenure at the top, long-run value, and the off switches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifecycle_builders import FIXED, FROZEN_VITALITY, firm, identical_consumers, scenario

import sim
from sim.mechanics import demand, lifecycle, value
from sim.outputs import summary as report
from sim.outputs.sections import lifecycle as lifecycle_section
from sim.scenario import InputError

# ---------------------------------------------------------------------------
# Entry


def _entry(rate: float, steps: int = 104, **entry) -> dict:
    return scenario(
        firms=[firm("Incumbent", FIXED)],
        steps=steps,
        consumers=identical_consumers(300),
        entry={
            "rate_per_year": rate,
            "awareness": 0.25,
            "templates": [
                {"name": "Startup", "strategy": FIXED, "fixed_cost": 0.0, "weight": 3.0},
                {"name": "Copycat", "strategy": FIXED, "fixed_cost": 0.0, "weight": 1.0},
            ],
            **entry,
        },
    )


@pytest.mark.slow
def test_entrants_arrive_as_a_poisson_stream_from_weighted_templates():
    counts, startups = [], 0
    for seed in range(20):
        events = sim.run(_entry(3.0), seed=seed).tables["events"].query("event == 'entry'")
        counts.append(len(events))
        startups += events["name"].str.startswith("Startup").sum()
    # 104 weeks at 3 a year: Poisson(6); the mean of 20 runs has sd sqrt(6/20) = 0.55
    assert np.mean(counts) == pytest.approx(6.0, abs=4 * 0.55)
    assert startups / sum(counts) == pytest.approx(0.75, abs=0.15)


def test_an_entrant_gets_an_awareness_column_and_rows_from_its_entry_on():
    result = sim.run(_entry(6.0, steps=52), seed=1)
    firms, events = result.firms, result.tables["events"]
    entry = events.query("event == 'entry'").iloc[0]
    rows = firms[firms["firm_id"] == entry["firm_id"]]
    assert rows["step"].min() == entry["step"]
    assert rows["name"].iloc[0] == entry["name"]
    first = rows.iloc[0]
    assert first["awareness"] == pytest.approx(0.25, abs=4 * np.sqrt(0.25 * 0.75 / 300))
    assert entry["name"].endswith("#1")


def test_entry_respects_the_window_and_the_cap():
    events = sim.run(_entry(50.0, start_week=20, max_alive=4), seed=2).tables["events"]
    entries = events.query("event == 'entry'")
    assert entries["step"].min() >= 20
    assert len(entries) == 3


# ---------------------------------------------------------------------------
# Exit


def test_irrelevant_firms_exit_and_keep_their_rows():
    data = scenario(
        firms=[
            firm("Good", FIXED),
            firm("Unwanted", FIXED, quality=-10.0, cash=5000.0, vitality=0.3),
        ],
        steps=104,
        consumers=identical_consumers(500),
        vitality=FROZEN_VITALITY,  # Unwanted is in Day 2 (stasis) from the first quarter
        lifecycle={"irrelevance_share": 0.05, "irrelevance_exit_quarters": 2, "grace_quarters": 1},
    )
    result = sim.run(data, seed=3)
    firms, events = result.firms, result.tables["events"]
    death = events.query("event == 'death'").iloc[0]
    assert death["name"] == "Unwanted" and death["detail"] == "irrelevance"
    irrelevant = events.query("event == 'irrelevance'")["step"].iloc[0]
    # in stasis at week 13; judged after the grace quarter (from week 26 on), gone
    # after two quarters
    assert irrelevant == 26 and death["step"] == 39
    rows = firms[firms["name"] == "Unwanted"].set_index("step")
    assert rows.loc[39:, "alive"].eq(False).all() and rows.loc[:38, "alive"].all()
    assert rows["exit_reason"].iloc[-1] == "irrelevance"
    # what cash was left went to the shareholders at exit
    assert rows.loc[39, "cash"] == 0.0
    assert rows.loc[39, "cumulative_payout"] == pytest.approx(rows.loc[38, "cash"])
    assert len(rows) == 105


# ---------------------------------------------------------------------------
# Tenure at the top


def test_top_k_ranks_live_firms_with_revenue_and_breaks_ties_by_slot():
    mask = lifecycle.top_k(np.array([5.0, 9.0, 9.0, 0.0, 20.0]), np.array([1, 1, 1, 1, 0], bool), 2)
    assert mask.tolist() == [False, True, True, False, False]
    assert lifecycle.top_k(np.array([3.0, 0.0]), np.array([True, True]), 3).tolist() == [
        True,
        False,
    ]


def test_tenure_grows_a_week_a_week_while_nobody_is_displaced():
    data = scenario(
        firms=[firm("Leader", FIXED, quality=4.0), firm("Follower", FIXED)],
        steps=104,
        consumers=identical_consumers(300),
        lifecycle={"top_k": 1},
    )
    model_table = sim.run(data, seed=1).model.set_index("step")["tenure_top_k"]
    assert model_table.loc[12] == 0.0
    for week in (13, 40, 104):
        assert model_table.loc[week] == pytest.approx((week - 13) / 52)


def test_a_firm_that_overtakes_resets_the_tenure():
    model = sim.MarketModel(
        scenario(
            firms=[firm("Old", FIXED, quality=4.0), firm("New", FIXED, quality=2.0)],
            steps=200,
            consumers=identical_consumers(300),
            lifecycle={"top_k": 1},
        ),
        seed="scenario",
    )
    for _ in range(52):
        model.step()
    model.firms[1].quality = 8.0
    for _ in range(52):
        model.step()
    events = pd.DataFrame(model.events)
    moves = events[events["event"].isin(["entered_top_k", "left_top_k"])]
    assert moves["name"].tolist() == ["Old", "Old", "New"]
    overtaken = moves["step"].iloc[-1]
    assert sim.model.metrics.tenure_top_k(model) == pytest.approx((model.week - overtaken) / 52)


# ---------------------------------------------------------------------------
# Value


def test_market_value_rule_hand_worked():
    assert value.market_value(100.0, 50.0, 0.1) == pytest.approx(600.0)
    assert value.market_value(100.0, -50.0, 0.1) == 100.0
    assert value.market_value(-700.0, 50.0, 0.1) == 0.0
    assert value.annual_operating_profit([1.0, 2.0, 3.0, 4.0, 5.0]) == 14.0
    assert value.annual_operating_profit([3.0]) == 12.0
    assert value.total_shareholder_return(150.0, 50.0, 100.0) == pytest.approx(1.0)


def test_firm_table_values_follow_the_rule_from_weekly_accounts():
    """Value and TSR recomputed from the weekly rows (quarters summed independently)."""
    data = scenario(
        firms=[firm("A", "shareholder_focused", fixed_cost=500.0, cash=20_000.0)],
        steps=78,
        consumers=identical_consumers(400),
        lifecycle={"discount_rate": 0.08},
    )
    firms = sim.run(data, seed=2).firms.set_index("step")
    weekly = firms["operating_profit"].iloc[1:]
    quarters = weekly.groupby((weekly.index - 1) // 13).sum()
    for step in (30, 52, 78):
        done = quarters.iloc[: step // 13].tolist()
        expected = max(0.0, firms.loc[step, "cash"] + max(0.0, np.mean(done[-4:]) * 4) / 0.08)
        assert firms.loc[step, "market_value"] == pytest.approx(expected)
    base = value.market_value(20_000.0, quarters.iloc[0] * 4, 0.08)
    tsr = (firms.loc[78, "market_value"] + firms.loc[78, "cumulative_payout"]) / base - 1
    assert firms.loc[78, "tsr"] == pytest.approx(tsr)
    # before the first quarter end, the base is the starting cash
    early = (firms.loc[12, "market_value"] + firms.loc[12, "cumulative_payout"]) / 20_000.0 - 1
    assert firms.loc[12, "tsr"] == pytest.approx(early)


def test_attributed_surplus_adds_up_to_the_market_consumer_surplus():
    data = scenario(
        firms=[firm("A", FIXED), firm("B", FIXED, price=35.0), firm("C", FIXED, price=45.0)],
        steps=20,
        consumers=identical_consumers(
            600,
            price_sensitivity={"kind": "uniform", "low": 0.05, "high": 0.15},
            need_rate=0.5,
            initial_awareness=0.6,
        ),
    )
    result = sim.run(data, seed=5)
    by_week = result.firms.groupby("step")["customer_value"].sum()
    model = result.model.set_index("step")["consumer_surplus_total"]
    assert np.allclose(by_week.loc[1:], model.loc[1:], rtol=1e-9)
    cumulative = result.firms.groupby("step")["cumulative_customer_value"].sum()
    assert cumulative.iloc[-1] == pytest.approx(
        result.model["cumulative_consumer_surplus"].iloc[-1]
    )


# ---------------------------------------------------------------------------
# Multi-brand owners and direct relationships


def test_group_best_response_gives_the_multiproduct_markup():
    """Two symmetric co-owned brands, identical consumers: m = 1 / (alpha (1 - S_G))."""
    alpha, cost, n = 0.1, 20.0, 50
    quality = np.array([4.0, 4.0, 3.0])
    prices = np.array([0.0, 30.0, 32.0])
    price = 30.0
    for _ in range(200):
        prices[1] = price
        utilities = (quality - alpha * prices)[None, :].repeat(n, axis=0)
        own = demand.logit_group_best_response_price(
            0, cost, utilities, np.full(n, alpha), 0.0, np.ones(n), price, [1], [price - cost]
        )
        price = own
    prices[:2] = price
    shares = demand.logit_probabilities((quality - alpha * prices)[None, :], 0.0)[0, 1:]
    group_share = shares[0] + shares[1]
    assert price - cost == pytest.approx(1 / (alpha * (1 - group_share)), rel=1e-6)
    single = demand.logit_best_response_price(
        0,
        cost,
        (quality - alpha * prices * np.array([0, 1, 1]))[None, :].repeat(n, 0),
        np.full(n, alpha),
        0.0,
        np.ones(n),
        price,
    )
    assert price > single


def test_co_owned_brands_charge_more_than_rivals():
    def prices(owner):
        data = scenario(
            firms=[
                firm("Brand 1", "shareholder_focused", owner=owner),
                firm("Brand 2", "shareholder_focused", owner=owner),
                firm("Rival", "shareholder_focused"),
            ],
            steps=52,
            consumers=identical_consumers(400),
        )
        final = sim.run(data, seed=1).firms.query("step == 52").set_index("name")
        return final["price"]

    independent, owned = prices(None), prices("Group")
    assert owned["Brand 1"] > independent["Brand 1"] + 0.5
    assert owned["Brand 1"] > owned["Rival"]


def test_no_habit_toward_a_firm_without_a_direct_relationship():
    utilities = demand.choice_utilities(
        np.zeros(2),
        np.zeros(2),
        np.zeros(2),
        np.zeros(2),
        np.ones(2),
        np.zeros(2),
        np.zeros(2),
        np.zeros(2),
        np.full(2, 0.7),
        np.array([0, 1]),
        np.ones((2, 2), bool),
        np.array([1.0, 0.0]),
    )
    assert utilities.tolist() == [[0.7, 0.0], [0.0, 0.0]]


# ---------------------------------------------------------------------------
# Results, validation, determinism, off switches


def test_events_are_saved_as_a_table(tmp_path):
    result = sim.run(_entry(6.0, steps=40), seed=1)
    out = result.save(tmp_path / "run", figures=False)
    events = pd.read_parquet(out / "events.parquet")
    assert list(events.columns) == [
        "step",
        "firm_id",
        "name",
        "strategy",
        "event",
        "detail",
        "value",
    ]
    assert (events["event"] == "entry").sum() == len(
        result.tables["events"].query("event == 'entry'")
    )
    again = sim.load_result(out)
    pd.testing.assert_frame_equal(again.tables["events"], result.tables["events"])


def test_bad_life_cycle_settings_are_all_reported():
    data = scenario(
        network={"kind": "watts_strogatz", "mean_degree": 5},
        innovation={"base_success": 0.5, "max_success": 0.2},
        entry={"rate_per_year": 1.0},
        vitality={"max_decision_lag_weeks": 20},
    )
    with pytest.raises(InputError) as caught:
        sim.load_scenario(data)
    paths = {problem.path for problem in caught.value.problems}
    assert {"network", "innovation", "entry", "vitality.max_decision_lag_weeks"} <= paths
    with pytest.raises(InputError, match="mean_degree"):
        sim.load_scenario(
            scenario(
                network={"kind": "erdos_renyi", "mean_degree": 600},
                consumers=identical_consumers(500),
            )
        )


def test_same_seed_same_bytes_with_every_mechanic_on():
    overrides = {"consumers.count": 800, "steps": 104}
    a = sim.run("short_termism", seed=9, overrides=overrides)
    b = sim.run("short_termism", seed=9, overrides=overrides)
    for name in ("model", "firms", "events"):
        pd.testing.assert_frame_equal(a.all_tables()[name], b.all_tables()[name])


def test_life_cycle_parameters_are_inert_while_their_mechanics_are_off():
    """Changing the settings of switched-off mechanics changes no draw and no number."""
    base = scenario(
        firms=[firm("A", "customer_obsessed"), firm("B", "shareholder_focused")],
        steps=40,
        consumers=identical_consumers(600, need_rate=0.4, initial_awareness=0.7),
    )
    tweaked = scenario(
        firms=[firm("A", "customer_obsessed"), firm("B", "shareholder_focused")],
        steps=40,
        consumers=identical_consumers(600, need_rate=0.4, initial_awareness=0.7),
        word_of_mouth={"delight_weight": 5.0, "contact_cost": 9.0, "disappointment_threshold": 2},
        innovation={"experiment_cost": 1.0, "base_success": 0.9, "max_success": 0.9},
        vitality={"erosion_age": 0.3, "renewal_trends": 0.0},
        trends={"experience_boost": 3.0, "adoption_rate": 9.0},
        lifecycle={"top_k": 1, "discount_rate": 0.5, "decline_drop": 0.1},
        entry={"awareness": 0.9},
    )
    market = ["price", "units", "cash", "experience", "selection", "payout", "customer_value"]
    a, b = sim.run(base, seed=3).firms, sim.run(tweaked, seed=3).firms
    pd.testing.assert_frame_equal(a[market], b[market])


# ---------------------------------------------------------------------------
# Summary


def test_stage_stories_name_the_stages_in_order():
    events = pd.DataFrame(
        [
            (300, 2, "B", "shareholder_focused", "death", "irrelevance", 0.0),
            (104, 2, "B", "shareholder_focused", "stasis", "", 0.45),
            (156, 2, "B", "shareholder_focused", "irrelevance", "", 0.01),
            (208, 2, "B", "shareholder_focused", "decline", "", 0.4),
            (52, 1, "A", "customer_obsessed", "entry", "", 0.0),
        ],
        columns=["step", "firm_id", "name", "strategy", "event", "detail", "value"],
    ).sort_values("step")
    (line,) = lifecycle_section.stage_stories(events)
    assert line.startswith("- **B** (shareholder-focused): stasis")
    order = [line.index(word) for word in ("stasis", "irrelevance", "decline", "death")]
    assert order == sorted(order)
    assert "year 2.0" in line and "(irrelevance)" in line


def test_leader_flip_reports_the_last_change_of_lead():
    table = pd.DataFrame(
        {
            "step": [13, 13, 26, 26, 39, 39, 52, 52],
            "strategy": ["a", "b"] * 4,
            "customer_value": [5, 1, 5, 6, 7, 6, 7, 9],
        }
    )
    assert lifecycle_section.leader_flip(table, "customer_value") == ("b", 52.0, "a", 3)
    steady = table.assign(customer_value=[1, 0] * 4)
    assert lifecycle_section.leader_flip(steady, "customer_value") == ("a", None, None, 0)


@pytest.mark.slow
def test_summary_has_the_life_cycle_sections():
    result = sim.run("day1_vs_day2", seed=100, overrides={"steps": 260})
    text = report.summary(result)
    for heading in ("## Day 1 and Day 2", "## Entry, exit and tenure", "## Long-run value"):
        assert heading in text
    assert "stasis (Day 2 begins)" in text
    assert "S&P 500" in text
