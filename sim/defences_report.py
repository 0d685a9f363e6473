"""The summary's section on brand strength and channel defences (plain words)."""

from __future__ import annotations


def defence_lines(result) -> list[str]:
    """Brand strength of every firm at the end and, where used, its defences.

    Args:
        result: a :class:`~sim.runner.RunResult`.

    Returns:
        Markdown lines (a heading and one line per firm alive at the end).
    """
    firms = result.firms
    if "brand_strength" not in firms:
        return []
    final = firms[(firms["step"] == firms["step"].max()) & firms["alive"]]
    if final.empty:
        return []
    lines = [
        "",
        "## Brand strength",
        "",
        "Brand strength (the 1997 letter's measure) is the share of consumers who know a "
        "brand times what, on average, those who know it would pay for it over an unbranded "
        "copy at the same price: experience above expectations, habit, loyalty and fit. "
        "Measured at each quarter's close, in $ per consumer in the market.",
        "",
    ]
    spec = result.scenario.defences
    for _, row in final.sort_values("brand_strength", ascending=False).iterrows():
        text = f"- **{row['name']}**: brand strength ${row['brand_strength']:,.2f}"
        if spec.enabled:
            rows = firms[firms["firm_id"] == row["firm_id"]]
            costs = rows["incentive_cost"].sum() + rows["loyalty_cost"].sum()
            text += (
                f"; in its last week a loyalty rebate of ${row['loyalty_rebate']:,.2f} per unit "
                f"({int(row['loyalty_members']):,} members) and a direct incentive of "
                f"${row['direct_incentive']:,.2f}"
            )
            if row["channels"] not in ("direct", ""):
                text += (
                    f", listings at ${row['platform_price']:,.2f} against "
                    f"${row['price']:,.2f} direct"
                )
            text += f"; its defences cost ${costs:,.0f} over the run"
        lines.append(text + ".")
    return lines
