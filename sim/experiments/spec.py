"""Sweep files: schema, loading, ``--set`` overrides and validation with readable errors.

A sweep file names a base scenario, the parameters to vary (by the dotted paths of
``--set``, or derived ones that set several paths through small expressions), a design,
the replications, a root seed, the steps and the outputs to keep. It is validated like a
scenario: every problem is reported at once, each with the file, the dotted path, the
value received and the rule, and nothing runs on an invalid sweep.

Validation has three stages, each reporting all of its problems:

1. the structure (pydantic, unknown keys with "did you mean");
2. the meaning (names used in expressions, a design that fits the parameters, the base
   scenario and the ``fixed`` overrides);
3. every design point: the scenario it produces is validated before any run starts.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import keyword
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from sim.experiments import outcomes
from sim.experiments.design import DesignTable, build_design, design_size
from sim.experiments.expressions import Expression, ExpressionError
from sim.experiments.seeds import replication_seeds
from sim.scenario import Frozen as ScenarioFrozen
from sim.scenario import (
    InputError,
    Problem,
    Scenario,
    apply_overrides,
    file_kind,
    find_scenario,
    load_scenario,
    parse_override,
    problems_from_validation,
    read_yaml,
    validate_scenario,
)
from sim.scenario.loading import locate_named_file

RESERVED_COLUMNS = ("run_id", "point", "replication", "seed", "sweep", "step")
MAX_POINTS = 1_000_000
MAX_RUNS = 10_000_000
MAX_REPORTED_POINT_PROBLEMS = 20
_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
Scalar = bool | int | float | str


class Frozen(ScenarioFrozen):
    """Base of every sweep section: immutable, unknown keys are errors, numbers finite."""


class DesignKind(StrEnum):
    """How design points are chosen."""

    grid = "grid"
    lhs = "lhs"
    morris = "morris"
    sobol = "sobol"


class Scale(StrEnum):
    """How a continuous range is spread."""

    linear = "linear"
    log = "log"


class EmptyGroups(StrEnum):
    """What to do with a firm group whose count a parameter sets to 0."""

    error = "error"
    drop = "drop"


class Parameter(Frozen):
    """One dimension of the design.

    A parameter either takes explicit ``levels`` (a list of values, or a mapping of
    level labels to override sets) or spans a continuous ``low``-``high`` range (sampled,
    or ``num`` evenly spaced points on a grid). By default the parameter's name is the
    dotted scenario path it sets; ``path`` names another path, and ``set`` maps several
    paths to expressions of the parameter (and of other parameters and constants).
    A ``*`` in a path means every item (``firms.*.fixed_cost``).
    """

    description: str = Field("", description="what the parameter means, with its unit")
    levels: list[Scalar] | dict[str, dict[str, Any]] | None = Field(
        None, description="values on a grid, or labels each mapping to dotted overrides"
    )
    low: float | None = Field(None, description="lowest value of a continuous range")
    high: float | None = Field(None, description="highest value of a continuous range")
    num: int | None = Field(None, ge=2, le=10_000, description="grid points over low-high")
    scale: Scale = Field(Scale.linear, description="linear or log spacing of low-high")
    integer: bool = Field(False, description="round a continuous range to integers")
    path: str | None = Field(None, min_length=1, description="dotted scenario path to set")
    set: dict[str, Scalar] | None = Field(
        None, description="dotted scenario path -> expression (str) or literal value"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        issues = []
        has_levels = self.levels is not None
        has_range = self.low is not None or self.high is not None
        if has_levels and has_range:
            issues.append("give either levels or low/high, not both")
        elif not has_levels and not has_range:
            issues.append("needs levels (a list of values) or low and high (a range)")
        if has_range:
            if self.low is None or self.high is None:
                issues.append("a range needs both low and high")
            elif not self.low < self.high:
                issues.append(f"needs low < high, got low={self.low} high={self.high}")
            elif self.scale is Scale.log and self.low <= 0:
                issues.append(f"a log scale needs low > 0, got {self.low}")
            elif self.integer and math.floor(self.high) < math.ceil(self.low):
                issues.append(f"no integer lies in [{self.low}, {self.high}]")
        else:
            for name in ("num", "integer"):
                if name in self.model_fields_set:
                    issues.append(f"{name} applies to a low-high range only")
            if "scale" in self.model_fields_set:
                issues.append("scale applies to a low-high range only")
        if isinstance(self.levels, list):
            if not self.levels:
                issues.append("levels must not be empty")
            kinds = {"bool" if isinstance(v, bool) else type(v).__name__ for v in self.levels}
            if "str" in kinds and len(kinds) > 1:
                issues.append("levels must be all numbers, all strings or all booleans")
            elif "bool" in kinds and len(kinds) > 1:
                issues.append("levels must be all numbers, all strings or all booleans")
            if len({json.dumps(v) for v in self.levels}) < len(self.levels):
                issues.append("levels must not repeat")
        if isinstance(self.levels, dict):
            if not self.levels:
                issues.append("levels must not be empty")
            if self.set is not None or self.path is not None:
                issues.append("labelled levels carry their own overrides; drop set/path")
        if self.set is not None and self.path is not None:
            issues.append("give either path or set, not both")
        if self.set is not None and not self.set:
            issues.append("set must map at least one dotted path")
        for target, text in (self.set or {}).items():
            if isinstance(text, str):
                try:
                    Expression(text)
                except ExpressionError as exc:
                    issues.append(f"set.{target}: {exc}")
        if issues:
            raise ValueError("; ".join(issues))
        return self

    @property
    def labelled(self) -> bool:
        """Levels are labels mapping to override sets."""
        return isinstance(self.levels, dict)

    @property
    def continuous(self) -> bool:
        """The parameter spans a low-high range."""
        return self.levels is None

    @cached_property
    def expressions(self) -> dict[str, Expression | Scalar]:
        """``set`` with every string parsed as an expression."""
        return {
            target: Expression(value) if isinstance(value, str) else value
            for target, value in (self.set or {}).items()
        }


class Design(Frozen):
    """How the design points are chosen."""

    kind: DesignKind = Field(DesignKind.grid, description="grid, lhs, morris or sobol")
    samples: int | None = Field(
        None, ge=1, le=MAX_POINTS, description="lhs points, morris trajectories, sobol base N"
    )
    levels: int = Field(4, ge=2, le=64, description="morris: grid levels p")
    second_order: bool = Field(False, description="sobol: also sample second-order indices")
    seed: int | None = Field(None, ge=0, description="sampler seed (the sweep's seed if unset)")

    @model_validator(mode="after")
    def _fits_kind(self) -> Design:
        issues = []
        if self.kind is DesignKind.grid:
            if self.samples is not None:
                issues.append(
                    "samples is for lhs, morris and sobol designs; a grid's size is the "
                    "product of its parameters' levels"
                )
        elif self.samples is None:
            what = {"lhs": "points", "morris": "trajectories", "sobol": "base samples N"}
            issues.append(f"design kind {self.kind.value} needs samples ({what[self.kind]})")
        elif self.kind is DesignKind.sobol and self.samples & (self.samples - 1):
            issues.append(
                f"sobol needs samples a power of two (Sobol' sequence balance), "
                f"e.g. {1 << max(1, self.samples.bit_length() - 1)} or "
                f"{1 << self.samples.bit_length()}, got {self.samples}"
            )
        if "levels" in self.model_fields_set and self.kind is not DesignKind.morris:
            issues.append("levels applies to morris designs only")
        if "second_order" in self.model_fields_set and self.kind is not DesignKind.sobol:
            issues.append("second_order applies to sobol designs only")
        if issues:
            raise ValueError("; ".join(issues))
        return self


def _names_or_all(value: str | list[str], known: list[str], what: str) -> str | list[str]:
    if isinstance(value, str):
        if value != outcomes.ALL:
            raise ValueError(f"must be 'all' or a list of {what}")
        return value
    unknown = []
    for name in value:
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            unknown.append(f"{name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)}; known: {', '.join(known)}")
    if len(set(value)) < len(value):
        raise ValueError(f"{what} must not repeat")
    return value


def model_columns() -> list[str]:
    """Columns of a run's model table that can be kept as time series."""
    from sim.model.metrics import MODEL_REPORTERS

    return [name for name in MODEL_REPORTERS if name != "step"]


