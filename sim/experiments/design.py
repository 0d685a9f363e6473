"""Experimental designs: the design points of a sweep.

Every design works in the unit hypercube and then maps each coordinate onto its
parameter (linear or log scale, optionally rounded to integers), so the sensitivity
analysis can use the very coordinates SALib sampled:

* ``grid``: the full factorial of every parameter's levels (the first parameter varies
  slowest);
* ``lhs``: a Latin hypercube of ``samples`` points (SALib ``latin``);
* ``morris``: ``samples`` Morris trajectories on a ``levels``-level grid, i.e.
  ``samples * (D + 1)`` points (SALib ``morris``);
* ``sobol``: Saltelli's extension of the Sobol' sequence with ``samples`` base points,
  i.e. ``samples * (D + 2)`` points, or ``samples * (2D + 2)`` with second-order indices
  (SALib ``sobol``).

SALib is imported only when a sampled design is built.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.experiments.spec.schema import Design, Parameter, SweepSpec

UNIT_PREFIX = "unit."
GRID_DIGITS = 12


@dataclass(frozen=True)
class DesignTable:
    """The design points of a sweep.

    Attributes:
        values: one row per design point (index 0..n-1), one column per parameter,
            holding the value each parameter takes at that point.
        unit: the points in the unit hypercube (n x D) for sampled designs, else None.
    """

    values: pd.DataFrame
    unit: np.ndarray | None

    def __len__(self) -> int:
        return len(self.values)

    def to_frame(self) -> pd.DataFrame:
        """The table to store: ``point``, the parameter values and ``unit.<name>`` columns."""
        frame = self.values.copy()
        frame.insert(0, "point", np.arange(len(frame), dtype=np.int64))
        if self.unit is not None:
            for k, name in enumerate(self.values.columns):
                frame[f"{UNIT_PREFIX}{name}"] = self.unit[:, k]
        return frame.reset_index(drop=True)


def salib_problem(names: list[str]) -> dict[str, Any]:
    """A SALib problem over the unit hypercube for these parameter names."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def value_kind(parameter: Parameter) -> str:
    """The column type of a parameter's values: ``float``, ``int``, ``str`` or ``bool``."""
    if isinstance(parameter.levels, dict):
        return "str"
    if parameter.levels is not None:
        kinds = {type(level) for level in parameter.levels}
        if kinds == {bool}:
            return "bool"
        if str in kinds:
            return "str"
        return "int" if kinds == {int} else "float"
    return "int" if parameter.integer else "float"


def cast(value: Any, kind: str) -> Any:
    """A parameter value as its column type (Python scalar)."""
    match kind:
        case "float":
            return float(value)
        case "int":
            return int(value)
        case "bool":
            return bool(value)
    return str(value)


def value_range(parameter: Parameter) -> tuple[float, float]:
    """``(low, high)`` of a continuous parameter.

    Raises:
        ValueError: when the parameter has no range (it takes levels).
    """
    if parameter.low is None or parameter.high is None:
        raise ValueError("a continuous parameter needs low and high")
    return float(parameter.low), float(parameter.high)


def sample_count(design: Design) -> int:
    """Points, trajectories or base samples of a sampled design (``design.samples``).

    Raises:
        ValueError: when the design has no ``samples`` (a grid).
    """
    if design.samples is None:
        raise ValueError(f"design kind {design.kind} needs samples")
    return int(design.samples)


def unit_to_value(parameter: Parameter, u: float) -> float | int:
    """Map a unit-interval coordinate onto a continuous parameter's range.

    ``linear``: ``low + u (high - low)``; ``log``: geometric interpolation. An integer
    parameter takes each integer of ``[low, high]`` with equal probability under a
    uniform ``u``: ``low + floor(u (high - low + 1))``, capped at ``high``.

    Args:
        parameter: a parameter with ``low`` and ``high``.
        u: coordinate in [0, 1].

    Returns:
        The value.
    """
    low, high = value_range(parameter)
    if parameter.integer:
        lo, hi = math.ceil(low), math.floor(high)
        return int(min(hi, lo + math.floor(u * (hi - lo + 1))))
    if parameter.scale == "log":
        return float(math.exp(math.log(low) + u * (math.log(high) - math.log(low))))
    return float(low + u * (high - low))


