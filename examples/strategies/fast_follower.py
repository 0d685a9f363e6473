"""A fast follower: lets rivals find the price customers accept, then undercuts it.

Run it by dotted path ``examples.strategies.fast_follower:FastFollower`` (with the
repository root on the import path; a tournament file's ``python_path`` does that).
"""

from __future__ import annotations

from pydantic import Field

from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams


class FastFollowerParams(StrategyParams):
    """Parameters of :class:`FastFollower`."""

    undercut: float = Field(0.03, ge=0, le=0.5, description="share below the cheapest rival")
    min_margin: float = Field(0.08, ge=0, le=5, description="lowest markup over unit cost")
    reinvest_share: float = Field(
        0.6, ge=0, le=1, description="share of last quarter's operating profit reinvested"
    )
    reserve_quarters: float = Field(
        2.0, ge=0, description="quarters of fixed cost kept as cash; the rest may be paid out"
    )
    payout_share: float = Field(
        0.5, ge=0, le=1, description="share of cash above the reserve paid out each quarter"
    )


class FastFollower(Strategy):
    """Prices just under the cheapest live rival, never below cost plus a minimum margin.

    What makes it a follower: it spends nothing on experiments and lets others discover
    demand; it copies the market's price at once (high decision velocity) and
    reinvests a fixed share of last quarter's operating profit in experience and
    selection, half each, so it keeps pace where the leaders have gone. Cash above a
    reserve is shared with owners. The strongest version of the idea keeps its costs
    covered (the margin floor) and never lets its offer fall far behind.
    """

    name = "fast_follower"
    traits = {
        "customer": "whoever the leaders found",
        "focus": "rivals' moves",
        "horizon_quarters": 1,
        "planning": "re-priced every quarter from rivals' prices",
        "pricing": "just under the cheapest rival, floored at cost plus a margin",
        "payout": "a share of cash above a reserve",
        "manages_to": "relative price",
        "innovation": "none: others experiment",
        "proxy_focus": 0.5,
        "decision_velocity": 1.0,
    }
    Params = FastFollowerParams

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """Undercut the cheapest rival, reinvest a share of profit, pay out the rest."""
        p = self.params
        cost = firm.unit_cost + firm.connected_unit_cost
        floor = cost * (1.0 + p.min_margin) / (1.0 - firm.take_share)
        rival_prices = [rival.price for rival in view.rivals if rival.alive]
        target = min(rival_prices) * (1.0 - p.undercut) if rival_prices else firm.price
        price = max(floor, target)
        profit = firm.last_quarter.operating_profit
        weekly = max(0.0, p.reinvest_share * profit / 13.0)
        reserve = p.reserve_quarters * 13.0 * firm.fixed_cost
        payout = p.payout_share * max(0.0, firm.cash - reserve - 13.0 * weekly)
        return Decision(
            price=price,
            spend_experience=weekly / 2.0,
            spend_selection=weekly / 2.0,
            payout=payout,
            note="follow",
        )
