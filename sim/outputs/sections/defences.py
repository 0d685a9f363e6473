"""The summary's section on brand strength and channel defences (plain words), and its figure.

Written when the firm table has brand strength; a firm's defences are told, and drawn,
where the scenario switches them on (``defences.enabled``, ``sim/components/defences.py``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from sim.outputs.plots.common import WEEKS_PER_YEAR, quarterly


def has_brand_strength(result) -> bool:
    """Whether the run measured brand strength."""
    return "brand_strength" in result.firms


def brand_strength_drawn(result) -> bool:
    """Whether any firm's brand strength was ever above zero (else nothing to draw)."""
    return bool((result.firms["brand_strength"] > 0).any())


def defence_lines(result) -> list[str]:
    """Brand strength of every firm at the end and, where used, its defences.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Markdown lines (a heading and one line per firm alive at the end; none when no
        firm is alive at the end).
    """
    firms = result.firms
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
        strength = row["brand_strength"]
        sign = "-" if strength < 0 else ""
        text = f"- **{row['name']}**: brand strength {sign}${abs(strength):,.2f}"
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
    lines += ["", "Figure: `figures/brand_strength.png`."]
    return lines


def plot_brand_and_defences(firms, axes=None, with_defences: bool = True):
    """Brand strength of each firm and, where defences are on, what they cost it.

    Left: brand strength at each quarter's close ($ per consumer in the market). Right:
    each firm's quarterly spend on its direct incentive and loyalty programme ($
    thousand), solid, and its loyalty members, dotted on a second axis.

    Args:
        firms: the firm table.
        axes: one Axes (brand strength only) or two (created when None).
        with_defences: draw the right panel.

    Returns:
        The Axes drawn.
    """
    if axes is None:
        _, axes = plt.subplots(
            1, 2 if with_defences else 1, figsize=(12 if with_defences else 8, 4.5)
        )
    axes = list(axes) if with_defences else [axes]
    left = axes[0]
    closes = firms[(firms["step"] > 0) & (firms["step"] % 13 == 0) & firms["alive"]]
    colours = {}
    for name, group in closes.groupby("name", sort=False):
        (line,) = left.plot(
            group["step"] / WEEKS_PER_YEAR, group["brand_strength"], lw=1.4, label=name
        )
        colours[name] = line.get_color()
    left.axhline(0.0, color="#777777", linewidth=0.9, linestyle="--")
    left.set_ylabel("brand strength ($ per consumer)")
    left.set_title("Brand strength: reach x worth over an unbranded copy (< 0: less)")
    left.set_xlabel("years")
    left.legend(frameon=True, fontsize=8, loc="best")
    if not with_defences:
        return axes
    right = axes[1]
    spend = firms.assign(defence_cost=firms["incentive_cost"] + firms["loyalty_cost"])
    quarters = quarterly(spend, "defence_cost", how="sum")
    members = right.twinx()
    for name, group in quarters.groupby("name", sort=False):
        colour = colours.get(name)
        right.plot(
            group["step"] / WEEKS_PER_YEAR,
            group["defence_cost"] / 1e3,
            lw=1.4,
            color=colour,
            label=name,
        )
    for name, group in closes.groupby("name", sort=False):
        members.plot(
            group["step"] / WEEKS_PER_YEAR,
            group["loyalty_members"],
            lw=1.0,
            ls=":",
            color=colours.get(name),
        )
    right.set_ylim(bottom=0)
    members.set_ylim(bottom=0)
    right.set_ylabel("defence spend per quarter (thousand $)")
    members.set_ylabel("loyalty members (dotted)")
    right.set_title("Defending the direct channel: incentives and loyalty")
    right.set_xlabel("years")
    right.legend(frameon=True, fontsize=8, loc="upper left")
    return axes


def draw_brand_strength(result):
    """``brand_strength.png``: brand strength, with the defences' costs where they are on."""
    with_defences = bool(result.scenario.defences.enabled)
    if with_defences:
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    else:
        fig, axes = plt.subplots(figsize=(8, 4.5))
    plot_brand_and_defences(result.firms, axes, with_defences)
    return fig