FIRM_IDENTITY = ("step", "firm_id", "name", "strategy")


def firm_columns() -> list[str]:
    """Columns of a run's firm table that can be kept as time series."""
    from sim.model.market import FIRM_COLUMNS

    return [name for name in FIRM_COLUMNS if name not in FIRM_IDENTITY]


class Outputs(Frozen):
    """What each run keeps: summary outcomes, and optionally time series."""

    metrics: str | list[str] = Field(
        outcomes.ALL,
        description="'all' or names of summary outcomes (sim.experiments.outcomes), or a "
        "user's module:function",
    )
    window_weeks: int = Field(
        52, ge=1, le=100_000, description="weeks averaged by 'final' outcomes (52 = final year)"
    )
    series: str | list[str] = Field(
        default_factory=list, description="'all' or model-table columns kept every step"
    )
    firm_series: str | list[str] = Field(
        default_factory=list, description="'all' or firm-table columns kept every step"
    )
    series_every: int = Field(1, ge=1, description="keep every n-th step of the series")

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list):
            for name in filter(outcomes.is_user_outcome, value):
                outcomes.user_outcome(name)
            families = [
                name.partition(outcomes.STRATEGY_SEPARATOR)[0]
                for name in value
                if not outcomes.is_user_outcome(name)
            ]
            _names_or_all(families, outcomes.known_outcome_names(), "outcomes")
            if len(set(value)) < len(value):
                raise ValueError("outcomes must not repeat")
            return value
        return _names_or_all(value, outcomes.known_outcome_names(), "outcomes")

    @field_validator("series")
    @classmethod
    def _known_series(cls, value: str | list[str]) -> str | list[str]:
        return _names_or_all(value, model_columns(), "model columns")

    @field_validator("firm_series")
    @classmethod
    def _known_firm_series(cls, value: str | list[str]) -> str | list[str]:
        return _names_or_all(value, firm_columns(), "firm columns")

    def series_columns(self) -> list[str]:
        """Model columns kept as series."""
        return model_columns() if self.series == outcomes.ALL else list(self.series)

    def firm_series_columns(self) -> list[str]:
        """Firm columns kept as series."""
        return firm_columns() if self.firm_series == outcomes.ALL else list(self.firm_series)


