"""Imitation: the rules against hand-worked cases, and copies made in a running model."""

import numpy as np
import pandas as pd
import pytest
from lifecycle_builders import FIXED, firm, scenario

import sim
from sim.mechanics.imitation import (
    copied_price,
    copied_stock,
    imitation_target,
    mean_price,
    proven_models,
)
from sim.scenario import InputError, load_scenario

WEEKLY_DECAY = 0.99  # 1 - the default experience depreciation
SELECTION_DECAY = 0.995  # 1 - the default selection depreciation


# ------------------------------------------------------------------ the rules


def test_a_model_is_proven_by_its_share_held_for_q_quarters():
    history = np.array([[0.20, 0.10, 0.0], [0.30, 0.05, 0.0], [0.25, 0.20, 0.5]])
    assert proven_models(history, 0.2, 3).tolist() == [True, False, False]
    assert proven_models(history, 0.2, 1).tolist() == [True, True, True]
    assert proven_models(history, 0.2, 2).tolist() == [True, False, False]
    assert proven_models(history[:1], 0.2, 2).tolist() == [False, False, False]


def test_the_target_is_the_proven_firm_with_the_highest_share_never_the_imitator():
    shares = np.array([0.3, 0.5, 0.2])
    proven = np.array([True, True, False])
    assert imitation_target(shares, proven) == 1
    assert imitation_target(shares, proven, imitator=1) == 0
    assert imitation_target(shares, np.zeros(3, dtype=bool)) == -1
    assert imitation_target(np.array([0.4, 0.4]), np.array([True, True])) == 0


def test_a_copy_closes_a_fraction_of_the_gap_and_never_loses_stock():
    assert copied_stock(1.0, 3.0, 0.5) == pytest.approx(2.0)
    assert copied_stock(1.0, 3.0, 0.0) == pytest.approx(1.0)
    assert copied_stock(1.0, 3.0, 1.0) == pytest.approx(3.0)
    assert copied_stock(3.0, 1.0, 0.5) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="fraction"):
        copied_stock(1.0, 2.0, 1.5)


def test_the_launch_price_keeps_the_targets_price_position():
    # target at 50 when the market averaged 40 (25% above); the market now averages 44
    assert copied_price(50.0, 40.0, 44.0) == pytest.approx(55.0)
    assert copied_price(50.0, 0.0, 44.0) == pytest.approx(50.0)
    assert mean_price(np.array([10.0, 20.0]), np.array([1.0, 3.0])) == pytest.approx(17.5)
    assert mean_price(np.array([10.0, 20.0]), np.zeros(2)) == pytest.approx(15.0)


# ------------------------------------------------------------------ in a model

LAG, QUARTERS, FRACTION = 2, 3, 0.4


def _market(steps: int = 13 * 9, **imitation) -> dict:
    """A leader at a low price with rich stocks, a laggard, and entrants with poor stocks.

    Consumers care only about price, so the leader's share is fixed (0.82 of purchases);
    nobody invests, so every stock decays at its depreciation rate from the start.
    """
    return scenario(
        [
            firm("Leader", FIXED, strategy_params={"price": 30.0}, experience=3.0, selection=400),
            firm("Laggard", FIXED, strategy_params={"price": 45.0}, experience=0.5, selection=50),
        ],
        steps=steps,
        entry={
            "rate_per_year": 8.0,
            "start_week": 13 * (QUARTERS + LAG),
            "max_alive": 3,
            "templates": [
                {
                    "name": "Copycat",
                    "strategy": FIXED,
                    "strategy_params": {"price": 60.0},
                    "experience": 0.2,
                    "selection": 20,
                    "fixed_cost": 0.0,
                    "cash": 1e6,
                }
            ],
        },
        imitation={
            "share_threshold": 0.5,
            "proven_quarters": QUARTERS,
            "lag_quarters": LAG,
            "fraction": FRACTION,
            **imitation,
        },
    )


