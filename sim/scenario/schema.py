"""The scenario: the root of the schema, assembling every section."""

from __future__ import annotations

import difflib
import hashlib
import json

import yaml
from pydantic import Field, model_validator

from sim.scenario.schema_base import Frozen
from sim.scenario.schema_channels import (
    ConnectedKind,
    ConnectedSpec,
    FlywheelMeterSpec,
    LearningSpec,
    PlatformSpec,
    RelationshipSpec,
)
from sim.scenario.schema_defences import DefencesSpec, ValueChainSpec
from sim.scenario.schema_dynamics import (
    InnovationSpec,
    LifecycleSpec,
    NetworkKind,
    NetworkSpec,
    TrendSpec,
    VitalitySpec,
    WordOfMouthSpec,
)
from sim.scenario.schema_finance import FinanceSpec
from sim.scenario.schema_firms import EntrySpec, FirmSpec
from sim.scenario.schema_market import ConsumerSpec, MarketSpec, TechnologySpec
from sim.scenario.schema_platform_moves import OwnedCustomersSpec
from sim.scenario.schema_research import ResearchSpec
from sim.scenario.schema_rivalry import AcquisitionSpec, ImitationSpec
from sim.scenario.schema_shocks import ShocksSpec
from sim.scenario.schema_trust import TrustSpec


class Scenario(Frozen):
    """A complete, validated scenario. Times are in weeks (13 per quarter)."""

    name: str = Field(min_length=1, description="short identifier")
    description: str = Field("", description="one-line story of the scenario")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="root seed of the run's random generator")
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
    research: ResearchSpec = Field(default_factory=ResearchSpec)
    defences: DefencesSpec = Field(default_factory=DefencesSpec)
    value_chain: ValueChainSpec = Field(default_factory=ValueChainSpec)
    trust: TrustSpec = Field(default_factory=TrustSpec)
    imitation: ImitationSpec = Field(default_factory=ImitationSpec)
    acquisition: AcquisitionSpec = Field(default_factory=AcquisitionSpec)
    shocks: ShocksSpec = Field(
        default_factory=ShocksSpec, description="fading firm demand and cost shocks (off)"
    )
    owned_customers: OwnedCustomersSpec = Field(default_factory=OwnedCustomersSpec)

    @model_validator(mode="after")
    def _strength_names_firms(self) -> Scenario:
        names = [firm.name for firm in self.firms]
        for index, start in enumerate(self.owned_customers.starting_strength):
            if start.firm not in names:
                hint = difflib.get_close_matches(start.firm, names, n=1)
                extra = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ValueError(
                    f"owned_customers.starting_strength.{index}.firm: no firm named "
                    f"{start.firm!r}{extra}"
                )
        return self

    @model_validator(mode="after")
    def _brand_match_without_channels(self) -> Scenario:
        if self.consumers.brand_match_sd > 0 and self.channels_active:
            raise ValueError(
                "consumers.brand_match_sd > 0 works in markets without platforms, connected "
                "experiences, learning or channel defences; set it to 0 or switch those off"
            )
        return self

    @model_validator(mode="after")
    def _trust_names_firms(self) -> Scenario:
        names = [firm.name for firm in self.firms]
        for index, name in enumerate(self.trust.unfamiliar_firms):
            if name not in names:
                hint = difflib.get_close_matches(name, names, n=1)
                extra = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ValueError(f"trust.unfamiliar_firms.{index}: no firm named {name!r}{extra}")
        if self.trust.enabled and self.channels_active:
            raise ValueError(
                "trust.enabled works in markets without platforms, connected experiences "
                "or learning; switch those off or trust off"
            )
        return self

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
            or self.defences.enabled
            or self.value_chain.step_cost > 0
        )

    def digest(self) -> str:
        """SHA-256 of the resolved scenario (canonical JSON)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def to_yaml(self) -> str:
        """The resolved scenario as YAML, every default written out."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)
