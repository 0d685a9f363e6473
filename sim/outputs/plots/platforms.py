"""Figures of platforms, disintermediation, connected experiences and the flywheel meter."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.outputs.plots.common import (
    PLATFORM_COLOURS,
    _ax,
    _quarter_mean,
    _time,
    _time_axis,
    strategy_colour,
)


def plot_platform_take_rate(platforms: pd.DataFrame, ax=None, start_year: int | None = None):
    """Take rate of each platform over time (share of each sale it keeps)."""
    ax = _ax(ax)
    for i, (name, group) in enumerate(platforms.groupby("name", sort=False)):
        strategy = group["strategy"].iloc[0].replace("_", "-")
        ax.plot(
            _time(group["step"], start_year),
            group["take_rate"] * 100,
            color=PLATFORM_COLOURS[i % len(PLATFORM_COLOURS)],
            linewidth=2,
            label=f"{name} ({group['kind'].iloc[0]}, {strategy})",
        )
    ax.set_ylim(bottom=0)
    _time_axis(ax, start_year)
    ax.set_ylabel("take rate (% of each sale)")
    ax.set_title("Platform fees")
    ax.legend(frameon=True)
    return ax


def plot_platform_sellers(platforms: pd.DataFrame, ax=None, start_year: int | None = None):
    """Third-party sellers (solid, left axis) and selection listed (dashed, right axis).

    Platforms without third-party sellers (aggregators) show their selection only.
    """
    ax = _ax(ax)
    with_sellers = platforms.groupby("name", sort=False)["sellers"].transform("max") > 0
    right = ax.twinx() if with_sellers.any() else ax
    for i, (name, group) in enumerate(platforms.groupby("name", sort=False)):
        colour = PLATFORM_COLOURS[i % len(PLATFORM_COLOURS)]
        if group["sellers"].max() > 0:
            ax.plot(
                _time(group["step"], start_year),
                group["sellers"],
                color=colour,
                linewidth=2,
                label=f"{name}: sellers",
            )
        right.plot(
            _time(group["step"], start_year),
            group["selection"],
            color=colour,
            linewidth=1.5,
            linestyle="--",
            label=f"{name}: selection",
        )
    ax.set_ylim(bottom=0)
    right.set_ylim(bottom=0)
    _time_axis(ax, start_year)
    if with_sellers.any():
        ax.set_ylabel("third-party sellers")
        right.set_ylabel("items listed (selection)")
        ax.set_title("Sellers join as traffic grows; selection widens")
        lines = ax.get_legend_handles_labels()
        more = right.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], frameon=True, loc="upper left")
    else:
        ax.set_ylabel("items listed (selection)")
        ax.set_title("Selection listed on each platform (its listed brands' items)")
        ax.legend(frameon=True)
    return ax


def plot_disintermediation(
    model: pd.DataFrame, firms: pd.DataFrame, ax=None, start_year: int | None = None
):
    """Share of all purchases made through platforms, and each firm's platform share."""
    ax = _ax(ax)
    sold = firms[(firms["step"] > 0) & firms["alive"]]
    quarterly_firms = _quarter_mean(sold, ["firm_id", "name", "strategy"], ["platform_share"])
    strategies = sorted(quarterly_firms["strategy"].unique())
    for _, firm in quarterly_firms.groupby("firm_id"):
        ax.plot(
            _time(firm["step"], start_year),
            firm["platform_share"],
            color=strategy_colour(firm["strategy"].iloc[0], strategies),
            linewidth=0.8,
            alpha=0.5,
        )
    index = _quarter_mean(model, [], ["disintermediation_index"])
    ax.plot(
        _time(index["step"], start_year),
        index["disintermediation_index"],
        color="#000000",
        linewidth=2.5,
        label="disintermediation index (all purchases)",
    )
    for strategy in strategies:
        ax.plot(
            [],
            [],
            color=strategy_colour(strategy, strategies),
            linewidth=0.8,
            label=f"a {strategy.replace('_', '-')} firm's sales through platforms",
        )
    ax.set_ylim(-0.02, 1.04)
    _time_axis(ax, start_year)
    ax.set_ylabel("share of purchases through platforms")
    ax.set_title("Who stands between brands and customers")
    ax.legend(frameon=True, loc="center right", fontsize=8)
    return ax


