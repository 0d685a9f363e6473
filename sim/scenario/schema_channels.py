"""Scenario schema of channels, connected experiences, learning and the flywheel meter.

Platforms between brands and consumers, customer relationships and memberships.
"""

from __future__ import annotations

import difflib
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from sim.scenario.schema_base import _DOTTED, Frozen, StrategyName
from sim.scenario.schema_platform_moves import PlatformMovesSpec


class ConnectedKind(StrEnum):
    """Connected customer experiences (Siggelkow and Terwiesch 2019)."""

    none = "none"
    respond_to_desire = "respond_to_desire"
    curated_offering = "curated_offering"
    coach_behaviour = "coach_behaviour"
    automatic_execution = "automatic_execution"


class PlatformKind(StrEnum):
    """What a platform does between brands and their customers."""

    marketplace = "marketplace"
    aggregator = "aggregator"


class ConnectedSpec(Frozen):
    """Effect sizes and costs of the four connected experiences (shared by all offerers).

    respond to desire smooths *respond*, curated offering smooths *request*, coach
    behaviour works on *recognize*, automatic execution skips the journey altogether.
    """

    respond_bonus: float = Field(
        0.3, ge=0, description="experience units added to purchases through the offerer, >= 0"
    )
    respond_unit_cost: float = Field(
        0.5, ge=0, description="$ per unit sold with respond-to-desire service, >= 0"
    )
    curation_gain: float = Field(
        0.5, ge=0, le=1, description="share of the remaining fit gap a curated pick closes, [0, 1]"
    )
    curation_fixed_cost: float = Field(
        100.0, ge=0, description="$ per week to run the recommendation service, >= 0"
    )
    coach_lift: float = Field(
        0.3, ge=0, description="relative rise of the need rate of coached customers, >= 0"
    )
    coach_cost_per_customer: float = Field(
        0.02, ge=0, description="$ per coached customer per week, >= 0"
    )
    auto_enrol: float = Field(
        0.1, ge=0, le=1, description="probability a buyer signs up for automatic execution, [0, 1]"
    )
    auto_cancel_below: float = Field(
        -0.3, description="satisfaction (experience units) below which a subscriber cancels"
    )
    auto_unit_cost: float = Field(0.5, ge=0, description="$ per unit fulfilled automatically, >= 0")


class LearningSpec(Frozen):
    """Repeat: learning about customers from interactions (off when ``fit_value`` is 0).

    Individual fit ``f_io`` rises with each interaction between consumer i and the owner
    o of the relationship; population knowledge ``K_o`` rises with the owner's data.
    """

    fit_value: float = Field(
        0.0, ge=0, description="phi, utils of a perfect fit (0 switches learning off), >= 0"
    )
    individual_rate: float = Field(
        0.05, ge=0, le=1, description="eta, share of the fit gap closed per interaction, [0, 1]"
    )
    connected_multiplier: float = Field(
        2.0,
        ge=1,
        description="learning (and data) per interaction of a connected relationship, x, >= 1",
    )
    population_share: float = Field(
        0.3, ge=0, le=1, description="rho, share of population knowledge a new customer gets"
    )
    data_scale: float = Field(
        20_000.0,
        gt=0,
        description="interactions per 1,000 consumers at which knowledge reaches 1 - 1/e, > 0",
    )


class RelationshipSpec(Frozen):
    """Who owns the customer relationship after a purchase through a platform."""

    awareness_fade: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "probability that buying a brand through a platform makes the consumer lose "
            "the brand as a direct option, [0, 1]"
        ),
    )


class MembershipSpec(Frozen):
    """A membership programme in the style of Prime: a fee for a better experience."""

    fee: float = Field(1.5, ge=0, description="$ per member per week, >= 0")
    launch_step: int = Field(0, ge=0, description="week the programme opens, >= 0")
    delivery_bonus: float = Field(
        0.3, ge=0, description="experience units added to a member's purchases, >= 0"
    )
    loyalty_bonus: float = Field(
        0.3, ge=0, description="utils a member gets from shopping here first, >= 0"
    )
    unit_cost: float = Field(
        0.5, ge=0, description="$ per unit bought by a member (faster delivery), >= 0"
    )


class ThirdPartySpec(Frozen):
    """The pool of small third-party sellers a marketplace can attract."""

    potential_sellers: int = Field(
        1000, ge=1, le=10_000_000, description="M, sellers who could join, >= 1"
    )
    initial_sellers: int = Field(0, ge=0, description="sellers on the marketplace at start")
    items_per_seller: float = Field(1.0, gt=0, description="items listed by each seller, > 0")
    unit_cost: float = Field(22.0, gt=0, description="c3, a seller's cost per unit ($), > 0")
    markup: float = Field(0.2, ge=0, description="m3, sellers' markup over unit cost, >= 0")
    fee_pass_through: float = Field(
        0.5, ge=0, le=1, description="theta, share of the fee passed into price, [0, 1]"
    )
    quality: float = Field(2.0, description="q3, base quality of sellers' goods (utils)")
    cost_per_1000_consumers: float = Field(
        2.0,
        ge=0,
        description=(
            "kappa, a seller's weekly cost of being on the marketplace, $ per 1,000 "
            "consumers in the market (its opportunity cost), >= 0"
        ),
    )
    profit_sensitivity: float = Field(
        3.0,
        gt=0,
        le=100,
        description="s, how sharply sellers respond to profit: flows follow sigma(s pi / kappa)",
    )
    join_rate: float = Field(
        0.02, ge=0, le=1, description="largest weekly probability an outside seller joins"
    )
    leave_rate: float = Field(
        0.02, ge=0, le=1, description="largest weekly probability a seller leaves"
    )
    memory_weeks: float = Field(
        13.0, ge=1, description="weeks over which sellers average their sales, >= 1"
    )

    @model_validator(mode="after")
    def _initial_within_pool(self) -> ThirdPartySpec:
        if self.initial_sellers > self.potential_sellers:
            raise ValueError(
                f"initial_sellers ({self.initial_sellers}) must not exceed "
                f"potential_sellers ({self.potential_sellers})"
            )
        return self


