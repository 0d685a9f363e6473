"""Scenario schema of trust before buying: beliefs about unfamiliar firms and their remedies.

Off by default (``enabled: false``): consumers then know every firm's experience, as in
scenarios written before this section, and the run draws no extra random numbers.
See ``sim/mechanics/trust.py`` and ``docs/ODD.md`` section 7.26.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.schema_base import Frozen


class TrustSpec(Frozen):
    """Consumers' uncertainty about unfamiliar firms, and the costs of removing it."""

    enabled: bool = Field(
        False, description="consumers hold beliefs about unfamiliar firms' experience"
    )
    unfamiliar_firms: list[str] = Field(
        default_factory=list,
        description="names of firms at start whose experience consumers do not know "
        "(entrants are always unfamiliar); the others are known",
    )
    prior_mean: float | None = Field(
        None,
        description="m0, belief about an unfamiliar firm's experience (experience units; "
        "default: the known firms' mean experience at start, the live firms' at entry)",
    )
    prior_sd: float = Field(
        0.5, ge=0, le=100, description="sqrt(v0), spread of that belief (experience units)"
    )
    belief_drift_sd: float = Field(
        0.03,
        ge=0,
        le=10,
        description="sd per week of the random walk a consumer allows in the experience of "
        "a firm she is unsure of (experience units; 0 = fixed quality)",
    )
    risk_aversion: float = Field(
        1.0, ge=0, le=100, description="a, constant absolute risk aversion (per util)"
    )
    word_of_mouth_weight: float = Field(
        1.0,
        ge=0,
        le=100,
        description="information a listener takes from word of mouth: a neighbour's "
        "experience counts this much of an own purchase, divided by the listener's "
        "number of neighbours (0 = talk informs nobody)",
    )
    word_of_mouth_noise_sd: float = Field(
        0.3, ge=0, le=100, description="extra noise of hearsay over an own experience (units)"
    )
    review_rate: float = Field(
        0.1, ge=0, le=1, description="share of buyers who write a review, in [0, 1]"
    )
    review_noise_sd: float = Field(
        0.3, ge=0, le=100, description="extra noise of a review over an own experience (units)"
    )
    review_half_life_weeks: float = Field(
        26.0, gt=0, le=10_000, description="weeks after which a review counts half"
    )
    review_cost: float = Field(
        20.0, ge=0, description="$ per week a firm pays while it publishes reviews"
    )
    return_cost: float = Field(
        5.0,
        ge=0,
        description="$ per returned unit for collection (paid by the firm with free "
        "returns, else by the buyer); the refund of the price is on top",
    )
    try_on_cost: float = Field(3.0, ge=0, description="$ per home try-on kit, paid by the firm")
    referral_voice_gain: float = Field(
        1.0,
        ge=0,
        le=100,
        description="g, largest relative rise in a firm's buyers' voice from a referral reward",
    )
    referral_half_reward: float = Field(
        5.0, gt=0, description="R_half, reward ($ per referred customer) giving half of g"
    )