def plot_loop_gain(flywheel: pd.DataFrame, ax=None, start_year: int | None = None):
    """The flywheel meter's loop gain per platform (thick) and firm (thin), by quarter."""
    ax = _ax(ax)
    strategies = sorted(flywheel["strategy"].unique())
    firms = flywheel[flywheel["agent"] == "firm"]
    for _, firm in firms.groupby("agent_id"):
        ax.plot(
            _time(firm["step"], start_year),
            firm["loop_gain"],
            color=strategy_colour(firm["strategy"].iloc[0], strategies),
            linewidth=0.8,
            alpha=0.45,
            marker="o",
            markersize=3,
        )
    for strategy in sorted(firms["strategy"].unique()):
        gains = firms.loc[firms["strategy"] == strategy, "loop_gain"]
        ax.plot(
            [],
            [],
            color=strategy_colour(strategy, strategies),
            linewidth=0.8,
            marker="o",
            markersize=3,
            label=f"{strategy.replace('_', '-')} firms (measured in "
            f"{gains.notna().sum()} of {len(gains)} firm-quarters)",
        )
    platforms = flywheel[flywheel["agent"] == "platform"]
    for i, (name, platform) in enumerate(platforms.groupby("name", sort=False)):
        ax.plot(
            _time(platform["step"], start_year),
            platform["loop_gain"],
            color=PLATFORM_COLOURS[i % len(PLATFORM_COLOURS)],
            linewidth=2.5,
            marker="o",
            markersize=4,
            label=f"platform {name}",
        )
    ax.axhline(0.0, color="#777777", linewidth=0.8)
    _time_axis(ax, start_year)
    ax.set_ylabel("loop gain (% back per 1% more traffic)")
    ax.set_title(
        "Flywheel meter: is the loop turning? (above 0: reinforcing)\n"
        "gain = sum over the loops of the product of their links; "
        "gaps: a link not measured that quarter",
        fontsize=10,
    )
    ax.legend(frameon=True, loc="best")
    return ax


FIRM_LINKS = [
    ("e_selection_to_traffic", "selection -> traffic"),
    ("e_volume_to_cost", "volume -> lower cost"),
    ("e_cost_to_price", "cost -> price"),
    ("e_price_to_traffic", "lower price -> traffic"),
]
SELLER_LINKS = [
    ("e_traffic_to_sellers", "traffic -> sellers"),
    ("e_sellers_to_selection", "sellers -> selection"),
]
LINK_COLOURS = {
    "e_traffic_to_sellers": "#009E73",
    "e_sellers_to_selection": "#56B4E9",
    "e_selection_to_traffic": "#0072B2",
    "e_volume_to_cost": "#E69F00",
    "e_cost_to_price": "#D55E00",
    "e_price_to_traffic": "#CC79A7",
}


def links_agent(flywheel: pd.DataFrame) -> str:
    """The agent the links figure shows: the first platform, else the best-measured firm."""
    platforms = flywheel[flywheel["agent"] == "platform"]
    if len(platforms):
        return platforms["name"].iloc[0]
    measured = flywheel.groupby("name", sort=False)["loop_gain"].apply(lambda g: g.notna().sum())
    return str(measured.idxmax())


def plot_flywheel_links(flywheel: pd.DataFrame, name: str, ax=None, start_year: int | None = None):
    """Every link of one agent's loops, quarter by quarter, measured or not.

    Each link of the agent's loops has a legend entry: how many quarters it could be
    measured in, or "not measurable in this run". Points are marked, so a quarter
    measured between two unmeasurable ones still shows. Where the table has the
    rolling-window estimate (``observed_*``), it is drawn dotted in the link's colour.
    """
    ax = _ax(ax)
    rows = flywheel[flywheel["name"] == name]
    has_sellers = rows["e_traffic_to_sellers"].notna().any() or rows["sellers"].notna().any()
    links = (SELLER_LINKS if has_sellers else []) + FIRM_LINKS
    for column, label in links:
        measured = int(rows[column].notna().sum())
        if measured == 0:
            label += " (not measurable in this run)"
        elif measured < len(rows):
            label += f" ({measured} of {len(rows)} quarters)"
        ax.plot(
            _time(rows["step"], start_year),
            rows[column],
            color=LINK_COLOURS[column],
            linewidth=1.6,
            marker="o",
            markersize=3,
            label=label,
        )
        observed = column.replace("e_", "observed_", 1)
        if observed in rows and observed != column and rows[observed].notna().any():
            if column not in ("e_selection_to_traffic", "e_price_to_traffic"):
                ax.plot(
                    _time(rows["step"], start_year),
                    rows[observed],
                    color=LINK_COLOURS[column],
                    linewidth=1.0,
                    linestyle=":",
                )
    if any(c.startswith("observed_") for c in rows.columns):
        ax.plot([], [], color="#555555", linewidth=1.0, linestyle=":", label="dotted: observed")
    ax.axhline(0.0, color="#777777", linewidth=0.8)
    _time_axis(ax, start_year)
    ax.set_ylabel("elasticity (% per 1%)")
    ax.set_title(f"Links of the loop: {name}")
    ax.legend(frameon=True, loc="best", fontsize=8)
    return ax


