"""The implementation constants of a scenario's strategies, scaled, and the verdicts they give.

``flywheel robustness SCENARIO`` asks "does the verdict hang on a number a strategy was
written with?". Each strategy class declares in ``mindset_parameters`` the parameters
that define its mindset (horizon, payout policy, ...); every other numeric parameter of
its ``Params`` model (an int, a float or a list of numbers) is an *implementation
constant*. This module finds those constants for every strategy the scenario uses (firms
at start, entrant templates and platforms), scales each in turn by the factors (0.5x and
2x) within the field's bounds, and, from the runs of every variant on common seeds, says
whether the winner changes (:func:`verdicts`).

A variant scales one constant of one strategy wherever the scenario uses that strategy:
each firm group's own value (the scenario's, or the default) times the factor. Numbers
are clipped to the field's ``ge``/``le`` bounds (the clip is noted); a value that would
break a strict bound (``gt``/``lt``) or the parameter model's other rules, or that does
not change (0, or already at the bound), gives no variant, with a note saying why.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.scenario import Scenario

FACTORS = (0.5, 2.0)
REFERENCE = "reference"
CONF = 0.95
PLATFORM_PREFIX = "platform:"


@dataclass(frozen=True)
class StrategyUse:
    """One firm group (or entrant template, or platform) and the strategy that runs it.

    Attributes:
        prefix: the group's dotted path in the scenario (``firms.1``).
        strategy: the strategy's name in result tables (``platform:`` prefixed for a
            platform's strategy).
        cls: the strategy class.
        params: the parameters the scenario gives it (``strategy_params``).
    """

    prefix: str
    strategy: str
    cls: type
    params: dict[str, Any]


@dataclass(frozen=True)
class Variant:
    """One implementation constant of one strategy scaled by one factor.

    Attributes:
        label: the variant's level name in the sweep (``strategy.parameter_x0.5``).
        strategy: the strategy's name.
        parameter: the constant's name.
        factor: the scale factor.
        value: the scaled value(s), as text (``; `` between groups that differ).
        overrides: dotted scenario overrides that make the variant.
        note: clips applied, or "".
    """

    label: str
    strategy: str
    parameter: str
    factor: float
    value: str
    overrides: dict[str, Any]
    note: str = ""


@dataclass(frozen=True)
class Skipped:
    """A constant and factor that give no variant, and why."""

    strategy: str
    parameter: str
    factor: float
    note: str


def number_kind(annotation: Any) -> tuple[type, bool] | None:
    """Whether a field's annotation is numeric: ``(int or float, is_list)``, else None.

    ``bool`` is not a number here; ``float | None`` counts as a float.
    """
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) != 1:
            return None
        annotation = args[0]
    if annotation in (int, float):
        return annotation, False
    if typing.get_origin(annotation) is list:
        items = typing.get_args(annotation)
        if len(items) == 1 and items[0] in (int, float):
            return items[0], True
    return None


def implementation_constants(strategy_cls: type) -> list[str]:
    """The numeric ``Params`` fields of a strategy class that are not mindset parameters.

    Args:
        strategy_cls: a firm or platform strategy class (``Params``, ``mindset_parameters``).

    Returns:
        Field names in the order the model declares them.

    Raises:
        ValueError: when the class declares a mindset parameter its ``Params`` lacks.
    """
    fields = strategy_cls.Params.model_fields
    mindset = frozenset(getattr(strategy_cls, "mindset_parameters", frozenset()))
    unknown = sorted(mindset - set(fields))
    if unknown:
        raise ValueError(
            f"strategy {strategy_cls.__name__} declares mindset parameter(s) "
            f"{', '.join(unknown)} that its Params does not have"
        )
    return [
        name
        for name, field in fields.items()
        if name not in mindset and number_kind(field.annotation) is not None
    ]


def field_bounds(field: Any) -> dict[str, float]:
    """The ``ge``, ``gt``, ``le`` and ``lt`` bounds of a pydantic field that it has."""
    bounds: dict[str, float] = {}
    for item in field.metadata:
        for name in ("ge", "gt", "le", "lt"):
            bound = getattr(item, name, None)
            if bound is not None:
                bounds[name] = float(bound)
    return bounds


def scale_number(
    value: float, factor: float, bounds: dict[str, float], integer: bool
) -> tuple[float | None, str]:
    """A number scaled by ``factor``, rounded half up if ``integer``, clipped to ``ge``/``le``.

    Args:
        value: the number.
        factor: the scale factor.
        bounds: the field's bounds (:func:`field_bounds`).
        integer: round to an integer.

    Returns:
        ``(scaled, note)``: the scaled value, or None when it would break a strict bound;
        the note says what was clipped or why there is no value ("" otherwise).
    """
    raw = value * factor
    scaled: float = math.floor(raw + 0.5) if integer else raw
    note = ""
    if "ge" in bounds and scaled < bounds["ge"]:
        scaled, note = (
            bounds["ge"],
            f"{factor:g}x = {_text(raw)} clipped to the bound >= {_text(bounds['ge'])}",
        )
    if "le" in bounds and scaled > bounds["le"]:
        scaled, note = (
            bounds["le"],
            f"{factor:g}x = {_text(raw)} clipped to the bound <= {_text(bounds['le'])}",
        )
    if "gt" in bounds and scaled <= bounds["gt"]:
        return None, f"{factor:g}x = {_text(raw)} breaks the bound > {_text(bounds['gt'])}"
    if "lt" in bounds and scaled >= bounds["lt"]:
        return None, f"{factor:g}x = {_text(raw)} breaks the bound < {_text(bounds['lt'])}"
    if integer:
        scaled = int(scaled)
    return scaled, note


def _text(value: Any) -> str:
    """A short text of a number or a list of numbers."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def strategy_uses(scenario: Scenario) -> list[StrategyUse]:
    """Every group the scenario runs with a strategy: firms, entrant templates, platforms."""
    from sim.strategies.platform import resolve_platform_strategy
    from sim.strategies.registry import resolve_strategy

    uses = []
    firm_groups = [(f"firms.{k}", f) for k, f in enumerate(scenario.firms)]
    firm_groups += [(f"entry.templates.{k}", t) for k, t in enumerate(scenario.entry.templates)]
    for prefix, spec in firm_groups:
        cls = resolve_strategy(spec.strategy)
        name = spec.strategy if ":" not in spec.strategy else cls.name
        uses.append(StrategyUse(prefix, name, cls, dict(spec.strategy_params)))
    for k, platform in enumerate(scenario.platforms):
        platform_cls = resolve_platform_strategy(platform.strategy)
        name = platform.strategy if ":" not in platform.strategy else platform_cls.name
        uses.append(
            StrategyUse(
                f"platforms.{k}",
                PLATFORM_PREFIX + name,
                platform_cls,
                dict(platform.strategy_params),
            )
        )
    return uses


