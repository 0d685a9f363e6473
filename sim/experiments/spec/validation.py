"""Validating a sweep, stages 2 and 3, and loading a sweep file.

Stage 1 (the structure) is the pydantic schema (:mod:`sim.experiments.spec.schema`).
Stage 2 checks the meaning: names used in expressions, a design that fits the
parameters, the base scenario and the ``fixed`` overrides. Stage 3 validates the
scenario of every design point. Each stage reports all of its problems, each with the
file, the dotted path, the value received and the rule; nothing runs on an invalid
sweep.
"""

from __future__ import annotations

import keyword
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.experiments import outcomes
from sim.experiments.design import DesignTable, build_design, design_size
from sim.experiments.expressions import Expression
from sim.experiments.spec.files import find_sweep
from sim.experiments.spec.overrides import (
    apply_sweep_overrides,
    expand_path,
    switch_design_kind,
)
from sim.experiments.spec.schema import (
    IDENTIFIER,
    MAX_POINTS,
    MAX_RUNS,
    RESERVED_COLUMNS,
    DesignKind,
    SweepSpec,
    did_you_mean,
)
from sim.experiments.spec.sweep import Sweep, point_scenario, python_value, sweep_digest
from sim.model.seeds import replication_seeds
from sim.scenario import (
    InputError,
    Problem,
    Scenario,
    apply_overrides,
    file_kind,
    find_scenario,
    load_scenario,
    problems_from_validation,
    read_yaml,
    validate_scenario,
)

MAX_REPORTED_POINT_PROBLEMS = 20


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
    return did_you_mean(name, known) + (f" (known: {', '.join(known)})" if known else "")


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
    env_names = [n for n in names if IDENTIFIER.match(n)] + list(spec.constants)
    metric_families = set(outcomes.known_outcome_names())
    for constant in spec.constants:
        if not IDENTIFIER.match(constant) or keyword.iskeyword(constant):
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
                rule = f"expression uses unknown name {unknown!r}{did_you_mean(unknown, env_names)}"
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
        if isinstance(parameter.levels, dict):  # labelled levels
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
        values = {name: python_value(values[name]) for name in names}
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
        strategies.update(result_strategy_name(firm.strategy) for firm in scenario.firms)
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


def result_strategy_name(spec: str) -> str:
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
                hint = did_you_mean(strategy, strategies)
                rule = f"no firm in this sweep uses strategy {strategy!r}{hint}"
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
    base: dict = {}
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
            rule = "no such variant" + did_you_mean(variant, known)
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