class SweepSpec(Frozen):
    """A complete sweep: base scenario, parameters, design, replications, seed, outputs."""

    name: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="short identifier (letters, digits, _ . -)",
    )
    description: str = Field("", description="one-line story of the experiment")
    scenario: str = Field(min_length=1, description="base scenario: a name or a path")
    fixed: dict[str, Any] = Field(
        default_factory=dict,
        description="dotted overrides applied to every run (like --set; * for every item)",
    )
    constants: dict[str, Scalar] = Field(
        default_factory=dict, description="named values usable in expressions"
    )
    parameters: dict[str, Parameter] = Field(min_length=1, description="the design's dimensions")
    design: Design = Field(default_factory=Design)
    replications: int = Field(1, ge=1, le=100_000, description="runs per design point")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="root seed of the seed plan")
    steps: int | None = Field(None, ge=1, le=100_000, description="weeks per run")
    outputs: Outputs = Field(default_factory=Outputs)
    empty_firm_groups: EmptyGroups = Field(
        EmptyGroups.error, description="drop: a firm group set to count 0 is left out"
    )
    variants: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="named sets of overrides of this file (--variant)"
    )
    variant: str | None = Field(None, description="the variant applied (set by --variant)")


# ---------------------------------------------------------------------------
# Overrides of a sweep document


_DOTTED_KEY_CONTAINERS = (
    ("fixed",),
    ("parameters", "*", "set"),
    ("parameters", "*", "levels", "*"),
    ("variants", "*"),
)


def _holds_dotted_keys(trail: tuple[str, ...]) -> bool:
    for pattern in _DOTTED_KEY_CONTAINERS:
        if len(pattern) == len(trail) and all(
            p in ("*", t) for p, t in zip(pattern, trail, strict=True)
        ):
            return True
    return False


def apply_sweep_overrides(data: dict, overrides: list[str] | dict[str, Any], file: str) -> dict:
    """Set values at dotted paths of a sweep document.

    Keys that are themselves dotted paths (under ``fixed``, a parameter's ``set``, a
    labelled level or a variant) are matched whole: ``fixed.consumers.count=500`` sets
    the key ``consumers.count`` of ``fixed``.

    Args:
        data: the raw sweep mapping (not modified).
        overrides: ``["design.samples=4", ...]`` or ``{"design.samples": 4}``.
        file: name used in error messages.

    Returns:
        A new mapping.

    Raises:
        InputError: listing every override that does not fit the document's shape.
    """
    result = json.loads(json.dumps(data, default=str))
    problems = []
    if isinstance(overrides, dict):
        pairs = list(overrides.items())
    else:
        pairs = []
        for text in overrides:
            try:
                pairs.append(parse_override(text))
            except ValueError as exc:
                problems.append(Problem(file, "--set", text, str(exc)))
    for key, value in pairs:
        parts = key.split(".")
        node: Any = result
        trail: tuple[str, ...] = ()
        while parts:
            if isinstance(node, dict):
                if _holds_dotted_keys(trail):
                    head, parts = ".".join(parts), []
                else:
                    for cut in range(len(parts), 0, -1):
                        if ".".join(parts[:cut]) in node:
                            break
                    else:
                        cut = 1
                    head, parts = ".".join(parts[:cut]), parts[cut:]
                if not parts:
                    node[head] = value
                else:
                    child = node.get(head)
                    if child is None:
                        child = node[head] = {}
                    node = child
                trail = (*trail, head)
            elif isinstance(node, list):
                head = parts.pop(0)
                if not head.isdigit() or int(head) >= len(node):
                    where = ".".join((*trail, head))
                    problems.append(
                        Problem(file, where, head, f"--set: index must be below {len(node)}")
                    )
                    break
                if not parts:
                    node[int(head)] = value
                else:
                    node = node[int(head)]
                trail = (*trail, head)
            else:
                where = ".".join(trail)
                problems.append(Problem(file, where, node, "--set: cannot descend into a value"))
                break
    if problems:
        raise InputError(problems)
    return result


