"""Shared pieces of the experiments tests: a tiny sweep and an exploding strategy."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path

# A market small enough for a run to take ~0.1 s: 500 consumers, 20 weeks, fixed costs
# and starting cash scaled down with the market so that firms do business.
TINY_FIXED = {
    "consumers.count": 500,
    "firms.*.fixed_cost": 25,
    "firms.*.cash": 1250,
}

TINY = {
    "name": "tiny",
    "description": "three mixes of ten firms, tiny market",
    "scenario": "baseline",
    "seed": 11,
    "replications": 2,
    "steps": 20,
    "fixed": TINY_FIXED,
    "empty_firm_groups": "drop",
    "constants": {"n_firms": 10},
    "parameters": {
        "obsessed_share": {
            "levels": [0.0, 0.5, 1.0],
            "set": {
                "firms.0.count": "round(n_firms * obsessed_share)",
                "firms.1.count": "n_firms - round(n_firms * obsessed_share)",
            },
        }
    },
    "outputs": {"metrics": "all", "series": ["hhi", "customer_obsessed_share"], "series_every": 5},
}


def tiny(**changes) -> dict:
    """A copy of the tiny sweep with top-level keys replaced."""
    data = copy.deepcopy(TINY)
    data.update(changes)
    return data


BOOM_MODULE = textwrap.dedent(
    '''
    """A customer-obsessed strategy that raises or kills its process when told to."""


    import os
    import signal
    import time

    from sim.strategies.customer_obsessed import CustomerObsessed, CustomerObsessedParams


    class BoomParams(CustomerObsessedParams):
        explode: bool = False
        kill_worker: bool = False


    class Boom(CustomerObsessed):
        name = "boom"
        Params = BoomParams

        def decide(self, firm, view):
            if self.params.explode:
                raise RuntimeError(f"boom at week {firm.week}")
            if self.params.kill_worker and firm.week >= 13:
                time.sleep(1.0)  # let runs raising at week 0 on other workers report first
                # the worker process dies, as on a segfault or the OOM killer (os._exit
                # would be caught and named as the strategy's error)
                os.kill(os.getpid(), signal.SIGKILL)
            return super().decide(firm, view)
    '''
)


def write_boom_module(folder: Path) -> Path:
    """Write ``boom_strategy.py`` into ``folder``; returns its path."""
    path = folder / "boom_strategy.py"
    path.write_text(BOOM_MODULE, encoding="utf-8")
    return path


def worker_killing_sweep() -> dict:
    """Two harmless design points, one whose runs raise, one whose runs kill their worker."""
    harmless = {"firms.0.strategy_params.explode": False}
    return tiny(
        name="killer",
        fixed={**TINY_FIXED, "firms.0.strategy": "boom_strategy:Boom"},
        parameters={
            "case": {
                "levels": {
                    "a": harmless,
                    "b": harmless,
                    "raise": {"firms.0.strategy_params.explode": True},
                    "kill": {"firms.0.strategy_params.kill_worker": True},
                }
            }
        },
        empty_firm_groups="error",
    )


def boom_sweep() -> dict:
    """Two levels of ``explode``: the runs at ``true`` raise at once (week 0)."""
    return tiny(
        name="boom",
        fixed={**TINY_FIXED, "firms.0.strategy": "boom_strategy:Boom"},
        parameters={
            "explode": {"levels": [False, True], "path": "firms.0.strategy_params.explode"}
        },
        empty_firm_groups="error",
    )
