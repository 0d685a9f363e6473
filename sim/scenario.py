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

from sim.finance import FinanceSpec

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
                variance = self.sd**2
                common = self.mean * (1 - self.mean) / variance - 1 if variance > 0 else None
                if common is None or not np.isfinite(common):
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


CONSUMER_TRAITS = (
    "price_sensitivity",
    "selection_taste",
    "experience_taste",
    "need_rate",
    "habit_strength",
    "initial_expectation",
)


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
        description="quarter ends in a row a firm may stay beyond its credit line (or, for a "
        "platform, with negative cash) before it exits",
    )


# ---------------------------------------------------------------------------
# Day 1 and Day 2: word of mouth, innovation, vitality, trends, entry and exit.
# Every field is optional; the defaults switch each mechanic off or make it neutral,
# so scenarios written before these sections run exactly as they did.


class NetworkKind(StrEnum):
    """Families of the consumers' social network."""

    none = "none"
    complete = "complete"
    watts_strogatz = "watts_strogatz"
    barabasi_albert = "barabasi_albert"
    erdos_renyi = "erdos_renyi"


class NetworkGenerator(StrEnum):
    """How the network is generated."""

    auto = "auto"
    networkx = "networkx"
    direct = "direct"


class NetworkSpec(Frozen):
    """The consumers' social network, along which word of mouth travels.

    ``none`` (the default) means nobody talks; ``complete`` is the mean-field limit in
    which everyone hears everyone (the Bass model). The graph is drawn once, from the
    run's seed, and kept as CSR arrays.
    """

    kind: NetworkKind = Field(
        NetworkKind.none,
        description="none, complete, watts_strogatz, barabasi_albert or erdos_renyi",
    )
    mean_degree: int = Field(
        10,
        ge=1,
        le=1000,
        description="k, neighbours per consumer (watts_strogatz: even lattice degree; "
        "barabasi_albert: 2 x edges per new node; erdos_renyi: expected degree), 1..1000",
    )
    rewiring: float = Field(
        0.1, ge=0, le=1, description="watts_strogatz: probability a lattice edge is rewired"
    )
    generator: NetworkGenerator = Field(
        NetworkGenerator.auto,
        description="networkx, direct (array generators for large populations), or auto: "
        "networkx up to networkx_max_nodes consumers, direct above",
    )
    networkx_max_nodes: int = Field(
        20_000, ge=1, description="largest population built with networkx when generator=auto"
    )

    @model_validator(mode="after")
    def _even_lattice(self) -> NetworkSpec:
        if self.kind is NetworkKind.watts_strogatz and self.mean_degree % 2:
            raise ValueError(f"watts_strogatz needs an even mean_degree, got {self.mean_degree}")
        return self


class WordOfMouthSpec(Frozen):
    """Referrals, warnings and marketing: how consumers learn of firms and drop them.

    Per week an unaware consumer becomes aware of firm j with probability
    ``1 - exp(-(p_j + q W+/d))``, ``W+/d`` the voice-weighted share of her neighbours who
    bought from j this week and ``p_j = marketing_spend_j / (contact_cost * N)``.
    """

    referral_rate: float = Field(
        0.0,
        ge=0,
        le=50,
        description="q, per week: awareness hazard when every neighbour is a neutral buyer "
        "of the firm (Bass coefficient of imitation); 0 = no word of mouth",
    )
    delight_threshold: float = Field(
        0.5, description="satisfaction (experience units) above which a buyer is delighted"
    )
    delight_weight: float = Field(
        2.0, ge=1, le=100, description="voice of a delighted buyer relative to a neutral one"
    )
    disappointment_threshold: float = Field(
        0.5,
        ge=0,
        description="a buyer whose satisfaction is below minus this (experience units) "
        "is disappointed: she warns instead of recommending",
    )
    warning_rate: float = Field(
        0.0,
        ge=0,
        le=50,
        description="per week: hazard that warnings from every neighbour make a consumer "
        "drop a firm she does not buy from; 0 = warnings ignored",
    )
    contact_cost: float = Field(
        1.0, gt=0, description="$ per marketing contact with one random consumer"
    )
    intermediated_voice: float = Field(
        0.5,
        ge=0,
        le=1,
        description="voice of buyers of a firm with no direct customer relationship, "
        "relative to a direct firm's, in [0, 1]",
    )