class PlatformSpec(Frozen):
    """A platform between brands and consumers, run by a platform strategy."""

    name: str = Field(min_length=1, description="display name, unique among platforms")
    kind: PlatformKind = Field(description="marketplace or aggregator")
    strategy: StrategyName = Field(
        description="customer_obsessed, shareholder_focused, or package.module:Class"
    )
    strategy_params: dict[str, Any] = Field(
        default_factory=dict, description="parameters of the platform strategy (see its Params)"
    )
    take_rate: float = Field(
        0.15, ge=0, le=0.95, description="tau at start, share of sales kept as fee, [0, 0.95]"
    )
    experience: float = Field(
        1.0, description="experience units at start: fulfilment (marketplace) or search ease"
    )
    price_transparency: float = Field(
        3.0, ge=1, description="mu, sharpness of the side-by-side seller comparison, >= 1"
    )
    fixed_cost: float = Field(1_000.0, ge=0, description="fixed cost ($ per week), >= 0")
    fulfilment_cost: float = Field(
        2.0, ge=0, description="$ per unit handled at reference_units (marketplaces), >= 0"
    )
    reference_units: float = Field(
        50_000.0, gt=0, description="cumulative units handled already at start, > 0"
    )
    progress_ratio: float = Field(
        0.8, gt=0, le=1, description="fulfilment cost multiplier per doubling (Wright)"
    )
    cash: float = Field(100_000.0, description="cash at start ($)")
    insolvency_quarters: int = Field(
        4, ge=1, le=100, description="quarter ends in a row with negative cash before it closes"
    )
    initial_awareness: float = Field(
        1.0, ge=0, le=1, description="probability a consumer knows the platform at start"
    )
    awareness_innovation: float = Field(
        0.0, ge=0, le=1, description="Bass p: weekly probability a shopper discovers it alone"
    )
    awareness_imitation: float = Field(
        0.0,
        ge=0,
        le=10,
        description="Bass q: weekly discovery per unit share of consumers who use it, >= 0",
    )
    owner: str | None = Field(
        None, description="firm whose sales here are first-party (the platform's own retail)"
    )
    membership: MembershipSpec | None = Field(None, description="membership programme, if any")
    third_party: ThirdPartySpec | None = Field(
        None, description="pool of small third-party sellers (marketplaces only)"
    )
    connected: ConnectedKind = Field(
        ConnectedKind.none, description="connected customer experience the platform offers"
    )
    price_parity: bool = Field(
        False,
        description="narrow price parity: a listed firm's direct price may not undercut its "
        "listing here (the listing is shown at most at the direct price)",
    )
    moves: PlatformMovesSpec = Field(
        default_factory=PlatformMovesSpec,
        description="the platform's moves: own label, steering, hold-up fee, return (all off)",
    )

    @field_validator("strategy")
    @classmethod
    def _known_platform_strategy(cls, value: str) -> str:
        from sim.strategies.platform import PLATFORM_STRATEGIES, resolve_platform_strategy

        if value in PLATFORM_STRATEGIES:
            return value
        if not _DOTTED.match(value):
            hint = difflib.get_close_matches(value, list(PLATFORM_STRATEGIES), n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ValueError(
                f"must be one of {sorted(PLATFORM_STRATEGIES)} or a dotted path "
                f"'package.module:Class'{extra}"
            )
        resolve_platform_strategy(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PlatformSpec:
        from sim.strategies.platform import resolve_platform_strategy

        resolve_platform_strategy(self.strategy).Params.model_validate(self.strategy_params)
        if self.third_party is not None and self.kind is not PlatformKind.marketplace:
            raise ValueError("third_party sellers need kind marketplace")
        return self


class FlywheelMeterSpec(Frozen):
    """How the flywheel meter measures the links of the loop each quarter."""

    enabled: bool = Field(True, description="measure the flywheel every quarter")
    window_quarters: int = Field(
        8, ge=3, le=200, description="quarters in the rolling window of measured links, >= 3"
    )
    sample_size: int = Field(
        1_000, ge=10, le=1_000_000, description="consumers in the demand experiments, >= 10"
    )
    perturbation: float = Field(
        0.02, gt=0, le=0.5, description="h, log-size of the demand experiments' shocks"
    )
    min_log_spread: float = Field(
        0.03,
        ge=0,
        description="sd of ln(x) in the window below which a link is not identified (NaN)",
    )
