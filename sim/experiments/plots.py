"""Figures of a sweep. Each function takes data and ``ax=None`` and returns the Axes.

Data preparation lives in :mod:`sim.experiments.analysis`; these functions only draw.
Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), sequential maps are ``cividis``, and every axis is labelled with its unit.
Nothing here calls ``plt.show()``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiments.analysis import summarise

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
GREY = "#7F7F7F"

LABELS = {
    "final_customer_obsessed_share": "customer-obsessed unit share, final year (0-1)",
    "final_consumer_surplus": "consumer surplus per need, final year ($)",
    "final_hhi": "HHI of unit shares, final year (0-1)",
    "final_outside_share": "needs left unserved, final year (0-1)",
    "final_mean_price": "mean price paid, final year ($/unit)",
    "final_repeat_share": "repeat-purchase share, final year (0-1)",
    "final_mean_expectation": "mean expectation, final year (experience units)",
    "final_n_firms_alive": "firms alive at the end (count)",
    "cumulative_consumer_surplus": "consumer surplus over the run ($)",
    "cumulative_spending": "consumer spending over the run ($)",
    "final_share": "unit share, final year (0-1)",
    "survival": "firms surviving (share, 0-1)",
    "payout_per_firm": "cumulative payout per firm ($)",
    "final_price": "posted price, final year ($/unit)",
    "obsessed_share": "share of firms customer-obsessed (0-1)",
    "progress_ratio": "progress ratio (unit-cost multiplier per doubling)",
    "fixed_cost_share": "fixed-cost share of initial cost (0-1)",
}
INDEX_LABELS = {
    "S1": "first order S1",
    "ST": "total ST",
    "S2": "second order S2",
    "mu_star": "mu* (mean |elementary effect|)",
    "sigma": "sigma (interaction / non-linearity)",
}


def label(name: str) -> str:
    """A readable axis label with unit for an outcome or parameter column."""
    if name in LABELS:
        return LABELS[name]
    family, sep, strategy = name.partition("__")
    if sep and family in LABELS:
        return f"{LABELS[family]}: {strategy.replace('_', ' ')}"
    return name.replace("_", " ")


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    return ax


def colour(k: int) -> str:
    """The k-th colour of the palette (cycling)."""
    return OKABE_ITO[k % len(OKABE_ITO)]


def outcome_vs_parameter(
    df: pd.DataFrame,
    outcome: str,
    parameter: str,
    hue: str | None = None,
    conf: float = 0.95,
    ax=None,
    show_runs: bool = True,
):
    """Mean outcome against a swept parameter with a confidence band over replications.

    Args:
        df: the runs table.
        outcome: outcome column (y).
        parameter: parameter column (x); strings are placed at even positions.
        hue: another parameter drawn as separate lines, or None.
        conf: confidence level of the band.
        ax: Axes to draw on (a new figure if None).
        show_runs: also draw each run as a faint dot.

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    groups = [(None, df)] if hue is None else list(df.groupby(hue, sort=True))
    categorical = not pd.api.types.is_numeric_dtype(df[parameter]) or pd.api.types.is_bool_dtype(
        df[parameter]
    )
    categories = sorted(df[parameter].astype(str).unique()) if categorical else []

    def xs(values: pd.Series) -> np.ndarray:
        if categorical:
            return np.array([categories.index(str(v)) for v in values], dtype=float)
        return values.to_numpy(dtype=float)

    for k, (level, frame) in enumerate(groups):
        summary = summarise(frame, outcome, by=parameter, conf=conf)
        x = xs(summary[parameter])
        shade = colour(k)
        name = (
            None
            if hue is None
            else f"{label(hue)} = {level:g}"
            if isinstance(level, (int, float, np.number))
            else f"{hue} = {level}"
        )
        if show_runs:
            ax.scatter(
                xs(frame[parameter]), frame[outcome], s=8, color=shade, alpha=0.25, linewidths=0
            )
        ax.plot(x, summary["mean"], marker="o", markersize=4, color=shade, label=name)
        ax.fill_between(
            x, summary["ci_low"], summary["ci_high"], color=shade, alpha=0.2, linewidth=0
        )
    if categorical:
        ax.set_xticks(range(len(categories)), categories)
    ax.set_xlabel(label(parameter))
    ax.set_ylabel(label(outcome))
    n = int(df.groupby("point").size().median()) if len(df) else 0
    ax.set_title(f"mean over {n} replications, {conf:.0%} confidence band", fontsize=9)
    if hue is not None:
        ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return ax


