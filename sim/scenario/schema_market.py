"""Scenario schema: the market, the consumer population and the firms' technology."""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from sim.scenario.schema_base import Distribution, Frozen, _trait

TRAIT_BOUNDS: dict[str, tuple[float, float]] = {
    "price_sensitivity": (1e-6, np.inf),
    "selection_taste": (0.0, np.inf),
    "experience_taste": (0.0, np.inf),
    "need_rate": (0.0, 1.0),
    "habit_strength": (0.0, np.inf),
    "initial_expectation": (-np.inf, np.inf),
}


CONSUMER_TRAITS = tuple(TRAIT_BOUNDS)


class SegmentSpec(Frozen):
    """A consumer segment: a share of the population with tastes of its own.

    Each trait left out is drawn from the population's distribution in ``consumers``.
    """

    name: str = Field(min_length=1, description="segment name, e.g. bargain hunters")
    weight: float = Field(gt=0, description="relative size of the segment (> 0)")
    price_sensitivity: Distribution | None = Field(None, description="alpha_i in the segment")
    selection_taste: Distribution | None = Field(None, description="beta_i in the segment")
    experience_taste: Distribution | None = Field(None, description="gamma_i in the segment")
    need_rate: Distribution | None = Field(None, description="lambda_i in the segment")
    habit_strength: Distribution | None = Field(None, description="h_i in the segment")
    initial_expectation: Distribution | None = Field(None, description="e_i at step 0")


class ConsumerSpec(Frozen):
    """The consumer population and the distributions of its tastes."""

    count: int = Field(20_000, ge=1, le=50_000_000, description="number of consumers")
    price_sensitivity: Distribution = _trait(
        {"kind": "lognormal", "mean": 0.08, "sd": 0.02},
        "alpha_i, utils per $ (> 0): disutility of price",
    )
    selection_taste: Distribution = _trait(
        0.3, "beta_i, utils per unit of ln(selection) (>= 0): taste for assortment breadth"
    )
    experience_taste: Distribution = _trait(
        1.0, "gamma_i, utils per experience unit (>= 0): taste for experience quality"
    )
    need_rate: Distribution = _trait(
        {"kind": "beta", "mean": 0.25, "sd": 0.1},
        "lambda_i, probability per week that a need arises, in [0, 1]",
    )
    habit_strength: Distribution = _trait(
        0.5, "h_i, utils (>= 0): bonus for the firm bought from last time"
    )
    initial_expectation: Distribution = _trait(
        1.0, "e_i at step 0, experience units: the experience consumers take for granted"
    )
    expectation_adaptation: float = Field(
        0.1, ge=0, le=1, description="kappa, share of a better experience absorbed into e_i"
    )
    experience_noise_sd: float = Field(
        0.3, ge=0, description="sd of a buyer's realised experience around x_j (units)"
    )
    initial_awareness: float = Field(
        1.0, ge=0, le=1, description="probability a consumer knows a given firm at start"
    )
    brand_match_sd: float = Field(
        0.0,
        ge=0,
        le=10,
        description="s, utils: sd of each consumer's lasting match with each brand, "
        "mu_ij ~ N(0, s^2), drawn once (random-coefficient logit; 0 = off)",
    )
    segments: list[SegmentSpec] = Field(
        default_factory=list,
        description="segments with their own tastes (none: one population); each consumer "
        "belongs to one, drawn by weight",
    )

    @model_validator(mode="after")
    def _segment_names_unique(self) -> ConsumerSpec:
        names = [segment.name for segment in self.segments]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"segment names must be unique, repeated: {repeated}")
        return self

    def trait(self, name: str, segment: int | None = None) -> Distribution:
        """The distribution of a trait, in a segment if it sets one."""
        if segment is not None:
            own = getattr(self.segments[segment], name)
            if own is not None:
                return own
        return getattr(self, name)


class TechnologySpec(Frozen):
    """How investment builds the firms' capability stocks (common to all firms).

    Each stock follows ``S' = S (1 - depreciation) + productivity ln(1 + I / spend_scale)``
    per week, with ``I`` the weekly spend in $.
    """

    experience_depreciation: float = Field(0.01, ge=0, lt=1, description="per week")
    experience_productivity: float = Field(0.015, ge=0, description="units per log-$")
    experience_spend_scale: float = Field(1000.0, gt=0, description="$ per week")
    selection_depreciation: float = Field(0.005, ge=0, lt=1, description="per week")
    selection_productivity: float = Field(0.75, ge=0, description="items per log-$")
    selection_spend_scale: float = Field(1000.0, gt=0, description="$ per week")
    efficiency_depreciation: float = Field(0.002, ge=0, lt=1, description="per week")
    efficiency_productivity: float = Field(0.0005, ge=0, description="units per log-$")
    efficiency_spend_scale: float = Field(1000.0, gt=0, description="$ per week")


class MarketSpec(Frozen):
    """Market-wide settings."""

    outside_utility: float = Field(1.0, description="u0, utils of not buying")
    research_sample_size: int = Field(
        500, ge=1, le=1_000_000, description="consumers sampled by a firm's market research"
    )
    insolvency_quarters: int = Field(
        2,
        ge=1,
        description="quarter ends in a row a firm may stay beyond its credit line before it "
        "exits (platforms: platforms.*.insolvency_quarters)",
    )