def _scaled(use: StrategyUse, name: str, factor: float) -> tuple[Any, str, str]:
    """The group's value of ``name`` scaled by ``factor``: ``(value, note, status)``.

    ``status`` is ``ok``, ``unchanged`` (0, or held at its bound) or ``refused`` (a strict
    bound or another rule of the parameter model); the note says what was clipped or why.
    """
    field = use.cls.Params.model_fields[name]
    current = getattr(use.cls.Params.model_validate(use.params), name)
    if current is None:
        return None, f"{use.prefix} leaves it unset", "unchanged"
    kind, is_list = number_kind(field.annotation)  # type: ignore[misc]
    integer = kind is int
    if is_list:
        value: Any = [math.floor(x * factor + 0.5) if integer else x * factor for x in current]
        note = ""
    else:
        value, note = scale_number(float(current), factor, field_bounds(field), integer)
        if value is None:
            return None, note, "refused"
    if value == current:
        if not is_list and current == 0:
            return None, "it is 0, and 0 scaled stays 0", "unchanged"
        return None, f"{_text(current)} is at its bound and stays there", "unchanged"
    try:
        use.cls.Params.model_validate({**use.params, name: value})
    except ValidationError as exc:
        rule = exc.errors()[0]["msg"]
        return None, f"{factor:g}x = {_text(value)} is refused ({rule})", "refused"
    return value, note, "ok"


