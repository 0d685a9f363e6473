"""The opening of the summary: who won the customers, prices, experience, cash and exits.

Every run has these parts, whatever its switches; the sections of the mechanics that are
on follow them (:mod:`sim.outputs.sections`).
"""

from __future__ import annotations

import pandas as pd

from sim.outputs.firm_groups import firm_group
from sim.outputs.report_length import described_with_run_length
from sim.outputs.wording import (
    WEEKS_PER_YEAR,
    compared_weeks,
    count,
    dollars,
    label,
    share_change,
    still_in_market,
)


def window_means(firms: pd.DataFrame, first: bool, weeks: int) -> pd.DataFrame:
    """Per-strategy means over the first or the last ``weeks`` weeks (live firms).

    Args:
        firms: the firm table.
        first: True for the opening window, False for the closing one.
        weeks: window length in weeks.

    Returns:
        One row per strategy: share of units, quantity-weighted price, mean unit cost,
        mean experience and satisfaction.
    """
    steps = firms["step"][firms["step"] > 0]
    lo, hi = (
        (steps.min(), steps.min() + weeks - 1) if first else (steps.max() - weeks + 1, steps.max())
    )
    window = firms[(firms["step"] >= lo) & (firms["step"] <= hi) & firms["alive"]]
    total_units = window["units"].sum()
    rows = []
    for strategy, group in window.groupby("strategy"):
        units = group["units"].sum()
        rows.append(
            {
                "strategy": strategy,
                "share": units / total_units if total_units else 0.0,
                "price": (group["price"] * group["units"]).sum() / units
                if units
                else group["price"].mean(),
                "unit_cost": group["unit_cost"].mean(),
                "experience": group["experience"].mean(),
                "satisfaction": (group["satisfaction"] * group["units"]).sum() / units
                if units
                else 0.0,
            }
        )
    columns = ["strategy", "share", "price", "unit_cost", "experience", "satisfaction"]
    return pd.DataFrame(rows, columns=columns).set_index("strategy")  # no firm left: empty


def group_share_lines(firms: pd.DataFrame, scenario, weeks: int) -> list[str]:
    """Share of units by the scenario's firm groups, first against last window.

    Only where the groups tell more than the strategies (two groups of one strategy,
    entrants against incumbents); empty otherwise.

    Args:
        firms: the firm table.
        scenario: the run's scenario (its firm groups and entry templates).
        weeks: window length in weeks.

    Returns:
        Markdown bullet lines.
    """
    groups = firms["name"].map({n: firm_group(n, scenario) for n in firms["name"].unique()})
    table = firms.assign(strategy=groups)
    if groups.nunique() <= firms["strategy"].nunique():
        return []
    opening, closing = window_means(table, True, weeks), window_means(table, False, weeks)
    lines = []
    for group in dict.fromkeys(groups):
        before = opening["share"].get(group, 0.0)
        after = closing["share"].get(group, 0.0)
        lines.append(f"- Group **{group}** {share_change(before, after)} of units sold.")
    return lines


def market_story(result) -> list[str]:
    """The summary's title and its parts every run has, as Markdown lines.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        The title, the run's description and size, then who won the customers, prices
        and costs, experience and satisfaction, and cash, payouts and exits.
    """
    scenario, firms = result.scenario, result.firms
    steps = int(result.model["step"].max())
    window = compared_weeks(steps)
    opening = window_means(firms, True, window)
    closing = window_means(firms, False, window)
    final = firms[firms["step"] == steps]
    lines = [
        f"# {scenario.name}: what happened",
        "",
        f"_{described_with_run_length(scenario.description, steps, scenario.start_year)}_"
        if scenario.description
        else "",
        "",
        f"{count(len(final), 'firm')}, {count(scenario.consumers.count, 'consumer')}, "
        f"{steps} weeks "
        f"({steps / WEEKS_PER_YEAR:.1f} years), seed {result.seed}. The first and last "
        f"{window} weeks are compared below.",
        "",
    ]
    lines += customers_won(result, final, opening, closing, window)
    lines += prices_and_costs(result.model, opening, closing, window)
    lines += experience_and_satisfaction(result.model, opening, closing)
    lines += cash_payouts_and_exits(firms, final)
    return lines