# ---------------------------------------------------------------------------
# Scenario paths


def expand_path(data: Any, path: str) -> list[str]:
    """Expand ``*`` in a dotted path against a document's lists and mappings.

    Args:
        data: the document (resolved scenario mapping).
        path: e.g. ``firms.*.fixed_cost``.

    Returns:
        Concrete paths (the path itself when it has no ``*``).
    """
    parts = path.split(".")
    if "*" not in parts:
        return [path]
    results: list[str] = []

    def walk(node: Any, done: list[str], rest: list[str]) -> None:
        if not rest:
            results.append(".".join(done))
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            if isinstance(node, list):
                keys = [str(i) for i in range(len(node))]
                children = list(node)
            elif isinstance(node, dict):
                keys, children = list(node), list(node.values())
            else:
                return
            for key, child in zip(keys, children, strict=True):
                walk(child, [*done, key], tail)
        else:
            if isinstance(node, list):
                child = node[int(head)] if head.isdigit() and int(head) < len(node) else None
            elif isinstance(node, dict):
                child = node.get(head)
            else:
                child = None
            walk(child, [*done, head], tail)

    walk(data, [], parts)
    return results


# ---------------------------------------------------------------------------
# The validated sweep


@dataclass(frozen=True)
class RunKey:
    """Identity of one run: design point, replication and seed."""

    run_id: str
    point: int
    replication: int
    seed: int


@dataclass(frozen=True)
class Sweep:
    """A validated sweep, ready to run.

    Attributes:
        spec: the validated spec (after the variant and ``--set`` overrides).
        file: the file it came from (for messages and the manifest).
        base: the resolved base scenario (``fixed`` and ``steps`` applied) as a mapping.
        base_file: where the base scenario was found.
        design: the design points.
        targets: for each parameter, the concrete scenario paths it sets.
        strategies: the strategies present in any design point, sorted.
        metric_columns: the summary outcome columns each run reports.
        seeds: the run seed of every replication (common to all design points).
        digest: SHA-256 of the resolved sweep and base scenario.
    """

    spec: SweepSpec
    file: str
    base: dict
    base_file: str
    design: DesignTable
    targets: dict[str, tuple[str, ...]]
    strategies: tuple[str, ...]
    metric_columns: tuple[str, ...]
    seeds: tuple[int, ...]
    digest: str

    @property
    def name(self) -> str:
        """The sweep's name."""
        return self.spec.name

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return len(self.design)

    @property
    def n_runs(self) -> int:
        """Design points times replications."""
        return self.n_points * self.spec.replications

    @property
    def parameter_names(self) -> list[str]:
        """Parameters in file order (the design table's columns)."""
        return list(self.spec.parameters)

    def point_values(self, point: int) -> dict[str, Any]:
        """Parameter values at a design point."""
        values = self.design.values  # column by column: a row would upcast ints to floats
        return {name: _python(values[name].iat[point]) for name in values.columns}

    def scenario_for(self, point: int) -> dict:
        """The scenario mapping of a design point (seed not yet set)."""
        return point_scenario(self.spec, self.base, self.point_values(point), self.file)

    def run_keys(self) -> list[RunKey]:
        """Every run, point-major then replication, with its id and seed."""
        point_width = max(5, len(str(self.n_points - 1)))
        rep_width = max(3, len(str(self.spec.replications - 1)))
        return [
            RunKey(f"p{point:0{point_width}d}-r{rep:0{rep_width}d}", point, rep, seed)
            for point in range(self.n_points)
            for rep, seed in enumerate(self.seeds)
        ]

    def resolved_yaml(self) -> str:
        """The resolved sweep file: variant and overrides applied, defaults left out.

        It loads back (``flywheel sweep STORE/sweep.yaml``) to the same sweep, digest
        included; every value left out is its default (``docs/EXPERIMENTS.md``).
        """
        header = (
            f"# Resolved sweep {self.name} (sha256 {self.digest}); values left out are defaults\n"
        )
        data = self.spec.model_dump(mode="json", exclude_defaults=True)
        return header + yaml.safe_dump(data, sort_keys=False)


