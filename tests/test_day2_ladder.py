"""The Day 2 ladder: stasis, irrelevance, decline in the letter's order, at its pace."""

from __future__ import annotations

import pytest
from lifecycle_builders import FIXED, FROZEN_VITALITY, firm, identical_consumers, scenario

import sim
from sim.mechanics.lifecycle import DAY1, DECLINE, IRRELEVANCE, STASIS, next_day2_stage

RULES = {
    "stasis_threshold": 0.5,
    "renewal_margin": 0.1,
    "irrelevance_share": 0.02,
    "decline_drop": 0.5,
}


def step(stage, vitality, share, ratio, judged=True):
    return next_day2_stage(stage, vitality, share, ratio, judged=judged, **RULES)


def test_a_vital_firm_is_on_no_rung_however_small_and_shrunk():
    # share 1% and revenue 40% of its peak, but vitality 0.9: beaten, not in Day 2
    assert step(DAY1, 0.9, 0.01, 0.4) == DAY1


def test_rungs_come_in_the_letters_order_one_per_quarter():
    # revenue already down 60% and share under the threshold when vitality falls:
    # still stasis first, irrelevance next quarter, decline the quarter after
    stages = [DAY1]
    for _ in range(4):
        stages.append(step(stages[-1], 0.4, 0.01, 0.4))
    assert stages == [DAY1, STASIS, IRRELEVANCE, DECLINE, DECLINE]


def test_each_rung_needs_its_own_condition():
    assert step(STASIS, 0.4, 0.03, 0.4) == STASIS  # share above 2%: not irrelevant
    assert step(STASIS, 0.4, 0.01, 0.4, judged=False) == STASIS  # still in its grace period
    assert step(IRRELEVANCE, 0.4, 0.01, 0.51) == IRRELEVANCE  # revenue down 49%, not 50%
    assert step(IRRELEVANCE, 0.4, 0.01, 0.5) == DECLINE  # down exactly 50%
    assert step(DAY1, 0.5, 0.01, 0.4) == DAY1  # at the threshold, not below it


def test_renewal_and_steps_back():
    # vitality above 0.5 + 0.1 returns any rung to Day 1
    assert step(DECLINE, 0.61, 0.01, 0.4) == DAY1
    assert step(DECLINE, 0.6, 0.01, 0.4) == DECLINE  # 0.6 is not above 0.6
    # revenue back to 75% of its peak (within half the drop): back to irrelevance
    assert step(DECLINE, 0.4, 0.01, 0.75) == IRRELEVANCE
    assert step(DECLINE, 0.4, 0.01, 0.74) == DECLINE
    # share back to twice the threshold: back to stasis; between 2% and 4% stays
    assert step(IRRELEVANCE, 0.4, 0.04, 0.9) == STASIS
    assert step(IRRELEVANCE, 0.4, 0.03, 0.9) == IRRELEVANCE
    # no threshold: nothing is ever irrelevant
    off = {**RULES, "irrelevance_share": 0.0}
    assert next_day2_stage(STASIS, 0.4, 0.0, 0.0, **off) == STASIS


def ladder_path(initial_share: float, quarters: int = 24) -> dict[str, int]:
    """Quarter each rung is reached by a firm that sells at ``initial_share`` for a year,
    whose vitality falls below 0.5 in quarter 4 and whose units then shrink by 20% a
    quarter (revenue in proportion to units)."""
    stage, shares, reached = DAY1, [], {}
    for quarter in range(1, quarters + 1):
        vitality = 0.7 if quarter < 4 else 0.4
        shrinking = max(0, quarter - 4)
        shares.append(initial_share * 0.8**shrinking)
        ratio = 1.0
        if len(shares) >= 4:
            trailing = [sum(shares[k - 3 : k + 1]) for k in range(3, len(shares))]
            ratio = trailing[-1] / max(trailing)
        new = step(stage, vitality, shares[-1], ratio)
        if new != stage:
            names = {STASIS: "stasis", IRRELEVANCE: "irrelevance", DECLINE: "decline"}
            reached.setdefault(names[new], quarter)
        stage = new
    return reached


def test_a_large_firm_harvests_day2_for_years_a_small_one_for_quarters():
    # By hand, share s0 * 0.8^k after k quarters of shrinking from quarter 4; the peak
    # trailing year is quarters 1-4, 4 s0.
    # Large, s0 = 30%: irrelevant once 0.8^k < 0.02 / 0.30 = 0.0667; 0.8^12 = 0.0687,
    # 0.8^13 = 0.0550, so k = 13: quarter 17; revenue is far below half its peak by
    # then, so decline the quarter after, 18.
    assert ladder_path(0.30) == {"stasis": 4, "irrelevance": 17, "decline": 18}
    # Small, s0 = 4%: irrelevant once 0.8^k < 0.5; 0.8^3 = 0.512, 0.8^4 = 0.4096: k = 4,
    # quarter 8. Trailing revenue over its peak: at quarter 8
    # (0.8 + 0.64 + 0.512 + 0.4096) / 4 = 0.5904 (no decline); at quarter 9
    # (0.64 + 0.512 + 0.4096 + 0.32768) / 4 = 0.47232: decline.
    assert ladder_path(0.04) == {"stasis": 4, "irrelevance": 8, "decline": 9}


def test_in_the_model_decline_waits_for_stasis_and_irrelevance():
    """A Day 2 firm whose customers walk away reaches the rungs in order."""
    data = scenario(
        firms=[firm("Fading", FIXED, vitality=0.3), firm("Rival", FIXED)],
        steps=200,
        consumers=identical_consumers(300),
        vitality=FROZEN_VITALITY,
        lifecycle={"grace_quarters": 1},
    )
    model = sim.MarketModel(data, seed="scenario")
    for _ in range(52):
        model.step()
    model.firms[0].quality = -20.0  # customers walk away
    for _ in range(52):
        model.step()
    rungs = {
        e["event"]: e["step"]
        for e in model.events
        if e["name"] == "Fading" and e["event"] in ("stasis", "irrelevance", "decline")
    }
    # stasis at the first quarter end; irrelevant once the first quarter with almost
    # no units closes (week 65); trailing-year revenue is half its peak at week 78 at
    # the earliest and a quarter of it at week 91
    assert rungs["stasis"] == 13 and rungs["irrelevance"] == 65
    assert 78 <= rungs["decline"] <= 91
    assert not any(e["name"] == "Rival" and e["event"] == "stasis" for e in model.events)


@pytest.mark.parametrize("vitality", [0.3, 1.0])
def test_irrelevance_exit_runs_apart_from_the_ladder(vitality):
    """Death by irrelevance does not wait for the ladder; the rung needs Day 2."""
    data = scenario(
        firms=[firm("Good", FIXED), firm("Unwanted", FIXED, quality=-10.0, vitality=vitality)],
        steps=52,
        consumers=identical_consumers(500),
        vitality=FROZEN_VITALITY,
        lifecycle={"irrelevance_share": 0.05, "irrelevance_exit_quarters": 2, "grace_quarters": 1},
    )
    events = sim.run(data, seed=3).tables["events"].query("name == 'Unwanted'")
    assert events.query("event == 'death'")["step"].tolist() == [39]
    rungs = events[events["event"].isin(["stasis", "irrelevance"])]
    if vitality < 0.5:
        assert list(zip(rungs["event"], rungs["step"], strict=True)) == [
            ("stasis", 13),
            ("irrelevance", 26),
        ]
    else:
        assert rungs.empty
