"""Shared pieces of the scenario schema: the strict base model, units, distributions."""

from __future__ import annotations

import re
import types
import typing
from enum import StrEnum
from typing import Annotated, Any

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

WEEKS_PER_QUARTER = 13
WEEKS_PER_YEAR = 52


def numeric_only(annotation: Any) -> bool:
    """Whether a field's type is a number (int or float, possibly optional), not bool."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return bool(args) and all(arg in (int, float) for arg in args)
    return False


class Frozen(BaseModel):
    """Base for every scenario section: immutable and strict about unknown keys.

    Numbers must be finite (no ``.inf`` or ``.nan``), and a boolean is not a number:
    ``count: true`` is an error, not one consumer.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and numeric_only(field.annotation):
                raise ValueError(
                    "expected a number, got a boolean (YAML reads true/false/yes/no/on/off "
                    "as booleans)"
                )
        return value


class DistributionKind(StrEnum):
    """Families a consumer trait can be drawn from."""

    constant = "constant"
    normal = "normal"
    lognormal = "lognormal"
    uniform = "uniform"
    beta = "beta"


class Distribution(Frozen):
    """A population distribution of one consumer trait.

    A bare number in YAML means ``{kind: constant, value: number}``. ``normal`` uses
    ``mean`` and ``sd``; ``lognormal`` and ``beta`` are given by the ``mean`` and ``sd``
    of the trait itself (not of its logarithm); ``uniform`` uses ``low`` and ``high``.
    Draws are clipped to the trait's documented range.
    """

    kind: DistributionKind = Field(DistributionKind.constant, description="family")
    value: float | None = Field(None, description="the value, for kind constant")
    mean: float | None = Field(None, description="mean of the trait")
    sd: float | None = Field(None, ge=0, description="standard deviation of the trait, >= 0")
    low: float | None = Field(None, description="lower bound, for kind uniform")
    high: float | None = Field(None, description="upper bound, for kind uniform")

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any) -> Any:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return {"kind": "constant", "value": data}
        return data

    @model_validator(mode="after")
    def _parameters_match_kind(self) -> Distribution:
        needed = {
            DistributionKind.constant: ("value",),
            DistributionKind.normal: ("mean", "sd"),
            DistributionKind.lognormal: ("mean", "sd"),
            DistributionKind.beta: ("mean", "sd"),
            DistributionKind.uniform: ("low", "high"),
        }[self.kind]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"kind {self.kind.value} needs {', '.join(missing)}")
        if self.kind is DistributionKind.uniform:
            low, high = self._given(self.low), self._given(self.high)
            if low > high:
                raise ValueError(f"uniform needs low <= high, got low={low} high={high}")
        mean = self.mean
        if self.kind is DistributionKind.lognormal and self._given(mean) <= 0:
            raise ValueError(f"lognormal needs mean > 0, got {mean}")
        if self.kind is DistributionKind.beta:
            mean, sd = self._given(self.mean), self._given(self.sd)
            if not 0 < mean < 1:
                raise ValueError(f"beta needs 0 < mean < 1, got {mean}")
            if sd**2 >= mean * (1 - mean):
                raise ValueError(
                    f"beta needs sd**2 < mean*(1-mean) = {mean * (1 - mean):.4g}, got sd={sd}"
                )
        return self

    @staticmethod
    def _given(parameter: float | None) -> float:
        """A parameter the kind needs (present once validated)."""
        if parameter is None:
            raise ValueError("a parameter this kind needs is missing")
        return parameter

    def central(self) -> float:
        """The distribution's mean (its value if constant, midpoint if uniform)."""
        if self.kind is DistributionKind.constant:
            return float(self._given(self.value))
        if self.kind is DistributionKind.uniform:
            return 0.5 * (self._given(self.low) + self._given(self.high))
        return float(self._given(self.mean))

    def sample(self, rng: np.random.Generator, size: int, low: float, high: float) -> np.ndarray:
        """Draw ``size`` values, clipped to ``[low, high]``.

        Args:
            rng: the run's generator.
            size: number of draws.
            low: lowest admissible value of the trait.
            high: highest admissible value of the trait.

        Returns:
            Array of draws.
        """
        match self.kind:
            case DistributionKind.constant:
                draws = np.full(size, float(self._given(self.value)))
            case DistributionKind.normal:
                draws = rng.normal(self._given(self.mean), self._given(self.sd), size)
            case DistributionKind.lognormal:
                mean, sd = self._given(self.mean), self._given(self.sd)
                sigma2 = np.log1p((sd / mean) ** 2)
                draws = rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), size)
            case DistributionKind.uniform:
                draws = rng.uniform(self._given(self.low), self._given(self.high), size)
            case DistributionKind.beta:
                mean, sd = self._given(self.mean), self._given(self.sd)
                variance = sd**2
                common = mean * (1 - mean) / variance - 1 if variance > 0 else None
                if common is None or not np.isfinite(common):
                    draws = np.full(size, float(mean))
                else:
                    draws = rng.beta(mean * common, (1 - mean) * common, size)
        return np.clip(draws, low, high)


def _trait(default: float | dict, description: str) -> Any:
    return Field(default=Distribution.model_validate(default), description=description)


StrategyName = Annotated[str, Field(min_length=1)]
_DOTTED = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