def _python(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def sweep_digest(spec: SweepSpec, base: dict) -> str:
    """SHA-256 of the resolved sweep (without its unused variants) and base scenario."""
    payload = {"sweep": spec.model_dump(mode="json", exclude={"variants"}), "base": base}
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def point_overrides(
    spec: SweepSpec, base: dict, values: dict[str, Any], file: str
) -> dict[str, Any]:
    """Dotted scenario overrides of one design point.

    Args:
        spec: the sweep spec.
        base: the resolved base scenario (for ``*`` paths).
        values: parameter values at the point.
        file: name used in error messages.

    Returns:
        ``{dotted_path: value}``.

    Raises:
        InputError: when an expression fails at this point.
    """
    env = dict(spec.constants)
    env.update({name: value for name, value in values.items() if _IDENTIFIER.match(name)})
    result: dict[str, Any] = {}
    problems = []
    for name, parameter in spec.parameters.items():
        value = values[name]
        if parameter.labelled:
            assignments = dict(parameter.levels[value])
        elif parameter.set is not None:
            assignments = {}
            for target, expression in parameter.expressions.items():
                if isinstance(expression, Expression):
                    try:
                        assignments[target] = expression.evaluate(env)
                    except ExpressionError as exc:
                        where = f"parameters.{name}.set.{target}"
                        problems.append(Problem(file, where, expression.text, str(exc)))
                        continue
                else:
                    assignments[target] = expression
        else:
            assignments = {parameter.path or name: value}
        for target, assigned in assignments.items():
            for path in expand_path(base, target):
                result[path] = assigned
    if problems:
        raise InputError(problems)
    return result


def point_scenario(spec: SweepSpec, base: dict, values: dict[str, Any], file: str) -> dict:
    """The scenario mapping of one design point, before validation.

    Args:
        spec: the sweep spec.
        base: the resolved base scenario.
        values: parameter values at the point.
        file: name used in error messages.

    Returns:
        The mapping, with firm groups of count 0 left out when ``empty_firm_groups`` is
        ``drop``.
    """
    data = apply_overrides(base, point_overrides(spec, base, values, file), file)
    if spec.empty_firm_groups is EmptyGroups.drop and isinstance(data.get("firms"), list):
        data["firms"] = [
            group
            for group in data["firms"]
            if not (isinstance(group, dict) and group.get("count") == 0)
        ]
    return data


def _hint(name: str, known: list[str]) -> str:
    match = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {match[0]!r}?" if match else ""


def _find_base(name: str, folder: Path | None) -> Path:
    if folder is not None and (folder / name).is_file():
        return folder / name
    return find_scenario(name)


def _scenario_exists(name: str, folder: Path | None) -> bool:
    try:
        _find_base(name, folder)
    except InputError:
        return False
    return True


def _resolve_base(spec: SweepSpec, file: str, folder: Path | None) -> tuple[dict, str]:
    try:
        path = _find_base(spec.scenario, folder)
    except InputError:
        rule = "no such scenario file or name" + _scenario_hint(spec.scenario)
        raise InputError([Problem(file, "scenario", spec.scenario, rule)]) from None
    try:
        raw = load_scenario(path).model_dump(mode="json")
    except InputError as exc:
        problems = [
            Problem(file, f"scenario -> {p.file}: {p.path}", p.value, p.rule) for p in exc.problems
        ]
        raise InputError(problems) from None
    overrides = {
        concrete: value for key, value in spec.fixed.items() for concrete in expand_path(raw, key)
    }
    if spec.steps is not None:
        overrides["steps"] = spec.steps
    try:
        scenario = validate_scenario(apply_overrides(raw, overrides, file), file)
    except InputError as exc:
        problems = [Problem(file, f"fixed: {p.path}", p.value, p.rule) for p in exc.problems]
        raise InputError(problems) from None
    return scenario.model_dump(mode="json"), str(path)


def _scenario_hint(name: str) -> str:
    from sim.scenario import list_scenarios

    known = [known_name for known_name, _ in list_scenarios()]
    return _hint(name, known) + (f" (known: {', '.join(known)})" if known else "")


def check_meaning(spec: SweepSpec, file: str) -> list[Problem]:
    """Stage 2: names, expressions and the fit of design and parameters.

    Args:
        spec: a structurally valid spec.
        file: name used in messages.

    Returns:
        Every problem found.
    """
    problems = []
    names = list(spec.parameters)
    env_names = [n for n in names if _IDENTIFIER.match(n)] + list(spec.constants)
    metric_families = set(outcomes.known_outcome_names())
    for constant in spec.constants:
        if not _IDENTIFIER.match(constant) or keyword.iskeyword(constant):
            problems.append(
                Problem(file, f"constants.{constant}", constant, "must be an identifier")
            )
        if constant in spec.parameters:
            rule = "a constant must not share its name with a parameter"
            problems.append(Problem(file, f"constants.{constant}", constant, rule))
    for name, parameter in spec.parameters.items():
        where = f"parameters.{name}"
        if name in RESERVED_COLUMNS or name.partition(outcomes.STRATEGY_SEPARATOR)[0] in (
            metric_families
        ):
            rule = f"name clashes with a result column ({', '.join(RESERVED_COLUMNS)}, outcomes)"
            problems.append(Problem(file, where, name, rule))
        for target, expression in parameter.expressions.items():
            if not isinstance(expression, Expression):
                continue
            for unknown in sorted(expression.names - set(env_names)):
                rule = f"expression uses unknown name {unknown!r}{_hint(unknown, env_names)}"
                if unknown in names:
                    rule = f"parameter {unknown!r} is not an identifier; it cannot be used here"
                problems.append(Problem(file, f"{where}.set.{target}", expression.text, rule))
        kind = spec.design.kind
        if kind is DesignKind.grid:
            if parameter.continuous and parameter.num is None:
                rule = "a grid needs levels, or low, high and num (points over the range)"
                problems.append(Problem(file, where, _dump(parameter), rule))
        else:
            if not parameter.continuous:
                rule = (
                    f"a {kind.value} design samples continuous ranges: give low and high "
                    "instead of levels"
                )
                problems.append(Problem(file, f"{where}.levels", parameter.levels, rule))
            if parameter.num is not None:
                rule = f"num sets grid points; a {kind.value} design uses design.samples"
                problems.append(Problem(file, f"{where}.num", parameter.num, rule))
    if spec.design.kind in (DesignKind.morris, DesignKind.sobol) and len(names) < 2:
        rule = f"a {spec.design.kind.value} design needs at least 2 parameters"
        problems.append(Problem(file, "parameters", names, rule))
    if not problems:
        points = design_size(spec)
        if points > MAX_POINTS or points * spec.replications > MAX_RUNS:
            rule = f"at most {MAX_POINTS} points and {MAX_RUNS} runs"
            problems.append(Problem(file, "design", points * spec.replications, rule))
    return problems


def _dump(model: BaseModel) -> dict:
    return model.model_dump(mode="json", exclude_defaults=True)


def check_targets(spec: SweepSpec, base: dict, file: str) -> tuple[dict, list[Problem]]:
    """Concrete scenario paths of each parameter; two parameters may not set one path."""
    problems = []
    targets: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for name, parameter in spec.parameters.items():
        if parameter.labelled:
            raw = sorted({path for level in parameter.levels.values() for path in level})
        elif parameter.set is not None:
            raw = list(parameter.set)
        else:
            raw = [parameter.path or name]
        paths = []
        for target in raw:
            expanded = expand_path(base, target)
            if not expanded:
                rule = "the * matches nothing in the base scenario"
                problems.append(Problem(file, f"parameters.{name}", target, rule))
            paths.extend(expanded)
        for path in paths:
            if path in owner and owner[path] != name:
                rule = f"scenario path {path!r} is also set by parameter {owner[path]!r}"
                problems.append(Problem(file, f"parameters.{name}", path, rule))
            owner.setdefault(path, name)
        targets[name] = tuple(paths)
    return targets, problems


def check_points(
    spec: SweepSpec, base: dict, design: DesignTable, targets: dict, file: str
) -> tuple[list[str], list[Problem]]:
    """Stage 3: validate the scenario of every design point.

    Identical problems at many points are reported once, with the first point and the
    number of others.

    Returns:
        The strategies present in any point (sorted) and the problems.
    """
    setter = {path: name for name, paths in targets.items() for path in paths}
    grouped: dict[tuple[str, str], list[tuple[int, Any]]] = defaultdict(list)
    strategies: set[str] = set()
    names = list(design.values.columns)
    records = design.values.to_dict("records")
    for point, values in enumerate(records):
        values = {name: _python(values[name]) for name in names}
        try:
            data = point_scenario(spec, base, values, file)
        except InputError as exc:
            for p in exc.problems:
                grouped[(p.path, p.rule)].append((point, p.value))
            continue
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as exc:
            for p in problems_from_validation(exc, Scenario, "scenario"):
                grouped[(f"scenario {p.path}", p.rule)].append((point, p.value))
            continue
        strategies.update(_strategy_name(firm.strategy) for firm in scenario.firms)
    problems = []
    for (path, rule), hits in list(grouped.items())[:MAX_REPORTED_POINT_PROBLEMS]:
        point, value = hits[0]
        shown = ", ".join(f"{k}={v}" for k, v in zip(names, records[point].values(), strict=True))
        scenario_path = path.removeprefix("scenario ")
        source = setter.get(scenario_path)
        by = f", set by parameters.{source}" if source else ""
        others = len(hits) - 1
        more = f"; {others} other design point{'s' if others != 1 else ''} too" if others else ""
        problems.append(
            Problem(file, path, value, f"{rule} (design point {point}: {shown}{by}{more})")
        )
    if len(grouped) > MAX_REPORTED_POINT_PROBLEMS:
        extra = len(grouped) - MAX_REPORTED_POINT_PROBLEMS
        problems.append(Problem(file, "design", "...", f"{extra} more kinds of problem"))
    return sorted(strategies), problems


def _strategy_name(spec: str) -> str:
    """The name a strategy has in result tables (a dotted path's class ``name``)."""
    if ":" not in spec:
        return spec
    from sim.strategies.registry import resolve_strategy

    return resolve_strategy(spec).name


def check_outcome_strategies(
    spec: SweepSpec, strategies: list[str], file: str
) -> tuple[list[str], list[Problem]]:
    """Expand the outputs' metric names, checking strategy suffixes."""
    selection = spec.outputs.metrics
    problems = []
    if isinstance(selection, list):
        for k, name in enumerate(selection):
            family, sep, strategy = name.partition(outcomes.STRATEGY_SEPARATOR)
            if outcomes.is_user_outcome(name):
                continue
            if sep and strategy not in strategies:
                rule = (
                    f"no firm in this sweep uses strategy {strategy!r}{_hint(strategy, strategies)}"
                )
                problems.append(Problem(file, f"outputs.metrics.{k}", name, rule))
            elif sep and family in outcomes.MARKET_OUTCOMES:
                rule = f"{family!r} is a market outcome; it takes no strategy suffix"
                problems.append(Problem(file, f"outputs.metrics.{k}", name, rule))
    if problems:
        return [], problems
    return outcomes.expand(selection, strategies), []


def validate_sweep(data: dict, file: str = "<sweep>", folder: Path | None = None) -> Sweep:
    """Validate a raw sweep mapping into a :class:`Sweep` ready to run.

    Args:
        data: the mapping (variants and overrides already applied).
        file: name used in messages.
        folder: folder of the sweep file, searched first for the base scenario.

    Returns:
        The sweep.

    Raises:
        InputError: with every problem of the first stage that has any.
    """
    kind = file_kind(data)
    if kind == "scenario":
        rule = (
            "this is a scenario file, not a sweep file: run it with `flywheel run`, or name "
            "it in a sweep file's `scenario:` key"
        )
        raise InputError([Problem(file, "", "(scenario file)", rule)])
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, SweepSpec, file)
        scenario = data.get("scenario")
        if isinstance(scenario, str) and scenario and not _scenario_exists(scenario, folder):
            rule = "no such scenario file or name" + _scenario_hint(scenario)
            problems.append(Problem(file, "scenario", scenario, rule))
        raise InputError(problems) from None
    problems = check_meaning(spec, file)
    base: dict | None = None
    base_file = ""
    try:
        base, base_file = _resolve_base(spec, file, folder)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    targets, problems = check_targets(spec, base, file)
    if problems:
        raise InputError(problems)
    design = build_design(spec)
    strategies, problems = check_points(spec, base, design, targets, file)
    if problems:
        raise InputError(problems)
    metric_columns, problems = check_outcome_strategies(spec, strategies, file)
    if problems:
        raise InputError(problems)
    parameter_names = set(spec.parameters)
    clashes = parameter_names & set(metric_columns)
    if clashes:
        rule = "parameter names clash with outcome columns"
        raise InputError([Problem(file, "parameters", sorted(clashes), rule)])
    return Sweep(
        spec=spec,
        file=file,
        base=base,
        base_file=base_file,
        design=design,
        targets=targets,
        strategies=tuple(strategies),
        metric_columns=tuple(metric_columns),
        seeds=tuple(replication_seeds(spec.seed, spec.replications)),
        digest=sweep_digest(spec, base),
    )


