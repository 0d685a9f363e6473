"""HHI counts a marketplace's third-party sellers as sellers."""

import numpy as np
from numpy.testing import assert_allclose

import sim
from sim.model.metrics import herfindahl_index


def test_hand_worked_market_with_a_pool_of_sellers():
    # firms sell 37 and 10 units, a pool of 10 sellers 53: shares .37, .10 and ten of .053
    expected = 0.37**2 + 0.10**2 + 10 * 0.053**2
    assert_allclose(herfindahl_index([37.0, 10.0], [53.0], [10]), expected)
    assert_allclose(expected, 0.17499)
    # one firm left beside the pool is not a monopoly
    assert herfindahl_index([37.0, 0.0], [63.0], [50]) < 0.25


def test_without_pools_it_is_the_firms_squared_shares():
    assert_allclose(herfindahl_index([1.0, 1.0, 2.0]), 0.25**2 * 2 + 0.5**2)
    assert herfindahl_index([0.0, 0.0]) == 0.0
    assert_allclose(herfindahl_index([3.0, 1.0], [0.0], [5]), 0.75**2 + 0.25**2)
    # a pool with sales but no seller on the books counts as one seller
    assert_allclose(herfindahl_index([1.0], [1.0], [0]), 0.5)


def test_amazon_flywheel_hhi_counts_the_marketplace_sellers():
    result = sim.run("amazon_flywheel", steps=104, overrides={"consumers.count": 1500})
    model = result.model.set_index("step")
    firms = result.firms.pivot(index="step", columns="firm_id", values="units")
    platforms = result.tables["platforms"].set_index("step")
    total = firms.sum(axis=1) + platforms["pool_units"]
    expected = (firms.div(total, axis=0) ** 2).sum(axis=1) + (
        platforms["pool_units"] / total
    ) ** 2 / np.maximum(platforms["sellers"], 1)
    weeks = total[total > 0].index
    assert_allclose(model.loc[weeks, "hhi"], expected.loc[weeks], rtol=1e-9)
