"""The summary's sections on channels: platforms, who owns the customer, connected strategy.

Two sections of the channels component (``sim/components/channels.py``):
:func:`platform_lines` when the run has platforms, :func:`connected_lines` when a firm
sells a connected experience; and the figures each draws.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.outputs.calibration import compare_to_reference, rmse, third_party_share_by_year
from sim.outputs.plots.platforms import (
    plot_connected,
    plot_disintermediation,
    plot_platform_sellers,
    plot_platform_take_rate,
    plot_third_party_share,
)
from sim.outputs.wording import compared_weeks, count, dollars, label, year_window

PLATFORMS_TABLE = "`platforms.parquet` (one row per platform per week)"
PLATFORM_FEES = {
    "customer-obsessed": "  A customer-obsessed platform sets its fee at its cost per order plus a "
    "thin margin, so every saving from scale reaches sellers and buyers as lower prices.",
    "shareholder-focused": "  A shareholder-focused platform raises its fee as its share of all "
    "purchases (its power over the brands) grows.",
}


def has_platforms(result) -> bool:
    """Whether the run has platforms (a platform table with rows)."""
    platforms = result.tables.get("platforms")
    return platforms is not None and len(platforms) > 0


def has_owner_retail(result) -> bool:
    """Whether a platform's owner sold on it (its own retail arm): third-party share applies."""
    return bool((result.tables["platforms"]["owner_units"] > 0).any())


def has_connected(result) -> bool:
    """Whether any firm sells a connected experience."""
    firms = result.firms
    return "connected" in firms and bool((firms["connected"] != "none").any())


def platform_lines(result) -> list[str]:
    """The section on platforms and who owns the customer (plain words).

    Args:
        result: a :class:`~sim.runs.runner.RunResult` with platforms.

    Returns:
        Markdown lines: the disintermediation index, each platform and each brand's
        channels, the brands on platforms against the direct ones, and the third-party
        share against Amazon's figures where a platform's owner sells on it.
    """
    model, firms = result.model, result.firms
    platforms = result.tables["platforms"]
    window = compared_weeks(int(model["step"].max()))
    first_m, last_m = year_window(model, True, window), year_window(model, False, window)
    lines = ["", "## Platforms and who owns the customer", ""]
    lines.append(
        f"- The **disintermediation index** (share of all purchases made through a "
        f"platform) went from {first_m['disintermediation_index'].mean():.0%} in the "
        f"first {window} weeks to {last_m['disintermediation_index'].mean():.0%} in the "
        f"last {window}. A sale through a platform gives the platform, not the brand, the "
        "customer's habit and data."
    )
    for name, group in platforms.groupby("name", sort=False):
        lines += platform_story(name, group, window)
    lines += brand_channel_lines(firms, window)
    lines += channel_tradeoff_lines(firms, window)
    if has_owner_retail(result) and result.scenario.start_year:
        lines += third_party_share_lines(platforms, result.scenario.start_year)
    return lines


def platform_story(name: str, group: pd.DataFrame, window: int) -> list[str]:
    """One platform's fee, power, sales, sellers and members, and how its mindset sets fees."""
    opening, closing = year_window(group, True, window), year_window(group, False, window)
    end = group[group["step"] == group["step"].max()].iloc[0]
    kind, strategy = end["kind"], label(end["strategy"])
    text = (
        f"- **{name}** ({kind}, {strategy}): its fee went from "
        f"{opening['take_rate'].mean():.1%} to {closing['take_rate'].mean():.1%} of each "
        f"sale; it handled {closing['power'].iloc[-1]:.0%} of all purchases in its last "
        f"quarter and sold {dollars(closing['gmv'].sum())} in the last {window} weeks, "
        f"keeping {dollars(closing['take'].sum())} in fees."
    )
    if end["sellers"] or opening["sellers"].max():
        text += (
            f" Third-party sellers: {int(opening['sellers'].iloc[0])} -> "
            f"{int(end['sellers'])}; selection listed: {opening['selection'].iloc[0]:,.0f}"
            f" -> {end['selection']:,.0f} items."
        )
    if end["members"]:
        members = count(int(end["members"]), "consumer")
        text += f" {members} {'is a member' if int(end['members']) == 1 else 'are members'}"
        text += " of its programme."
    if not end["alive"]:
        text += " It closed (cash negative for too long)."
    return [text, *([PLATFORM_FEES[strategy]] if strategy in PLATFORM_FEES else [])]