def _seen_step(week: int) -> int:
    """The quarter end an imitator sees at ``week``: ``LAG`` quarters before the last."""
    return 13 * (week // 13 - LAG)


def _mean_price(firms: pd.DataFrame, quarter_end: int) -> float:
    """Unit-weighted mean price of the incumbents over the quarter ending at a step."""
    rows = firms[
        firms["step"].between(quarter_end - 12, quarter_end)
        & firms["name"].isin(["Leader", "Laggard"])
    ]
    return float((rows["price"] * rows["units"]).sum() / rows["units"].sum())


def test_an_entrant_copies_the_proven_leader_seen_late_and_partly():
    result = sim.run(_market(entrants=True), seed=4)
    events, firms = result.tables["events"], result.firms
    copies = events[events["event"] == "imitation"]
    assert len(copies) == 1
    copy = copies.iloc[0]
    assert "copied Leader" in copy["detail"]
    entrant = firms[firms["firm_id"] == copy["firm_id"]].sort_values("step")
    week = int(entrant["step"].iloc[0])
    assert week == copy["step"]
    seen = _seen_step(week)
    leader_experience = 3.0 * WEEKLY_DECAY**seen
    leader_selection = 400 * SELECTION_DECAY**seen
    first = entrant.iloc[0]
    assert first["experience"] == pytest.approx(0.2 + FRACTION * (leader_experience - 0.2))
    assert first["selection"] == pytest.approx(20 + FRACTION * (leader_selection - 20))
    # the launch price keeps the leader's price relative to the unit-weighted mean price;
    # it is in force from the entrant's first week of sales
    launch = 30.0 / _mean_price(firms, seen) * _mean_price(firms, 13 * (week // 13))
    assert launch != pytest.approx(30.0, abs=1e-9)
    assert entrant.iloc[1]["price"] == pytest.approx(launch)
    assert copy["value"] == pytest.approx(launch)
    assert (entrant["imitated_from"] == "Leader").all()
    assert (firms[firms["name"] != first["name"]]["imitated_from"] == "").all()


def test_the_summary_names_the_copy():
    from sim.outputs.summary import summary

    text = summary(sim.run(_market(entrants=True), seed=4))
    assert "**Copycat #1** copied Leader (seen 2 quarters late" in text


def test_an_entrant_relaunches_at_its_own_price_at_the_next_quarter_end():
    result = sim.run(_market(entrants=True), seed=4)
    entrant = result.firms[result.firms["imitated_from"] == "Leader"].sort_values("step")
    week = int(entrant["step"].iloc[0])
    next_end = 13 * (week // 13 + 1)
    after = entrant[entrant["step"] > next_end]
    assert len(after) and (after["price"] == 60.0).all()


def test_a_lagging_incumbent_copies_once_when_the_model_is_seen_proven():
    result = sim.run(_market(incumbents=True, incumbent_rate=1.0), seed=4)
    events, firms = result.tables["events"], result.firms
    copies = events[(events["event"] == "imitation") & (events["name"] == "Laggard")]
    assert len(copies) == 1
    week = int(copies["step"].iloc[0])
    # the record must hold QUARTERS quarter ends seen LAG quarters late
    assert week == 13 * (QUARTERS + LAG)
    laggard = firms[firms["name"] == "Laggard"].set_index("step")
    before = 0.5 * WEEKLY_DECAY**week
    seen = 3.0 * WEEKLY_DECAY ** _seen_step(week)
    assert laggard.loc[week, "experience"] == pytest.approx(before + FRACTION * (seen - before))
    assert laggard.loc[week - 1, "imitated_from"] == ""
    assert laggard.loc[week, "imitated_from"] == "Leader"
    assert laggard.loc[week, "price"] == 45.0  # an incumbent keeps pricing by its strategy
    # the leader, itself proven, never imitates
    assert not ((events["event"] == "imitation") & (events["name"] == "Leader")).any()


def test_nothing_proven_means_the_run_is_unchanged():
    off = sim.run(_market(), seed=4)
    on = sim.run(_market(entrants=True, entrant_share=0.5, share_threshold=1.0), seed=4)
    for name in ("model", "firms", "events"):
        pd.testing.assert_frame_equal(off.all_tables()[name], on.all_tables()[name])
    assert (on.firms["imitated_from"] == "").all()


def test_imitation_runs_are_reproducible():
    spec = _market(entrants=True, entrant_share=0.5, incumbents=True, incumbent_rate=0.5)
    first, second = sim.run(spec, seed=9), sim.run(spec, seed=9)
    for name in ("model", "firms", "events"):
        pd.testing.assert_frame_equal(first.all_tables()[name], second.all_tables()[name])


def test_imitation_is_off_by_default_and_validated():
    spec = load_scenario(_market())
    assert not spec.imitation.active
    bad = _market(fraction=1.5, lag_quarters=-1, proven_quarters=0)
    with pytest.raises(InputError) as error:
        load_scenario(bad)
    text = str(error.value)
    for path in ("imitation.fraction", "imitation.lag_quarters", "imitation.proven_quarters"):
        assert path in text
