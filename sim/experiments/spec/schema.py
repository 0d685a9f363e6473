"""The sweep file's schema: parameters, design, outputs and the sweep itself (pydantic).

Stage 1 of validation (:mod:`sim.experiments.spec`): the structure, each section frozen,
unknown keys errors with "did you mean", numbers finite. The checks that need more than
one section (names in expressions, the base scenario, every design point) are in
:mod:`sim.experiments.spec.validation`.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import Field, field_validator, model_validator

from sim.experiments import outcomes
from sim.experiments.expressions import Expression, ExpressionError
from sim.scenario import Frozen as ScenarioFrozen

RESERVED_COLUMNS = ("run_id", "point", "replication", "seed", "sweep", "step")
MAX_POINTS = 1_000_000
MAX_RUNS = 10_000_000
IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
Scalar = bool | int | float | str


def did_you_mean(name: str, known: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest known name, or ``""``."""
    match = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {match[0]!r}?" if match else ""


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