def brand_channel_lines(firms: pd.DataFrame, window: int) -> list[str]:
    """Each live brand's units through platforms, fees paid and customers it owns."""
    lines = []
    closing_firms = year_window(firms[firms["alive"]], False, window)
    for firm_name, group in closing_firms.groupby("name", sort=False):
        units = group["units"].sum()
        if not units:
            continue
        through = group["platform_units"].sum() / units
        revenue = group["revenue"].sum()
        fees = group["platform_fees"].sum() / revenue if revenue else 0.0
        end = group.iloc[-1]
        owned = int(end["owned_customers"])
        relationship = (
            f"it owns the relationship with {owned:,} customers"
            if end["direct_units"] or owned
            else "every one of its customers' relationships belongs to the platform"
        )
        lines.append(
            f"- {firm_name} ({end['channels']}): {through:.0%} of its units went through "
            f"platforms in the last {window} weeks, paying {fees:.1%} of revenue in fees; "
            f"{relationship}."
        )
    return lines


def third_party_share_lines(platforms: pd.DataFrame, start_year: int) -> list[str]:
    """Third-party sellers' share by year on each owned marketplace, against Amazon's letter."""
    owned = platforms[platforms["owner_units"] > 0]
    lines = ["", "### Third-party sellers' share, against Amazon's own figures", ""]
    for name in owned["name"].unique():
        table = compare_to_reference(third_party_share_by_year(platforms, start_year, name))
        if not table["model"].notna().any():
            continue
        lines += [
            f"Model ({name}) against the 2018 shareholder letter:",
            "",
            "| year | letter | model | gap |",
            "|---|---|---|---|",
        ]
        for row in table.itertuples():
            lines.append(
                f"| {row.year} | {row.reference:.0%} | {row.model:.0%} | "
                f"{row.error * 100:+.0f} pts |"
            )
        lines += ["", f"Root mean squared gap: {rmse(table) * 100:.1f} percentage points."]
    return lines


def _group_window(firms: pd.DataFrame, first: bool, weeks: int) -> pd.DataFrame:
    window = year_window(firms[firms["step"] > 0], first, weeks)
    grouped = window.groupby("group")
    out = grouped[["units", "revenue", "variable_cost", "platform_fees", "operating_profit"]].sum()
    out["firms"] = grouped["firm_id"].nunique()
    out["margin"] = (out["revenue"] - out["variable_cost"] - out["platform_fees"]) / out[
        "revenue"
    ].where(out["revenue"] > 0)
    last = window[window["step"] == window["step"].max()].groupby("group")
    out["owned"] = last["owned_customers"].mean()
    out["knowledge"] = last["knowledge"].mean()
    return out


TRADEOFF_ROWS = (
    ("units sold", "units", "{:,.0f}", True),
    ("operating profit", "operating_profit", "${:,.0f}", True),
    ("margin after fees", "margin", "{:.0%}", False),
    ("customers owned (bought direct last)", "owned", "{:,.0f}", False),
    ("knowledge of customers (0-1)", "knowledge", "{:.2f}", False),
)