class InnovationSpec(Frozen):
    """Experiments bought by firms' innovation budgets (common to all firms)."""

    experiment_cost: float = Field(5_000.0, gt=0, description="$ per experiment")
    base_success: float = Field(
        0.1, ge=0, le=1, description="pi_0, chance that a firm's first experiment succeeds"
    )
    max_success: float = Field(
        0.3, ge=0, le=1, description="pi_max, chance approached as failures teach, in [0, 1]"
    )
    failures_to_learn: float = Field(
        20.0, gt=0, description="phi, failures that close 63% of the gap to max_success"
    )
    typical_experience_gain: float = Field(
        0.02, ge=0, description="experience units added by a typical (1x) success"
    )
    typical_quality_gain: float = Field(
        0.05, ge=0, description="utils of quality added by a typical (1x) latent-need launch"
    )
    tail_index: float = Field(
        1.0,
        gt=0,
        le=10,
        description="a, Pareto tail of the gain multiple: P(multiple > x) = x^-a for x >= 1",
    )
    max_multiple: float = Field(100.0, ge=1, description="largest gain multiple (x typical)")
    latent_need_share: float = Field(
        0.3, ge=0, le=1, description="share of successes that meet a latent need"
    )
    launch_weeks: int = Field(
        26, ge=0, le=520, description="weeks from a latent-need success to its launch"
    )

    @model_validator(mode="after")
    def _ceiling_above_base(self) -> InnovationSpec:
        if self.max_success < self.base_success:
            raise ValueError(
                f"max_success ({self.max_success}) must be >= base_success ({self.base_success})"
            )
        return self


class VitalitySpec(Frozen):
    """Vitality in [0, 1]: erosion with age and size, renewal by the four defences.

    ``v' = v + R (1 - v) - E v`` every quarter (see ``sim/mechanics/vitality.py``). The
    three effect strengths are 0 by default: vitality is then recorded but changes
    nothing.
    """

    erosion_age: float = Field(
        0.03, ge=0, le=1, description="e_age, erosion per quarter of a firm much older than A"
    )
    age_scale_years: float = Field(10.0, gt=0, description="A, years for age erosion to build")
    erosion_size: float = Field(
        0.04, ge=0, le=1, description="e_size, erosion per quarter per ln-unit of size"
    )
    size_scale: float = Field(
        0.05, gt=0, le=1, description="S0, customer share (of all consumers) of size erosion"
    )
    renewal_obsession: float = Field(
        0.06, ge=0, le=1, description="renewal per quarter of full customer obsession"
    )
    renewal_skepticism: float = Field(
        0.03, ge=0, le=1, description="renewal per quarter of an undrifted proxy"
    )
    renewal_trends: float = Field(
        0.03, ge=0, le=1, description="renewal per quarter of adopting every external trend"
    )
    renewal_velocity: float = Field(
        0.03, ge=0, le=1, description="renewal per quarter of deciding at full speed"
    )
    proxy_drift: float = Field(
        0.1,
        ge=0,
        description="delta, satisfaction units per quarter by which a pure proxy manager's "
        "proxy drifts from customers' experience",
    )
    proxy_gap_scale: float = Field(
        0.25, gt=0, description="G, proxy gap (satisfaction units) that halves skepticism"
    )
    proxy_reference_share: float = Field(
        0.01,
        gt=0,
        le=1,
        description="S_ref, customer share above which each doubling adds proxy_drift_per_doubling",
    )
    max_decision_lag_weeks: float = Field(
        0.0,
        ge=0,
        le=12,
        description="L_max, weeks from decision to effect of a firm with no vitality; 0 = off",
    )
    success_effect: float = Field(
        0.0, ge=0, le=1, description="k_s: experiment success scaled by 1 - k_s (1 - v); 0 = off"
    )
    investment_effect: float = Field(
        0.0,
        ge=0,
        le=1,
        description="k_i: investment productivity scaled by 1 - k_i (1 - v); 0 = off",
    )
    stasis_threshold: float = Field(
        0.5, ge=0, le=1, description="vitality below which a firm is in Day 2 (stasis)"
    )
    renewal_margin: float = Field(
        0.1, ge=0, le=1, description="vitality above the threshold that counts as renewal"
    )


