"""Figures of Day 1 and Day 2: vitality, awareness, tenure, long-run value."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import offset_copy

from sim.outputs.plots.common import (
    WEEKS_PER_YEAR,
    _ax,
    _by_strategy,
    _years,
    quarterly,
    strategy_colour,
)

EVENT_MARKERS = {
    "stasis": ("v", "stasis"),
    "irrelevance": ("D", "irrelevance"),
    "decline": ("s", "decline"),
    "death": ("X", "death"),
    "acquired": ("P", "bought by a rival"),
    "imitation": ("*", "copied a rival"),
}
SP500_TENURE_YEARS = {"S&P 500, 1964": 33, "S&P 500, 2016": 24, "S&P 500, 2027 forecast": 12}


LABEL_GAP = 0.04


def end_label_heights(xs, values, threshold: float, gap: float = LABEL_GAP, near: float = 0.6):
    """Heights of end-of-line labels: apart from each other, on their value's side of a line.

    Labels within ``near`` on the x axis are pushed ``gap`` apart, away from the
    threshold: a firm above the Day-2 line gets its label above it, one below gets it
    below, so a label never suggests a stage the firm was not in.

    Args:
        xs: label x positions.
        values: the values the labels belong to.
        threshold: the line labels must not cross.
        gap: least vertical distance between nearby labels.
        near: x distance within which labels are dodged.

    Returns:
        A list of label heights, in the order of ``values``.
    """
    heights: list[float] = [0.0] * len(values)
    placed: list[tuple[float, float]] = []
    above = sorted((i for i, v in enumerate(values) if v >= threshold), key=lambda i: values[i])
    below = sorted((i for i, v in enumerate(values) if v < threshold), key=lambda i: -values[i])
    for indices, direction in ((above, 1.0), (below, -1.0)):
        for i in indices:
            y = float(values[i])
            y = max(y, threshold + gap / 2) if direction > 0 else min(y, threshold - gap / 2)
            while any(abs(xs[i] - px) < near and abs(y - py) < gap - 1e-12 for px, py in placed):
                y += direction * gap
            placed.append((float(xs[i]), y))
            heights[i] = y
    return heights


def plot_vitality(firms: pd.DataFrame, events: pd.DataFrame, ax=None, threshold: float = 0.5):
    """Vitality of each firm over time with its Day 2 stages marked.

    Args:
        firms: the firm table.
        events: the events table.
        ax: axes to draw on (new figure if None).
        threshold: vitality below which a firm is in Day 2.

    Returns:
        The Axes.
    """
    ax = _ax(ax)
    live = firms[firms["alive"]]
    table = quarterly(live, "vitality")
    _by_strategy(ax, table, "vitality")
    strategies = sorted(firms["strategy"].unique())
    top = 1.02
    if table["firm_id"].nunique() <= 12:
        ends = table.sort_values("step").groupby("firm_id").tail(1).reset_index(drop=True)
        xs = (ends["step"] / WEEKS_PER_YEAR).to_numpy()
        heights = end_label_heights(xs, ends["vitality"].to_numpy(), threshold)
        # Labels sit a few points right of each line's end (not a span of years, which
        # on a short run would put them far outside the axes).
        beside = offset_copy(ax.transData, fig=ax.figure, x=6, units="points")
        for (_, last), x, label_y in zip(ends.iterrows(), xs, heights, strict=True):
            ax.annotate(
                last["name"],
                (x, last["vitality"]),
                xytext=(x, label_y),
                textcoords=beside,
                fontsize=8,
                va="center",
                color=strategy_colour(last["strategy"], strategies),
            )
        top = max(top, float(max(heights, default=0.0)) + LABEL_GAP)
    vitality_at = firms.set_index(["firm_id", "step"])["vitality"]
    for event, (marker, label) in EVENT_MARKERS.items():
        rows = events[events["event"] == event]
        if rows.empty:
            continue
        keys = list(zip(rows["firm_id"], rows["step"], strict=True))
        values = vitality_at.reindex(keys).to_numpy()
        ax.scatter(
            _years(rows["step"]),
            values,
            marker=marker,
            s=46,
            facecolors=[strategy_colour(s, strategies) for s in rows["strategy"]],
            edgecolors="#000000",
            linewidths=0.7,
            zorder=5,
            label=label,
        )
    ax.axhline(threshold, color="#777777", linewidth=0.9, linestyle="--")
    ax.text(
        0.0,
        threshold - 0.01,
        " Day 2 below",
        va="top",
        ha="left",
        fontsize=8,
        color="#555555",
        transform=ax.get_yaxis_transform(),  # at the left edge whatever the years shown
    )
    ax.set_ylim(0, top)
    ax.set_xlabel("years")
    ax.set_ylabel("vitality (0 to 1)")
    ax.set_title("Vitality: Day 1 and Day 2 (markers: stages, deals, copies)")
    ax.legend(frameon=True, fontsize=8, loc="lower left")
    return ax


def plot_awareness(firms: pd.DataFrame, model: pd.DataFrame, ax=None):
    """Share of consumers aware of each firm, and the share who have ever bought.

    Args:
        firms: the firm table.
        model: the model table.
        ax: axes to draw on (new figure if None).

    Returns:
        The Axes.
    """
    ax = _ax(ax)
    live = firms[firms["alive"]]
    _by_strategy(ax, quarterly(live, "awareness"), "awareness", " (aware of a firm)")
    ax.plot(
        _years(model["step"]),
        model["adopter_share"],
        color="#000000",
        linestyle=":",
        linewidth=1.6,
        label="consumers who have bought (any firm)",
    )
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("years")
    ax.set_ylabel("share of consumers")
    ax.set_title("Awareness (word of mouth and marketing) and adoption")
    ax.legend(frameon=True, fontsize=8)
    return ax


def plot_tenure(model: pd.DataFrame, ax=None, top_k: int = 3):
    """Mean years the current top-K firms have held their place, against its ceiling.

    The ceiling (dotted) is the time since the first ranking: a market where nobody is
    ever displaced climbs along it. The S&P 500 averages are written in the corner
    (they are decades, longer than most runs).

    Args:
        model: the model table.
        ax: axes to draw on (new figure if None).
        top_k: K, for the label.

    Returns:
        The Axes.
    """
    ax = _ax(ax)
    years = _years(model["step"])
    ceiling = (model["step"] - 13).clip(lower=0) / WEEKS_PER_YEAR
    ax.plot(years, ceiling, color="#777777", linestyle=":", label="no one ever displaced")
    ax.plot(years, model["tenure_top_k"], color="#009E73", linewidth=2.2, label="this run")
    ax.set_xlabel("years")
    ax.set_ylabel("years in the top K (mean of current top K)")
    ax.set_title(f"Tenure at the top (top {top_k} by trailing-year revenue)")
    reference = "\n".join(f"{name}: {value} years" for name, value in SP500_TENURE_YEARS.items())
    ax.text(
        0.02,
        0.97,
        reference,
        transform=ax.transAxes,
        va="top",
        fontsize=8,
        color="#333333",
        bbox={"facecolor": "white", "edgecolor": "#cccccc"},
    )
    ax.set_ylim(bottom=0)
    ax.legend(frameon=True, fontsize=8, loc="lower right")
    return ax


def plot_value(firms: pd.DataFrame, axes=None):
    """Long-run value by mindset: to shareholders (left) and to customers (right).

    Left: total shareholder return of each firm since its first quarter end (thin)
    and the median firm of each strategy (thick; the summary quotes the median too).
    Right: consumer surplus attributed to each firm, cumulated, in thousand $ (thick: the
    mean per firm, as in the summary).

    Args:
        firms: the firm table.
        axes: two axes (new figure if None).

    Returns:
        The two Axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    left, right = axes
    ends = firms[(firms["step"] % 13 == 0) & firms["tsr"].notna()]
    _by_strategy(left, ends, "tsr", label_suffix=", median firm", how="median")
    left.axhline(0.0, color="#777777", linewidth=0.8)
    if ends["tsr"].abs().max() > 5.0:
        left.set_yscale("symlog", linthresh=1.0)
        left.set_ylabel("TSR (1 = doubled; symmetric log scale)")
    else:
        left.yaxis.set_major_formatter(PercentFormatter(1.0))
        left.set_ylabel("total shareholder return")
    left.set_xlabel("years")
    left.set_title("Total shareholder return (payouts - equity + market value)")
    left.legend(frameon=True, fontsize=8)
    ends = firms[firms["step"] % 13 == 0].assign(
        cumulative_customer_value=lambda d: d["cumulative_customer_value"] / 1e3
    )
    _by_strategy(right, ends, "cumulative_customer_value", label_suffix=", mean per firm")
    right.set_xlabel("years")
    right.set_ylabel("thousand $")
    right.set_title("Consumer surplus delivered, cumulated")
    right.legend(frameon=True, fontsize=8)
    return axes
