"""The end of a game: the scorecard, the ghost replay, and the run folder.

The scorecard measures the seat the way the 1997 shareholder letter asks (customer and
revenue growth, the rate at which customers buy again, satisfaction as the measure of
brand strength) and adds long-run customer value and shareholder value. The ghost
replay plays the same seed with each built-in strategy in the seat: the same consumers,
the same needs and the same luck as far as the model allows, so the comparison is the
decisions', not the draw's.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

from sim.outputs.figures import STRATEGY_COLOURS, WEEKS_PER_YEAR
from sim.runs.runner import RunResult

WEEKS_PER_QUARTER = 13
PLAYER_LABEL = "you"
PLAYER_COLOUR = "#000000"

METRICS = (
    ("customer_growth", "customer growth (per year)", "percent"),
    ("revenue_growth", "revenue growth (per year)", "percent"),
    ("repeat_rate", "repeat rate, last year", "percent"),
    ("satisfaction", "satisfaction, last year", "number"),
    ("final_share", "unit share, last quarter", "percent"),
    ("customer_value", "long-run customer value (surplus given, $)", "money"),
    ("shareholder_value", "shareholder value (payouts + final value, $)", "money"),
    ("cumulative_payout", "payouts to shareholders ($)", "money"),
    ("final_cash", "cash at the end ($)", "money"),
    ("survived", "still in the market", "yes/no"),
)


def _annual_growth(first: float, last: float, quarters_between: int) -> float:
    """Compound growth per year between two quarterly values (NaN if undefined)."""
    if quarters_between <= 0 or first <= 0 or last < 0:
        return math.nan
    return (last / first) ** (4.0 / quarters_between) - 1.0


def seat_scorecard(firms: pd.DataFrame, seat: str) -> dict[str, float]:
    """The scorecard of one firm from a run's firm table.

    Args:
        firms: the firm table (one row per firm per week).
        seat: the firm's name.

    Returns:
        Metric name -> value (see ``METRICS``).
    """
    rows = firms[(firms["name"] == seat) & (firms["step"] > 0)].sort_values("step")
    if rows.empty:
        raise ValueError(f"no firm named {seat!r} in the firm table")
    end = rows.iloc[-1]
    alive = rows[rows["alive"]]
    if alive.empty:
        alive = rows.iloc[:1]
    quarter = (alive["step"] - 1) // WEEKS_PER_QUARTER
    revenue = alive.groupby(quarter)["revenue"].sum()
    customers = alive.groupby(quarter)["customers"].last()
    full = revenue.index[revenue.index < alive["step"].max() // WEEKS_PER_QUARTER]
    first, last = (full.min(), full.max()) if len(full) else (0, 0)
    year = alive[alive["step"] > alive["step"].max() - WEEKS_PER_YEAR]
    units = year["units"].sum()
    last_quarter = rows[rows["step"] > rows["step"].max() - WEEKS_PER_QUARTER]
    return {
        "customer_growth": _annual_growth(
            customers.get(first, 0), customers.get(last, 0), last - first
        ),
        "revenue_growth": _annual_growth(revenue.get(first, 0), revenue.get(last, 0), last - first),
        "repeat_rate": float((year["repeat_rate"] * year["units"]).sum() / units)
        if units
        else math.nan,
        "satisfaction": float((year["satisfaction"] * year["units"]).sum() / units)
        if units
        else math.nan,
        "final_share": float(last_quarter["share"].mean()),
        "customer_value": float(end["cumulative_customer_value"]),
        "shareholder_value": float(end["cumulative_payout"] + end["market_value"]),
        "cumulative_payout": float(end["cumulative_payout"]),
        "final_cash": float(end["cash"]),
        "survived": float(bool(end["alive"])),
    }


def ghost_table(game_result: RunResult, ghosts: dict[str, RunResult], seat: str) -> pd.DataFrame:
    """Scorecards side by side: the player, then each ghost (one column each)."""
    columns = {PLAYER_LABEL: seat_scorecard(game_result.firms, seat)}
    for name, result in ghosts.items():
        columns[name] = seat_scorecard(result.firms, seat)
    table = pd.DataFrame(columns)
    table.index.name = "metric"
    return table


def _format(value: float, kind: str) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if kind == "percent":
        return f"{value:.1%}"
    if kind == "money":
        return f"{'-' if value < 0 else ''}${abs(value):,.0f}"
    if kind == "yes/no":
        return "yes" if value else "no"
    return f"{value:+.3f}"


def scorecard_markdown(table: pd.DataFrame, seat: str, seed: int) -> str:
    """The ghost replay as a Markdown section for the summary."""
    names = list(table.columns)
    lines = [
        "## Ghost replay: your seat, same customers, same luck",
        "",
        f"The same seed ({seed}) played again with each built-in strategy in {seat}'s seat; "
        "every other firm ran its own strategy. Growth is compound per year between the "
        "first and the last full quarter in the market; repeat rate and satisfaction are "
        "over its last year in the market.",
        "",
        "| metric | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for key, label, kind in METRICS:
        cells = [_format(float(table.loc[key, name]), kind) for name in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    value = table.loc["shareholder_value"]
    customer = table.loc["customer_value"]
    lines += [
        "",
        f"Shareholder value: {_leader(value)} led. Long-run customer value: "
        f"{_leader(customer)} led.",
        "",
        "![ghost replay](figures/ghost_replay.png)",
        "",
    ]
    return "\n".join(lines)


def _leader(row: pd.Series) -> str:
    clean = row.dropna()
    return str(clean.idxmax()) if len(clean) else "nobody"


def _money_tick(value: float, _position) -> str:
    """Axis label in $ with k/M suffixes."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"${value / size:,.1f}{suffix}"
    return f"${value:,.0f}"


