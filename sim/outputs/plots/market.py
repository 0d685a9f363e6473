"""Figures of the market: shares, prices and costs, experience, cash and payouts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from sim.outputs.firm_groups import group_colours
from sim.outputs.plots.common import (
    _ax,
    _by_strategy,
    _years,
    quarterly,
    strategy_colour,
)


def plot_market_share(firms: pd.DataFrame, ax=None, groups: dict[str, str] | None = None):
    """Unit share of each firm group (or strategy), stacked, quarter by quarter.

    Args:
        firms: the firm table.
        ax: axes to draw on (new figure if None).
        groups: ``{firm name: group}`` (see :mod:`sim.outputs.firm_groups`); by strategy if None
            or if the groups are no finer than the strategies.
    """
    ax = _ax(ax)
    units = quarterly(firms, "units", how="sum")
    by_group = (
        groups is not None
        and units.assign(group=units["name"].map(groups))
        .groupby("group")["strategy"]
        .nunique()
        .max()
        == 1
        and len(set(groups.values())) > units["strategy"].nunique()
    )
    if by_group and groups is not None:
        units = units.assign(group=units["name"].map(groups))
        order = dict.fromkeys(groups[name] for name in firms["name"].drop_duplicates())
        strategy_of = units.groupby("group")["strategy"].first()
        colours = group_colours({g: strategy_of[g] for g in order})
        column, names = "group", list(order)
        labels = [f"{g} ({strategy_of[g].replace('_', '-')})" for g in names]
        what = "firm group"
    else:
        column = "strategy"
        names = sorted(units["strategy"].unique())
        colours = {s: strategy_colour(s, names) for s in names}
        labels = [s.replace("_", "-") for s in names]
        what = "strategy"
    pivot = units.pivot_table(index="step", columns=column, values="units", aggfunc="sum")
    pivot = pivot.reindex(columns=names, fill_value=0.0).fillna(0.0)
    shares = pivot.div(pivot.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0.0)
    ax.stackplot(
        _years(shares.index.to_series()),
        [shares[name] for name in names],
        labels=labels,
        colors=[colours[name] for name in names],
        alpha=0.85,
    )
    firm_shares = quarterly(firms, "units", how="sum")
    totals = firm_shares.groupby("step")["units"].transform("sum")
    firm_shares["share"] = (firm_shares["units"] / totals.where(totals > 0)).fillna(0.0)
    leader = firm_shares.sort_values("step").groupby("firm_id")["share"].last().max()
    ax.set_ylim(0, 1)
    ax.set_xlabel("years")
    ax.set_ylabel("share of units sold")
    ax.set_title(f"Market share by {what} (largest single firm at the end: {leader:.0%})")
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
    left.set_title("Cash of live firms (debt beyond the credit line too long: exit)")
    left.legend(frameon=True)
    _by_strategy(right, quarter_ends, "cumulative_payout")
    right.set_xlabel("years")
    right.set_ylabel("thousand $")
    right.set_title("Cumulative payouts to shareholders")
    right.legend(frameon=True)
    return axes