def plot_third_party_share(
    platforms: pd.DataFrame, start_year: int, reference: dict[int, float] | None = None, ax=None
):
    """Yearly third-party share of units on owned marketplaces, with reference points."""
    from sim.outputs.calibration import AMAZON_THIRD_PARTY_SHARE, third_party_share_by_year

    ax = _ax(ax)
    reference = AMAZON_THIRD_PARTY_SHARE if reference is None else reference
    owned = platforms[platforms["owner_units"].groupby(platforms["name"]).transform("sum") > 0]
    for i, name in enumerate(owned["name"].unique()):
        share = third_party_share_by_year(owned, start_year, name)
        ax.plot(
            share.index,
            share * 100,
            color=PLATFORM_COLOURS[i % len(PLATFORM_COLOURS)],
            linewidth=2,
            marker="o",
            markersize=3,
            label=f"model: {name}",
        )
    years = sorted(reference)
    ax.plot(
        years,
        [reference[y] * 100 for y in years],
        linestyle="none",
        marker="D",
        color="#000000",
        markersize=7,
        label="Amazon, 2018 shareholder letter",
    )
    ax.set_ylim(0, 100)
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("third-party share of units (%)")
    ax.set_title("Third-party sellers' share of units on the marketplace")
    ax.legend(frameon=True, loc="upper left")
    return ax


def plot_connected(firms: pd.DataFrame, axes=None, start_year: int | None = None):
    """Connected strategy: each firm's share of units and its customers' fit, by quarter.

    Left, the share of units of each firm (labelled with its connected experience);
    right, the mean fit of the customers whose relationship it owns (0 none, 1 perfect).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    left, right = axes
    data = firms[firms["step"] > 0].copy()
    data["quarter"] = (data["step"] - 1) // 13
    units = data.groupby(["quarter", "name"])["units"].sum().unstack()
    share = units.div(units.sum(axis=1).where(lambda total: total > 0), axis=0).fillna(0.0)
    fit = data.groupby(["quarter", "name"])["fit"].last().unstack()
    steps = pd.Series((share.index + 1) * 13, index=share.index)
    kinds = data.groupby("name")["connected"].first()
    palette = ["#009E73", "#CC79A7", "#E69F00", "#0072B2", "#D55E00", "#56B4E9", "#000000"]
    colours = dict(zip(sorted(kinds.unique()), palette, strict=False))
    for name in share.columns:
        kind = kinds[name]
        style = ":" if kind == "none" else "-"
        label = f"{name} ({kind.replace('_', ' ')})"
        left.plot(
            _time(steps, start_year),
            share[name],
            color=colours[kind],
            linestyle=style,
            linewidth=2,
            label=label,
        )
        right.plot(
            _time(steps, start_year),
            fit[name],
            color=colours[kind],
            linestyle=style,
            linewidth=2,
            label=label,
        )
    left.set_ylim(bottom=0)
    left.set_ylabel("share of units sold")
    left.set_title("Connected experiences and market share")
    right.set_ylim(0, 1)
    right.set_ylabel("fit of its own customers (0-1)")
    right.set_title("Repeat: what each firm has learned about its customers")
    for ax in axes:
        _time_axis(ax, start_year)
        ax.legend(frameon=True, fontsize=8, loc="best")
    return axes
