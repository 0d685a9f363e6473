"""Flywheel: an agent-based market simulation of customer obsession.

Public API: :func:`load_scenario`, :func:`run`, :class:`MarketModel`, :class:`Scenario`.
"""

from sim.model import MarketModel
from sim.runner import RunResult, load_result, run
from sim.scenario import InputError, Scenario, load_scenario

__all__ = [
    "InputError",
    "MarketModel",
    "RunResult",
    "Scenario",
    "load_result",
    "load_scenario",
    "run",
]
__version__ = "0.1.0"