def load_sweep(
    source: str | Path | dict,
    overrides: list[str] | dict[str, Any] | None = None,
    variant: str | None = None,
) -> Sweep:
    """Load, override and validate a sweep file.

    Args:
        source: a YAML path, a name in ``experiments/`` (``orientation_mix``) or a mapping.
        overrides: ``--set`` style overrides of the sweep document, applied after the
            variant (``design.samples=4``, ``fixed.consumers.count=500``).
        variant: the name of one of the file's ``variants`` to apply.

    Returns:
        The validated :class:`Sweep`.

    Raises:
        InputError: with every problem found; nothing has been run or written.
    """
    if isinstance(source, dict):
        data, file, folder = source, "<mapping>", None
    else:
        path = find_sweep(source)
        data, file, folder = read_yaml(path), str(path), path.parent
    if variant is not None:
        variants = data.get("variants") or {}
        if not isinstance(variants, dict) or variant not in variants:
            known = sorted(variants) if isinstance(variants, dict) else []
            rule = "no such variant" + _hint(variant, known)
            rule += f" (available: {', '.join(known)})" if known else " (the file has none)"
            raise InputError([Problem(file, "variants", variant, rule)])
        chosen = variants[variant]
        if not isinstance(chosen, dict):
            rule = "a variant must map dotted paths to values"
            raise InputError([Problem(file, f"variants.{variant}", chosen, rule)])
        data = switch_design_kind(data, apply_sweep_overrides(data, chosen, file), chosen)
        data["variant"] = variant
    if overrides:
        data = switch_design_kind(data, apply_sweep_overrides(data, overrides, file), overrides)
    return validate_sweep(data, file, folder)


