"""The validated sweep: its runs, the scenario of each design point, its digest.

:class:`Sweep` is what :func:`sim.experiments.spec.validation.load_sweep` returns and
the runner runs; :func:`point_scenario` turns a design point's parameter values into
its scenario mapping (overrides, expressions, ``*`` paths, dropped empty firm groups).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import yaml

from sim.experiments.design import DesignTable
from sim.experiments.expressions import Expression, ExpressionError
from sim.experiments.spec.overrides import expand_path
from sim.experiments.spec.schema import IDENTIFIER, EmptyGroups, SweepSpec
from sim.scenario import InputError, Problem, apply_overrides


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
        return {name: python_value(values[name].iat[point]) for name in values.columns}

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


def python_value(value: Any) -> Any:
    """A numpy scalar as the plain Python value (other values unchanged)."""
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
    env.update({name: value for name, value in values.items() if IDENTIFIER.match(name)})
    result: dict[str, Any] = {}
    problems = []
    for name, parameter in spec.parameters.items():
        value = values[name]
        if isinstance(parameter.levels, dict):  # labelled levels
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


def describe(sweep: Sweep) -> pd.DataFrame:
    """One row per parameter: how it varies and which scenario paths it sets."""
    rows = []
    for name, parameter in sweep.spec.parameters.items():
        if parameter.continuous:
            span = f"[{parameter.low:g}, {parameter.high:g}] {parameter.scale.value}"
            if parameter.integer:
                span += " integer"
        else:
            span = ", ".join(str(v) for v in parameter.levels or ())
        rows.append({"parameter": name, "values": span, "sets": ", ".join(sweep.targets[name])})
    return pd.DataFrame(rows)
