"""Scenario schema: market research with noise (the ``research`` section).

Off by default: every firm's research is then a free random sample of
``market.research_sample_size`` consumers with their true tastes. On, research is a
stratified sample whose size and accuracy come from the data a firm owns and what it
pays (``sim.mechanics.research``).
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.schema_base import Frozen


class ResearchSpec(Frozen):
    """Research with noise: owned customers studied, respondents surveyed, tastes measured.

    Each quarter a firm studies its owned customers (those who last bought direct from
    it) and surveys ``free_respondents`` plus what its research spend buys at
    ``cost_per_respondent``; every observed taste carries a log-normal error.
    """

    enabled: bool = Field(False, description="switch research with noise on")
    free_respondents: int = Field(
        50, ge=1, le=1_000_000, description="respondents every firm surveys free each quarter"
    )
    cost_per_respondent: float = Field(
        20.0, gt=0, description="$ per extra respondent surveyed in a quarter, > 0"
    )
    max_sample: int = Field(
        2_000,
        ge=1,
        le=1_000_000,
        description="largest sample per stratum (owned customers, respondents), >= 1",
    )
    survey_noise: float = Field(
        0.5, ge=0, le=5, description="log-sd of a taste a respondent states (response error)"
    )
    owned_noise: float = Field(
        0.1,
        ge=0,
        le=5,
        description="log-sd of a taste inferred from an owned customer's purchases, before "
        "learning (times sqrt(1 - knowledge))",
    )
