"""A fast follower: copies the best offer it can see and prices just under the cheapest rival.

Run it by dotted path ``sim.examples.fast_follower:FastFollower`` (it ships with the package).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams


class FastFollowerParams(StrategyParams):
    """Parameters of :class:`FastFollower`."""

    undercut: float = Field(0.02, ge=0, le=0.5, description="share below the cheapest rival")
    min_margin: float = Field(0.10, ge=0, le=5, description="lowest markup over unit cost")
    catch_up_weeks: int = Field(
        26, ge=1, le=520, description="weeks in which it means to match the best rival's stocks"
    )
    reserve_quarters: float = Field(2.0, ge=0, description="quarters of fixed cost kept as cash")
    payout_share: float = Field(
        0.5, ge=0, le=1, description="share of cash left above reserve and plans paid out"
    )


def spend_to_reach(
    stock: float,
    target: float,
    weeks: int,
    depreciation: float,
    productivity: float,
    spend_scale: float,
) -> float:
    """Constant weekly spend that takes a stock to ``target`` in ``weeks`` ($ per week).

    Inverts ``S_n = S r**n + g (1 - r**n) / delta`` (``r = 1 - delta``) for the weekly
    gain ``g = productivity * ln(1 + I / spend_scale)``; 0 if the stock is already there.
    """
    decay = (1.0 - depreciation) ** weeks
    if depreciation > 0:
        gain = (target - stock * decay) * depreciation / (1.0 - decay)
    else:
        gain = (target - stock) / weeks
    if gain <= 0:
        return 0.0
    return spend_scale * math.expm1(gain / productivity)


class FastFollower(Strategy):
    """Lets others find what customers want, then copies it quickly and sells it cheaper.

    What makes it a follower: it runs no experiments of its own. Each quarter it reads
    from its research the best experience and selection any live rival offers and
    spends what it takes to match them within ``catch_up_weeks`` (as far as cash above a
    reserve allows, shared in proportion to the gaps); it prices just under the
    cheapest live rival, never below cost plus a minimum margin. Cash left above the
    reserve and its plans is shared with owners. It decides at once on what it sees
    (high decision velocity).
    """

    name = "fast_follower"
    traits = {
        "customer": "whoever the leaders found",
        "focus": "rivals' offers",
        "horizon_quarters": 2,
        "planning": "re-planned every quarter from rivals' offers",
        "pricing": "just under the cheapest rival, floored at cost plus a margin",
        "payout": "a share of cash left above a reserve and its plans",
        "manages_to": "parity with the best offer",
        "innovation": "none: others experiment",
        "proxy_focus": 0.5,
        "decision_velocity": 1.0,
    }
    Params = FastFollowerParams
    params: FastFollowerParams

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """Match the best rival stocks, undercut the cheapest rival, pay out what is left."""
        p = self.params
        research, tech = view.research, view.technology
        cost = firm.unit_cost + firm.connected_unit_cost
        floor = cost * (1.0 + p.min_margin) / (1.0 - firm.take_share)
        rival_prices = [rival.price for rival in view.rivals if rival.alive]
        target = min(rival_prices) * (1.0 - p.undercut) if rival_prices else firm.price
        price = max(floor, target)
        live = research.available.any(axis=0)
        live[research.own] = False
        best_experience = float(research.experience[live].max()) if live.any() else 0.0
        best_selection = float(research.selection[live].max()) if live.any() else 1.0
        needs = np.array(
            [
                spend_to_reach(
                    firm.experience, best_experience, p.catch_up_weeks, *tech.experience
                ),
                spend_to_reach(firm.selection, best_selection, p.catch_up_weeks, *tech.selection),
            ]
        )
        reserve = p.reserve_quarters * 13.0 * firm.fixed_cost
        budget = max(0.0, firm.cash - reserve) / 13.0
        total = float(needs.sum())
        if total > budget:
            needs *= budget / total
        left = max(0.0, firm.cash - reserve - 13.0 * float(needs.sum()))
        return Decision(
            price=price,
            spend_experience=float(needs[0]),
            spend_selection=float(needs[1]),
            payout=p.payout_share * left,
            note="follow",
        )