def plan_variants(
    scenario: Scenario,
    factors: tuple[float, ...] = FACTORS,
    only: list[str] | None = None,
) -> tuple[list[Variant], list[Skipped], dict[str, list[str]]]:
    """Every variant of the scenario: each implementation constant scaled by each factor.

    Args:
        scenario: the resolved scenario.
        factors: scale factors (0.5 and 2 by default).
        only: restrict to these constants (``parameter`` or ``strategy.parameter``).

    Returns:
        ``(variants, skipped, mindset)``: the variants in strategy, parameter and factor
        order; the constants and factors that give none, with the reason; each strategy's
        mindset parameters (left alone).

    Raises:
        ValueError: on a name in ``only`` that is no implementation constant of the
            scenario's strategies, or a strategy that declares an unknown mindset parameter.
    """
    uses = strategy_uses(scenario)
    by_strategy: dict[str, list[StrategyUse]] = {}
    for use in uses:
        by_strategy.setdefault(use.strategy, []).append(use)
    variants: list[Variant] = []
    skipped: list[Skipped] = []
    mindset: dict[str, list[str]] = {}
    known: set[str] = set()
    for strategy, group in by_strategy.items():
        cls = group[0].cls
        mindset[strategy] = sorted(getattr(cls, "mindset_parameters", frozenset()))
        for name in implementation_constants(cls):
            known.update({name, f"{strategy}.{name}"})
            if only and name not in only and f"{strategy}.{name}" not in only:
                continue
            for factor in factors:
                overrides: dict[str, Any] = {}
                values, notes, refused = [], [], []
                for use in group:
                    value, note, status = _scaled(use, name, factor)
                    if status == "refused":
                        refused.append(note)
                    elif status == "ok":
                        overrides[f"{use.prefix}.strategy_params.{name}"] = value
                        values.append(_text(value))
                    notes.append(note)
                if refused or not overrides:
                    reason = (refused or notes)[0]
                    skipped.append(Skipped(strategy, name, factor, reason))
                    continue
                variants.append(
                    Variant(
                        label=f"{strategy}.{name}_x{factor:g}",
                        strategy=strategy,
                        parameter=name,
                        factor=factor,
                        value="; ".join(dict.fromkeys(values)),
                        overrides=overrides,
                        note="; ".join(dict.fromkeys(n for n in notes if n)),
                    )
                )
    unknown = [name for name in only or [] if name not in known]
    if unknown:
        names = ", ".join(sorted(n for n in known if "." in n))
        raise ValueError(
            f"no implementation constant named {', '.join(unknown)}; known: {names or 'none'}"
        )
    return variants, skipped, mindset


# ---------------------------------------------------------------- verdicts


def _tolerance(values: np.ndarray) -> float:
    finite = np.abs(values[np.isfinite(values)])
    return 1e-9 * max(1.0, float(finite.max()) if finite.size else 1.0)


