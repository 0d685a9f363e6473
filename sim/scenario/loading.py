"""Finding, reading and validating scenario files."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.errors import InputError, Problem, problems_from_validation
from sim.scenario.overrides import apply_overrides
from sim.scenario.schema import Scenario
from sim.scenario.yaml_safe import UnsafeYaml, load_yaml

SCENARIO_DIR_ENV = "FLYWHEEL_SCENARIOS"


def scenario_search_path() -> list[Path]:
    """Folders searched when a scenario is given by name, in order."""
    folders = []
    if os.environ.get(SCENARIO_DIR_ENV):
        folders.append(Path(os.environ[SCENARIO_DIR_ENV]))
    folders.append(Path.cwd() / "scenarios")
    folders.append(Path(__file__).resolve().parents[2] / "scenarios")
    unique = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def locate_named_file(name_or_path: str | os.PathLike, folders, kind: str) -> Path | None:
    """A file given by path, or by name in ``folders`` (``NAME``, ``.yaml``, ``.yml``).

    Args:
        name_or_path: a path, or a name relative to one of the folders.
        folders: folders searched in order for a name.
        kind: what is looked for, for the message about a folder (``scenario``, ``sweep``).

    Returns:
        The file's path, or None when nothing matches.

    Raises:
        InputError: when the path is a folder.
    """
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate
    if candidate.is_dir():
        shown = str(name_or_path)
        rule = f"is a folder; give a {kind} file (.yaml) or a {kind} name"
        raise InputError([Problem(shown, "", shown, rule)])
    for folder in folders:
        for suffix in (".yaml", ".yml", ""):
            path = folder / f"{name_or_path}{suffix}"
            if path.is_file():
                return path
    return None


def find_scenario(name_or_path: str | os.PathLike) -> Path:
    """Locate a scenario file given a path or a name such as ``validation/logit_nash``.

    Args:
        name_or_path: a path to a YAML file, or a scenario name.

    Returns:
        The file's path.

    Raises:
        InputError: when nothing matches (lists the names that exist).
    """
    found = locate_named_file(name_or_path, scenario_search_path(), "scenario")
    if found is not None:
        return found
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
    file = str(path)
    if path.is_dir():
        raise InputError([Problem(file, "", file, "is a folder, not a YAML file")])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(file, "", file, f"cannot read: {exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        rule = f"not a text file (byte {exc.start} is not UTF-8); give a YAML file"
        raise InputError([Problem(file, "", "(binary)", rule)]) from None
    try:
        data = load_yaml(text)
    except UnsafeYaml as exc:
        raise InputError([Problem(file, i.path, i.value, i.rule) for i in exc.issues]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(file, "", "(YAML)", f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(file, "", data, "top level must be a mapping")])
    return data


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
