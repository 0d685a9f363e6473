"""Calibration: fit chosen scenario parameters to target statistics with optuna.

A calibration file names the parameters to fit (dotted scenario paths with a range), the
target (a named statistic with its reference data and distance, see :data:`TARGETS`), the
fixed settings, the number of seeds per trial and the trial budget. Every trial runs the
scenario on the same seeds (common random numbers) and scores the mean distance over them;
optuna's TPE sampler (Bergstra et al. 2011, *NeurIPS*), seeded, proposes the next trial.
The scenario's own values are the first trial, so the fit starts from the hand-set file and
reports how far it moved.

The study lives in ``OUT/study.db`` (SQLite): an interrupted calibration resumes with the
trials it finished, and ``OUT/trials.csv`` holds one row per trial and seed.

Optuna is an optional extra (``pip install 'flywheel-sim[calibrate]'``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.scenario import InputError, Problem
from sim.scenario.errors import problems_from_validation

EXTRA_HINT = "calibration needs the 'calibrate' extra: pip install 'flywheel-sim[calibrate]'"
STUDY_NAME = "calibration"


# ---------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """A statistic of a run, its reference and a distance to it (0 = a perfect fit).

    Attributes:
        name: the key used in calibration files.
        description: what is compared, in words.
        distance: ``(result) -> (distance, details)``; details is a table of what was
            compared (one row per reference point or fact).
    """

    name: str
    description: str
    distance: Callable[[Any], tuple[float, pd.DataFrame]]


def third_party_share_distance(result) -> tuple[float, pd.DataFrame]:
    """RMSE of the marketplace's third-party share against Bezos' 2018 letter (0-1 units)."""
    from sim.outputs.calibration import compare_to_reference, rmse, third_party_share_by_year

    platforms = result.tables.get("platforms")
    if platforms is None or platforms.empty:
        raise ValueError("the target amazon_third_party_share needs a scenario with a platform")
    share = third_party_share_by_year(platforms, result.scenario.start_year)
    table = compare_to_reference(share)
    value = rmse(table)
    return (1.0 if math.isnan(value) else value), table


def industry_facts_distance(result) -> tuple[float, pd.DataFrame]:
    """Mean distance of the industry statistics from their published bands.

    For each published fact with band [low, high], the distance is 0 inside the band and
    the gap to the nearer edge relative to the band's scale (``max(|low|, |high|)`` for a
    closed band, ``|low|`` for an open one) outside it, capped at 1; a fact the run cannot
    tell counts 1. The mean over the facts is the distance, so a file meeting every fact
    scores 0 and the count of facts met is ``matches == "yes"`` in the details.
    """
    from sim.outputs.sections.industry import PUBLISHED, comparison_table, industry_statistics

    table = comparison_table(industry_statistics(result.firms))
    gaps = [
        band_gap(value, item.low, item.high)
        for item, value in zip(PUBLISHED, table["model"], strict=True)
    ]
    table["distance"] = gaps
    return float(np.mean(gaps)), table


def band_gap(value: float | None, low: float, high: float) -> float:
    """How far ``value`` lies outside ``[low, high]``, relative to the band's scale, at most 1.

    0 inside the band; outside, the gap to the nearer edge divided by ``max(|low|, |high|)``
    (``|low|`` for a band open above; 1 if that is 0); 1 for a value the run cannot tell.
    """
    if value is None or not np.isfinite(value):
        return 1.0
    scale = abs(low) if not np.isfinite(high) else max(abs(low), abs(high))
    gap = max(low - value, value - high, 0.0) / (scale or 1.0)
    return float(min(gap, 1.0))


TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        Target(
            "amazon_third_party_share",
            "third-party share of units on the marketplace against Bezos' 2018 letter "
            "(RMSE over 1999-2018, share points as fractions)",
            third_party_share_distance,
        ),
        Target(
            "industry_facts",
            "the 13 published industry facts (mean relative distance outside each band)",
            industry_facts_distance,
        ),
    )
}


# ---------------------------------------------------------------- the file


class Range(BaseModel):
    """A parameter's range (``[low, high]`` in a file is accepted too)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)
    log: bool = Field(False, description="sample on a log scale (both bounds > 0)")
    integer: bool = Field(False, description="whole numbers only")

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        if isinstance(data, list | tuple) and len(data) == 2:
            return {"low": data[0], "high": data[1]}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError("a log-scale range needs low > 0")
        return self


