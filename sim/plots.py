"""Figures of a run. Each plot function takes tidy data and ``ax=None`` and returns the Axes.

Colours follow the Okabe-Ito palette (safe for colour-blind readers): blue for
customer-obsessed firms, vermillion for shareholder-focused ones, other hues for other
strategies. Thin lines are single firms, thick lines the mean of their strategy.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

WEEKS_PER_YEAR = 52
STRATEGY_COLOURS = {
    "customer_obsessed": "#0072B2",
    "shareholder_focused": "#D55E00",
}
OTHER_COLOURS = ["#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def strategy_colour(strategy: str, known: list[str] | None = None) -> str:
    """Colour of a strategy (stable for the two built-in strategies)."""
    if strategy in STRATEGY_COLOURS:
        return STRATEGY_COLOURS[strategy]
    others = sorted(set(known or [strategy]) - set(STRATEGY_COLOURS))
    return OTHER_COLOURS[others.index(strategy) % len(OTHER_COLOURS)]


def _years(steps: pd.Series) -> pd.Series:
    return steps / WEEKS_PER_YEAR


def _ax(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    return ax


def quarterly(firms: pd.DataFrame, column: str, how: str = "mean") -> pd.DataFrame:
    """Per-firm quarterly aggregate of a column (smooths weekly sampling noise).

    Args:
        firms: the firm table.
        column: column to aggregate.
        how: ``mean`` or ``sum`` over the quarter's weeks.

    Returns:
        Columns ``quarter_end_step, firm_id, name, strategy, <column>``.
    """
    data = firms[firms["step"] > 0].copy()
    data["quarter"] = (data["step"] - 1) // 13
    grouped = data.groupby(["quarter", "firm_id", "name", "strategy"], as_index=False)[column]
    table = grouped.sum() if how == "sum" else grouped.mean()
    table["step"] = (table["quarter"] + 1) * 13
    return table


def _by_strategy(ax, table: pd.DataFrame, column: str, label_suffix: str = "", style="-"):
    strategies = sorted(table["strategy"].unique())
    for _, firm in table.groupby("firm_id"):
        strategy = firm["strategy"].iloc[0]
        ax.plot(
            _years(firm["step"]),
            firm[column],
            color=strategy_colour(strategy, strategies),
            linewidth=0.6,
            alpha=0.35,
            linestyle=style,
        )
    means = table.groupby(["step", "strategy"], as_index=False)[column].mean()
    for strategy, group in means.groupby("strategy"):
        ax.plot(
            _years(group["step"]),
            group[column],
            color=strategy_colour(strategy, strategies),
            linewidth=2.2,
            linestyle=style,
            label=f"{strategy.replace('_', '-')}{label_suffix}",
        )


def plot_market_share(firms: pd.DataFrame, ax=None):
    """Unit share of each strategy (stacked), quarter by quarter."""
    ax = _ax(ax)
    units = quarterly(firms, "units", how="sum")
    pivot = units.pivot_table(index="step", columns="strategy", values="units", aggfunc="sum")
    shares = pivot.div(pivot.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0.0)
    strategies = list(shares.columns)
    ax.stackplot(
        _years(shares.index.to_series()),
        [shares[s] for s in strategies],
        labels=[s.replace("_", "-") for s in strategies],
        colors=[strategy_colour(s, strategies) for s in strategies],
        alpha=0.85,
    )
    firm_shares = quarterly(firms, "units", how="sum")
    totals = firm_shares.groupby("step")["units"].transform("sum")
    firm_shares["share"] = (firm_shares["units"] / totals.where(totals > 0)).fillna(0.0)
    leader = firm_shares.sort_values("step").groupby("firm_id")["share"].last().max()
    ax.set_ylim(0, 1)
    ax.set_xlabel("years")
    ax.set_ylabel("share of units sold")
    ax.set_title(f"Market share by strategy (largest single firm at the end: {leader:.0%})")
    ax.legend(loc="upper left", frameon=True)
    return ax


def plot_price_and_cost(firms: pd.DataFrame, ax=None):
    """Price (solid) against unit cost (dashed), per firm and strategy mean."""
    ax = _ax(ax)
    live = firms[firms["alive"]]
    _by_strategy(ax, quarterly(live, "price"), "price", " price")
    _by_strategy(ax, quarterly(live, "unit_cost"), "unit_cost", " unit cost", style="--")
    ax.set_xlabel("years")
    ax.set_ylabel("$ per unit")
    ax.set_title("Price against unit cost (live firms)")
    ax.legend(frameon=True)
    return ax


def plot_experience_and_satisfaction(firms: pd.DataFrame, model: pd.DataFrame, axes=None):
    """Experience quality delivered and buyers' satisfaction, with mean expectation."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    live = firms[firms["alive"]]
    left, right = axes
    _by_strategy(left, quarterly(live, "experience"), "experience")
    left.plot(
        _years(model["step"]),
        model["mean_expectation"],
        color="#000000",
        linestyle=":",
        label="consumers' mean expectation",
    )
    left.set_xlabel("years")
    left.set_ylabel("experience units")
    left.set_title("Experience delivered vs what customers expect")
    left.legend(frameon=True)
    sold = live[live["units"] > 0]
    _by_strategy(right, quarterly(sold, "satisfaction"), "satisfaction")
    right.axhline(0.0, color="#777777", linewidth=0.8)
    right.set_xlabel("years")
    right.set_ylabel("experience minus expectation")
    right.set_title("Buyers' satisfaction (below 0: disappointed)")
    right.legend(frameon=True)
    return axes


