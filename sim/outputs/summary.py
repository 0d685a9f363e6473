"""The plain-language summary of a run (``summary.md``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.mechanics.value import shareholder_value
from sim.outputs.report_length import described_with_run_length
from sim.outputs.sections.defences import defence_lines

WEEKS_PER_YEAR = 52


def _label(strategy: str) -> str:
    return strategy.replace("_", "-")


def dollars(value: float) -> str:
    """Dollars in words a reader scans: ``-$58 thousand``, ``$1.20 million``, ``$3.50``."""
    sign = "-" if value < 0 else ""
    size = abs(value)
    if size >= 1e15:
        return f"{sign}${size:.3g}"
    if size >= 1e12:
        return f"{sign}${size / 1e12:,.2f} trillion"
    if size >= 1e6:
        return f"{sign}${size / 1e6:,.2f} million"
    if size >= 1e4:
        return f"{sign}${size / 1e3:,.0f} thousand"
    return f"{sign}${size:,.2f}"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 consumer``, ``2 consumers``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def still_in_market(alive: int, firms: int) -> str:
    """``1 of 5 is still in the market``, ``3 of 5 are ...``."""
    return f"{alive} of {firms} {'is' if alive == 1 else 'are'} still in the market"


def share_change(before: float, after: float) -> str:
    """How a share moved, in words: ``grew from 20% to 45%``, ``held at 100%``."""
    if round(before * 100) == round(after * 100):
        return f"held at {after:.0%}"
    verb = "grew" if after > before + 0.01 else "fell" if after < before - 0.01 else "held"
    if verb == "held":
        return f"held near {after:.0%} ({before:.0%} -> {after:.0%})"
    return f"{verb} from {before:.0%} to {after:.0%}"


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
    from sim.outputs.firm_groups import firm_group

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


def summary(result) -> str:
    """Write what happened in a run, in words a student understands.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

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
        f"_{described_with_run_length(scenario.description, steps, scenario.start_year)}_"
        if scenario.description
        else "",
        "",
        f"{_count(len(final), 'firm')}, {_count(scenario.consumers.count, 'consumer')}, "
        f"{steps} weeks "
        f"({years:.1f} years), seed {result.seed}. The first and last "
        f"{window} weeks are compared below.",
        "",
        "## Who won the customers",
        "",
    ]
    for strategy in closing.index.union(opening.index):
        before = opening["share"].get(strategy, 0.0)
        after = closing["share"].get(strategy, 0.0)
        lines.append(f"- **{_label(strategy)}** firms {share_change(before, after)} of units sold.")
    lines += group_share_lines(firms, scenario, window)
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
                f"- **{_label(strategy)}**: opened at an average price of {dollars(o['price'])} "
                f"on a unit cost of {dollars(o['unit_cost'])}; none were left selling at the end."
            )
            continue
        c = closing.loc[strategy]
        o = opening.loc[strategy] if strategy in opening.index else c
        margin_before = o["price"] / o["unit_cost"] - 1 if o["unit_cost"] else 0.0
        margin_after = c["price"] / c["unit_cost"] - 1 if c["unit_cost"] else 0.0
        lines.append(
            f"- **{_label(strategy)}**: average price paid went from {dollars(o['price'])} to "
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
            f"- **{_label(strategy)}** firms paid out {dollars(group['cumulative_payout'].sum())} "
            f"to shareholders in all and hold {dollars(group['cash'].sum())} in cash; "
            f"{still_in_market(int(group['alive'].sum()), len(group))}."
        )
    exits = firms[~firms["alive"]].groupby("firm_id").first().sort_values("step")
    if len(exits):
        lines.append("")
        lines.append(
            "Firms that left the market (in debt beyond their credit line, or irrelevant):"
        )
        lines.append("")
        for _, row in exits.iterrows():
            lines.append(
                f"- {row['name']} ({_label(row['strategy'])}) in week {int(row['step'])} "
                f"(year {row['step'] / WEEKS_PER_YEAR:.1f})."
            )
    else:
        lines.append("- No firm left the market.")
    lines += lifecycle_sections(result)
    if scenario.entry.rate_per_year > 0:
        from sim.outputs.sections.industry import industry_summary

        lines += ["", industry_summary(firms)]
    lines += platform_lines(result)
    from sim.outputs.sections.research import research_lines

    lines += research_lines(result)
    lines += defence_lines(result)
    from sim.outputs.sections.trust import trust_lines

    lines += trust_lines(result)
    lines += [
        "",
        "Figures: `figures/market_share.png`, `figures/price_vs_cost.png`, "
        "`figures/experience_and_satisfaction.png`, `figures/cash_and_payouts.png`, "
        "`figures/vitality.png`, `figures/awareness.png`, `figures/tenure.png`, "
        "`figures/value.png`. "
        "Tables: `model.parquet` (one row per week), `firms.parquet` (one row per firm per week), "
        "`events.parquet` (one row per life-cycle event).",
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
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Markdown lines (none when the run has neither platforms nor a flywheel table).
    """
    from sim.outputs.calibration import compare_to_reference, rmse, third_party_share_by_year

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
                members = _count(int(end["members"]), "consumer")
                text += f" {members} {'is a member' if int(end['members']) == 1 else 'are members'}"
                text += " of its programme."
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
        lines += channel_tradeoff_lines(firms, window)
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
    from sim.outputs.sections.platform_moves import platform_moves_lines

    lines += platform_moves_lines(result)
    if flywheel is not None and len(flywheel) and flywheel["loop_gain"].notna().any():
        lines += ["", "## The flywheel meter", ""]
        lines.append(
            "Each quarter the meter measures every link of the loop as an elasticity (how many "
            "% the next node moves when this one moves 1%), by an experiment on the agent whose "
            "behaviour the link is: consumers on a panel, the cost curve, the strategy deciding "
            "again with its cost moved, the sellers' entry. A loop's gain is the product of its "
            "links; the flywheel's **loop gain** is the sum of the gains of the loops an agent "
            "has (the scale loop volume -> cost -> price -> traffic, and for a marketplace also "
            "the selection loop traffic -> sellers -> selection -> traffic). Above 0 the loop "
            "reinforces itself; the higher, the faster the flywheel turns. The rolling-window "
            "estimate from the series themselves is kept beside it as `observed_*`."
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
                    f"- {agent} **{name}**: median loop gain {_gain(early)} in the first half "
                    f"of the quarters measured, {_gain(late)} in the second ({trend})."
                    + zero_links_note(group)
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
                lines.append(
                    f"  {name}'s links, median of the last four quarters measured: {links}."
                )
    if "connected" in firms and (firms["connected"] != "none").any():
        lines += connected_lines(firms, window)
    if lines:
        figures, tables = [], []
        if platforms is not None and len(platforms):
            figures += ["platform_take_rate", "platform_sellers_selection", "disintermediation"]
            if (platforms["owner_units"] > 0).any():
                figures.append("third_party_share")
            tables.append("`platforms.parquet` (one row per platform per week)")
        if flywheel is not None and len(flywheel) and flywheel["loop_gain"].notna().any():
            figures += ["flywheel_loop_gain", "flywheel_links"]
            tables.append("`flywheel.parquet` (one row per firm and platform per quarter)")
        if "connected" in firms and (firms["connected"] != "none").any():
            figures.append("connected_strategy")
        named = ", ".join(f"`figures/{name}.png`" for name in figures)
        lines += ["", f"Figures: {named}. Tables: {'; '.join(tables)}." if tables else ""]
    return lines


ZERO_LINK_REASONS = {
    "e_volume_to_cost": "volume does not lower its cost (no learning, or below its "
    "reference volume)",
    "e_cost_to_price": "its price does not follow its cost (a fee at its cap or floor, "
    "or a price held)",
    "e_traffic_to_sellers": "sellers do not respond to traffic",
}


def _gain(value: float) -> str:
    """A loop gain with three significant digits, never in exponent notation."""
    if value == 0:
        return "0"
    return np.format_float_positional(value, precision=3, fractional=False, sign=True)


def zero_links_note(group: pd.DataFrame) -> str:
    """Why an agent's loop gain is 0 in most quarters: the links that measured 0."""
    if not (group["loop_gain"] == 0).mean() > 0.5:
        return ""
    reasons = [
        reason
        for column, reason in ZERO_LINK_REASONS.items()
        if column in group and (group[column] == 0).mean() > 0.5
    ]
    return f" Its gain is 0 in most quarters: {'; '.join(reasons)}." if reasons else ""


def _group_window(firms: pd.DataFrame, first: bool, weeks: int) -> pd.DataFrame:
    window = _year_window(firms[firms["step"] > 0], first, weeks)
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
    rows = [
        ("units sold", "units", "{:,.0f}", True),
        ("operating profit", "operating_profit", "${:,.0f}", True),
        ("margin after fees", "margin", "{:.0%}", False),
        ("customers owned (bought direct last)", "owned", "{:,.0f}", False),
        ("knowledge of customers (0-1)", "knowledge", "{:.2f}", False),
    ]
    for label, column, fmt, per in rows:
        cells = []
        for table_group in (
            ("platform", opening),
            ("platform", closing),
            ("direct", opening),
            ("direct", closing),
        ):
            group, table = table_group
            value = per_firm(table, group, column) if per else table.loc[group, column]
            cells.append(fmt.format(value) if pd.notna(value) else "-")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
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


def connected_lines(firms: pd.DataFrame, window: int) -> list[str]:
    """The summary's section on connected strategy (share and fit, start against end)."""
    opening = _year_window(firms[firms["step"] > 0], True, window)
    closing = _year_window(firms[firms["step"] > 0], False, window)
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


# ---------------------------------------------------------------------------
# Day 1 and Day 2, entry and exit, tenure, long-run value

STAGE_WORDS = {
    "stasis": "stasis (Day 2 begins)",
    "irrelevance": "irrelevance",
    "decline": "decline",
    "death": "death",
}
SP500_TENURE = "33 years in 1964, 24 in 2016, about 12 forecast for 2027 (Innosight 2018)"


def _year(step: float) -> str:
    return f"year {step / WEEKS_PER_YEAR:.1f}"


def stage_stories(events: pd.DataFrame) -> list[str]:
    """One line per firm that went through any Day 2 stage, stages in order of time.

    Args:
        events: the events table.

    Returns:
        Markdown bullet lines.
    """
    stages = events[events["event"].isin([*STAGE_WORDS, "renewal"])]
    lines = []
    for (_, name), group in stages.groupby(["firm_id", "name"], sort=False):
        parts = []
        for _, row in group.sort_values("step", kind="stable").iterrows():
            if row["event"] == "death":
                parts.append(f"death in {_year(row['step'])} ({row['detail']})")
            elif row["event"] == "renewal":
                parts.append(f"back to Day 1 in {_year(row['step'])} (vitality {row['value']:.2f})")
            elif row["event"] == "stasis":
                parts.append(
                    f"{STAGE_WORDS['stasis']} in {_year(row['step'])} (vitality {row['value']:.2f})"
                )
            else:
                parts.append(f"{STAGE_WORDS[row['event']]} in {_year(row['step'])}")
        strategy = _label(group["strategy"].iloc[0])
        lines.append(f"- **{name}** ({strategy}): " + "; ".join(parts) + ".")
    return lines


BEZOS_ORDER = ("stasis", "irrelevance", "decline", "death")
NO_STAGES = "- No firm went through stasis, irrelevance, decline or death."


def follows_bezos(stages: list[str]) -> bool:
    """True when a firm's Day-2 stages came in Bezos' order, as far as it went.

    Args:
        stages: the firm's stage events in time order (``renewal`` and repeats allowed).

    Returns:
        Whether the first time of each stage it reached was stasis, then irrelevance,
        then decline, then death, with none skipped.
    """
    first = list(dict.fromkeys(stage for stage in stages if stage in BEZOS_ORDER))
    return first == list(BEZOS_ORDER[: len(first)])


def bezos_sequence_line(events: pd.DataFrame) -> str:
    """How many firms went through Day 2 in Bezos' order, and how many never in stasis.

    Args:
        events: the events table.

    Returns:
        One Markdown bullet introducing the per-firm stage stories.
    """
    stages = events[events["event"].isin(BEZOS_ORDER)].sort_values("step", kind="stable")
    by_firm = stages.groupby("firm_id", sort=False)["event"].agg(list)
    followed = sum(follows_bezos(firm) for firm in by_firm)
    without_stasis = sum("stasis" not in firm for firm in by_firm)
    n = len(by_firm)
    text = (
        "- Bezos' sequence is stasis, then irrelevance, then decline, then death. "
        f"Of the {_count(n, 'firm')} that reached any of these stages, {followed} "
        f"went through them in that order (as far as they got)"
    )
    if without_stasis:
        text += f"; {without_stasis} reached a later stage without ever being in stasis"
    return text + ". Each firm's stages, in the order they happened:"


def value_by_mindset(firms: pd.DataFrame) -> pd.DataFrame:
    """Per-firm means by strategy at every quarter end, for the long-run value comparison.

    Shareholder value of a firm is what its shareholders have received, less what they
    put in, plus what their shares are worth (payouts - equity raised + market value);
    customer value is the
    consumer surplus attributed to it so far. Firms count from their entry on, dead
    firms with a market value of zero.

    Args:
        firms: the firm table.

    Returns:
        Columns ``step, strategy, shareholder_value, customer_value, firms``.
    """
    ends = firms[(firms["step"] % 13 == 0) & (firms["step"] > 0)].copy()
    ends["shareholder_value"] = shareholder_value(
        ends["cumulative_payout"], ends["market_value"], ends.get("cumulative_equity", 0.0)
    )
    grouped = ends.groupby(["step", "strategy"])
    table = grouped.agg(
        shareholder_value=("shareholder_value", "mean"),
        customer_value=("cumulative_customer_value", "mean"),
        firms=("firm_id", "nunique"),
    )
    return table.reset_index()


def leader_flip(table: pd.DataFrame, column: str) -> tuple[str, float | None, str | None, int]:
    """Which strategy leads on ``column`` at the end, and when the lead last changed.

    Args:
        table: output of :func:`value_by_mindset`.
        column: ``shareholder_value`` or ``customer_value``.

    Returns:
        ``(leader at the end, step from which it has led (None if it always led),
        the leader just before that (or None), number of changes of lead)``.
    """
    pivot = table.pivot(index="step", columns="strategy", values=column)
    pivot = pivot.dropna(how="all")
    leaders = pivot.idxmax(axis=1)
    final = leaders.iloc[-1]
    changes = int((leaders != leaders.shift()).iloc[1:].sum())
    differing = leaders[leaders != final]
    if differing.empty:
        return final, None, None, changes
    last_other = differing.index.max()
    later = leaders.index[leaders.index > last_other]
    return final, float(later.min()), differing.loc[last_other], changes


def lifecycle_sections(result) -> list[str]:
    """Summary sections on Day 1 and Day 2, entry, exit, tenure and long-run value.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Markdown lines (empty when the run has no life-cycle columns).
    """
    firms, model = result.firms, result.model
    events = result.tables.get("events")
    if events is None or "vitality" not in firms.columns:
        return []
    scenario = result.scenario
    steps = int(model["step"].max())
    lines = ["", "## Day 1 and Day 2", ""]
    threshold = scenario.vitality.stasis_threshold
    start = firms[firms["step"] == firms.groupby("firm_id")["step"].transform("min")]
    last_alive = firms[firms["alive"]].sort_values("step").groupby("firm_id").tail(1)
    for strategy in sorted(firms["strategy"].unique()):
        before = start[start["strategy"] == strategy]["vitality"].mean()
        after = last_alive[last_alive["strategy"] == strategy]["vitality"].mean()
        lines.append(
            f"- **{_label(strategy)}** firms: mean vitality {before:.2f} at start, "
            f"{after:.2f} at the end (or when they left)."
        )
    stories = stage_stories(events)
    n_firms = firms["firm_id"].nunique()
    in_stasis = events[events["event"] == "stasis"]["firm_id"].nunique()
    lines.append(
        f"- {in_stasis} of {n_firms} firms fell below vitality {threshold:.2f} into Day 2 (stasis)."
    )
    lines.append(bezos_sequence_line(events) if stories else NO_STAGES)
    if stories:
        lines += ["", *stories]
    breakthroughs = events[events["event"] == "breakthrough"]
    experiments = last_alive.groupby("strategy")[["experiments", "successes"]].sum()
    if experiments["experiments"].sum() > 0:
        lines.append("")
        for strategy, row in experiments.iterrows():
            if row["experiments"] == 0:
                continue
            wins = breakthroughs[breakthroughs["strategy"] == strategy]
            lines.append(
                f"- **{_label(strategy)}** firms ran {int(row['experiments'])} experiments; "
                f"{int(row['successes'])} succeeded, {len(wins)} of them breakthroughs "
                "(10x the typical gain or more)."
            )
    lines += ["", "## Entry, exit and tenure at the top", ""]
    entries = events[events["event"] == "entry"]
    deaths = events[events["event"] == "death"]
    if len(entries):
        final = firms[firms["step"] == steps]
        survivors = final[final["firm_id"].isin(entries["firm_id"]) & final["alive"]]
        by_strategy = entries.groupby("strategy").size()
        described = ", ".join(f"{n} {_label(s)}" for s, n in by_strategy.items())
        lines.append(
            f"- {_count(len(entries), 'firm')} entered ({described}); {len(survivors)} "
            f"{'was' if len(survivors) == 1 else 'were'} still "
            "in the market at the end."
        )
    else:
        lines.append("- No firm entered.")
    if len(deaths):
        reasons = deaths.groupby("detail").size()
        described = ", ".join(f"{n} by {reason}" for reason, n in reasons.items())
        lines.append(f"- {_count(len(deaths), 'firm')} left the market: {described}.")
    k = scenario.lifecycle.top_k
    half = model[model["step"] > steps / 2]
    spells = events[events["event"] == "left_top_k"]["value"]
    tenure_line = (
        f"- Tenure at the top (the {k} firms with the highest trailing-year revenue): at "
        f"the end they had held their place {model['tenure_top_k'].iloc[-1]:.1f} years on "
        f"average, {half['tenure_top_k'].mean():.1f} years over the second half of the run"
    )
    if len(spells):
        tenure_line += (
            f"; the {len(spells)} spells that ended lasted {spells.mean():.1f} years on average"
        )
    lines.append(
        tenure_line + f". The run lasts {steps / WEEKS_PER_YEAR:.0f} years, which caps "
        f"every tenure. S&P 500 average tenure: {SP500_TENURE}."
    )
    from sim.outputs.sections.rivalry import rivalry_lines

    lines += rivalry_lines(result)
    lines += ["", "## Long-run value: customers and shareholders", ""]
    rate = scenario.lifecycle.discount_rate
    lines.append(
        "Shareholder value of a firm = payouts received - equity put in + market value, "
        "with market value "
        f"= cash + trailing-year operating profit / {rate:.0%} (earnings power, no growth "
        "assumed; never below zero). Customer value = the consumer surplus (logit "
        "log-sum, in $) attributed to the firm by each shopper's purchase chances. Both "
        "are per firm, averaged over the firms of each mindset, exited firms included."
    )
    lines.append("")
    table = value_by_mindset(firms)
    if table.empty:
        return lines
    end = table[table["step"] == table["step"].max()].set_index("strategy")
    for strategy, row in end.iterrows():
        tsr = last_alive[last_alive["strategy"] == strategy]["tsr"]
        final_tsr = firms[(firms["step"] == steps) & (firms["strategy"] == strategy)]["tsr"]
        lines.append(
            f"- **{_label(strategy)}** ({int(row['firms'])} "
            f"{'firm' if int(row['firms']) == 1 else 'firms'}): "
            f"{dollars(row['customer_value'])} to customers and "
            f"{dollars(row['shareholder_value'])} to shareholders per firm; median total "
            f"shareholder return {final_tsr.median():.0%}."
            if tsr.notna().any()
            else f"- **{_label(strategy)}**: no valuation yet."
        )
    if len(end) > 1:
        for column, audience in (
            ("customer_value", "customers"),
            ("shareholder_value", "shareholders"),
        ):
            leader, since, before, changes = leader_flip(table, column)
            sentence = (
                f"- Over the whole run, **{_label(leader)}** firms delivered more to "
                f"{audience} (dollars per firm)"
            )
            if since is None:
                sentence += ", judged at any horizon."
            else:
                sentence += (
                    f", but the answer depends on the horizon: judged at {_year(since - 13)} "
                    f"{_label(before)} firms were ahead; from {_year(since)} on, "
                    f"{_label(leader)} firms"
                )
                sentence += f" (the lead changed hands {changes} times)." if changes > 1 else "."
            lines.append(sentence)
    return lines
