"""Scenario schema of firms: the firms at start, entrant templates and entry."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import Field, field_validator, model_validator

from sim.scenario.schema_base import _DOTTED, Frozen, StrategyName
from sim.scenario.schema_channels import ConnectedKind


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
    experience_sd: float = Field(
        0.0,
        ge=0,
        le=10,
        description="sd of each firm's starting experience around x_j, drawn at start or "
        "entry (experience units)",
    )
    selection_sd: float = Field(
        0.0,
        ge=0,
        le=5,
        description="sd of ln(starting selection) across firms, drawn at start or entry "
        "(median: selection; never below 1 item)",
    )
    unit_cost_sd: float = Field(
        0.0,
        ge=0,
        le=5,
        description="sd of ln(c0) across firms, drawn at start or entry (median: unit_cost)",
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
    defences: bool = Field(
        True,
        description="may use the channel defences the scenario enables (defences.enabled)",
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
    """New firms arriving during the run, as a Poisson stream drawn from templates.

    With ``profit_response`` or ``growth_response`` above 0 the stream's rate rises with
    what incumbents earn and with the market's growth (``sim.mechanics.lifecycle.entry_rate``).
    """

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
    profit_response: float = Field(
        0.0,
        ge=0,
        le=100,
        description="a: the rate is multiplied by exp(a * m), m = incumbents' operating margin "
        "over the last year (0 = a fixed stream)",
    )
    growth_response: float = Field(
        0.0,
        ge=0,
        le=100,
        description="b: the rate is multiplied by exp(b * g), g = growth of market units over "
        "the last year",
    )
    max_rate_multiple: float = Field(
        10.0, ge=1, le=1000, description="cap on the rate as a multiple of rate_per_year"
    )

    @model_validator(mode="after")
    def _templates_when_rate(self) -> EntrySpec:
        if self.rate_per_year > 0 and not self.templates:
            raise ValueError("rate_per_year > 0 needs at least one template")
        if self.templates and sum(t.weight for t in self.templates) <= 0:
            raise ValueError("at least one template needs a weight above 0")
        return self
