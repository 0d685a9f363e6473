"""Flywheel: an agent-based market simulation of customer obsession.

Public API: :func:`load_scenario`, :func:`run`, :class:`MarketModel`, :class:`Scenario`.
They load on first use, so ``import sim`` (and ``flywheel --help``) starts at once.
"""

from sim.lazy import lazy_exports

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
__all__ = sorted(_EXPORTS)
lazy_exports(__name__, _EXPORTS)
