"""The names users' strategies import, and the small helpers the strategy types added."""

import importlib

import pytest

import sim.strategies
import sim.strategies.base as base
from sim.strategies.planner import with_spend
from sim.strategies.views import RivalView

# Where each public name of sim.strategies.base is defined.
HOMES = {
    "QuarterReport": "sim.strategies.views",
    "FirmView": "sim.strategies.views",
    "Technology": "sim.strategies.views",
    "RivalView": "sim.strategies.views",
    "MarketView": "sim.strategies.views",
    "PlatformOption": "sim.strategies.views",
    "ChannelSet": "sim.strategies.views",
    "MarketResearch": "sim.strategies.market_research",
    "Decision": "sim.strategies.decision",
    "FundingPlan": "sim.strategies.decision",
    "MAX_DECISION_DOLLARS": "sim.strategies.decision",
    "Strategy": "sim.strategies.base",
    "StrategyParams": "sim.strategies.base",
    "CHANNEL_SWITCH_MARGIN": "sim.strategies.base",
    "default_capacity_order": "sim.strategies.base",
    "load_class": "sim.strategies.base",
}


def test_every_public_name_is_importable_from_base_as_the_defining_object():
    assert set(base.__all__) == set(HOMES)
    for name, home in HOMES.items():
        assert getattr(base, name) is getattr(importlib.import_module(home), name), name


def test_the_package_exports_the_same_classes_as_base():
    for name in ("Decision", "FirmView", "MarketView", "Strategy", "StrategyParams"):
        assert getattr(sim.strategies, name) is getattr(base, name)


def test_a_strategy_outside_the_package_still_loads_by_dotted_path():
    found = base.load_class("sim.examples.harvester:Harvester", {}, base.Strategy, "strategy")
    assert issubclass(found, base.Strategy)
    with pytest.raises(ValueError, match=r"is not a subclass of sim\.strategies\.base\.Strategy"):
        base.load_class("sim.strategies.views:RivalView", {}, base.Strategy, "strategy")


def test_price_to_buy_is_the_asking_price_and_refuses_a_rival_not_for_sale():
    for_sale = RivalView(1, "Acme", "shareholder_focused", 10.0, True, asking_price=2.5e6)
    assert for_sale.price_to_buy() == 2.5e6
    kept = RivalView(2, "Bolt", "customer_obsessed", 9.0, True)
    with pytest.raises(ValueError, match="Bolt is not for sale"):
        kept.price_to_buy()


@pytest.mark.parametrize("dim", [0, 1, 2])
def test_with_spend_changes_one_stock_spend_only(dim):
    point = (3, 10.0, 20.0, 30.0)
    moved = with_spend(point, dim, 99.0)
    expected = list(point)
    expected[dim + 1] = 99.0
    assert moved == tuple(expected)
    assert isinstance(moved[0], int)
