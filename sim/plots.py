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
    return written
