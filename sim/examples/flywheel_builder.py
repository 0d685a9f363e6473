"""A flywheel builder: selection and scale first, low prices always.

Run it by dotted path ``sim.examples.flywheel_builder:FlywheelBuilder`` (it ships with the package).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.strategies.base import Decision, FirmView, MarketView, Strategy, StrategyParams


class FlywheelBuilderParams(StrategyParams):
    """Parameters of :class:`FlywheelBuilder`."""

    margin: float = Field(0.10, ge=0, le=5, description="markup over unit cost")
    max_margin: float = Field(
        1.0, ge=0, le=10, description="cap on the markup while defending the cash floor"
    )
    selection_share: float = Field(0.5, ge=0, le=1, description="share of budget on selection")
    efficiency_share: float = Field(
        0.3, ge=0, le=1, description="share of budget on process efficiency"
    )
    floor_quarters: float = Field(
        2.0, ge=0, description="quarters of fixed cost kept as a cash floor"
    )
    spend_quarters: float = Field(
        4.0, gt=0, description="cash above the floor is spread over this many quarters"
    )

    @model_validator(mode="after")
    def shares_fit(self) -> FlywheelBuilderParams:
        """Selection and efficiency shares leave a non-negative share for experience."""
        if self.selection_share + self.efficiency_share > 1:
            raise ValueError("selection_share + efficiency_share must be at most 1")
        return self


class FlywheelBuilder(Strategy):
    """Turns the flywheel on conviction: selection brings traffic, scale lowers cost.

    It prices at unit cost plus a thin margin, so every cost saving from volume
    (Wright's law) and efficiency goes straight into a lower price (the margin widens
    only as far as needed to cover fixed and committed costs while cash is below the
    floor, so the loop is not starved of the firm that turns it), and it spends all
    cash above a floor, spread over a year, in fixed shares: selection first (more
    choice brings traffic), then process efficiency (lower cost, lower price), the rest
    on experience. The innovation budget is always spent. Unlike the customer-obsessed
    bot it does not re-optimise the split from research each quarter: it commits to the
    loop and lets scale compound.
    """

    name = "flywheel_builder"
    traits = {
        "customer": "the end user",
        "focus": "the flywheel: selection, traffic, scale, cost, price",
        "horizon_quarters": 20,
        "planning": "a fixed allocation held for years",
        "pricing": "unit cost plus a thin margin",
        "payout": "none",
        "manages_to": "selection and unit cost",
        "innovation": "budget always spent",
        "proxy_focus": 0.25,
        "decision_velocity": 0.75,
    }
    Params = FlywheelBuilderParams
    params: FlywheelBuilderParams

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """Thin-margin price; cash above the floor into selection, efficiency, experience."""
        p = self.params
        cost = firm.unit_cost + firm.connected_unit_cost
        floor = p.floor_quarters * 13.0 * firm.fixed_cost
        margin = p.margin
        weekly_units = firm.last_quarter.units / 13.0
        if firm.cash < floor and weekly_units > 0:
            committed = firm.fixed_cost + firm.innovation_budget + firm.marketing_spend
            needed = committed / (firm.unit_cost * weekly_units)
            margin = min(max(needed, p.margin), p.max_margin)
        price = cost * (1.0 + margin) / (1.0 - firm.take_share)
        weekly = max(0.0, firm.cash - floor) / (13.0 * p.spend_quarters)
        experience_share = 1.0 - p.selection_share - p.efficiency_share
        return Decision(
            price=price,
            spend_experience=weekly * experience_share,
            spend_selection=weekly * p.selection_share,
            spend_efficiency=weekly * p.efficiency_share,
            note="turn the flywheel",
            spend_innovation=firm.innovation_budget,
        )
