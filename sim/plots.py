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
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from sim.fonts import drawable_names

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


def plot_market_share(firms: pd.DataFrame, ax=None, groups: dict[str, str] | None = None):
    """Unit share of each firm group (or strategy), stacked, quarter by quarter.

    Args:
        firms: the firm table.
        ax: axes to draw on (new figure if None).
        groups: ``{firm name: group}`` (see :mod:`sim.firm_groups`); by strategy if None
            or if the groups are no finer than the strategies.
    """
    from sim.firm_groups import group_colours

    ax = _ax(ax)
    units = quarterly(firms, "units", how="sum")
    by_group = groups is not None and (
        units.assign(group=units["name"].map(groups)).groupby("group")["strategy"].nunique().max()
        == 1
    )
    by_group = by_group and len(set(groups.values())) > units["strategy"].nunique()
    if by_group:
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


def save_figures(result, folder: str | Path) -> list[Path]:
    """Draw the standard figures of a run as PNG files.

    Args:
        result: a :class:`~sim.runner.RunResult`.
        folder: destination folder (created).

    Names in any script are drawn with the installed fonts that have their characters
    (see :mod:`sim.fonts`).

    Returns:
        Paths of the files written.
    """
    with drawable_names(result) as (shown_result, renamed):
        title = renamed.get(result.scenario.name, result.scenario.name)
        return _draw_figures(shown_result, Path(folder), title)


def _draw_figures(result, folder: Path, title: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    firms, model = result.firms, result.model
    written = []

    def finish(fig, name):
        for ax in fig.axes:
            calendar_years(ax, result.scenario.start_year)
        fig.suptitle(f"{title} (seed {result.seed})", fontsize=10, x=0.01, ha="left")
        fig.tight_layout()
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)

    from sim.firm_groups import firm_group

    names = firms["name"].drop_duplicates()
    groups = {name: firm_group(name, result.scenario) for name in names}
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_market_share(firms, ax, groups)
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
    from sim.trust_report import save_trust_figures

    save_trust_figures(result, finish)
    save_platform_figures(result, finish)
    from sim.research_report import save_research_figures

    save_research_figures(result, finish)
    from sim.defences_report import save_defence_figures

    save_defence_figures(result, finish)
    return written


# ---------------------------------------------------------------------------
# Day 1 and Day 2: vitality, awareness, tenure, long-run value

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
        for (_, last), x, label_y in zip(ends.iterrows(), xs, heights, strict=True):
            ax.annotate(
                last["name"],
                (x, last["vitality"]),
                xytext=(x + 0.15, label_y),
                textcoords="data",
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
    ax.text(0.0, threshold - 0.01, " Day 2 below", va="top", ha="left", fontsize=8, color="#555555")
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


# ---------------------------------------------------------------------------
# Platforms, disintermediation and the flywheel meter

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
    ax.set_title("Flywheel meter: is the loop turning? (above 0: reinforcing)")
    ax.legend(frameon=True, loc="best")
    ax.annotate(
        "gaps: a link not measurable (its driver hardly moved over the window)",
        xy=(0.99, 0.02),
        xycoords="axes fraction",
        ha="right",
        fontsize=8,
        color="#555555",
    )
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
    measured between two unmeasurable ones still shows.
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
    from sim.calibration import AMAZON_THIRD_PARTY_SHARE, third_party_share_by_year

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


def save_platform_figures(result, finish) -> None:
    """Draw the platform and flywheel figures of a run (called by :func:`save_figures`).

    Args:
        result: the run's result.
        finish: ``finish(fig, name)`` saves and closes a figure.
    """
    tables = result.tables
    start_year = result.scenario.start_year
    platforms = tables.get("platforms")
    if platforms is not None and len(platforms):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        plot_platform_take_rate(platforms, ax, start_year)
        finish(fig, "platform_take_rate")
        fig, ax = plt.subplots(figsize=(8, 4.5))
        plot_platform_sellers(platforms, ax, start_year)
        finish(fig, "platform_sellers_selection")
        fig, ax = plt.subplots(figsize=(8, 4.5))
        plot_disintermediation(result.model, result.firms, ax, start_year)
        finish(fig, "disintermediation")
        if (platforms["owner_units"] > 0).any():
            fig, ax = plt.subplots(figsize=(8, 4.5))
            start = result.scenario.start_year if result.scenario.start_year else 1
            reference = None if result.scenario.start_year else {}
            plot_third_party_share(platforms, start, reference, ax)
            finish(fig, "third_party_share")
    firms = result.firms
    if "connected" in firms and (firms["connected"] != "none").any():
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
        plot_connected(firms, axes, start_year)
        finish(fig, "connected_strategy")
    flywheel = tables.get("flywheel")
    if flywheel is not None and len(flywheel) and flywheel["loop_gain"].notna().any():
        fig, ax = plt.subplots(figsize=(8, 4.5))
        plot_loop_gain(flywheel, ax, start_year)
        finish(fig, "flywheel_loop_gain")
        fig, ax = plt.subplots(figsize=(8, 4.5))
        plot_flywheel_links(flywheel, links_agent(flywheel), ax, start_year)
        finish(fig, "flywheel_links")