class TrendSpec(Frozen):
    """External technology waves that raise the experience of the firms adopting them."""

    every_weeks: int = Field(0, ge=0, description="weeks between waves; 0 = no waves")
    first_week: int = Field(52, ge=0, description="week of the first wave")
    experience_boost: float = Field(
        0.2, ge=0, description="experience units added to a firm when it adopts a wave"
    )
    adoption_rate: float = Field(
        0.5,
        ge=0,
        description="h, adoption hazard per quarter of a fully vital, fully eager firm",
    )
    adoption_cost: float = Field(0.0, ge=0, description="$ paid once on adopting a wave")


class LifecycleSpec(Frozen):
    """Stage thresholds, irrelevance exit, tenure at the top and the valuation rule."""

    irrelevance_share: float = Field(
        0.02,
        ge=0,
        le=1,
        description="quarterly unit share below which a firm counts as irrelevant; 0 = never",
    )
    irrelevance_exit_quarters: int = Field(
        0,
        ge=0,
        description="consecutive irrelevant quarters after which a firm exits; 0 = never",
    )
    grace_quarters: int = Field(
        8, ge=0, description="quarters after entry before a firm can be judged irrelevant"
    )
    decline_drop: float = Field(
        0.5,
        gt=0,
        le=1,
        description="decline: trailing-year revenue this fraction below its peak",
    )
    top_k: int = Field(3, ge=1, le=1000, description="K, places at the top for tenure")
    discount_rate: float = Field(
        0.10, gt=0, le=1, description="r, annual discount rate of the market-value rule"
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
    quality_sd: float = Field(
        0.0,
        ge=0,
        le=10,
        description="sd of each firm's quality around q_j, drawn at start or entry (utils)",
    )
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
    marketing_spend: float = Field(
        0.0, ge=0, description="$ per week on marketing contacts (buys awareness)"
    )
    innovation_budget: float = Field(
        0.0, ge=0, description="$ per week planned for experiments (the strategy may cut it)"
    )
    initial_awareness: float | None = Field(
        None,
        ge=0,
        le=1,
        description="share of consumers aware of the firm at start or entry, in [0, 1] "
        "(default: consumers.initial_awareness, or entry.awareness for entrants)",
    )
    age_years: float = Field(0.0, ge=0, description="age at start (years)")
    vitality: float = Field(1.0, ge=0, le=1, description="vitality at start, in [0, 1]")
    proxy_focus: float | None = Field(
        None,
        ge=0,
        le=1,
        description="m0 in [0, 1]: 0 decides from customer metrics, 1 manages to proxies "
        "(default: the strategy's trait)",
    )
    proxy_drift_per_doubling: float = Field(
        0.0, ge=0, le=1, description="d: proxy focus added per doubling of the customer base"
    )
    proxy_skepticism: float = Field(
        0.5,
        ge=0,
        le=1,
        description="sigma: share of the proxy gap closed each quarter by auditing it "
        "against direct customer measures, in [0, 1]",
    )
    trend_eagerness: float = Field(
        0.5, ge=0, le=1, description="e in [0, 1]: eagerness to adopt external trends"
    )
    decision_velocity: float | None = Field(
        None,
        ge=0,
        le=1,
        description="u in [0, 1]: habit of acting at once on new information "
        "(default: the strategy's trait)",
    )
    owner: str | None = Field(
        None, description="group owning the firm; brands of one owner price jointly"
    )
    direct_relationship: bool = Field(
        True,
        description="sells direct to its customers (false: through intermediaries, so "
        "buyers form no habit toward it and its word of mouth is weaker)",
    )
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


class EntrantSpec(FirmSpec):
    """A template for entrants: a firm spec plus how often founders pick it."""

    weight: float = Field(
        1.0, ge=0, description="relative chance an entrant uses this template (>= 0)"
    )

    @model_validator(mode="after")
    def _one_at_a_time(self) -> EntrantSpec:
        if self.count != 1:
            raise ValueError(
                f"entrant templates enter one firm at a time; count must be 1, got {self.count}"
            )
        return self


class EntrySpec(Frozen):
    """New firms arriving during the run, as a Poisson stream drawn from templates."""

    rate_per_year: float = Field(
        0.0, ge=0, le=1000, description="expected entrants per year; 0 = no entry"
    )
    start_week: int = Field(0, ge=0, description="first week entrants may arrive")
    end_week: int | None = Field(None, ge=0, description="last week (default: end of run)")
    max_alive: int = Field(
        100, ge=1, le=1000, description="no entry while this many firms are alive"
    )
    awareness: float = Field(
        0.01,
        ge=0,
        le=1,
        description="share of consumers aware of an entrant at entry (unless its template "
        "sets initial_awareness)",
    )
    templates: list[EntrantSpec] = Field(
        default_factory=list, description="business models entrants are drawn from"
    )

    @model_validator(mode="after")
    def _templates_when_rate(self) -> EntrySpec:
        if self.rate_per_year > 0 and not self.templates:
            raise ValueError("rate_per_year > 0 needs at least one template")
        if self.templates and sum(t.weight for t in self.templates) <= 0:
            raise ValueError("at least one template needs a weight above 0")
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
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    word_of_mouth: WordOfMouthSpec = Field(default_factory=WordOfMouthSpec)
    innovation: InnovationSpec = Field(default_factory=InnovationSpec)
    vitality: VitalitySpec = Field(default_factory=VitalitySpec)
    trends: TrendSpec = Field(default_factory=TrendSpec)
    entry: EntrySpec = Field(default_factory=EntrySpec)
    lifecycle: LifecycleSpec = Field(default_factory=LifecycleSpec)
    finance: FinanceSpec = Field(default_factory=FinanceSpec)

    @model_validator(mode="after")
    def _network_fits_population(self) -> Scenario:
        kind, count = self.network.kind, self.consumers.count
        if kind not in (NetworkKind.none, NetworkKind.complete) and (
            self.network.mean_degree >= count
        ):
            raise ValueError(
                f"network.mean_degree ({self.network.mean_degree}) must be below "
                f"consumers.count ({count})"
            )
        return self

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
    error: ValidationError, root: type[BaseModel], file: str, prefix: tuple = ()
) -> list[Problem]:
    """Turn a pydantic error into problems with paths, values, rules and hints.

    Args:
        error: the validation error.
        root: the model that was validated.
        file: name of the file the data came from.
        prefix: path of ``root`` inside the file (empty at top level).

    Returns:
        One problem per error, in pydantic's order.
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        path = ".".join(str(part) for part in (*prefix, *loc))
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


def strategy_param_problems(data: dict, file: str) -> list[Problem]:
    """Check each firm's ``strategy_params`` against its strategy's ``Params`` model.

    Firms whose strategy cannot be resolved are skipped (that is reported elsewhere).

    Args:
        data: the raw scenario mapping.
        file: name used in error messages.

    Returns:
        Problems found, with paths like ``firms.0.strategy_params.thin_margin``.
    """
    from sim.strategies.registry import resolve_strategy

    problems = []
    firms = data.get("firms")
    for index, firm in enumerate(firms if isinstance(firms, list) else []):
        if not isinstance(firm, dict) or not isinstance(firm.get("strategy"), str):
            continue
        params = firm.get("strategy_params", {})
        if not isinstance(params, dict):
            continue
        try:
            strategy_class = resolve_strategy(firm["strategy"])
        except ValueError:
            continue
        try:
            strategy_class.Params.model_validate(params)
        except ValidationError as exc:
            prefix = ("firms", index, "strategy_params")
            problems += problems_from_validation(exc, strategy_class.Params, file, prefix)
    return problems


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
    problems = strategy_param_problems(data, file)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, Scenario, file) + problems
    if problems:
        raise InputError(problems)
    return scenario


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
