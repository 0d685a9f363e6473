"""Strategies: small classes with declared traits and one ``decide(firm, view)``.

The names load on first use, so importing a light submodule (``sim.strategies.user_code``)
does not load the strategies themselves.
"""

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers see; at run time the names load on first use
    from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams
    from sim.strategies.customer_obsessed import CustomerObsessed
    from sim.strategies.registry import STRATEGIES, resolve_strategy
    from sim.strategies.shareholder_focused import ShareholderFocused

_EXPORTS = {
    "STRATEGIES": "sim.strategies.registry",
    "CustomerObsessed": "sim.strategies.customer_obsessed",
    "Decision": "sim.strategies.base",
    "FirmView": "sim.strategies.base",
    "MarketView": "sim.strategies.base",
    "ShareholderFocused": "sim.strategies.shareholder_focused",
    "Strategy": "sim.strategies.base",
    "StrategyParams": "sim.strategies.base",
    "resolve_strategy": "sim.strategies.registry",
}
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
lazy_exports(__name__, _EXPORTS)
