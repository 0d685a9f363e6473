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
    files: finding and reading scenario files.
    loading: validating scenario files.

A new mechanic's schema goes in the ``schema_*`` module of its family (or a new one),
with its section added to :class:`Scenario` in ``schema``; everything public is
re-exported here (loaded on first use), so callers import from ``sim.scenario``.
"""

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers see; at run time names load on first use
    from sim.scenario.errors import _MISSING, InputError, Problem, problems_from_validation
    from sim.scenario.files import (
        SCENARIO_DIR_ENV,
        find_scenario,
        list_scenarios,
        read_yaml,
        scenario_search_path,
    )
    from sim.scenario.loading import (
        file_kind,
        load_scenario,
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


_EXPORTS = {
    "CONSUMER_TRAITS": "sim.scenario.schema_market",
    "ConnectedKind": "sim.scenario.schema_channels",
    "ConnectedSpec": "sim.scenario.schema_channels",
    "ConsumerSpec": "sim.scenario.schema_market",
    "Distribution": "sim.scenario.schema_base",
    "DistributionKind": "sim.scenario.schema_base",
    "EntrantSpec": "sim.scenario.schema_firms",
    "EntrySpec": "sim.scenario.schema_firms",
    "FinanceSpec": "sim.scenario.schema_finance",
    "FirmSpec": "sim.scenario.schema_firms",
    "FlywheelMeterSpec": "sim.scenario.schema_channels",
    "Frozen": "sim.scenario.schema_base",
    "InnovationSpec": "sim.scenario.schema_dynamics",
    "InputError": "sim.scenario.errors",
    "LearningSpec": "sim.scenario.schema_channels",
    "LifecycleSpec": "sim.scenario.schema_dynamics",
    "MarketSpec": "sim.scenario.schema_market",
    "MembershipSpec": "sim.scenario.schema_channels",
    "NetworkGenerator": "sim.scenario.schema_dynamics",
    "NetworkKind": "sim.scenario.schema_dynamics",
    "NetworkSpec": "sim.scenario.schema_dynamics",
    "PlatformKind": "sim.scenario.schema_channels",
    "PlatformSpec": "sim.scenario.schema_channels",
    "Problem": "sim.scenario.errors",
    "RelationshipSpec": "sim.scenario.schema_channels",
    "ResearchSpec": "sim.scenario.schema_research",
    "SCENARIO_DIR_ENV": "sim.scenario.files",
    "Scenario": "sim.scenario.schema",
    "SegmentSpec": "sim.scenario.schema_market",
    "ShockPeriod": "sim.scenario.schema_shocks",
    "ShocksSpec": "sim.scenario.schema_shocks",
    "StrategyName": "sim.scenario.schema_base",
    "TRAIT_BOUNDS": "sim.scenario.schema_market",
    "TechnologySpec": "sim.scenario.schema_market",
    "ThirdPartySpec": "sim.scenario.schema_channels",
    "TrendSpec": "sim.scenario.schema_dynamics",
    "TrustSpec": "sim.scenario.schema_trust",
    "VitalitySpec": "sim.scenario.schema_dynamics",
    "WEEKS_PER_QUARTER": "sim.scenario.schema_base",
    "WEEKS_PER_YEAR": "sim.scenario.schema_base",
    "WordOfMouthSpec": "sim.scenario.schema_dynamics",
    "_DOTTED": "sim.scenario.schema_base",
    "_MISSING": "sim.scenario.errors",
    "apply_overrides": "sim.scenario.overrides",
    "file_kind": "sim.scenario.loading",
    "find_scenario": "sim.scenario.files",
    "list_scenarios": "sim.scenario.files",
    "load_scenario": "sim.scenario.loading",
    "parse_override": "sim.scenario.overrides",
    "problems_from_validation": "sim.scenario.errors",
    "read_yaml": "sim.scenario.files",
    "scenario_search_path": "sim.scenario.files",
    "strategy_param_problems": "sim.scenario.loading",
    "validate_scenario": "sim.scenario.loading",
}
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
lazy_exports(__name__, _EXPORTS)
