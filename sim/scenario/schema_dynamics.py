"""Scenario schema of Day 1 and Day 2: network, word of mouth, innovation, vitality, trends.

The lifecycle section (stages, irrelevance exit, valuation) lives here too; entry is
with the firms.
Every field is optional; the defaults switch each mechanic off or make it neutral, so
scenarios written before these sections run exactly as they did.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from sim.scenario.schema_base import Frozen


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