def customers_won(
    result, final: pd.DataFrame, opening: pd.DataFrame, closing: pd.DataFrame, window: int
) -> list[str]:
    """Who won the customers: each strategy's (and firm group's) share, and the largest firm."""
    lines = ["## Who won the customers", ""]
    for strategy in closing.index.union(opening.index):
        before = opening["share"].get(strategy, 0.0)
        after = closing["share"].get(strategy, 0.0)
        lines.append(f"- **{label(strategy)}** firms {share_change(before, after)} of units sold.")
    lines += group_share_lines(result.firms, result.scenario, window)
    sold = final[final["alive"]].sort_values("share", ascending=False)
    if len(sold):
        top = sold.iloc[0]
        lines.append(
            f"- The largest firm at the end is **{top['name']}** ({label(top['strategy'])}), "
            f"with {top['share']:.0%} of the last week's units."
        )
    return lines


def prices_and_costs(
    model: pd.DataFrame, opening: pd.DataFrame, closing: pd.DataFrame, window: int
) -> list[str]:
    """Prices, unit costs and markups by strategy; the market's price, surplus and HHI."""
    lines = ["", "## Prices and costs", ""]
    for strategy in opening.index.union(closing.index):
        if strategy not in closing.index:
            o = opening.loc[strategy]
            lines.append(
                f"- **{label(strategy)}**: opened at an average price of {dollars(o['price'])} "
                f"on a unit cost of {dollars(o['unit_cost'])}; none were left selling at the end."
            )
            continue
        c = closing.loc[strategy]
        o = opening.loc[strategy] if strategy in opening.index else c
        margin_before = o["price"] / o["unit_cost"] - 1 if o["unit_cost"] else 0.0
        margin_after = c["price"] / c["unit_cost"] - 1 if c["unit_cost"] else 0.0
        lines.append(
            f"- **{label(strategy)}**: average price paid went from {dollars(o['price'])} to "
            f"{dollars(c['price'])}; unit cost from {dollars(o['unit_cost'])} to "
            f"{dollars(c['unit_cost'])} (markup {margin_before:.0%} -> {margin_after:.0%})."
        )
    first_model = model[model["step"] > 0].head(window)
    last_model = model.tail(window)
    lines.append(
        f"- Across the market the average price paid moved from "
        f"{dollars(first_model['mean_price'].mean())} to "
        f"{dollars(last_model['mean_price'].mean())}; "
        f"{last_model['outside_share'].mean():.0%} of shopping needs ended without a purchase "
        f"(was {first_model['outside_share'].mean():.0%})."
    )
    lines.append(
        f"- Consumer surplus per shopping trip went from "
        f"{dollars(first_model['consumer_surplus'].mean())} to "
        f"{dollars(last_model['consumer_surplus'].mean())}; concentration (HHI, 0 to 1) from "
        f"{first_model['hhi'].mean():.2f} to {last_model['hhi'].mean():.2f}."
    )
    return lines


def experience_and_satisfaction(
    model: pd.DataFrame, opening: pd.DataFrame, closing: pd.DataFrame
) -> list[str]:
    """How expectations rose, and the experience and satisfaction each strategy delivered."""
    lines = ["", "## Experience and satisfaction", ""]
    expectation_rise = model["mean_expectation"].iloc[-1] - model["mean_expectation"].iloc[0]
    lines.append(
        f"- Customers' expectations rose by {expectation_rise:.2f} experience units: "
        "what delighted them once became the baseline."
    )
    for strategy in closing.index:
        c = closing.loc[strategy]
        o = opening.loc[strategy] if strategy in opening.index else c
        lines.append(
            f"- **{label(strategy)}** firms delivered experience {o['experience']:.2f} -> "
            f"{c['experience']:.2f}; their buyers' satisfaction (experience minus expectation) "
            f"was {c['satisfaction']:+.2f} at the end."
        )
    return lines


def cash_payouts_and_exits(firms: pd.DataFrame, final: pd.DataFrame) -> list[str]:
    """Payouts and cash by strategy at the end, and every firm that left, in order."""
    lines = ["", "## Cash, payouts and exits", ""]
    for strategy, group in final.groupby("strategy"):
        lines.append(
            f"- **{label(strategy)}** firms paid out {dollars(group['cumulative_payout'].sum())} "
            f"to shareholders in all and hold {dollars(group['cash'].sum())} in cash; "
            f"{still_in_market(int(group['alive'].sum()), len(group))}."
        )
    exits = firms[~firms["alive"]].groupby("firm_id").first().sort_values("step")
    if not len(exits):
        return [*lines, "- No firm left the market."]
    lines += [
        "",
        "Firms that left the market (in debt beyond their credit line, or irrelevant):",
        "",
    ]
    for _, row in exits.iterrows():
        lines.append(
            f"- {row['name']} ({label(row['strategy'])}) in week {int(row['step'])} "
            f"(year {row['step'] / WEEKS_PER_YEAR:.1f})."
        )
    return lines
