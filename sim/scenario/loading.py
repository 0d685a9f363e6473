"""Validating scenario files (finding and reading them: :mod:`sim.scenario.files`)."""

from __future__ import annotations

import os
from typing import Any

from pydantic import ValidationError

from sim.scenario.errors import InputError, Problem, problems_from_validation
from sim.scenario.files import (
    SCENARIO_DIR_ENV,
    find_scenario,
    list_scenarios,
    locate_named_file,
    read_yaml,
    scenario_search_path,
)
from sim.scenario.overrides import apply_overrides
from sim.scenario.schema import Scenario

__all__ = [
    "SCENARIO_DIR_ENV",
    "file_kind",
    "find_scenario",
    "list_scenarios",
    "load_scenario",
    "locate_named_file",
    "read_yaml",
    "scenario_search_path",
    "strategy_param_problems",
    "validate_scenario",
]


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


SWEEP_ONLY_KEYS = ("parameters", "design", "replications", "fixed", "variants", "constants")


def file_kind(data: Any) -> str:
    """Whether a mapping reads as a ``scenario``, a ``sweep`` or neither (``unknown``).

    A sweep names its base in ``scenario:`` and has ``parameters:``; a scenario has
    ``firms:`` and none of the sweep's own keys.
    """
    if not isinstance(data, dict):
        return "unknown"
    sweep_keys = [key for key in SWEEP_ONLY_KEYS if key in data]
    if "firms" not in data and "scenario" in data and sweep_keys:
        return "sweep"
    if "firms" in data and not sweep_keys and "scenario" not in data:
        return "scenario"
    return "unknown"


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
    if file_kind(data) == "sweep":
        rule = "this is a sweep file, not a scenario: run it with `flywheel sweep`"
        raise InputError([Problem(file, "", "(sweep file)", rule)])
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
