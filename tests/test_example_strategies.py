"""The example strategies in sim/examples/ pass the strategy contract."""

import dataclasses
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from builders import firm_view, market_view  # noqa: E402
from test_strategies import StrategyContract  # noqa: E402

from sim.examples.fast_follower import FastFollower  # noqa: E402
from sim.examples.flywheel_builder import FlywheelBuilder  # noqa: E402
from sim.examples.harvester import Harvester  # noqa: E402
from sim.strategies.base import RivalView  # noqa: E402


class TestFastFollowerContract(StrategyContract):
    strategy_class = FastFollower
    spec = "sim.examples.fast_follower:FastFollower"


class TestHarvesterContract(StrategyContract):
    strategy_class = Harvester
    spec = "sim.examples.harvester:Harvester"


class TestFlywheelBuilderContract(StrategyContract):
    strategy_class = FlywheelBuilder
    spec = "sim.examples.flywheel_builder:FlywheelBuilder"


def test_fast_follower_undercuts_the_cheapest_rival_but_not_its_cost_floor():
    follower = FastFollower(undercut=0.1, min_margin=0.0)
    rivals = (
        RivalView(1, "B", "x", 32.0, True),
        RivalView(2, "C", "x", 35.0, True),
        RivalView(3, "D", "x", 20.0, False),  # gone: its price no longer counts
    )
    view = dataclasses.replace(market_view(), rivals=rivals)
    decision = follower.decide(firm_view(unit_cost=1.0), view)
    assert decision.price == 32.0 * 0.9
    decision = follower.decide(firm_view(unit_cost=100.0), view)
    assert decision.price == 100.0


def test_spend_to_reach_takes_the_stock_to_its_target():
    from sim.examples.fast_follower import spend_to_reach
    from sim.mechanics.stocks import accumulate_stock

    technology = (0.02, 0.05, 1000.0)
    spend = spend_to_reach(1.0, 2.5, 26, *technology)
    stock = 1.0
    for _ in range(26):  # the recursion, week by week
        stock = float(accumulate_stock(stock, spend, *technology))
    assert abs(stock - 2.5) < 1e-9
    assert spend_to_reach(3.0, 1.5, 26, *technology) == 0.0  # 3 x 0.98**26 = 1.78 > 1.5


def test_harvester_turns_shareholder_focused_after_leading_and_stays():
    harvester = Harvester(lead_share=1e-9, confirm_quarters=2)
    view = market_view()
    notes = [harvester.decide(firm_view(), view).note.split(":")[0] for _ in range(4)]
    assert notes == ["build", "harvest", "harvest", "harvest"]
    never = Harvester(lead_share=1.0)
    assert all(never.decide(firm_view(), view).note.startswith("build") for _ in range(3))
