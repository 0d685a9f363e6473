"""Scenario files: schema, YAML loading, ``--set`` overrides and readable errors.

A scenario is data. It is validated at the door by pydantic models that forbid unknown
keys; a bad file yields every problem at once, each with the file, the dotted path, the
value received, the rule it breaks and, for a misspelt key, the nearest valid name.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import types
import typing
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SCENARIO_DIR_ENV = "FLYWHEEL_SCENARIOS"
WEEKS_PER_QUARTER = 13
WEEKS_PER_YEAR = 52


class Frozen(BaseModel):
    """Base for every scenario section: immutable and strict about unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DistributionKind(StrEnum):
    """Families a consumer trait can be drawn from."""

    constant = "constant"
    normal = "normal"
    lognormal = "lognormal"
    uniform = "uniform"
    beta = "beta"


class Distribution(Frozen):
    """A population distribution of one consumer trait.

    A bare number in YAML means ``{kind: constant, value: number}``. ``normal`` uses
    ``mean`` and ``sd``; ``lognormal`` and ``beta`` are given by the ``mean`` and ``sd``
    of the trait itself (not of its logarithm); ``uniform`` uses ``low`` and ``high``.
    Draws are clipped to the trait's documented range.
    """

    kind: DistributionKind = Field(DistributionKind.constant, description="family")
    value: float | None = Field(None, description="the value, for kind constant")
    mean: float | None = Field(None, description="mean of the trait")
    sd: float | None = Field(None, ge=0, description="standard deviation of the trait, >= 0")
    low: float | None = Field(None, description="lower bound, for kind uniform")
    high: float | None = Field(None, description="upper bound, for kind uniform")

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any) -> Any:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return {"kind": "constant", "value": data}
        return data

    @model_validator(mode="after")
    def _parameters_match_kind(self) -> Distribution:
        needed = {
            DistributionKind.constant: ("value",),
            DistributionKind.normal: ("mean", "sd"),
            DistributionKind.lognormal: ("mean", "sd"),
            DistributionKind.beta: ("mean", "sd"),
            DistributionKind.uniform: ("low", "high"),
        }[self.kind]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"kind {self.kind.value} needs {', '.join(missing)}")
        if self.kind is DistributionKind.uniform and self.low > self.high:
            raise ValueError(f"uniform needs low <= high, got low={self.low} high={self.high}")
        if self.kind is DistributionKind.lognormal and self.mean <= 0:
            raise ValueError(f"lognormal needs mean > 0, got {self.mean}")
        if self.kind is DistributionKind.beta:
            if not 0 < self.mean < 1:
                raise ValueError(f"beta needs 0 < mean < 1, got {self.mean}")
            if self.sd**2 >= self.mean * (1 - self.mean):
                raise ValueError(
                    f"beta needs sd**2 < mean*(1-mean) = {self.mean * (1 - self.mean):.4g}, "
                    f"got sd={self.sd}"
                )
        return self

    def central(self) -> float:
        """The distribution's mean (its value if constant, midpoint if uniform)."""
        if self.kind is DistributionKind.constant:
            return float(self.value)
        if self.kind is DistributionKind.uniform:
            return 0.5 * (self.low + self.high)
        return float(self.mean)

    def sample(self, rng: np.random.Generator, size: int, low: float, high: float) -> np.ndarray:
        """Draw ``size`` values, clipped to ``[low, high]``.

        Args:
            rng: the run's generator.
            size: number of draws.
            low: lowest admissible value of the trait.
            high: highest admissible value of the trait.

        Returns:
            Array of draws.
        """
        match self.kind:
            case DistributionKind.constant:
                draws = np.full(size, float(self.value))
            case DistributionKind.normal:
                draws = rng.normal(self.mean, self.sd, size)
            case DistributionKind.lognormal:
                sigma2 = np.log1p((self.sd / self.mean) ** 2)
                draws = rng.lognormal(np.log(self.mean) - sigma2 / 2, np.sqrt(sigma2), size)
            case DistributionKind.uniform:
                draws = rng.uniform(self.low, self.high, size)
            case DistributionKind.beta:
                common = self.mean * (1 - self.mean) / self.sd**2 - 1 if self.sd > 0 else None
                if common is None:
                    draws = np.full(size, float(self.mean))
                else:
                    draws = rng.beta(self.mean * common, (1 - self.mean) * common, size)
        return np.clip(draws, low, high)


