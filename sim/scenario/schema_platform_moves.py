"""Scenario schema of the platform's moves and of a brand's owned customers.

Every move is off by default; switched off, a run is exactly as without this section
(``sim.components.platform_moves``, ``sim.mechanics.platform_moves``).
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.schema_base import Frozen


class OwnLabelSpec(Frozen):
    """The platform's own copy of the best-selling product listed on it (Amazon Basics)."""

    enabled: bool = Field(False, description="the platform may launch an own label")
    earliest_week: int = Field(
        52, ge=0, description="first week it may launch (its sales data need time), >= 0"
    )
    quality_gap: float = Field(
        0.2, ge=0, description="g, utils the copy falls short of the copied product, >= 0"
    )
    undercut: float = Field(
        0.1, ge=0, lt=1, description="d, share the copy is priced below the original, [0, 1)"
    )
    cost_ratio: float = Field(
        1.0, gt=0, le=10, description="k, the copy's unit cost over the copied brand's, > 0"
    )
    items_share: float = Field(
        1.0, gt=0, le=10, description="items of the copy over the copied brand's selection, > 0"
    )
    launch_cost_per_1000_consumers: float = Field(
        1_000.0,
        ge=0,
        description="L, one-off cost of the launch, $ per 1,000 consumers in the market, >= 0",
    )
    payback_weeks: float = Field(
        52.0, gt=0, description="T, weeks in which the copied demand must repay L, > 0"
    )


class PlatformMovesSpec(Frozen):
    """What a platform does with the customers it owns (each move off by default)."""

    own_label: OwnLabelSpec = Field(default_factory=OwnLabelSpec)
    steering: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="d, share of shoppers' attention lost per rank down the listing page, "
        "listings ranked by what they pay the platform (0 = no ranking), [0, 1)",
    )
    holdup_fee: bool = Field(
        False,
        description="price the fee to brands' anticipated dependence on the platform "
        "(share of their sales through it) instead of its share of all purchases",
    )
    holdup_quarters_ahead: float = Field(
        4.0, ge=0, le=40, description="H, quarters of rising dependence the fee anticipates"
    )
    return_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="r, probability a shopper who last bought through the platform starts "
        "and ends the next search there (0 = off), [0, 1]",
    )

    @property
    def active(self) -> bool:
        """Whether any move is switched on."""
        return (
            self.own_label.enabled or self.steering > 0 or self.holdup_fee or self.return_share > 0
        )


class BrandStartSpec(Frozen):
    """A named brand's strength at the start: customers who already buy direct, and data."""

    firm: str = Field(min_length=1, description="name of a firm at start (all its copies)")
    loyal_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of consumers who know the brand and start as its direct "
        "customers (habit, relationship and data are the brand's), [0, 1]",
    )
    knowledge: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="population knowledge K at start (what its data already tell it), [0, 1)",
    )


class OwnedCustomersSpec(Frozen):
    """What owned customers are worth to a brand, and brands' strength at the start."""

    measure_data_value: bool = Field(
        False,
        description="measure each quarter what the brand's data earn per owned customer "
        "(adds firm columns data_value_per_owned and fit_premium)",
    )
    starting_strength: list[BrandStartSpec] = Field(
        default_factory=list, description="brands that start strong (awareness: initial_awareness)"
    )
