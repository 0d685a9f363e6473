"""Vitality: erosion, the four defences, Day 2 effects and the stage events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lifecycle_builders import (
    FIXED,
    FROZEN_VITALITY,
    QUARTER_PRICE,
    firm,
    identical_consumers,
    scenario,
)

import sim
from sim.mechanics import vitality

unit = st.floats(0, 1)

# ---------------------------------------------------------------------------
# Pure rules


def test_vitality_settles_at_renewal_over_renewal_plus_erosion():
    for renewal, erosion, start in ((0.1, 0.05, 1.0), (0.02, 0.2, 0.9), (0.3, 0.0, 0.1)):
        v = start
        for _ in range(2000):
            v = vitality.next_vitality(v, renewal, erosion)
        assert v == pytest.approx(renewal / (renewal + erosion))
        assert v == pytest.approx(vitality.equilibrium_vitality(renewal, erosion))


@given(unit, st.floats(0, 5), st.floats(0, 5))
def test_vitality_stays_between_zero_and_one(v, renewal, erosion):
    assert 0.0 <= vitality.next_vitality(v, renewal, erosion) <= 1.0


def test_erosion_grows_with_age_and_size():
    rate = vitality.erosion_rate
    assert rate(0, 0, 0.03, 10, 0.04, 0.05) == 0.0
    ages = [rate(a, 0.1, 0.03, 10, 0.04, 0.05) for a in (0, 1, 5, 20, 100)]
    sizes = [rate(5, s, 0.03, 10, 0.04, 0.05) for s in (0, 0.01, 0.1, 0.5)]
    assert ages == sorted(ages) and len(set(ages)) == len(ages)
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)
    # very old: the full age rate; a customer share of S0: size rate times ln 2
    assert rate(1e6, 0, 0.03, 10, 0.04, 0.05) == pytest.approx(0.03)
    assert rate(0, 0.05, 0.03, 10, 0.04, 0.05) == pytest.approx(0.04 * np.log(2))


def test_renewal_of_a_perfect_day1_firm_is_the_sum_of_the_weights():
    weights = (0.06, 0.03, 0.03, 0.03)
    assert vitality.renewal_rate(0.0, 0.0, 1.0, 1.0, 1.0, weights, 0.25) == pytest.approx(0.15)
    # a pure proxy manager whose proxy drifted by G: obsession 0, skepticism 1/2
    assert vitality.renewal_rate(1.0, 0.25, 0.0, 0.0, 1.0, weights, 0.25) == pytest.approx(0.015)


@given(unit, unit, unit, unit, unit, unit, unit, unit)
def test_each_defence_only_helps(m1, m2, g1, g2, t1, t2, u, v):
    weights = (0.06, 0.03, 0.03, 0.03)

    def r(m, g, t):
        return vitality.renewal_rate(m, g, t, u, v, weights, 0.25)

    lo_m, hi_m = sorted((m1, m2))
    lo_g, hi_g = sorted((g1, g2))
    lo_t, hi_t = sorted((t1, t2))
    assert r(lo_m, 0.0, 0.5) >= r(hi_m, 0.0, 0.5)
    assert r(0.5, lo_g, 0.5) >= r(0.5, hi_g, 0.5)
    assert r(0.5, 0.0, hi_t) >= r(0.5, 0.0, lo_t)


def test_proxy_gap_converges_to_focus_times_drift_over_skepticism():
    gap = 0.0
    for _ in range(500):
        gap = vitality.next_proxy_gap(gap, 0.8, 0.1, 0.25)
    assert gap == pytest.approx(0.8 * 0.1 / 0.25)
    assert vitality.next_proxy_gap(0.0, 0.0, 0.1, 0.25) == 0.0


def test_proxy_focus_grows_per_doubling_and_is_capped():
    assert vitality.proxy_focus(0.1, 0.2, 0.04, 0.01) == pytest.approx(0.5)
    assert vitality.proxy_focus(0.1, 0.2, 0.005, 0.01) == pytest.approx(0.1)
    assert vitality.proxy_focus(0.5, 0.4, 0.64, 0.01) == 1.0


def test_decision_lag_shrinks_with_vitality():
    lags = [vitality.decision_lag_weeks(v, 1.0, 8) for v in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert lags == [8, 6, 4, 2, 0]
    assert vitality.decision_lag_weeks(1.0, 0.5, 8) == 4
    assert vitality.decision_lag_weeks(0.3, 1.0, 0) == 0


def test_effects_are_neutral_at_zero_strength():
    assert vitality.effect_multiplier(0.2, 0.0) == 1.0
    assert vitality.effect_multiplier(0.2, 1.0) == pytest.approx(0.2)
    assert vitality.trend_adoption_probability(1.0, 1.0, 0.0) == 0.0


# ---------------------------------------------------------------------------
# In the model


def _pair(vitality_spec: dict, steps: int = 52, **firm_changes) -> dict:
    return scenario(
        firms=[
            firm("Vital", "shareholder_focused", vitality=1.0, **firm_changes),
            firm("Tired", "shareholder_focused", vitality=0.0, **firm_changes),
        ],
        steps=steps,
        consumers=identical_consumers(400),
        vitality={**FROZEN_VITALITY, **vitality_spec},
    )


def test_vitality_changes_nothing_when_its_effects_are_off():
    """Different vitality paths, same market, when every effect strength is 0."""
    calm = sim.run(_pair({}, steps=78), seed=1).firms
    stormy = sim.run(
        _pair({"erosion_age": 0.5, "renewal_velocity": 0.2, "max_decision_lag_weeks": 0}, 78),
        seed=1,
    ).firms
    assert not calm["vitality"].equals(stormy["vitality"])
    market = ["price", "units", "cash", "experience", "selection", "efficiency", "payout"]
    pd.testing.assert_frame_equal(calm[market], stormy[market])


def test_low_vitality_slows_decisions():
    """Both decide a new price at the end of week 13; the tired firm (vitality 0, lag
    8 weeks) charges it from week 22, the vital one from week 14."""
    data = scenario(
        firms=[
            firm("Vital", QUARTER_PRICE, vitality=1.0),
            firm("Tired", QUARTER_PRICE, vitality=0.0),
        ],
        steps=30,
        consumers=identical_consumers(300),
        vitality={**FROZEN_VITALITY, "max_decision_lag_weeks": 8},
    )
    firms = sim.run(data, seed=2).firms
    prices = firms.pivot(index="step", columns="name", values="price")
    assert prices.loc[13, "Vital"] == 30.0 and prices.loc[14, "Vital"] == 31.0
    assert prices.loc[21, "Tired"] == 30.0 and prices.loc[22, "Tired"] == 31.0
    lags = firms[firms["step"] == 13].set_index("name")["decision_lag_weeks"]
    assert lags["Vital"] == 0 and lags["Tired"] == 8


def test_low_vitality_makes_investment_build_nothing():
    """At vitality 0 and full investment effect, stocks only depreciate: x_t = x_0 0.99^t."""
    data = scenario(
        firms=[firm("Tired", "customer_obsessed", vitality=0.0, experience=1.0)],
        steps=40,
        consumers=identical_consumers(400),
        vitality={**FROZEN_VITALITY, "investment_effect": 1.0},
    )
    firms = sim.run(data, seed=3).firms.set_index("step")
    assert firms["investment"].iloc[1:].gt(0).all()
    assert firms.loc[40, "experience"] == pytest.approx(0.99**40)


def test_vital_eager_firms_adopt_trends_sooner():
    firms = [firm(f"Vital {i}", FIXED, vitality=1.0, trend_eagerness=1.0) for i in range(8)]
    firms += [firm(f"Tired {i}", FIXED, vitality=0.25, trend_eagerness=1.0) for i in range(8)]
    firms += [firm("Dead inside", FIXED, vitality=0.0, trend_eagerness=1.0)]
    data = scenario(
        firms=firms,
        steps=130,
        consumers=identical_consumers(300),
        vitality=FROZEN_VITALITY,
        trends={
            "every_weeks": 1000,
            "first_week": 13,
            "adoption_rate": 0.5,
            "experience_boost": 0.3,
        },
    )
    result = sim.run(data, seed=4)
    adopted = result.tables["events"].query("event == 'trend_adopted'").set_index("name")["step"]
    vital = [adopted.get(f"Vital {i}", 10**6) for i in range(8)]
    tired = [adopted.get(f"Tired {i}", 10**6) for i in range(8)]
    assert np.median(vital) < np.median(tired)
    assert "Dead inside" not in adopted.index
    table = result.firms.set_index(["name", "step"])["experience"]
    name, step = adopted.index[0], adopted.iloc[0]
    assert table[(name, step)] == pytest.approx(table[(name, step - 1)] * 0.99 + 0.3)


def test_a_proxy_manager_sees_a_flattering_satisfaction():
    data = scenario(
        firms=[firm("Proxy", "customer_obsessed", proxy_focus=1.0, proxy_skepticism=0.0)],
        steps=39,
        consumers=identical_consumers(300),
        vitality={"proxy_drift": 0.2},
    )
    model = sim.MarketModel(data, seed="scenario")
    model.run()
    me = model.firms[0]
    assert me.proxy_gap == pytest.approx(0.6)
    seen = model.firm_view(me).last_quarter.satisfaction
    assert seen == pytest.approx(me.last_quarter.satisfaction + 0.6)


def test_growth_turns_a_drifting_firm_into_a_proxy_manager():
    data = scenario(
        firms=[firm("Grower", FIXED, quality=10.0, proxy_focus=0.0, proxy_drift_per_doubling=0.25)],
        steps=26,
        consumers=identical_consumers(1000, initial_awareness=1.0),
        vitality={"proxy_reference_share": 0.0625},
    )
    firms = sim.run(data, seed=1).firms.set_index("step")
    # all 1,000 consumers buy: share 1 = 16 x the reference, 4 doublings
    assert firms.loc[26, "proxy_focus"] == pytest.approx(1.0)
    assert firms.loc[12, "proxy_focus"] == 0.0


def test_stasis_and_renewal_are_recorded_when_vitality_crosses_the_threshold():
    data = scenario(
        firms=[firm("Swing", FIXED, vitality=0.55, proxy_focus=0.0)],
        steps=130,
        consumers=identical_consumers(300),
        vitality={
            **FROZEN_VITALITY,
            "erosion_age": 0.5,
            "age_scale_years": 0.01,
            "stasis_threshold": 0.5,
            "renewal_margin": 0.1,
        },
    )
    model = sim.MarketModel(data, seed="scenario")
    for _ in range(13):
        model.step()
    assert model.firms[0].vitality == pytest.approx(0.275)
    spec = model.spec.vitality.model_copy(update={"erosion_age": 0.0, "renewal_obsession": 0.5})
    model.spec = model.spec.model_copy(update={"vitality": spec})
    for _ in range(26):
        model.step()
    events = [(e["event"], e["step"]) for e in model.events if e["event"] in ("stasis", "renewal")]
    assert events == [("stasis", 13), ("renewal", 26)]