DESIGN_KEYS_OF_KIND = {"levels": ("morris",), "second_order": ("sobol",)}


def switch_design_kind(before: dict, after: dict, overrides: list[str] | dict) -> dict:
    """Drop the file's design settings that no longer apply when an override changes the kind.

    ``--set design.kind=sobol`` on a Morris file leaves its ``levels`` behind; they are
    dropped (as is ``samples`` for a grid) unless the same overrides set them again, in
    which case validation reports them.

    Args:
        before: the sweep mapping before the overrides.
        after: the mapping with the overrides applied (modified and returned).
        overrides: the overrides (``["design.kind=sobol", ...]`` or a mapping).

    Returns:
        ``after``.
    """
    old, new = before.get("design"), after.get("design")
    if not isinstance(old, dict) or not isinstance(new, dict):
        return after
    if old.get("kind", "grid") == new.get("kind", "grid"):
        return after
    keys = overrides if isinstance(overrides, dict) else [o.split("=", 1)[0] for o in overrides]
    restated = {str(key).strip().removeprefix("design.") for key in keys}
    kind = str(new.get("kind"))
    for key, kinds in {**DESIGN_KEYS_OF_KIND, "samples": ("lhs", "morris", "sobol")}.items():
        if key in old and key not in restated and kind not in kinds:
            new.pop(key, None)
    return after


