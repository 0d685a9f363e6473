"""Scenario schema of temporary firm-level demand and cost shocks (AR(1), fading)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from sim.scenario.schema_base import Frozen


class ShockPeriod(StrEnum):
    """How often the shocks move."""

    week = "week"
    quarter = "quarter"


class ShocksSpec(Frozen):
    """Each firm's demand and cost shocks, ``x_t = rho x_(t-1) + sigma e_t`` per period.

    The demand shock adds to every consumer's utility of the firm (utils); the cost shock
    multiplies its unit cost by ``exp(x)``. A firm starts from a draw of the stationary
    distribution, sd ``sigma / sqrt(1 - rho^2)``. ``sigma`` 0 switches a shock off (no
    number drawn).
    """

    period: ShockPeriod = Field(
        ShockPeriod.quarter,
        description="week: the shocks move every week; quarter: at each quarter end, "
        "before the firms decide",
    )
    demand_persistence: float = Field(
        0.9, ge=0, lt=1, description="rho_d in [0, 1): share of the demand shock kept"
    )
    demand_sd: float = Field(
        0.0, ge=0, le=10, description="sigma_d, utils: sd of the demand innovation (0 = off)"
    )
    cost_persistence: float = Field(
        0.9, ge=0, lt=1, description="rho_c in [0, 1): share of the cost shock kept"
    )
    cost_sd: float = Field(
        0.0,
        ge=0,
        le=2,
        description="sigma_c, log points: sd of the cost innovation (0 = off)",
    )

    @property
    def enabled(self) -> bool:
        """Whether either shock moves."""
        return self.demand_sd > 0 or self.cost_sd > 0