def _trait(default: float | dict, description: str) -> Any:
    return Field(default=Distribution.model_validate(default), description=description)


TRAIT_BOUNDS: dict[str, tuple[float, float]] = {
    "price_sensitivity": (1e-6, np.inf),
    "selection_taste": (0.0, np.inf),
    "experience_taste": (0.0, np.inf),
    "need_rate": (0.0, 1.0),
    "habit_strength": (0.0, np.inf),
    "initial_expectation": (-np.inf, np.inf),
}


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
        4, ge=1, description="quarters a firm may end with negative cash before it exits"
    )


StrategyName = Annotated[str, Field(min_length=1)]
_DOTTED = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


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


class FirmSpec(Frozen):
    """A firm, or ``count`` alike firms, and the strategy that runs it."""

    name: str = Field(min_length=1, description="display name (numbered when count > 1)")
    strategy: StrategyName = Field(
        description="customer_obsessed, shareholder_focused, or package.module:Class"
    )
    strategy_params: dict[str, Any] = Field(
        default_factory=dict, description="parameters of the strategy (see its Params)"
    )
    count: int = Field(1, ge=1, le=1000, description="number of identical firms")
    quality: float = Field(2.0, description="q_j, base quality (utils)")
    price: float = Field(40.0, ge=0, description="initial price ($ per unit)")
    unit_cost: float = Field(25.0, gt=0, description="c0, unit cost at reference_units ($)")
    reference_units: float = Field(
        200_000.0, gt=0, description="Q0, cumulative units already produced at start"
    )
    progress_ratio: float = Field(
        0.8, gt=0, le=1, description="unit cost multiplier per doubling of volume (Wright)"
    )
    fixed_cost: float = Field(1_000.0, ge=0, description="fixed cost ($ per week)")
    experience: float = Field(1.0, description="x_j at start (experience units)")
    selection: float = Field(100.0, ge=1, description="assortment breadth at start (items)")
    cash: float = Field(50_000.0, description="cash at start ($)")
    channels: list[str] | None = Field(
        None,
        description=(
            "channels fixed by the scenario: 'direct' and/or platform names; "
            "omitted = the firm's strategy chooses (direct only when there are no platforms)"
        ),
    )
    connected: ConnectedKind = Field(
        ConnectedKind.none,
        description="connected customer experience the firm offers on its direct channel",
    )

    @field_validator("strategy")
    @classmethod
    def _known_strategy(cls, value: str) -> str:
        from sim.strategies.registry import STRATEGIES, resolve_strategy

        if value in STRATEGIES:
            return value
        if not _DOTTED.match(value):
            hint = difflib.get_close_matches(value, list(STRATEGIES), n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ValueError(
                f"must be one of {sorted(STRATEGIES)} or a dotted path "
                f"'package.module:Class'{extra}"
            )
        resolve_strategy(value)
        return value

    @model_validator(mode="after")
    def _params_fit_strategy(self) -> FirmSpec:
        from sim.strategies.registry import resolve_strategy

        strategy_class = resolve_strategy(self.strategy)
        strategy_class.Params.model_validate(self.strategy_params)
        return self


class Scenario(Frozen):
    """A complete, validated scenario. Times are in weeks (13 per quarter)."""

    name: str = Field(min_length=1, description="short identifier")
    description: str = Field("", description="one-line story of the scenario")
    seed: int = Field(0, ge=0, description="root seed of the run's random generator")
    steps: int = Field(520, ge=1, le=100_000, description="number of weekly steps")
    start_year: int | None = Field(
        None, ge=1000, le=3000, description="calendar year of weeks 1-52, for reports (optional)"
    )
    market: MarketSpec = Field(default_factory=MarketSpec)
    consumers: ConsumerSpec = Field(default_factory=ConsumerSpec)
    technology: TechnologySpec = Field(default_factory=TechnologySpec)
    firms: list[FirmSpec] = Field(min_length=1, description="the firms at start")
    platforms: list[PlatformSpec] = Field(
        default_factory=list, description="platforms between brands and consumers (none)"
    )
    relationships: RelationshipSpec = Field(default_factory=RelationshipSpec)
    learning: LearningSpec = Field(default_factory=LearningSpec)
    connected: ConnectedSpec = Field(default_factory=ConnectedSpec)
    flywheel_meter: FlywheelMeterSpec = Field(default_factory=FlywheelMeterSpec)

    @model_validator(mode="after")
    def _channels_name_platforms(self) -> Scenario:
        names = [platform.name for platform in self.platforms]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"platform names must be unique, repeated: {duplicated}")
        if "direct" in names:
            raise ValueError("'direct' is reserved for the direct channel; rename the platform")
        allowed = ["direct", *names]
        firm_names = [firm.name for firm in self.firms]
        for index, firm in enumerate(self.firms):
            if firm.channels is None:
                continue
            if not firm.channels:
                raise ValueError(f"firms.{index}.channels: give at least one channel")
            for channel in firm.channels:
                if channel not in allowed:
                    hint = difflib.get_close_matches(channel, allowed, n=1)
                    extra = f"; did you mean {hint[0]!r}?" if hint else ""
                    raise ValueError(
                        f"firms.{index}.channels: unknown channel {channel!r} "
                        f"(allowed: {allowed}){extra}"
                    )
        for index, platform in enumerate(self.platforms):
            if platform.owner is not None and platform.owner not in firm_names:
                hint = difflib.get_close_matches(platform.owner, firm_names, n=1)
                extra = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ValueError(
                    f"platforms.{index}.owner: no firm named {platform.owner!r}{extra}"
                )
        return self

    @property
    def channels_active(self) -> bool:
        """Whether platforms, connected experiences or learning are switched on.

        When False the model runs the market engine's original stages unchanged.
        """
        return (
            bool(self.platforms)
            or self.learning.fit_value > 0
            or any(firm.connected is not ConnectedKind.none for firm in self.firms)
        )

    def digest(self) -> str:
        """SHA-256 of the resolved scenario (canonical JSON)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def to_yaml(self) -> str:
        """The resolved scenario as YAML, every default written out."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)


