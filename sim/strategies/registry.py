"""Strategy names used in scenario files, and loading of users' own strategies."""

from __future__ import annotations

import importlib

from sim.strategies.base import Strategy
from sim.strategies.customer_obsessed import CustomerObsessed
from sim.strategies.shareholder_focused import ShareholderFocused

STRATEGIES: dict[str, type[Strategy]] = {
    CustomerObsessed.name: CustomerObsessed,
    ShareholderFocused.name: ShareholderFocused,
}


def resolve_strategy(spec: str) -> type[Strategy]:
    """Return the strategy class for a registered name or a ``package.module:Class`` path.

    Args:
        spec: ``customer_obsessed``, ``shareholder_focused`` or ``package.module:Class``.

    Returns:
        The class (a subclass of :class:`Strategy`).

    Raises:
        ValueError: if the name is unknown, the module cannot be imported, the class is
            missing, or it is not a Strategy.
    """
    if spec in STRATEGIES:
        return STRATEGIES[spec]
    module_name, sep, class_name = spec.partition(":")
    if not sep:
        raise ValueError(f"unknown strategy {spec!r}; known: {sorted(STRATEGIES)}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"cannot import module {module_name!r}: {exc}") from None
    strategy_class = getattr(module, class_name, None)
    if strategy_class is None:
        raise ValueError(f"module {module_name!r} has no attribute {class_name!r}")
    if not (isinstance(strategy_class, type) and issubclass(strategy_class, Strategy)):
        raise ValueError(f"{spec!r} is not a subclass of sim.strategies.base.Strategy")
    return strategy_class
