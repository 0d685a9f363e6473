"""Strategy names used in scenario files, and loading of users' own strategies."""

from __future__ import annotations

from sim.strategies.base import Strategy, load_class
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
    return load_class(spec, STRATEGIES, Strategy, "strategy")