# ---------------------------------------------------------------------------
# Errors


class Problem(typing.NamedTuple):
    """One thing wrong with an input file."""

    file: str
    path: str
    value: Any
    rule: str

    def __str__(self) -> str:
        shown = json.dumps(self.value, default=str) if self.value is not _MISSING else "(missing)"
        return f"{self.file}: {self.path or '(top level)'}: got {shown}: {self.rule}"


_MISSING = object()


class InputError(ValueError):
    """A bad input file; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [f"{len(problems)} {noun}:"] + [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


def _unwrap(annotation: Any) -> Any:
    """Innermost BaseModel class (or list item type) inside an annotation."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            inner = _unwrap(arg)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return annotation


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        annotation = _unwrap(field.annotation)
        if typing.get_origin(annotation) is list:
            annotation = _unwrap(typing.get_args(annotation)[0])
        current = annotation
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def problems_from_validation(
    error: ValidationError, root: type[BaseModel], file: str
) -> list[Problem]:
    """Turn a pydantic error into problems with paths, values, rules and hints.

    Args:
        error: the validation error.
        root: the model that was validated.
        file: name of the file the data came from.

    Returns:
        One problem per error, in pydantic's order.
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        path = ".".join(str(part) for part in loc)
        value = item.get("input", _MISSING)
        rule = item["msg"]
        if rule.startswith("Value error, "):
            rule = rule[len("Value error, ") :]
        if item["type"] == "extra_forbidden":
            owner = _model_at(root, loc[:-1])
            names = list(owner.model_fields) if owner else []
            hint = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
            rule = "unknown key" + (f"; did you mean {hint[0]!r}?" if hint else "")
            if names:
                rule += f" (allowed: {', '.join(names)})"
        elif item["type"] == "missing":
            value = _MISSING
            rule = "required field is missing"
        problems.append(Problem(file, path, value, rule))
    return problems


# ---------------------------------------------------------------------------
# Loading


def scenario_search_path() -> list[Path]:
    """Folders searched when a scenario is given by name, in order."""
    folders = []
    if os.environ.get(SCENARIO_DIR_ENV):
        folders.append(Path(os.environ[SCENARIO_DIR_ENV]))
    folders.append(Path.cwd() / "scenarios")
    folders.append(Path(__file__).resolve().parent.parent / "scenarios")
    unique = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def find_scenario(name_or_path: str | os.PathLike) -> Path:
    """Locate a scenario file given a path or a name such as ``validation/logit_nash``.

    Args:
        name_or_path: a path to a YAML file, or a scenario name.

    Returns:
        The file's path.

    Raises:
        InputError: when nothing matches (lists the names that exist).
    """
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate
    for folder in scenario_search_path():
        for suffix in (".yaml", ".yml", ""):
            path = folder / f"{name_or_path}{suffix}"
            if path.is_file():
                return path
    known = [name for name, _ in list_scenarios()]
    hint = difflib.get_close_matches(str(name_or_path), known, n=1)
    rule = "no such file or scenario name" + (f"; did you mean {hint[0]!r}?" if hint else "")
    raise InputError([Problem(str(name_or_path), "", str(name_or_path), rule)])


def list_scenarios() -> list[tuple[str, Path]]:
    """Scenario names with their files, from the first folder that has any."""
    for folder in scenario_search_path():
        files = sorted(folder.rglob("*.yaml")) if folder.is_dir() else []
        if files:
            return [(str(f.relative_to(folder).with_suffix("")), f) for f in files]
    return []


def read_yaml(path: Path) -> dict:
    """Read a YAML mapping, reporting syntax errors as problems.

    Args:
        path: the file.

    Returns:
        The mapping.

    Raises:
        InputError: on unreadable files, YAML syntax errors or a non-mapping top level.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Problem(str(path), "", str(path), f"cannot read: {exc}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError([Problem(str(path), "", "(YAML)", f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), "", data, "top level must be a mapping")])
    return data


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``dotted.key=value``; the value is parsed as YAML (numbers, lists...).

    Args:
        text: the override as typed.

    Returns:
        ``(dotted_key, value)``.

    Raises:
        ValueError: when there is no ``=`` or no key.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"override {text!r} must look like dotted.key=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else raw
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def apply_overrides(data: dict, overrides: list[str] | dict[str, Any], file: str) -> dict:
    """Set values at dotted paths (list items by index: ``firms.0.price=40``).

    Args:
        data: the raw scenario mapping (not modified).
        overrides: ``["a.b=1", ...]`` or ``{"a.b": 1}``.
        file: name used in error messages.

    Returns:
        A new mapping with the overrides applied.

    Raises:
        InputError: listing every override that does not fit the document's shape.
    """
    result = json.loads(json.dumps(data))
    pairs = overrides.items() if isinstance(overrides, dict) else map(parse_override, overrides)
    problems = []
    for key, value in pairs:
        parts = key.split(".")
        node: Any = result
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            where = ".".join(parts[: depth + 1])
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    rule = f"--set: index must be an integer below {len(node)}"
                    problems.append(Problem(file, where, part, rule))
                    break
                if last:
                    node[int(part)] = value
                else:
                    node = node[int(part)]
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
            else:
                rule = "--set: cannot descend into a plain value"
                problems.append(Problem(file, where, node, rule))
                break
    if problems:
        raise InputError(problems)
    return result


def validate_scenario(data: dict, file: str = "<scenario>") -> Scenario:
    """Validate a raw mapping into a frozen :class:`Scenario`.

    Args:
        data: the mapping.
        file: name used in error messages.

    Returns:
        The scenario.

    Raises:
        InputError: with every problem found.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, Scenario, file)) from None


def load_scenario(
    source: str | os.PathLike | dict | Scenario,
    overrides: list[str] | dict[str, Any] | None = None,
) -> Scenario:
    """Load and validate a scenario from a path, a name, a mapping or a Scenario.

    Args:
        source: a YAML path, a scenario name (``baseline``), a mapping, or a Scenario.
        overrides: ``--set`` style overrides applied before validation.

    Returns:
        The validated scenario.

    Raises:
        InputError: with every problem found.
    """
    if isinstance(source, Scenario):
        data, file = source.model_dump(mode="json"), f"<scenario {source.name}>"
    elif isinstance(source, dict):
        data, file = source, "<mapping>"
    else:
        path = find_scenario(source)
        data, file = read_yaml(path), str(path)
    if overrides:
        data = apply_overrides(data, overrides, file)
    return validate_scenario(data, file)
