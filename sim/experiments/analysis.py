"""Analysis of a sweep's results: summaries, paired comparisons, sensitivity indices.

Everything works on the tidy runs table (:func:`sim.experiments.store.load_results`),
one row per run with ``point``, ``replication``, ``seed``, the parameters and the
outcomes. Confidence intervals are Student-t intervals over replications
(:mod:`sim.experiments.intervals`: :func:`t_interval`, :func:`paired_ci`).

* :func:`summarise`: mean and confidence interval of an outcome per design point or per
  level of some parameters.
* :func:`compare_points`, :func:`compare_outcomes`, :func:`compare_levels`: paired
  differences. Replication ``r`` uses the same seed at every design point (common random
  numbers), so the difference at ``r`` removes the noise both runs share; the interval
  of the paired mean difference is then narrower than the unpaired (Welch) interval,
  which is reported beside it to show the gain.
* :func:`sensitivity_indices` (pure: arrays in, table out) and :func:`sensitivity`
  (from a store): Morris elementary effects, Sobol' indices (sampled designs from
  SALib) and RBD-FAST first-order indices (for Latin hypercubes), each with bootstrap
  confidence intervals.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.experiments.design import UNIT_PREFIX, salib_problem
from sim.experiments.intervals import PairedComparison, paired_ci, t_interval

IDENTITY = ("run_id", "point", "replication", "seed", "sweep")


# ---------------------------------------------------------------- summaries


def summarise(
    df: pd.DataFrame, outcome: str, by: str | list[str] | None = None, conf: float = 0.95
) -> pd.DataFrame:
    """Mean and confidence interval of an outcome over replications.

    Args:
        df: the runs table.
        outcome: an outcome column.
        by: columns to group by (design point parameters); ``point`` if None.
        conf: confidence level.

    Returns:
        One row per group: the group columns, ``n``, ``mean``, ``sd``, ``ci_low``,
        ``ci_high``, sorted by the group columns.
    """
    _require(df, [outcome])
    keys = ["point"] if by is None else ([by] if isinstance(by, str) else list(by))
    _require(df, keys)
    rows = []
    for group, frame in df.groupby(keys, sort=True, dropna=False):
        group = group if isinstance(group, tuple) else (group,)
        mean, low, high, sd, n = t_interval(frame[outcome], conf)
        rows.append(
            {
                **dict(zip(keys, group, strict=True)),
                "n": n,
                "mean": mean,
                "sd": sd,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- selecting points


def parameter_columns(df: pd.DataFrame, outcomes: list[str] | None = None) -> list[str]:
    """Parameter columns of a runs table: those between the identity and the outcomes.

    Args:
        df: the runs table.
        outcomes: outcome columns (by default, every float column after the parameters is
            taken for an outcome: the columns of a run row are identity, parameters, then
            outcomes, and the design table tells them apart when available).

    Returns:
        Parameter column names in design order.
    """
    if "parameters" in df.attrs:
        return [name for name in df.attrs["parameters"] if name in df.columns]
    skip = set(IDENTITY) | set(outcomes or [])
    columns = [c for c in df.columns if c not in skip]
    from sim.experiments.outcomes import MARKET_OUTCOMES, STRATEGY_OUTCOMES, STRATEGY_SEPARATOR

    def is_outcome(column: str) -> bool:
        family = column.partition(STRATEGY_SEPARATOR)[0]
        return column in MARKET_OUTCOMES or family in STRATEGY_OUTCOMES

    return [c for c in columns if not is_outcome(c)]


def parse_selector(text: str | int | dict) -> int | dict[str, Any]:
    """A design-point selector: a point index, ``p12``, or ``name=value,name=value``.

    Args:
        text: the selector as typed (values parsed as YAML), an int or a mapping.

    Returns:
        A point index or a mapping of parameter values.
    """
    if isinstance(text, (int, np.integer)):
        return int(text)
    if isinstance(text, dict):
        return text
    text = str(text).strip()
    if text.isdigit():
        return int(text)
    if text[:1] == "p" and text[1:].isdigit():
        return int(text[1:])
    selector = {}
    for part in text.split(","):
        name, sep, raw = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"selector {text!r}: expected a point (p12) or name=value pairs")
        selector[name.strip()] = yaml.safe_load(raw)
    return selector


def _matches(column: pd.Series, value: Any) -> pd.Series:
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        try:
            return pd.Series(np.isclose(column.to_numpy(dtype=float), float(value)), column.index)
        except (TypeError, ValueError):
            return pd.Series(False, column.index)
    return column.astype(str) == str(value)


def select(df: pd.DataFrame, selector: int | str | dict) -> pd.DataFrame:
    """Rows of one design point chosen by a selector.

    Args:
        df: the runs table.
        selector: see :func:`parse_selector`; a mapping must pin every parameter, or
            enough of them to leave a single design point.

    Returns:
        The point's rows (one per replication).

    Raises:
        ValueError: when the selector matches no point or several.
    """
    chosen = parse_selector(selector)
    if isinstance(chosen, int):
        rows = df[df["point"] == chosen]
        if rows.empty:
            raise ValueError(f"no finished runs at design point {chosen}")
        return rows
    mask = pd.Series(True, df.index)
    for name, value in chosen.items():
        if name not in df.columns:
            raise ValueError(f"unknown parameter {name!r} in selector")
        mask &= _matches(df[name], value)
    rows = df[mask]
    points = sorted(rows["point"].unique())
    if not points:
        raise ValueError(f"no design point has {chosen}")
    if len(points) > 1:
        raise ValueError(f"{chosen} matches {len(points)} design points; pin more parameters")
    return rows


def _describe(rows: pd.DataFrame) -> str:
    point = int(rows["point"].iloc[0])
    params = parameter_columns(rows)
    shown = ", ".join(f"{name}={rows[name].iloc[0]}" for name in params)
    return f"p{point} ({shown})" if shown else f"p{point}"


def _pair(a: pd.DataFrame, b: pd.DataFrame, outcome: str) -> pd.DataFrame:
    merged = a[["replication", "seed", outcome]].merge(
        b[["replication", "seed", outcome]], on="replication", suffixes=("_a", "_b")
    )
    if not (merged["seed_a"] == merged["seed_b"]).all():
        raise ValueError("paired runs do not share seeds; results are not common random numbers")
    return merged


def compare_points(
    df: pd.DataFrame, outcome: str, a: int | str | dict, b: int | str | dict, conf: float = 0.95
) -> PairedComparison:
    """Paired difference of an outcome between two design points (``a - b``).

    Args:
        df: the runs table.
        outcome: the outcome column.
        a: selector of the first point (see :func:`parse_selector`).
        b: selector of the second point.
        conf: confidence level.

    Returns:
        The comparison, paired on replications (which share seeds).
    """
    _require(df, [outcome])
    rows_a, rows_b = select(df, a), select(df, b)
    merged = _pair(rows_a, rows_b, outcome)
    result = paired_ci(merged[f"{outcome}_a"], merged[f"{outcome}_b"], conf)
    return PairedComparison(outcome, _describe(rows_a), _describe(rows_b), conf=conf, **result)


def compare_outcomes(
    df: pd.DataFrame,
    outcome_a: str,
    outcome_b: str,
    where: int | str | dict | None = None,
    conf: float = 0.95,
) -> PairedComparison:
    """Paired difference of two outcomes within the same runs (e.g. two strategies).

    ``final_share__customer_obsessed`` against ``final_share__shareholder_focused`` at a
    design point compares the strategies on identical markets, run by run.

    Args:
        df: the runs table.
        outcome_a: first outcome column.
        outcome_b: second outcome column.
        where: a design-point selector, or None for every run.
        conf: confidence level.

    Returns:
        The comparison, paired run by run.
    """
    _require(df, [outcome_a, outcome_b])
    rows = df if where is None else select(df, where)
    label = "all runs" if where is None else _describe(rows)
    result = paired_ci(rows[outcome_a], rows[outcome_b], conf)
    return PairedComparison(
        f"{outcome_a} - {outcome_b}",
        f"{outcome_a} @ {label}",
        f"{outcome_b} @ {label}",
        conf=conf,
        **result,
    )


def compare_levels(
    df: pd.DataFrame,
    outcome: str,
    parameter: str,
    reference: Any = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Each level of a parameter against a reference level, paired on replications.

    With several parameters, levels are compared at equal values of the others.

    Args:
        df: the runs table.
        outcome: the outcome column.
        parameter: the parameter whose levels are compared.
        reference: the reference level (the first level if None).
        conf: confidence level.

    Returns:
        One row per other-parameter combination and level: the other parameters,
        ``parameter``, ``reference``, and the fields of :class:`PairedComparison`.
    """
    _require(df, [outcome, parameter])
    others = [p for p in parameter_columns(df) if p != parameter]
    levels = sorted(df[parameter].unique())
    if reference is None:
        reference = levels[0]
    reference_rows = df[_matches(df[parameter], reference)]
    if reference_rows.empty:
        raise ValueError(f"{parameter}={reference!r} is not a level; levels are {levels}")
    rows = []
    groups = df.groupby(others, sort=True) if others else [((), df)]
    for key, frame in groups:
        key = key if isinstance(key, tuple) else (key,)
        ref = frame[_matches(frame[parameter], reference)]
        for level in levels:
            if _matches(pd.Series([level]), reference).iloc[0]:
                continue
            here = frame[_matches(frame[parameter], level)]
            if here.empty or ref.empty:
                continue
            merged = _pair(here, ref, outcome)
            result = paired_ci(merged[f"{outcome}_a"], merged[f"{outcome}_b"], conf)
            rows.append(
                {
                    **dict(zip(others, key, strict=True)),
                    parameter: level,
                    "reference": reference,
                    "outcome": outcome,
                    **result,
                    "conf": conf,
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- sensitivity

SAMPLED = ("lhs", "morris", "sobol")


def sensitivity_indices(
    kind: str,
    names: list[str],
    unit: np.ndarray,
    y: np.ndarray,
    *,
    conf: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 0,
    levels: int = 4,
    second_order: bool = False,
    outcome: str = "y",
) -> pd.DataFrame:
    """Sensitivity indices of one scalar outcome through SALib.

    Args:
        kind: ``morris`` (elementary effects), ``sobol`` (first-order and total Sobol'
            indices, second order optionally) or ``lhs`` (first-order indices by
            RBD-FAST, which works on any sample such as a Latin hypercube).
        names: parameter names, the columns of ``unit``.
        unit: the sample in the unit hypercube (as SALib drew it), points x parameters.
        y: the outcome at each point, in sample order.
        conf: confidence level of the bootstrap intervals.
        num_resamples: bootstrap resamples.
        seed: seed of the bootstrap.
        levels: Morris grid levels used when sampling.
        second_order: Sobol' sample includes second-order points.
        outcome: the outcome's name (recorded in the table).

    Returns:
        A tidy table: ``outcome, method, parameter, index, value, conf, ci_low, ci_high,
        level`` (``conf`` is the interval's half-width, NaN where SALib gives none;
        ``level`` the confidence level).
    """
    unit = np.asarray(unit, dtype=float)
    y = np.asarray(y, dtype=float)
    if unit.ndim != 2 or unit.shape[1] != len(names):
        raise ValueError(f"unit must be points x {len(names)} parameters, got {unit.shape}")
    if len(y) != len(unit):
        raise ValueError(f"need one outcome per point: {len(unit)} points, {len(y)} outcomes")
    if not np.all(np.isfinite(y)):
        raise ValueError(
            f"outcome {outcome!r} is not finite at {int((~np.isfinite(y)).sum())} points"
        )
    # SALib sees neutral names (it refuses some suffixes such as _step); ours go in the table.
    problem = salib_problem([f"x{k}" for k in range(len(names))])
    entries: list[tuple[str, str, float, float]] = []
    if kind == "morris":
        from SALib.analyze import morris

        res = morris.analyze(
            problem,
            unit,
            y,
            num_resamples=num_resamples,
            conf_level=conf,
            num_levels=levels,
            seed=seed,
        )
        for k, name in enumerate(names):
            entries.append((name, "mu_star", res["mu_star"][k], res["mu_star_conf"][k]))
            entries.append((name, "mu", res["mu"][k], np.nan))
            entries.append((name, "sigma", res["sigma"][k], np.nan))
    elif kind == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(
            problem,
            y,
            calc_second_order=second_order,
            num_resamples=num_resamples,
            conf_level=conf,
            seed=seed,
        )
        for k, name in enumerate(names):
            entries.append((name, "S1", res["S1"][k], res["S1_conf"][k]))
            entries.append((name, "ST", res["ST"][k], res["ST_conf"][k]))
        if second_order:
            for i, first in enumerate(names):
                for j in range(i + 1, len(names)):
                    label = f"{first}:{names[j]}"
                    entries.append((label, "S2", res["S2"][i, j], res["S2_conf"][i, j]))
    elif kind == "lhs":
        from SALib.analyze import rbd_fast

        res = rbd_fast.analyze(
            problem, unit, y, num_resamples=num_resamples, conf_level=conf, seed=seed
        )
        for k, name in enumerate(names):
            entries.append((name, "S1", res["S1"][k], res["S1_conf"][k]))
    else:
        raise ValueError(f"sensitivity needs a sampled design ({', '.join(SAMPLED)}), got {kind!r}")
    method = {"morris": "morris", "sobol": "sobol", "lhs": "rbd_fast"}[kind]
    rows = [
        {
            "outcome": outcome,
            "method": method,
            "parameter": parameter,
            "index": index,
            "value": float(value),
            "conf": float(half),
            "ci_low": float(value - half) if np.isfinite(half) else np.nan,
            "ci_high": float(value + half) if np.isfinite(half) else np.nan,
            "level": conf,
        }
        for parameter, index, value, half in entries
    ]
    return pd.DataFrame(rows)


def point_means(df: pd.DataFrame, outcome: str, n_points: int) -> np.ndarray:
    """Mean outcome over replications at every design point, in point order.

    Raises:
        ValueError: when some design point has no finished run.
    """
    means = df.groupby("point")[outcome].mean().reindex(range(n_points))
    missing = means.index[means.isna()].tolist()
    if missing:
        shown = ", ".join(f"p{p}" for p in missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise ValueError(
            f"{len(missing)} of {n_points} design points have no finished run or an undefined "
            f"{outcome!r} ({shown}); finish the sweep (resume) before a sensitivity analysis"
        )
    return means.to_numpy(dtype=float)


def sensitivity(
    store: str | os.PathLike,
    outcome: str,
    *,
    conf: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Sensitivity indices of an outcome from a finished store of a sampled design.

    The outcome is averaged over replications at each design point first.

    Args:
        store: the store folder.
        outcome: an outcome column of the runs table.
        conf: confidence level of the bootstrap intervals.
        num_resamples: bootstrap resamples.
        seed: bootstrap seed.

    Returns:
        The table of :func:`sensitivity_indices`.
    """
    from sim.experiments.store import SweepStore, load_results

    opened = SweepStore.open(store)
    manifest = opened.manifest()
    design_info = manifest["design"]
    kind = design_info["kind"]
    if kind not in SAMPLED:
        raise ValueError(
            f"the design is a {kind}; sensitivity indices need an lhs, morris or sobol design "
            "(use outcome-against-parameter figures and paired comparisons for a grid)"
        )
    names = list(design_info["parameters"])
    design = opened.design()
    unit = design[[f"{UNIT_PREFIX}{name}" for name in names]].to_numpy(dtype=float)
    df = load_results(store)
    _require(df, [outcome])
    y = point_means(df, outcome, len(design))
    return sensitivity_indices(
        kind,
        names,
        unit,
        y,
        conf=conf,
        num_resamples=num_resamples,
        seed=seed,
        levels=int(design_info.get("levels") or 4),
        second_order=bool(design_info.get("second_order")),
        outcome=outcome,
    )


def _require(df: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"unknown column(s) {missing}; available: {list(df.columns)}")