def channel_tradeoff_lines(firms: pd.DataFrame, window: int) -> list[str]:
    """Compare brands that sold through platforms with brands that stayed direct.

    Args:
        firms: the firm table.
        window: weeks in the opening and closing windows.

    Returns:
        Markdown lines; none unless both groups exist (first-party retail arms, which
        sell only on their own platform, are left out).
    """
    sold = firms.groupby("firm_id").agg(
        through=("platform_units", "sum"), direct=("direct_units", "sum")
    )
    mixed = sold.index[(sold["through"] > 0) & (sold["direct"] > 0)]
    direct_only = sold.index[sold["through"] == 0]
    if not len(mixed) or not len(direct_only):
        return []
    data = firms[firms["firm_id"].isin(mixed.union(direct_only))].copy()
    data["group"] = np.where(data["firm_id"].isin(mixed), "platform", "direct")
    opening, closing = _group_window(data, True, window), _group_window(data, False, window)

    def per_firm(table, group, column):
        return table.loc[group, column] / table.loc[group, "firms"]

    lines = [
        "",
        "### Join the platform, or keep the customer?",
        "",
        f"Brands that also sold through a platform ({len(mixed)}) against brands that "
        f"stayed direct ({len(direct_only)}), per brand, first and last {window} weeks:",
        "",
        "| | through platforms: first | last | direct only: first | last |",
        "|---|---|---|---|---|",
    ]
    for row_label, column, fmt, per in TRADEOFF_ROWS:
        cells = []
        for group, table in (
            ("platform", opening),
            ("platform", closing),
            ("direct", opening),
            ("direct", closing),
        ):
            value = per_firm(table, group, column) if per else table.loc[group, column]
            cells.append(fmt.format(value) if pd.notna(value) else "-")
        lines.append(f"| {row_label} | " + " | ".join(cells) + " |")
    more_units = per_firm(closing, "platform", "units") > per_firm(closing, "direct", "units")
    profit_first = per_firm(opening, "platform", "operating_profit") > per_firm(
        opening, "direct", "operating_profit"
    )
    profit_last = per_firm(closing, "platform", "operating_profit") > per_firm(
        closing, "direct", "operating_profit"
    )
    verdict = (
        "sell more" if more_units else "sell less",
        "earned more at first" if profit_first else "earned less at first",
        "and still do at the end" if profit_last == profit_first else "but not at the end",
    )
    lines += [
        "",
        f"Brands on the platform {verdict[0]} than those that stayed direct, "
        f"{verdict[1]} {verdict[2]}. Each sale through the platform hands it the "
        "customer's habit and data and costs a fee, so what they gain in reach they pay "
        "for in relationships, knowledge and margin; the direct brands keep those.",
    ]
    return lines


def connected_lines(result) -> list[str]:
    """The section on connected strategy (share and fit, start against end)."""
    firms = result.firms
    window = compared_weeks(int(result.model["step"].max()))
    opening = year_window(firms[firms["step"] > 0], True, window)
    closing = year_window(firms[firms["step"] > 0], False, window)
    lines = ["", "## Connected strategy", ""]
    share_first = opening.groupby("name")["units"].sum() / max(opening["units"].sum(), 1)
    share_last = closing.groupby("name")["units"].sum() / max(closing["units"].sum(), 1)
    kinds = firms.groupby("name")["connected"].first()
    fit = closing[closing["step"] == closing["step"].max()].set_index("name")["fit"]
    for name in kinds.index:
        lines.append(
            f"- {name} ({kinds[name].replace('_', ' ')}): {share_first.get(name, 0):.0%} of "
            f"units in the first {window} weeks, {share_last.get(name, 0):.0%} in the last; "
            f"the fit of its own customers is {fit.get(name, 0.0):.2f} "
            "(0 = no personalisation, 1 = perfect)."
        )
    connected = kinds.index[kinds != "none"]
    plain = kinds.index[kinds == "none"]
    if len(connected) and len(plain):
        gap_first = share_first.reindex(connected).mean() - share_first.reindex(plain).mean()
        gap_last = share_last.reindex(connected).mean() - share_last.reindex(plain).mean()
        change = "widened" if gap_last > gap_first + 0.01 else "did not widen"
        lines += [
            "",
            f"The connected firms' average lead over the unconnected ones {change}, from "
            f"{gap_first * 100:+.0f} to {gap_last * 100:+.0f} percentage points of units. "
            "Every direct interaction teaches a firm about that customer, and a connected "
            "relationship teaches it twice as much; better fit brings more purchases and more "
            "customers, which bring more learning.",
        ]
    return lines


def draw_take_rate(result):
    """``platform_take_rate.png``: each platform's fee over time."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_platform_take_rate(result.tables["platforms"], ax, result.scenario.start_year)
    return fig


def draw_sellers(result):
    """``platform_sellers_selection.png``: third-party sellers and selection listed."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_platform_sellers(result.tables["platforms"], ax, result.scenario.start_year)
    return fig


def draw_disintermediation(result):
    """``disintermediation.png``: the share of purchases made through a platform."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_disintermediation(result.model, result.firms, ax, result.scenario.start_year)
    return fig


def draw_third_party_share(result):
    """``third_party_share.png``: third-party share by year, with Amazon's figures if dated."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    start_year = result.scenario.start_year
    plot_third_party_share(
        result.tables["platforms"], start_year if start_year else 1, None if start_year else {}, ax
    )
    return fig


def draw_connected(result):
    """``connected_strategy.png``: each firm's share and its customers' fit (two panels)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_connected(result.firms, axes, result.scenario.start_year)
    return fig