def _quarterly(firms: pd.DataFrame, seat: str) -> pd.DataFrame:
    rows = firms[(firms["name"] == seat) & (firms["step"] > 0)].copy()
    rows["value"] = rows["cumulative_payout"] + rows["market_value"]
    rows["quarter"] = (rows["step"] - 1) // WEEKS_PER_QUARTER
    grouped = rows.groupby("quarter")
    table = grouped[["step", "customers", "cash", "value", "cumulative_customer_value"]].last()
    table["share"] = grouped["share"].mean()
    return table


def plot_ghost_replay(game_result: RunResult, ghosts: dict[str, RunResult], seat: str, axes=None):
    """Four panels over time: customers, unit share, shareholder value, customer value.

    Args:
        game_result: the player's run.
        ghosts: the ghost runs by strategy.
        seat: the seat's firm name.
        axes: four Axes (a new 2x2 figure if None).

    Returns:
        The Axes (a 2x2 array).
    """
    if axes is None:
        _, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    axes = np.asarray(axes)
    runs = [(PLAYER_LABEL, game_result, PLAYER_COLOUR, 2.2)]
    runs += [
        (name, result, STRATEGY_COLOURS.get(name, "#009E73"), 1.5)
        for name, result in ghosts.items()
    ]
    panels = (
        ("customers", "customers (bought here last)"),
        ("share", "unit share"),
        ("value", "shareholder value ($, payouts + value)"),
        ("cumulative_customer_value", "long-run customer value ($)"),
    )
    for ax, (column, label) in zip(axes.flat, panels, strict=True):
        for name, result, colour, width in runs:
            table = _quarterly(result.firms, seat)
            ax.plot(
                table["step"] / WEEKS_PER_YEAR, table[column], color=colour, lw=width, label=name
            )
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if column == "share":
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        elif "value" in column:
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_money_tick))
    for ax in axes[-1]:
        ax.set_xlabel("year")
    axes.flat[0].legend(title=f"in {seat}'s seat", frameon=False)
    axes.flat[0].figure.suptitle("Ghost replay: same seed, same customers, different decisions")
    axes.flat[0].figure.tight_layout()
    return axes


def save_game(
    game, out: str | Path, csv: bool = False, ghosts: bool = True, runs: dict | None = None
) -> Path:
    """Write a finished game as a run folder, with its decision log and ghost replay.

    The folder holds everything ``flywheel run`` writes, plus ``decisions.yaml`` (the
    log, a decision file), ``scorecard.csv`` and ``figures/ghost_replay.png``, and the
    summary ends with the ghost replay section.

    Args:
        game: a finished :class:`~sim.play.engine.Game`.
        out: the run folder.
        csv: also write CSV tables.
        ghosts: run and write the ghost replay.
        runs: the ghost runs, if already played (by strategy).

    Returns:
        The folder.
    """
    if game.result is None:
        raise ValueError("the game is not finished")
    out = Path(game.result.save(out, csv=csv))
    (out / "decisions.yaml").write_text(game.decision_log(), encoding="utf-8")
    if not ghosts:
        return out
    runs = game.ghosts() if runs is None else runs
    table = ghost_table(game.result, runs, game.seat)
    table.to_csv(out / "scorecard.csv", float_format="%.6g")
    axes = plot_ghost_replay(game.result, runs, game.seat)
    figure = axes.flat[0].figure
    (out / "figures").mkdir(exist_ok=True)
    figure.savefig(out / "figures" / "ghost_replay.png", dpi=120)
    plt.close(figure)
    summary = out / "summary.md"
    text = summary.read_text(encoding="utf-8").rstrip("\n")
    section = scorecard_markdown(table, game.seat, game.scenario.seed)
    summary.write_text(text + "\n\n" + section, encoding="utf-8")
    return out


def scorecard_rows(table: pd.DataFrame) -> list[dict]:
    """The ghost table as the summary formats it: one row per metric, one cell per column.

    Returns:
        ``[{"metric", "label", "cells", "leader"}]``; ``leader`` names the best column for
        shareholder and customer value (None for the other metrics).
    """
    rows = []
    for key, label, kind in METRICS:
        cells = [_format(float(table.loc[key, name]), kind) for name in table.columns]
        leader = _leader(table.loc[key]) if key in ("shareholder_value", "customer_value") else None
        rows.append({"metric": key, "label": label, "cells": cells, "leader": leader})
    return rows