def outcome_heatmap(df: pd.DataFrame, outcome: str, x: str, y: str, ax=None):
    """Mean outcome over replications on a two-parameter grid (``cividis``).

    Args:
        df: the runs table.
        outcome: outcome column.
        x: parameter on the horizontal axis.
        y: parameter on the vertical axis.
        ax: Axes to draw on (a new figure if None).

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    table = df.groupby([y, x])[outcome].mean().unstack(x).sort_index()
    image = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="cividis")
    ax.set_xticks(
        range(table.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v) for v in table.columns]
    )
    ax.set_yticks(
        range(table.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in table.index]
    )
    values = table.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.isfinite(values[i, j]):
                ax.text(
                    j,
                    i,
                    f"{values[i, j]:.3g}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if values[i, j] > middle else "white",
                )
    ax.set_xlabel(label(x))
    ax.set_ylabel(label(y))
    ax.figure.colorbar(image, ax=ax, label=label(outcome))
    return ax


def sensitivity_bars(indices: pd.DataFrame, ax=None):
    """Horizontal bars of sensitivity indices with their confidence intervals.

    Sobol': S1 and ST side by side; Morris: mu* and sigma; RBD-FAST: S1.
    Parameters are sorted by the main index (ST, mu* or S1), largest at the top.

    Args:
        indices: a table from :func:`sim.experiments.analysis.sensitivity`.
        ax: Axes to draw on (a new figure if None).

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    method = indices["method"].iloc[0]
    shown = {"sobol": ["ST", "S1"], "morris": ["mu_star", "sigma"], "rbd_fast": ["S1"]}[method]
    table = indices[indices["index"].isin(shown)]
    order = table[table["index"] == shown[0]].sort_values("value")["parameter"].tolist()
    height = 0.8 / len(shown)
    for k, index in enumerate(shown):
        rows = table[table["index"] == index].set_index("parameter").reindex(order)
        y = np.arange(len(order)) + (k - (len(shown) - 1) / 2) * height
        half = rows["conf"].to_numpy(dtype=float)
        err = np.where(np.isfinite(half), half, 0.0) if np.isfinite(half).any() else None
        ax.barh(
            y,
            rows["value"],
            height=height,
            color=colour(k),
            label=INDEX_LABELS[index],
            xerr=err,
            error_kw={"ecolor": "#333333", "capsize": 2, "linewidth": 0.8},
        )
    ax.set_yticks(range(len(order)), order)
    ax.axvline(0, color=GREY, linewidth=0.8)
    outcome = indices["outcome"].iloc[0]
    unit = (
        "index (share of variance)"
        if method == "sobol"
        else (f"effect on {label(outcome)} per unit range" if method == "morris" else "index")
    )
    ax.set_xlabel(unit)
    level = f"{indices['level'].iloc[0]:.0%} " if "level" in indices else ""
    ax.set_title(f"{method} sensitivity of {outcome} ({level}bootstrap CI)", fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return ax


def morris_scatter(indices: pd.DataFrame, ax=None):
    """Morris mu* against sigma, with guide lines sigma/mu* = 0.1, 0.5 and 1.

    Points near the x axis act linearly and alone; points high above act non-linearly or
    through interactions.

    Args:
        indices: a Morris table from :func:`sim.experiments.analysis.sensitivity`.
        ax: Axes to draw on (a new figure if None).

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    table = indices.pivot_table(index="parameter", columns="index", values="value")
    conf = indices[indices["index"] == "mu_star"].set_index("parameter")["conf"]
    ax.errorbar(
        table["mu_star"],
        table["sigma"],
        xerr=conf.reindex(table.index),
        fmt="o",
        color=colour(0),
        ecolor=GREY,
        capsize=2,
    )
    for name, row in table.iterrows():
        ax.annotate(
            name,
            (row["mu_star"], row["sigma"]),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
    reach = (table["mu_star"] + conf.reindex(table.index).fillna(0.0)).max()
    top = float(max(reach, table["sigma"].max(), 1e-12)) * 1.1
    for ratio, style in ((0.1, ":"), (0.5, "--"), (1.0, "-")):
        ax.plot(
            [0, top],
            [0, ratio * top],
            color=GREY,
            linestyle=style,
            linewidth=0.8,
            label=f"sigma/mu* = {ratio:g}",
        )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mu* (mean |elementary effect|)")
    ax.set_ylabel("sigma (sd of elementary effects)")
    ax.set_title(f"Morris screening of {indices['outcome'].iloc[0]}", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return ax


def paired_differences(table: pd.DataFrame, ax=None, label_column: str | None = None):
    """Forest plot of paired mean differences, with the unpaired interval beside each.

    Args:
        table: rows with ``mean_diff``, ``ci_low``, ``ci_high`` and optionally
            ``unpaired_ci_low``/``unpaired_ci_high`` (from
            :func:`~sim.experiments.analysis.compare_levels` or comparisons' ``as_dict``).
        ax: Axes to draw on (a new figure if None).
        label_column: column naming each row (the first non-statistic column if None).

    Returns:
        The Axes.
    """
    ax = _axes(ax)
    stats_columns = {
        "reference",
        "outcome",
        "n_pairs",
        "mean_a",
        "mean_b",
        "mean_diff",
        "sd_diff",
        "ci_low",
        "ci_high",
        "p_value",
        "unpaired_ci_low",
        "unpaired_ci_high",
        "correlation",
        "conf",
    }
    if label_column is None:
        candidates = [c for c in table.columns if c not in stats_columns]
        label_column = candidates[0] if candidates else None
    labels = (
        [str(v) for v in table[label_column]] if label_column else [str(i) for i in table.index]
    )
    y = np.arange(len(table))
    if {"unpaired_ci_low", "unpaired_ci_high"} <= set(table.columns):
        ax.hlines(
            y - 0.18,
            table["unpaired_ci_low"],
            table["unpaired_ci_high"],
            color=GREY,
            linewidth=1.2,
            label="unpaired (Welch) CI",
        )
    ax.hlines(
        y,
        table["ci_low"],
        table["ci_high"],
        color=colour(0),
        linewidth=3,
        label="paired CI (common random numbers)",
    )
    ax.plot(
        table["mean_diff"],
        y,
        "|",
        color=colour(3),
        markersize=9,
        markeredgewidth=2,
        label="mean difference",
    )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, labels)
    if label_column:
        ax.set_ylabel(label(label_column))
    outcome = table["outcome"].iloc[0] if "outcome" in table.columns else "outcome"
    reference = table["reference"].iloc[0] if "reference" in table.columns else None
    against = ""
    if reference is not None:
        against = f" vs {label_column} = {reference}" if label_column else f" vs {reference}"
    ax.set_xlabel(f"difference in {label(outcome)}{against}")
    ax.legend(fontsize=7, frameon=False, loc="best")
    ax.grid(axis="x", alpha=0.3)
    return ax
