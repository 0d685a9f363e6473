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
    lines += platform_lines(result)
    lines += [
        "",
        "Figures: `figures/market_share.png`, `figures/price_vs_cost.png`, "
        "`figures/experience_and_satisfaction.png`, `figures/cash_and_payouts.png`. "
        "Tables: `model.parquet` (one row per week), `firms.parquet` (one row per firm per week).",
        "",
    ]
    return "\n".join(line for line in lines if line is not None)


# ---------------------------------------------------------------------------
# Platforms, disintermediation, the flywheel meter and connected strategy


def _year_window(table: pd.DataFrame, first: bool, weeks: int) -> pd.DataFrame:
    steps = table["step"][table["step"] > 0]
    if steps.empty:
        return table.iloc[0:0]
    lo, hi = (
        (steps.min(), steps.min() + weeks - 1) if first else (steps.max() - weeks + 1, steps.max())
    )
    return table[(table["step"] >= lo) & (table["step"] <= hi)]


def platform_lines(result) -> list[str]:
    """The summary's section on platforms, relationships and the flywheel (plain words).

    Args:
        result: a :class:`~sim.runner.RunResult`.

    Returns:
        Markdown lines (none when the run has neither platforms nor a flywheel table).
    """
    from sim.calibration import compare_to_reference, rmse, third_party_share_by_year

    tables, model, firms = result.tables, result.model, result.firms
    platforms = tables.get("platforms")
    flywheel = tables.get("flywheel")
    steps = int(model["step"].max())
    window = min(WEEKS_PER_YEAR, max(steps // 2, 1))
    lines: list[str] = []
    if platforms is not None and len(platforms):
        first_m, last_m = _year_window(model, True, window), _year_window(model, False, window)
        lines += ["", "## Platforms and who owns the customer", ""]
        lines.append(
            f"- The **disintermediation index** (share of all purchases made through a "
            f"platform) went from {first_m['disintermediation_index'].mean():.0%} in the "
            f"first {window} weeks to {last_m['disintermediation_index'].mean():.0%} in the "
            f"last {window}. A sale through a platform gives the platform, not the brand, the "
            "customer's habit and data."
        )
        for name, group in platforms.groupby("name", sort=False):
            opening, closing = _year_window(group, True, window), _year_window(group, False, window)
            end = group[group["step"] == group["step"].max()].iloc[0]
            kind, strategy = end["kind"], _label(end["strategy"])
            text = (
                f"- **{name}** ({kind}, {strategy}): its fee went from "
                f"{opening['take_rate'].mean():.1%} to {closing['take_rate'].mean():.1%} of each "
                f"sale; it handled {closing['power'].iloc[-1]:.0%} of all purchases in its last "
                f"quarter and sold {_money(closing['gmv'].sum())} in the last {window} weeks, "
                f"keeping {_money(closing['take'].sum())} in fees."
            )
            if end["sellers"] or opening["sellers"].max():
                text += (
                    f" Third-party sellers: {int(opening['sellers'].iloc[0])} -> "
                    f"{int(end['sellers'])}; selection listed: {opening['selection'].iloc[0]:,.0f}"
                    f" -> {end['selection']:,.0f} items."
                )
            if end["members"]:
                text += f" {int(end['members']):,} consumers are members of its programme."
            if not end["alive"]:
                text += " It closed (cash negative for too long)."
            lines.append(text)
            if strategy == "customer-obsessed":
                lines.append(
                    "  A customer-obsessed platform sets its fee at its cost per order plus a thin "
                    "margin, so every saving from scale reaches sellers and buyers as lower prices."
                )
            elif strategy == "shareholder-focused":
                lines.append(
                    "  A shareholder-focused platform raises its fee as its share of all purchases "
                    "(its power over the brands) grows."
                )
        closing_firms = _year_window(firms[firms["alive"]], False, window)
        for firm_name, group in closing_firms.groupby("name", sort=False):
            units = group["units"].sum()
            if not units:
                continue
            through = group["platform_units"].sum() / units
            revenue = group["revenue"].sum()
            fees = group["platform_fees"].sum() / revenue if revenue else 0.0
            end = group.iloc[-1]
            lines.append(
                f"- {firm_name} ({end['channels']}): {through:.0%} of its units went through "
                f"platforms in the last {window} weeks, paying {fees:.1%} of revenue in fees; it "
                f"owns the relationship with {int(end['owned_customers']):,} customers."
            )
        owned = platforms[platforms["owner_units"] > 0]
        if len(owned) and result.scenario.start_year:
            lines += ["", "### Third-party sellers' share, against Amazon's own figures", ""]
            for name in owned["name"].unique():
                share = third_party_share_by_year(platforms, result.scenario.start_year, name)
                table = compare_to_reference(share)
                if table["model"].notna().any():
                    lines.append(f"Model ({name}) against the 2018 shareholder letter:")
                    lines.append("")
                    lines.append("| year | letter | model | gap |")
                    lines.append("|---|---|---|---|")
                    for row in table.itertuples():
                        lines.append(
                            f"| {row.year} | {row.reference:.0%} | {row.model:.0%} | "
                            f"{row.error * 100:+.0f} pts |"
                        )
                    lines.append("")
                    lines.append(
                        f"Root mean squared gap: {rmse(table) * 100:.1f} percentage points."
                    )
    if flywheel is not None and len(flywheel) and flywheel["loop_gain"].notna().any():
        lines += ["", "## The flywheel meter", ""]
        lines.append(
            "Each quarter the meter measures every link of the loop as an elasticity (how many "
            "% the next node moves when this one moves 1%) and multiplies them round the loop. "
            "A loop gain above 0 means the loop reinforces itself; the higher, the faster the "
            "flywheel turns."
        )
        for (agent, name), group in flywheel.groupby(["agent", "name"], sort=False):
            gains = group["loop_gain"].dropna()
            if len(gains) < 2:
                continue
            half = len(gains) // 2
            early, late = gains.iloc[:half].median(), gains.iloc[half:].median()
            trend = "rose" if late > early + 0.01 else "fell" if late < early - 0.01 else "held"
            if agent == "platform" or group["strategy"].iloc[0] == "customer_obsessed":
                lines.append(
                    f"- {agent} **{name}**: median loop gain {early:+.3f} in the first half of "
                    f"the quarters measured, {late:+.3f} in the second ({trend})."
                )
        sellers = flywheel[flywheel["e_traffic_to_sellers"].notna()]
        if len(sellers):
            last = sellers.groupby("name").tail(4).groupby("name").median(numeric_only=True)
            for name, row in last.iterrows():
                links = (
                    f"traffic -> sellers {row['e_traffic_to_sellers']:+.2f}, "
                    f"sellers -> selection {row['e_sellers_to_selection']:+.2f}, "
                    f"selection -> traffic {row['e_selection_to_traffic']:+.2f}; "
                    f"volume -> lower cost {row['e_volume_to_cost']:+.2f}, "
                    f"cost -> price {row['e_cost_to_price']:+.2f}, "
                    f"lower price -> traffic {row['e_price_to_traffic']:+.2f}"
                )
                lines.append(f"  {name}'s links in its last year: {links}.")
    connected = (
        firms[(firms["connected"] != "none") & firms["alive"]] if "connected" in firms else None
    )
    if connected is not None and len(connected):
        closing = _year_window(firms[firms["alive"]], False, window)
        total = closing["units"].sum()
        lines += ["", "## Connected strategy", ""]
        for (name, kind), group in closing.groupby(["name", "connected"], sort=False):
            share = group["units"].sum() / total if total else 0.0
            lines.append(
                f"- {name} ({kind.replace('_', ' ')}): {share:.0%} of units in the last "
                f"{window} weeks; the fit of its own customers is {group['fit'].iloc[-1]:.2f} "
                f"(0 = no personalisation, 1 = perfect)."
            )
    if lines:
        lines += [
            "",
            "Figures: `figures/platform_take_rate.png`, `figures/platform_sellers_selection.png`, "
            "`figures/disintermediation.png`, `figures/third_party_share.png`, "
            "`figures/flywheel_loop_gain.png`, `figures/flywheel_links.png` (those that apply). "
            "Tables: `platforms.parquet` (one row per platform per week), `flywheel.parquet` "
            "(one row per firm and platform per quarter).",
        ]
    return lines
