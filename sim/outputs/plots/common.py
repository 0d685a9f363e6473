"""Shared pieces of the figures: colours, time axes, quarterly aggregates."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

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
        Columns ``quarter, firm_id, name, strategy, <column>, step`` (``step``: the
        quarter's last week).
    """
    data = firms[firms["step"] > 0].copy()
    data["quarter"] = (data["step"] - 1) // 13
    grouped = data.groupby(["quarter", "firm_id", "name", "strategy"], as_index=False)[column]
    table = grouped.sum() if how == "sum" else grouped.mean()
    table["step"] = (table["quarter"] + 1) * 13
    return table


def _by_strategy(
    ax, table: pd.DataFrame, column: str, label_suffix: str = "", style="-", how: str = "mean"
):
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
    grouped = table.groupby(["step", "strategy"], as_index=False)[column]
    means = grouped.median() if how == "median" else grouped.mean()
    for strategy, group in means.groupby("strategy"):
        ax.plot(
            _years(group["step"]),
            group[column],
            color=strategy_colour(strategy, strategies),
            linewidth=2.2,
            linestyle=style,
            label=f"{strategy.replace('_', '-')}{label_suffix}",
        )


PLATFORM_COLOURS = ["#009E73", "#CC79A7", "#E69F00", "#56B4E9"]


def _time(steps: pd.Series, start_year: int | None) -> pd.Series:
    """Years since the start, or calendar years when the scenario has a start year."""
    return _years(steps) if start_year is None else start_year + _years(steps)


def _time_label(start_year: int | None) -> str:
    return "years" if start_year is None else "year"


def _time_axis(ax, start_year: int | None) -> None:
    """Label the time axis; whole calendar years when there is a start year."""
    ax.set_xlabel(_time_label(start_year))
    if start_year is not None:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def calendar_years(ax, start_year: int | None) -> None:
    """Show an axis in years since the start as calendar years, when the run has a start.

    Figures of the life cycle count years from the start (``years``), the platform
    figures in calendar years; with a start year, both read in calendar years.
    """
    if start_year is None or ax.get_xlabel() != "years":
        return
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{start_year + x:.0f}"))
    ax.set_xlabel(_time_label(start_year))


def _quarter_mean(table: pd.DataFrame, keys: list[str], columns: list[str]) -> pd.DataFrame:
    """Quarterly means of columns per key (quarter-end step in ``step``)."""
    data = table[table["step"] > 0].copy()
    data["quarter"] = (data["step"] - 1) // 13
    out = data.groupby(["quarter", *keys], as_index=False)[columns].mean()
    out["step"] = (out["quarter"] + 1) * 13
    return out
