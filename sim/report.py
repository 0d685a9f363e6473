"""The plain-language summary of a run (``summary.md``)."""

from __future__ import annotations

import pandas as pd

WEEKS_PER_YEAR = 52


def _label(strategy: str) -> str:
    return strategy.replace("_", "-")


def _money(value: float) -> str:
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.2f} million"
    if abs(value) >= 1e4:
        return f"${value / 1e3:,.0f} thousand"
    return f"${value:,.2f}"


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
    return pd.DataFrame(rows).set_index("strategy")


def summary(result) -> str:
    """Write what happened in a run, in words a student understands.

    Args:
        result: a :class:`~sim.runner.RunResult`.

    Returns:
        Markdown text.
    """
    scenario, firms, model = result.scenario, result.firms, result.model
    steps = int(model["step"].max())
    years = steps / WEEKS_PER_YEAR
    window = min(WEEKS_PER_YEAR, max(steps // 2, 1))
    opening = window_means(firms, True, window)
    closing = window_means(firms, False, window)
    final = firms[firms["step"] == steps]
    lines = [
        f"# {scenario.name}: what happened",
        "",
        f"_{scenario.description}_" if scenario.description else "",
        "",
        f"{len(final)} firms, {scenario.consumers.count:,} consumers, {steps} weeks "
        f"({years:.1f} years), seed {result.seed}. The first and last "
        f"{window} weeks are compared below.",
        "",
        "## Who won the customers",
        "",
    ]
    for strategy in closing.index.union(opening.index):
        before = opening["share"].get(strategy, 0.0)
        after = closing["share"].get(strategy, 0.0)
        verb = "grew" if after > before + 0.01 else "fell" if after < before - 0.01 else "held"
        lines.append(
            f"- **{_label(strategy)}** firms {verb} from {before:.0%} to {after:.0%} of units sold."
        )
    sold = final[final["alive"]].sort_values("share", ascending=False)
    if len(sold):
        top = sold.iloc[0]
        lines.append(
            f"- The largest firm at the end is **{top['name']}** ({_label(top['strategy'])}), "
            f"with {top['share']:.0%} of the last week's units."
        )
    lines += ["", "## Prices and costs", ""]
    for strategy in opening.index.union(closing.index):
        if strategy not in closing.index:
            o = opening.loc[strategy]
            lines.append(
                f"- **{_label(strategy)}**: opened at an average price of {_money(o['price'])} "
                f"on a unit cost of {_money(o['unit_cost'])}; none were left selling at the end."
            )
            continue
        c = closing.loc[strategy]
        o = opening.loc[strategy] if strategy in opening.index else c
        margin_before = o["price"] / o["unit_cost"] - 1 if o["unit_cost"] else 0.0
        margin_after = c["price"] / c["unit_cost"] - 1 if c["unit_cost"] else 0.0
        lines.append(
            f"- **{_label(strategy)}**: average price paid went from {_money(o['price'])} to "
            f"{_money(c['price'])}; unit cost from {_money(o['unit_cost'])} to "
            f"{_money(c['unit_cost'])} (markup {margin_before:.0%} -> {margin_after:.0%})."
        )
    first_model = model[model["step"] > 0].head(window)
    last_model = model.tail(window)
    lines.append(
        f"- Across the market the average price paid moved from "
        f"{_money(first_model['mean_price'].mean())} to {_money(last_model['mean_price'].mean())}; "
        f"{last_model['outside_share'].mean():.0%} of shopping needs ended without a purchase "
        f"(was {first_model['outside_share'].mean():.0%})."
    )
    lines.append(
        f"- Consumer surplus per shopping trip went from "
        f"{_money(first_model['consumer_surplus'].mean())} to "
        f"{_money(last_model['consumer_surplus'].mean())}; concentration (HHI, 0 to 1) from "
        f"{first_model['hhi'].mean():.2f} to {last_model['hhi'].mean():.2f}."
    )
    lines += ["", "## Experience and satisfaction", ""]
    expectation_rise = model["mean_expectation"].iloc[-1] - model["mean_expectation"].iloc[0]
    lines.append(
        f"- Customers' expectations rose by {expectation_rise:.2f} experience units: "
        "what delighted them once became the baseline."
    )
    for strategy in closing.index:
        c = closing.loc[strategy]
        o = opening.loc[strategy] if strategy in opening.index else c
        lines.append(
            f"- **{_label(strategy)}** firms delivered experience {o['experience']:.2f} -> "
            f"{c['experience']:.2f}; their buyers' satisfaction (experience minus expectation) "
            f"was {c['satisfaction']:+.2f} at the end."
        )
    lines += ["", "## Cash, payouts and exits", ""]
    for strategy, group in final.groupby("strategy"):
        lines.append(
            f"- **{_label(strategy)}** firms paid out {_money(group['cumulative_payout'].sum())} "
            f"to shareholders in all and hold {_money(group['cash'].sum())} in cash; "
            f"{int(group['alive'].sum())} of {len(group)} are still in the market."
        )
    exits = firms[~firms["alive"]].groupby("firm_id").first().sort_values("step")
    if len(exits):
        lines.append("")
        lines.append("Firms that left the market (cash negative for too long):")
        lines.append("")
        for _, row in exits.iterrows():
            lines.append(
                f"- {row['name']} ({_label(row['strategy'])}) in week {int(row['step'])} "
                f"(year {row['step'] / WEEKS_PER_YEAR:.1f})."
            )
    else:
        lines.append("- No firm left the market.")
    lines += [
        "",
        "Figures: `figures/market_share.png`, `figures/price_vs_cost.png`, "
        "`figures/experience_and_satisfaction.png`, `figures/cash_and_payouts.png`. "
        "Tables: `model.parquet` (one row per week), `firms.parquet` (one row per firm per week).",
        "",
    ]
    return "\n".join(line for line in lines if line is not None)
