"""Scenario files: schema, YAML loading, ``--set`` overrides and readable errors.

A scenario is data. It is validated at the door by pydantic models that forbid unknown
keys; a bad file yields every problem at once, each with the file, the dotted path, the
value received, the rule it breaks and, for a misspelt key, the nearest valid name.

Modules:
    schema_base: the strict base model, time units, trait distributions.
    schema_market: market, consumers, technology.
    schema_dynamics: network, word of mouth, innovation, vitality, trends, lifecycle.
    schema_channels: platforms, connected experiences, learning, relationships, meter.
    schema_firms: firms, entrant templates, entry.
    schema_shocks: fading firm demand and cost shocks.
    schema: the :class:`Scenario` root.
    errors: :class:`Problem`, :class:`InputError` and pydantic error translation.
    overrides: ``--set dotted.key=value``.
    loading: finding, reading and validating scenario files.

A new mechanic's schema goes in the ``schema_*`` module of its family (or a new one),
with its section added to :class:`Scenario` in ``schema``; everything public is
re-exported here, so callers import from ``sim.scenario``.
"""

from sim.scenario.errors import _MISSING, InputError, Problem, problems_from_validation
from sim.scenario.loading import (
    SCENARIO_DIR_ENV,
    file_kind,
    find_scenario,
    list_scenarios,
    load_scenario,
    read_yaml,
    scenario_search_path,
    strategy_param_problems,
    validate_scenario,
)
from sim.scenario.overrides import apply_overrides, parse_override
from sim.scenario.schema import Scenario
from sim.scenario.schema_base import (
    _DOTTED,
    WEEKS_PER_QUARTER,
    WEEKS_PER_YEAR,
    Distribution,
    DistributionKind,
    Frozen,
    StrategyName,
)
from sim.scenario.schema_channels import (
    ConnectedKind,
    ConnectedSpec,
    FlywheelMeterSpec,
    LearningSpec,
    MembershipSpec,
    PlatformKind,
    PlatformSpec,
    RelationshipSpec,
    ThirdPartySpec,
)
from sim.scenario.schema_dynamics import (
    InnovationSpec,
    LifecycleSpec,
    NetworkGenerator,
    NetworkKind,
    NetworkSpec,
    TrendSpec,
    VitalitySpec,
    WordOfMouthSpec,
)
from sim.scenario.schema_finance import FinanceSpec
from sim.scenario.schema_firms import EntrantSpec, EntrySpec, FirmSpec
from sim.scenario.schema_market import (
    CONSUMER_TRAITS,
    TRAIT_BOUNDS,
    ConsumerSpec,
    MarketSpec,
    SegmentSpec,
    TechnologySpec,
)
from sim.scenario.schema_research import ResearchSpec
from sim.scenario.schema_shocks import ShockPeriod, ShocksSpec
from sim.scenario.schema_trust import TrustSpec

__all__ = [
    "CONSUMER_TRAITS",
    "SCENARIO_DIR_ENV",
    "TRAIT_BOUNDS",
    "WEEKS_PER_QUARTER",
    "WEEKS_PER_YEAR",
    "_DOTTED",
    "_MISSING",
    "ConnectedKind",
    "ConnectedSpec",
    "ConsumerSpec",
    "Distribution",
    "DistributionKind",
    "EntrantSpec",
    "EntrySpec",
    "FinanceSpec",
    "FirmSpec",
    "FlywheelMeterSpec",
    "Frozen",
    "InnovationSpec",
    "InputError",
    "LearningSpec",
    "LifecycleSpec",
    "MarketSpec",
    "MembershipSpec",
    "NetworkGenerator",
    "NetworkKind",
    "NetworkSpec",
    "PlatformKind",
    "PlatformSpec",
    "Problem",
    "RelationshipSpec",
    "ResearchSpec",
    "Scenario",
    "SegmentSpec",
    "ShockPeriod",
    "ShocksSpec",
    "StrategyName",
    "TechnologySpec",
    "ThirdPartySpec",
    "TrendSpec",
    "TrustSpec",
    "VitalitySpec",
    "WordOfMouthSpec",
    "apply_overrides",
    "file_kind",
    "find_scenario",
    "list_scenarios",
    "load_scenario",
    "parse_override",
    "problems_from_validation",
    "read_yaml",
    "scenario_search_path",
    "strategy_param_problems",
    "validate_scenario",
]
