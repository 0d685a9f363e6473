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
        lines.append("Firms that left the market (cash negative for too long, or irrelevant):")
        lines.append("")
        for _, row in exits.iterrows():
            lines.append(
                f"- {row['name']} ({_label(row['strategy'])}) in week {int(row['step'])} "
                f"(year {row['step'] / WEEKS_PER_YEAR:.1f})."
            )
    else:
        lines.append("- No firm left the market.")
    lines += lifecycle_sections(result)
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


def value_by_mindset(firms: pd.DataFrame) -> pd.DataFrame:
    """Per-firm means by strategy at every quarter end, for the long-run value comparison.

    Shareholder value of a firm is what its shareholders have received plus what their
    shares are worth (cumulative payouts + market value); customer value is the
    consumer surplus attributed to it so far. Firms count from their entry on, dead
    firms with a market value of zero.

    Args:
        firms: the firm table.

    Returns:
        Columns ``step, strategy, shareholder_value, customer_value, firms``.
    """
    ends = firms[(firms["step"] % 13 == 0) & (firms["step"] > 0)].copy()
    ends["shareholder_value"] = ends["cumulative_payout"] + ends["market_value"]
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
        result: a :class:`~sim.runner.RunResult`.

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
    lines.append(
        "- Bezos' sequence is stasis, then irrelevance, then decline, then death. The "
        "stages each firm went through, in the order they happened:"
        if stories
        else "- No firm went through stasis, irrelevance, decline or death."
    )
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
            f"- {len(entries)} firms entered ({described}); {len(survivors)} were still "
            "in the market at the end."
        )
    else:
        lines.append("- No firm entered.")
    if len(deaths):
        reasons = deaths.groupby("detail").size()
        described = ", ".join(f"{n} by {reason}" for reason, n in reasons.items())
        lines.append(f"- {len(deaths)} firms left the market: {described}.")
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
    lines += ["", "## Long-run value: customers and shareholders", ""]
    rate = scenario.lifecycle.discount_rate
    lines.append(
        "Shareholder value of a firm = payouts received + market value, with market value "
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
            f"{_money(row['customer_value'])} to customers and "
            f"{_money(row['shareholder_value'])} to shareholders per firm; median total "
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