def plot_cash_and_payouts(firms: pd.DataFrame, axes=None):
    """Cash held and cumulative payouts to shareholders, per firm and strategy mean."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    left, right = axes
    scaled = firms.assign(
        cash=firms["cash"] / 1e3, cumulative_payout=firms["cumulative_payout"] / 1e3
    )
    quarter_ends = scaled[scaled["step"] % 13 == 0]
    _by_strategy(left, quarter_ends[quarter_ends["alive"]], "cash")
    left.axhline(0.0, color="#777777", linewidth=0.8)
    left.set_xlabel("years")
    left.set_ylabel("thousand $")
    left.set_title("Cash of live firms (below 0 for too long: exit)")
    left.legend(frameon=True)
    _by_strategy(right, quarter_ends, "cumulative_payout")
    right.set_xlabel("years")
    right.set_ylabel("thousand $")
    right.set_title("Cumulative payouts to shareholders")
    right.legend(frameon=True)
    return axes


def save_figures(result, folder: str | Path) -> list[Path]:
    """Draw the standard figures of a run as PNG files.

    Args:
        result: a :class:`~sim.runner.RunResult`.
        folder: destination folder (created).

    Returns:
        Paths of the files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    firms, model = result.firms, result.model
    title = result.scenario.name
    written = []

    def finish(fig, name):
        fig.suptitle(f"{title} (seed {result.seed})", fontsize=10, x=0.01, ha="left")
        fig.tight_layout()
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)

    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_market_share(firms, ax)
    finish(fig, "market_share")
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_price_and_cost(firms, ax)
    finish(fig, "price_vs_cost")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_experience_and_satisfaction(firms, model, axes)
    finish(fig, "experience_and_satisfaction")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_cash_and_payouts(firms, axes)
    finish(fig, "cash_and_payouts")
    save_lifecycle_figures(result, finish)
    return written


# ---------------------------------------------------------------------------
# Day 1 and Day 2: vitality, awareness, tenure, long-run value

EVENT_MARKERS = {
    "stasis": ("v", "stasis"),
    "irrelevance": ("D", "irrelevance"),
    "decline": ("s", "decline"),
    "death": ("X", "death"),
}
SP500_TENURE_YEARS = {"S&P 500, 1964": 33, "S&P 500, 2016": 24, "S&P 500, 2027 forecast": 12}


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
    if table["firm_id"].nunique() <= 12:
        ends = table.sort_values("step").groupby("firm_id").tail(1)
        ends = ends.sort_values(["step", "vitality"]).reset_index(drop=True)
        placed: list[tuple[float, float]] = []
        for _, last in ends.iterrows():
            x, y = last["step"] / WEEKS_PER_YEAR, last["vitality"]
            label_y = y
            while any(abs(x - px) < 0.6 and abs(label_y - py) < 0.035 for px, py in placed):
                label_y -= 0.035
            placed.append((x, label_y))
            ax.annotate(
                last["name"],
                (x, y),
                xytext=(x + 0.15, label_y),
                textcoords="data",
                fontsize=7,
                va="center",
                color=strategy_colour(last["strategy"], strategies),
            )
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
    ax.text(0.0, threshold - 0.01, " Day 2 below", va="top", ha="left", fontsize=8, color="#555555")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("years")
    ax.set_ylabel("vitality (0 to 1)")
    ax.set_title("Vitality: Day 1 and Day 2 (markers: stages)")
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
    and the mean per strategy (thick). Right: consumer surplus attributed to each firm,
    cumulated, in thousand $.

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
    _by_strategy(left, ends, "tsr")
    left.axhline(0.0, color="#777777", linewidth=0.8)
    left.set_yscale("symlog", linthresh=1.0)
    left.set_xlabel("years")
    left.set_ylabel("TSR (1 = doubled; symmetric log scale)")
    left.set_title("Total shareholder return (payouts + market value)")
    left.legend(frameon=True, fontsize=8)
    ends = firms[firms["step"] % 13 == 0].assign(
        cumulative_customer_value=lambda d: d["cumulative_customer_value"] / 1e3
    )
    _by_strategy(right, ends, "cumulative_customer_value")
    right.set_xlabel("years")
    right.set_ylabel("thousand $")
    right.set_title("Consumer surplus delivered, cumulated")
    right.legend(frameon=True, fontsize=8)
    return axes


def save_lifecycle_figures(result, finish) -> None:
    """Draw the Day 1 / Day 2 figures (called by :func:`save_figures`).

    Args:
        result: a :class:`~sim.runner.RunResult`.
        finish: callback ``finish(fig, name)`` that titles, saves and closes a figure.
    """
    firms, model = result.firms, result.model
    events = result.tables.get("events")
    if events is None or "vitality" not in firms.columns:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_vitality(firms, events, ax, result.scenario.vitality.stasis_threshold)
    finish(fig, "vitality")
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_awareness(firms, model, ax)
    finish(fig, "awareness")
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_tenure(model, ax, result.scenario.lifecycle.top_k)
    finish(fig, "tenure")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_value(firms, axes)
    finish(fig, "value")
