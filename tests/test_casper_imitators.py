"""Headline of ``scenarios/casper_imitators.yaml`` over 10 seeds (small market, ten years).

Measured with 1,200 consumers, seeds 1-10 (also stated in the scenario's closing
comment); shares are units kept (sold less returned). Each run with the brand's remedies
is paired with a three-year run of the same seed in which its strategy offers none
(``trust_remedies: false``).

Restated on measurement (as shipped):

- the trust gap is real: without its remedies consumers aware of the direct brand value
  it below what it delivers in year 1 (mean trust gap > 0 $ per consumer) in 10 of 10
  seeds (asserted: at least 9); with them the gap is smaller in 10 of 10 (asserted: at
  least 9), and closed (at or below 0) in 9 of 10;
- it offers its money-back trial for most of year 1: 10 of 10 (asserted: at least 9);
- not kept (under 8 of 10): its share over year 3 reaches 20% in only 3 of 10 (8-22%),
  against the sources' fast growth; it is higher than without remedies in 7 of 10;
  copycats breach its wall by year 10 (at least 15% of units, the direct brand 10
  points below its best year) in 7 of 10, and it is still in the market in 6 of 10.
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
def test_the_trial_closes_the_direct_brands_trust_gap():
    outcomes = [outcome(seed) for seed in SEEDS]
    assert sum(o["gap_without"] > 0 for o in outcomes) >= 9
    assert sum(o["gap"] < o["gap_without"] for o in outcomes) >= 9
    assert sum(o["trial"] >= 0.5 for o in outcomes) >= 9
