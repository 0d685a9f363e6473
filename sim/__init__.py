"""Flywheel: an agent-based market simulation of customer obsession.

Public API: :func:`load_scenario`, :func:`run`, :class:`MarketModel`, :class:`Scenario`.
They load on first use, so ``import sim`` (and ``flywheel --help``) starts at once.
"""

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers see; at run time names load on first use
    from sim.model.market import MarketModel
    from sim.runs.runner import RunResult, load_result, run
    from sim.scenario import InputError, Scenario, load_scenario


__version__ = "0.1.0"

_EXPORTS = {
    "InputError": "sim.scenario",
    "MarketModel": "sim.model.market",
    "RunResult": "sim.runs.runner",
    "Scenario": "sim.scenario",
    "load_result": "sim.runs.runner",
    "load_scenario": "sim.scenario",
    "run": "sim.runs.runner",
}
__all__ = [
    "InputError",
    "MarketModel",
    "RunResult",
    "Scenario",
    "load_result",
    "load_scenario",
    "run",
]
lazy_exports(__name__, _EXPORTS)