class CalibrationSpec(BaseModel):
    """A calibration file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    scenario: str | None = Field(None, description="scenario name or path (the CLI's wins)")
    target: str = Field(description=f"one of {sorted(TARGETS)}")
    parameters: dict[str, Range] = Field(min_length=1, description="dotted path: range")
    fixed: dict[str, Any] = Field(default_factory=dict, description="overrides for every run")
    steps: int | None = Field(None, ge=1, le=100_000, description="weeks (scenario's if unset)")
    seeds: int = Field(2, ge=1, le=100, description="seeds per trial (common to all trials)")
    trials: int = Field(30, ge=1, le=10_000, description="trial budget, the first the hand-set")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="seed of the sampler and the run seeds")

    @model_validator(mode="after")
    def _known_target(self) -> CalibrationSpec:
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {sorted(TARGETS)}, got {self.target!r}")
        return self


def find_calibration(source: str | Path) -> Path:
    """A calibration file by path, or by the name of a shipped one (``amazon_flywheel``).

    Shipped files live in the package's ``experiments/calibration`` folder; a path that
    exists comes first.
    """
    path = Path(source)
    if path.exists() or path.suffix in {".yaml", ".yml"} or len(path.parts) > 1:
        return path
    from sim.scenario.packaged import packaged_folder

    shipped = packaged_folder("experiments") / "calibration" / f"{path.name}.yaml"
    return shipped if shipped.is_file() else path


def shipped_calibrations() -> list[str]:
    """Names of the calibration files that ship with the package."""
    from sim.scenario.packaged import packaged_folder

    return sorted(p.stem for p in (packaged_folder("experiments") / "calibration").glob("*.yaml"))


def load_spec(source: str | Path, overrides: dict[str, Any] | None = None) -> CalibrationSpec:
    """Read and validate a calibration file (a path or a shipped name); every problem at once.

    Raises:
        InputError: on an unreadable file or invalid content.
    """
    from sim.scenario.yaml_safe import UnsafeYaml, load_yaml

    path = find_calibration(source)
    file = str(path)
    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        shipped = ", ".join(shipped_calibrations())
        rule = f"cannot be read: {exc.strerror} (shipped calibration files: {shipped})"
        raise InputError([Problem(file, "", "(file)", rule)]) from None
    except UnsafeYaml as exc:
        raise InputError([Problem(file, i.path, i.value, i.rule) for i in exc.issues]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(file, "", "(YAML)", f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(file, "", type(data).__name__, "must be a mapping")])
    data.update(overrides or {})
    try:
        return CalibrationSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, CalibrationSpec, file)) from None


def value_at(data: Any, path: str) -> Any:
    """The value at a dotted path of a scenario's data (list items by index)."""
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def hand_set_values(scenario, spec: CalibrationSpec) -> dict[str, float]:
    """The scenario's own value of each fitted parameter (the calibration's first trial)."""
    data = scenario.model_dump(mode="python")
    values = {}
    for path, bounds in spec.parameters.items():
        value = float(value_at(data, path))
        values[path] = min(max(value, bounds.low), bounds.high)
    return values


def check_parameters(source: str, spec: CalibrationSpec, file: str) -> Any:
    """Validate the scenario at both ends of every range; return the base scenario.

    Raises:
        InputError: naming every path or bound the scenario refuses.
    """
    from sim.scenario import load_scenario

    base = load_scenario(source, dict(spec.fixed))
    problems = []
    data = base.model_dump(mode="python")
    for path, bounds in spec.parameters.items():
        try:
            value_at(data, path)
        except (KeyError, IndexError, ValueError, TypeError):
            problems.append(Problem(file, f"parameters.{path}", path, "no such scenario setting"))
            continue
        for end in (bounds.low, bounds.high):
            value = round(end) if bounds.integer else end
            try:
                load_scenario(source, {**spec.fixed, path: value})
            except InputError as exc:
                rules = "; ".join(p.rule for p in exc.problems)
                problems.append(Problem(file, f"parameters.{path}", value, rules))
    if problems:
        raise InputError(problems)
    return base


def run_seeds(spec: CalibrationSpec) -> list[int]:
    """The seeds every trial runs (spawned from the file's seed)."""
    sequence = np.random.SeedSequence(spec.seed)
    return [int(child.generate_state(1)[0]) for child in sequence.spawn(spec.seeds)]


def evaluate(
    source: str, spec: CalibrationSpec, values: dict[str, float], seed: int
) -> tuple[float, pd.DataFrame]:
    """Distance of one run at ``values`` on ``seed``, with the target's details."""
    import sim

    result = sim.run(source, seed=seed, steps=spec.steps, overrides={**spec.fixed, **values})
    return TARGETS[spec.target].distance(result)