def grid_levels(parameter: Parameter) -> list[Any]:
    """The levels a parameter takes on a grid.

    Args:
        parameter: a parameter with ``levels``, or ``low``, ``high`` and ``num``.

    Returns:
        Explicit levels (labels for named levels), or ``num`` evenly spaced values
        (geometric on a log scale; distinct integers when ``integer``).
    """
    if isinstance(parameter.levels, dict):
        return list(parameter.levels)
    if parameter.levels is not None:
        return list(parameter.levels)
    if parameter.num is None:
        raise ValueError("a grid parameter needs levels, or low, high and num")
    space = np.geomspace if parameter.scale == "log" else np.linspace
    values = space(*value_range(parameter), int(parameter.num))
    if parameter.integer:
        return sorted({round(float(v)) for v in values})
    return [round(float(v), GRID_DIGITS) for v in values]


def grid_design(parameters: dict[str, Parameter]) -> DesignTable:
    """Full factorial of every parameter's levels; the first parameter varies slowest."""
    names = list(parameters)
    kinds = [value_kind(parameters[name]) for name in names]
    rows = [
        [cast(v, kind) for v, kind in zip(combo, kinds, strict=True)]
        for combo in itertools.product(*(grid_levels(parameters[name]) for name in names))
    ]
    return DesignTable(pd.DataFrame(rows, columns=names), None)


def sample_unit(kind: str, names: list[str], samples: int, seed: int, **options) -> np.ndarray:
    """Sample the unit hypercube with SALib.

    Args:
        kind: ``lhs``, ``morris`` or ``sobol``.
        names: parameter names (the problem's dimensions).
        samples: points (lhs), trajectories (morris) or base samples (sobol).
        seed: the sampler's seed.
        **options: ``levels`` (morris), ``second_order`` (sobol).

    Returns:
        Array of shape (points, len(names)) in [0, 1].
    """
    problem = salib_problem(names)
    if kind == "lhs":
        from SALib.sample import latin

        return np.asarray(latin.sample(problem, samples, seed=seed), dtype=float)
    if kind == "morris":
        from SALib.sample import morris

        levels = int(options.get("levels", 4))
        return np.asarray(morris.sample(problem, samples, num_levels=levels, seed=seed))
    if kind == "sobol":
        from SALib.sample import sobol

        second = bool(options.get("second_order", False))
        return np.asarray(
            sobol.sample(problem, samples, calc_second_order=second, scramble=True, seed=seed)
        )
    raise ValueError(f"unknown sampled design {kind!r}; expected lhs, morris or sobol")


def sampled_design(
    parameters: dict[str, Parameter], kind: str, samples: int, seed: int, **options
) -> DesignTable:
    """Sample the unit hypercube and map every coordinate onto its parameter."""
    names = list(parameters)
    unit = sample_unit(kind, names, samples, seed, **options)
    kinds = [value_kind(parameters[name]) for name in names]
    rows = [
        [
            cast(unit_to_value(parameters[name], u), kind)
            for name, u, kind in zip(names, point, kinds, strict=True)
        ]
        for point in unit
    ]
    return DesignTable(pd.DataFrame(rows, columns=names), unit)


def design_size(spec: SweepSpec) -> int:
    """Number of design points the spec asks for (without building them)."""
    design, d = spec.design, len(spec.parameters)
    match design.kind:
        case "grid":
            return math.prod(len(grid_levels(p)) for p in spec.parameters.values())
        case "lhs":
            return sample_count(design)
        case "morris":
            return sample_count(design) * (d + 1)
        case "sobol":
            return sample_count(design) * (2 * d + 2 if design.second_order else d + 2)
    raise ValueError(f"unknown design kind {design.kind!r}")


def build_design(spec: SweepSpec) -> DesignTable:
    """The design points of a validated sweep spec.

    The sampler's seed is ``design.seed`` if given, else the sweep's root ``seed``; the
    design does not depend on the number of replications.

    Args:
        spec: the sweep spec.

    Returns:
        Its :class:`DesignTable`.
    """
    design = spec.design
    if design.kind == "grid":
        return grid_design(spec.parameters)
    seed = spec.seed if design.seed is None else design.seed
    return sampled_design(
        spec.parameters,
        design.kind,
        sample_count(design),
        seed,
        levels=design.levels,
        second_order=design.second_order,
    )