EXPERIMENTS_DIR_ENV = "FLYWHEEL_EXPERIMENTS"


def experiment_search_path() -> list[Path]:
    """Folders searched when a sweep is given by name."""
    import os

    from sim.runs.packaged import packaged_folder

    folders = []
    if os.environ.get(EXPERIMENTS_DIR_ENV):
        folders.append(Path(os.environ[EXPERIMENTS_DIR_ENV]))
    folders.append(Path.cwd() / "experiments")
    folders.append(packaged_folder("experiments"))
    return list(dict.fromkeys(folders))


def list_sweeps() -> list[tuple[str, Path]]:
    """Sweep names with their files; an earlier folder's name hides a later one's."""
    found: dict[str, Path] = {}
    for folder in experiment_search_path():
        for file in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            found.setdefault(file.stem, file)
    return sorted(found.items())


def find_sweep(name_or_path: str | Path) -> Path:
    """Locate a sweep file given a path or a name such as ``orientation_mix``.

    Raises:
        InputError: when nothing matches (lists the names that exist).
    """
    found = locate_named_file(name_or_path, experiment_search_path(), "sweep")
    if found is not None:
        return found
    known = [name for name, _ in list_sweeps()]
    rule = "no such sweep file or name" + _hint(str(name_or_path), known)
    if known:
        rule += f" (known: {', '.join(known)})"
    raise InputError([Problem(str(name_or_path), "", str(name_or_path), rule)])


def describe(sweep: Sweep) -> pd.DataFrame:
    """One row per parameter: how it varies and which scenario paths it sets."""
    rows = []
    for name, parameter in sweep.spec.parameters.items():
        if parameter.continuous:
            span = f"[{parameter.low:g}, {parameter.high:g}] {parameter.scale.value}"
            if parameter.integer:
                span += " integer"
        else:
            span = ", ".join(str(v) for v in parameter.levels)
        rows.append({"parameter": name, "values": span, "sets": ", ".join(sweep.targets[name])})
    return pd.DataFrame(rows)
