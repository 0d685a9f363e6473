"""Scenario schema of channel defences and the customer value chain (both off by default)."""

from __future__ import annotations

from pydantic import Field

from sim.scenario.schema_base import Frozen


class DefencesSpec(Frozen):
    """Defences against platforms that strategies may decide (``sim.mechanics.defences``).

    With ``enabled`` false no firm runs a loyalty programme, gives a direct incentive or
    asks a platform price of its own, whatever its strategy decides.
    """

    enabled: bool = Field(
        False,
        description="strategies decide loyalty rebates, direct incentives and platform prices",
    )
    loyalty_habit_boost: float = Field(
        0.5, ge=0, le=10, description="b, share added to a member's habit while a programme runs"
    )
    loyalty_cost_per_member: float = Field(
        0.02, ge=0, description="k, $ per loyalty member per week to run the programme, >= 0"
    )
    incentive_cost_ratio: float = Field(
        1.0,
        ge=0,
        le=2,
        description="c, cost to the firm per $ of direct incentive a buyer values "
        "(1 = a plain discount; below 1 = a perk such as miles or seat choice)",
    )
    strategies_set_marketing: bool = Field(
        False,
        description="strategies decide their weekly marketing spend (false: the firms' "
        "marketing_spend from the scenario holds)",
    )


class ValueChainSpec(Frozen):
    """The customer value chain: steps a purchase takes, each with a friction cost.

    A purchase with no help takes ``purchase_steps`` steps (search, choose, find a
    seller, click, pick delivery); respond to desire (1-Click) removes
    ``respond_removes`` of them, an aggregator ``aggregator_removes`` (search and finding
    a seller), a marketplace ``marketplace_removes`` (search, finding a seller, and
    delivery, which it runs). ``step_cost`` 0 switches the value chain off.
    """

    step_cost: float = Field(
        0.0, ge=0, le=10, description="kappa, utils lost per step of a purchase (0 = off)"
    )
    purchase_steps: int = Field(
        5, ge=0, le=50, description="S, steps of an unassisted purchase (search ... delivery)"
    )
    respond_removes: int = Field(
        2, ge=0, le=50, description="steps removed by respond to desire (click, pick delivery)"
    )
    aggregator_removes: int = Field(
        2, ge=0, le=50, description="steps an aggregator removes (search, find a seller)"
    )
    marketplace_removes: int = Field(
        3,
        ge=0,
        le=50,
        description="steps a marketplace removes (search, find a seller, pick delivery)",
    )
