"""Strategies: small classes with declared traits and one ``decide(firm, view)``."""

from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams
from sim.strategies.customer_obsessed import CustomerObsessed
from sim.strategies.registry import STRATEGIES, resolve_strategy
from sim.strategies.shareholder_focused import ShareholderFocused

__all__ = [
    "STRATEGIES",
    "CustomerObsessed",
    "Decision",
    "FirmView",
    "MarketView",
    "ShareholderFocused",
    "Strategy",
    "StrategyParams",
    "resolve_strategy",
]
