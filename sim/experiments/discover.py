"""Scenario discovery on a sweep store: where in the conditions does an outcome of interest occur?

A sweep answers "what happens at these points"; scenario discovery answers "in which region
of the conditions does it happen, described by a few readable rules" (Bryant and Lempert
2010, *Technological Forecasting and Social Change* 77: 34-49; Kwakkel 2017, *Environmental
Modelling & Software* 96: 239-250).

Each finished run is one case: its design parameters are the conditions ``x`` and a rule on
its outcomes (``share_y10__customer_obsessed > 0.5``) says whether it is a case of interest.

- **PRIM** (Friedman and Fisher 1999, *Statistics and Computing* 9: 123-143), as implemented
  in EMA Workbench (``ema_workbench.analysis.prim``), peels a box around the cases of interest
  a little at a time (``peel_alpha`` of the remaining cases per step), then pastes back. Every
  box on the peeling trajectory has a *coverage* (share of all cases of interest inside it),
  a *density* (share of the cases inside it that are of interest) and a *mass* (share of all
  cases inside it). The chosen box is the one with the most coverage among those at least
  ``min_density`` dense (the densest box if none is). Each restriction gets the quasi-p value
  of Bryant and Lempert: a one-sided binomial test of whether dropping it would lower the
  density by chance alone.
- **CART** (Breiman et al. 1984), scikit-learn's ``DecisionTreeClassifier`` with a fixed
  seed, gives a second view: a shallow tree whose leaves are boxes too.

PRIM and CART are an optional extra (``pip install 'flywheel-sim[discover]'``); this module
imports them only when called.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiments.expressions import Expression, ExpressionError

MIN_DENSITY = 0.8
TREE_DEPTH = 3
EXTRA_HINT = "scenario discovery needs the 'discover' extra: pip install 'flywheel-sim[discover]'"


@dataclass(frozen=True)
class Discovery:
    """What scenario discovery found.

    Attributes:
        trajectory: PRIM's peeling trajectory, one row per box (``box``, ``coverage``,
            ``density``, ``mass``, ``res_dim``, ``n``, ``k``) and ``chosen``.
        chosen: index of the chosen box on the trajectory.
        box: the chosen box's restrictions, one row per restricted parameter (``parameter``,
            ``low``, ``high``, ``range_low``, ``range_high``, ``qp_low``, ``qp_high``).
        tree_rules: CART's tree as indented text rules.
        leaves: CART's leaves, one row each (``rule``, ``n``, ``density``, ``coverage``,
            ``of_interest``: the tree's call for the leaf).
        cases: number of cases; ``of_interest``: how many are of interest.
    """

    trajectory: pd.DataFrame
    chosen: int
    box: pd.DataFrame
    tree_rules: str
    leaves: pd.DataFrame
    cases: int
    of_interest: int

    def stats(self) -> dict[str, float]:
        """Coverage, density, mass and restricted dimensions of the chosen box."""
        row = self.trajectory.iloc[self.chosen]
        return {key: float(row[key]) for key in ("coverage", "density", "mass", "res_dim")}


def cases_of_interest(
    frame: pd.DataFrame, rule: str, threshold: float | None = None, below: bool = False
) -> pd.Series:
    """Whether each run is a case of interest, by a rule on its outcomes and parameters.

    Args:
        frame: one row per run.
        rule: an expression over the frame's columns: a comparison that is true for the
            cases of interest (``share_y10__customer_obsessed > 0.5``), or a number compared
            with ``threshold``.
        threshold: with a numeric rule, cases above it (``below`` false) or below it are of
            interest.
        below: cases below ``threshold`` are of interest.

    Returns:
        A boolean Series aligned with ``frame``; runs where the rule is undefined (a
        missing outcome) are ``NaN`` and should be left out.

    Raises:
        ValueError: on an expression that names an unknown column, or a numeric rule
            without a threshold, or a threshold with a comparison.
    """
    expression = Expression(rule)
    unknown = sorted(expression.names - set(frame.columns))
    if unknown:
        available = ", ".join(str(column) for column in frame.columns)
        raise ValueError(f"--outcome {rule!r} names unknown column(s) {unknown}; have {available}")
    values = []
    kinds = set()
    for record in frame[sorted(expression.names)].to_dict(orient="records"):
        if any(isinstance(v, float) and math.isnan(v) for v in record.values()):
            values.append(np.nan)
            continue
        try:
            value = expression.evaluate(record)
        except ExpressionError as exc:
            raise ValueError(f"--outcome: {exc}") from None
        kinds.add(isinstance(value, bool | np.bool_))
        values.append(value)
    if kinds == {True}:
        if threshold is not None:
            raise ValueError("--threshold applies to a numeric --outcome, not to a comparison")
        return pd.Series(
            [v if isinstance(v, float) else bool(v) for v in values],
            index=frame.index,
            dtype=object,
        )
    if threshold is None:
        raise ValueError(f"--outcome {rule!r} is a number: give --threshold (and --below)")
    if not math.isfinite(threshold):
        raise ValueError(f"--threshold must be finite, got {threshold}")
    numbers = pd.Series(values, index=frame.index, dtype=float)
    interest = numbers < threshold if below else numbers > threshold
    return interest.astype(object).where(numbers.notna(), np.nan)


def _prim(x: pd.DataFrame, y: np.ndarray, peel_alpha: float, paste_alpha: float, mass_min: float):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis.prim import Prim
    except ImportError:
        raise RuntimeError(EXTRA_HINT) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prim = Prim(x, y, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
        return prim.find_box()


def choose_box(trajectory: pd.DataFrame, min_density: float) -> int:
    """The box with the most coverage among those at least ``min_density`` dense.

    Ties go to fewer restricted dimensions, then to the earlier box; with no box dense
    enough, the densest (then the most covering).
    """
    dense = trajectory[trajectory["density"] >= min_density]
    if dense.empty:
        order = trajectory.sort_values(["density", "coverage"], ascending=False, kind="stable")
        return int(order.index[0])
    order = dense.sort_values(["coverage", "res_dim"], ascending=[False, True], kind="stable")
    return int(order.index[0])


def _box_table(box, chosen: int, ranges: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _stats, limits = box.inspect(chosen, style="data")[0]
    rows = []
    for parameter in limits.index:
        low, high, qp_low, qp_high = (float(v) for v in limits.loc[parameter].to_numpy())
        rows.append(
            {
                "parameter": str(parameter),
                "low": low,
                "high": high,
                "range_low": float(ranges.loc["min", parameter]),
                "range_high": float(ranges.loc["max", parameter]),
                "qp_low": qp_low,
                "qp_high": qp_high,
            }
        )
    columns = ["parameter", "low", "high", "range_low", "range_high", "qp_low", "qp_high"]
    return pd.DataFrame(rows, columns=columns)


def _tree(x: pd.DataFrame, y: np.ndarray, depth: int, min_leaf: int, seed: int):
    try:
        from sklearn.tree import DecisionTreeClassifier, export_text
    except ImportError:
        raise RuntimeError(EXTRA_HINT) from None
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=min_leaf, random_state=seed)
    tree.fit(x.to_numpy(dtype=float), y)
    rules = export_text(tree, feature_names=[str(c) for c in x.columns], show_weights=True)
    structure = tree.tree_
    total_interest = max(int(y.sum()), 1)
    leaves = []

    def walk(node: int, conditions: list[str]) -> None:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            inside = tree.apply(x.to_numpy(dtype=float)) == node
            n = int(inside.sum())
            k = int(y[inside].sum())
            leaves.append(
                {
                    "rule": " and ".join(conditions) or "all cases",
                    "n": n,
                    "density": k / n if n else np.nan,
                    "coverage": k / total_interest,
                    "of_interest": bool(k * 2 > n),
                }
            )
            return
        name = str(x.columns[structure.feature[node]])
        cut = float(structure.threshold[node])
        walk(left, [*conditions, f"{name} <= {cut:.4g}"])
        walk(right, [*conditions, f"{name} > {cut:.4g}"])

    walk(0, [])
    return rules, pd.DataFrame(leaves, columns=["rule", "n", "density", "coverage", "of_interest"])


def discover(
    x: pd.DataFrame,
    interest: pd.Series | np.ndarray,
    *,
    min_density: float = MIN_DENSITY,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    tree_depth: int = TREE_DEPTH,
    seed: int = 0,
) -> Discovery:
    """Find the region of conditions where the cases of interest lie (PRIM, then CART).

    Args:
        x: the conditions, one numeric column per design parameter, one row per case.
        interest: whether each case is of interest (booleans; aligned with ``x``).
        min_density: the least density of the chosen box (0-1).
        peel_alpha: share of the remaining cases peeled away per PRIM step (0-0.5).
        paste_alpha: share pasted back per step (0-0.5).
        mass_min: the smallest mass a PRIM box may have (0-1).
        tree_depth: depth of the CART tree (>= 1).
        seed: CART's random state (same seed, same tree).

    Returns:
        The :class:`Discovery`.

    Raises:
        ValueError: on bad settings, a non-numeric condition, or no case (or only cases)
            of interest, where there is no region to describe.
    """
    for name, value, low, high in (
        ("min_density", min_density, 0.0, 1.0),
        ("peel_alpha", peel_alpha, 0.0, 0.5),
        ("paste_alpha", paste_alpha, 0.0, 0.5),
        ("mass_min", mass_min, 0.0, 1.0),
    ):
        if not (math.isfinite(value) and low < value <= high):
            raise ValueError(f"{name} must be in ({low}, {high}], got {value}")
    if tree_depth < 1:
        raise ValueError(f"tree_depth must be at least 1, got {tree_depth}")
    y = np.asarray(interest, dtype=bool)
    if len(y) != len(x):
        raise ValueError(f"{len(y)} interest flags for {len(x)} cases")
    not_numeric = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
    if not_numeric:
        raise ValueError(f"conditions must be numeric; not numeric: {not_numeric}")
    k = int(y.sum())
    if k == 0 or k == len(y):
        which = "no case" if k == 0 else "every case"
        raise ValueError(f"{which} of {len(y)} is of interest: there is no region to find")
    x = x.reset_index(drop=True).astype(float)
    box = _prim(x, y, peel_alpha, paste_alpha, mass_min)
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    trajectory = trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]].copy()
    trajectory.insert(0, "box", np.arange(len(trajectory)))
    chosen = choose_box(trajectory, min_density)
    trajectory["chosen"] = trajectory["box"] == chosen
    ranges = x.agg(["min", "max"])
    limits = _box_table(box, chosen, ranges)
    min_leaf = max(1, round(mass_min * len(x)))
    rules, leaves = _tree(x, y, tree_depth, min_leaf, seed)
    return Discovery(trajectory, chosen, limits, rules, leaves, len(y), k)


def describe_box(box: pd.DataFrame) -> list[str]:
    """The chosen box's restrictions as plain sentences, one per parameter."""
    lines = []
    for row in box.itertuples():
        low_cut = row.low > row.range_low
        high_cut = row.high < row.range_high
        if low_cut and high_cut:
            text = f"{row.low:.4g} <= {row.parameter} <= {row.high:.4g}"
        elif low_cut:
            text = f"{row.parameter} >= {row.low:.4g}"
        elif high_cut:
            text = f"{row.parameter} <= {row.high:.4g}"
        else:
            text = f"{row.parameter} anywhere in [{row.range_low:.4g}, {row.range_high:.4g}]"
        qps = [f"{q:.2g}" for q in (row.qp_low, row.qp_high) if not math.isnan(q)]
        significance = f" (quasi-p {', '.join(qps)})" if qps else ""
        lines.append(text + significance)
    return lines
