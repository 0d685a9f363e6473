"""The market's quarterly units (the base of every firm's unit share for irrelevance).

With channels (platforms, connected experiences) the market cleared without adding to
the quarter's units, so every firm's share was 0 and every firm counted as irrelevant.
"""

from __future__ import annotations

import pytest

from sim.model.market import MarketModel
from sim.scenario import WEEKS_PER_QUARTER, load_scenario


@pytest.mark.parametrize("name", ["baseline", "connected_strategy", "platform_disintermediation"])
def test_last_quarter_units_are_the_quarters_purchases(name):
    model = MarketModel(load_scenario(name, overrides={"consumers.count": 400}), seed="scenario")
    weekly = []
    for _ in range(WEEKS_PER_QUARTER):
        model.step()
        weekly.append(model.stats.purchases)
    assert sum(weekly) > 0
    assert model.last_quarter_units == sum(weekly)