def _complete(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return rows.dropna(subset=columns).set_index("replication").sort_index()


def _winner(means: pd.Series, tolerance: float) -> str:
    """The strategy with the highest mean, or ``tie`` when the top two are level."""
    ordered = means.sort_values(ascending=False, kind="stable")
    if len(ordered) > 1 and ordered.iloc[0] - ordered.iloc[1] <= tolerance:
        return "tie"
    return str(ordered.index[0])


def _leads(rows: pd.DataFrame, columns: dict[str, str], leader: str) -> pd.Series:
    """Per replication: the leader's value less the best of the other strategies'."""
    others = [column for strategy, column in columns.items() if strategy != leader]
    return rows[columns[leader]] - rows[others].max(axis=1)


def verdicts(
    runs: pd.DataFrame,
    variants: list[Variant],
    strategies: list[str],
    outcomes: dict[str, str],
    column: str = "variant",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who wins each outcome in the reference and in every variant, paired on seeds.

    The *lead* of a run is the reference winner's value less the best of the other
    strategies' values; the reference verdict holds while the lead's mean over the seeds
    is above 0. A variant *flips* the verdict when its winner (the strategy with the
    highest mean, or ``tie``) differs from the reference's; the flip is *clear* when the
    Student-t interval of the variant's lead over the seeds excludes 0. Its change is the
    paired mean of (variant lead - reference lead) over the seeds, with the paired
    Student-t interval.

    Args:
        runs: one row per run: ``column`` (variant label or :data:`REFERENCE`),
            ``replication``, ``seed`` and ``<family>__<strategy>`` outcome columns.
        variants: the variants run.
        strategies: the contending strategies (at least two).
        outcomes: ``{name in the table: outcome family}``, e.g.
            ``{"year10_unit_share": "share_y10"}``.
        column: the runs table's variant column.

    Returns:
        ``(table, by_strategy)``. ``table`` has one row per variant and outcome:
        ``strategy, parameter, factor, value, outcome, mean, low, high, reference, flips,
        winner, reference_winner, change, change_low, change_high, seeds_led, n_seeds,
        clear, note, variant``; ``mean`` is the variant's mean lead over the seeds and
        ``low``-``high`` its interval; ``reference`` is the reference's mean lead on the
        same seeds; ``change``-``change_high`` the paired change. ``by_strategy``
        has one row per variant (the reference first), outcome and strategy: ``variant,
        outcome, strategy, mean, winner, lead, seeds_led, n_seeds``.

    Raises:
        ValueError: when fewer than two strategies contend, or the variants and the
            reference do not share seeds.
    """
    from sim.experiments.analysis import paired_ci, t_interval

    if len(strategies) < 2:
        raise ValueError(f"a verdict needs at least two strategies, got {strategies}")
    reference_runs = runs[runs[column] == REFERENCE]
    rows, reference_rows = [], []
    for outcome, family in outcomes.items():
        columns = {s: f"{family}__{s}" for s in strategies}
        wanted = list(columns.values())
        values = runs[wanted].to_numpy(dtype=float)
        tolerance = _tolerance(values)
        base = _complete(reference_runs, wanted)
        means = base[wanted].mean().rename(dict(zip(wanted, strategies, strict=True)))
        winner = _winner(means, tolerance)
        leader = winner if winner != "tie" else str(means.sort_values(ascending=False).index[0])
        base_lead = _leads(base, columns, leader)
        reference_lead = float(base_lead.mean()) if len(base_lead) else math.nan
        for strategy in strategies:
            reference_rows.append(
                {
                    "variant": REFERENCE,
                    "outcome": outcome,
                    "strategy": strategy,
                    "mean": float(means[strategy]),
                    "winner": winner,
                    "lead": reference_lead,
                    "seeds_led": int((base_lead > tolerance).sum()),
                    "n_seeds": len(base_lead),
                }
            )
        for variant in variants:
            part = _complete(runs[runs[column] == variant.label], wanted)
            common = part.index.intersection(base.index)
            if not (part.loc[common, "seed"] == base.loc[common, "seed"]).all():
                raise ValueError("variant and reference runs do not share seeds; not paired")
            lead = _leads(part, columns, leader)
            mean = float(lead.mean()) if len(lead) else math.nan
            variant_means = part[wanted].mean().rename(dict(zip(wanted, strategies, strict=True)))
            if not np.isfinite(mean):
                verdict = "undefined"
            elif abs(mean) <= tolerance:
                verdict = "tie"
            elif mean > 0:
                verdict = leader
            else:
                verdict = _winner(variant_means.drop(leader), tolerance)
            for strategy in strategies:
                reference_rows.append(
                    {
                        "variant": variant.label,
                        "outcome": outcome,
                        "strategy": strategy,
                        "mean": float(variant_means[strategy]),
                        "winner": verdict,
                        "lead": mean,
                        "seeds_led": int((lead > tolerance).sum()),
                        "n_seeds": len(lead),
                    }
                )
            change = paired_ci(lead.loc[common], base_lead.loc[common], CONF)
            _, low, high, _, _ = t_interval(lead, CONF)
            flips = verdict != winner
            clear = bool(flips and verdict not in ("tie", "undefined") and (low > 0 or high < 0))
            rows.append(
                {
                    "strategy": variant.strategy,
                    "parameter": variant.parameter,
                    "factor": variant.factor,
                    "value": variant.value,
                    "outcome": outcome,
                    "mean": mean,
                    "low": low,
                    "high": high,
                    "reference": reference_lead,
                    "flips": flips,
                    "winner": verdict,
                    "reference_winner": winner,
                    "change": change["mean_diff"],
                    "change_low": change["ci_low"],
                    "change_high": change["ci_high"],
                    "seeds_led": int((lead > tolerance).sum()),
                    "n_seeds": len(lead),
                    "clear": clear,
                    "note": variant.note,
                    "variant": variant.label,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(reference_rows)
