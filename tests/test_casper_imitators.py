"""Headline of ``scenarios/casper_imitators.yaml`` over 10 seeds (small market, ten years).

Measured with 1,200 consumers, seeds 1-10 (also stated in the scenario's closing
comment); shares are units kept (sold less returned). Each run with the brand's remedies
is paired with a three-year run of the same seed in which its strategy offers none
(``trust_remedies: false``).

- a trust gap: in year 1 consumers aware of the direct brand value it below what it
  delivers (mean trust gap > 0 $ per consumer): 10 of 10 seeds (asserted: 10);
- its remedies narrow the gap: the year-1 gap is smaller than without them: 10 of 10
  (asserted: at least 9);
- it offers its money-back trial for most of year 1: 10 of 10 (asserted: at least 9);
- it grows despite the gap: share over year 3 at least 20%: 10 of 10 (lowest 57%;
  asserted: at least 8); higher than without remedies: only 7 of 10 (asserted: at
  least 6): without remedies it also grows, carried by word of mouth and investors;
- copycats (entrants imitating the proven model, ``imitation.entrants``) breach the
  wall: by year 10 they keep at least 15% of units and the direct brand's share is at
  least 10 points below its best year: 10 of 10 (asserted: at least 8). The breach is
  more than partial: the direct brand is still in the market at the end in only 5 of 10
  (not asserted).
"""

import numpy as np
import pytest
from without_meter import WITHOUT_METER

import sim

SEEDS = range(1, 11)
CONSUMERS = 1200


def yearly_shares(firms, names, years=10):
    """Share of units kept (sold less returned) of the firms in ``names``, years 1..``years``."""
    shares = []
    for year in range(1, years + 1):
        rows = firms[(firms["step"] > (year - 1) * 52) & (firms["step"] <= year * 52)]
        kept = rows["units"] - rows["returns"]
        total = kept.sum()
        own = kept[rows["name"].isin(names)].sum()
        shares.append(own / total if total else 0.0)
    return np.array(shares)


def outcome(seed):
    result = sim.run(
        "casper_imitators", seed=seed, overrides={**WITHOUT_METER, "consumers.count": CONSUMERS}
    )
    firms = result.firms
    direct = firms[firms["name"] == "Direct brand"]
    year1 = direct[(direct["step"] >= 1) & (direct["step"] <= 52)]
    copycats = [name for name in firms["name"].unique() if name.startswith("Copycat")]
    direct_share = yearly_shares(firms, ["Direct brand"])
    copycat_share = yearly_shares(firms, copycats)
    without = sim.run(
        "casper_imitators",
        seed=seed,
        steps=156,
        overrides={
            **WITHOUT_METER,
            "consumers.count": CONSUMERS,
            "firms.1.strategy_params.trust_remedies": False,
        },
    ).firms
    bare = without[(without["name"] == "Direct brand") & (without["step"] >= 1)]
    return {
        "gap": float(year1["trust_gap"].mean()),
        "gap_without": float(bare[bare["step"] <= 52]["trust_gap"].mean()),
        "share_year3_without": float(yearly_shares(without, ["Direct brand"], 3)[2]),
        "trial": float(year1["guarantee"].mean()),
        "share_year3": float(direct_share[2]),
        "direct_share_year10": float(direct_share[9]),
        "survives": bool(direct[direct["step"] == direct["step"].max()]["alive"].iloc[0]),
        "breached": bool(copycat_share[9] >= 0.15 and direct_share[9] <= direct_share.max() - 0.10),
    }


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="with both mindsets on the shared planner the direct brand starts with a trust "
    "gap in only 1 of 10 seeds: the headline no longer holds and is not yet re-measured",
)
def test_direct_brand_grows_despite_the_trust_gap_then_copycats_breach_its_wall():
    outcomes = [outcome(seed) for seed in SEEDS]
    assert sum(o["gap"] > 0 for o in outcomes) == 10
    assert sum(o["gap"] < o["gap_without"] for o in outcomes) >= 9
    assert sum(o["trial"] >= 0.5 for o in outcomes) >= 9
    assert sum(o["share_year3"] >= 0.20 for o in outcomes) >= 8
    assert sum(o["share_year3"] > o["share_year3_without"] for o in outcomes) >= 6
    assert sum(o["breached"] for o in outcomes) >= 8
