"""The summary's section on the flywheel meter: each agent's loop gain and its links.

Written when the run measured the flywheel (``sim/components/flywheel.py``): its table
has a loop gain in at least one quarter.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.outputs.plots.platforms import links_agent, plot_flywheel_links, plot_loop_gain

FLYWHEEL_TABLE = "`flywheel.parquet` (one row per firm and platform per quarter)"
METER = (
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
ZERO_LINK_REASONS = {
    "e_volume_to_cost": "volume does not lower its cost (no learning, or below its "
    "reference volume)",
    "e_cost_to_price": "its price does not follow its cost (a fee at its cap or floor, "
    "or a price held)",
    "e_traffic_to_sellers": "sellers do not respond to traffic",
}


def has_flywheel(result) -> bool:
    """Whether the run measured a loop gain in any quarter."""
    flywheel = result.tables.get("flywheel")
    return flywheel is not None and len(flywheel) > 0 and bool(flywheel["loop_gain"].notna().any())


def gain_text(value: float) -> str:
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


def flywheel_lines(result) -> list[str]:
    """The section on the flywheel meter (plain words).

    Args:
        result: a :class:`~sim.runs.runner.RunResult` with a measured loop gain.

    Returns:
        Markdown lines: what the meter measures, each platform's and customer-obsessed
        firm's loop gain early and late, and a marketplace's links at the end.
    """
    flywheel = result.tables["flywheel"]
    lines = ["", "## The flywheel meter", "", METER]
    for (agent, name), group in flywheel.groupby(["agent", "name"], sort=False):
        gains = group["loop_gain"].dropna()
        if len(gains) < 2:
            continue
        half = len(gains) // 2
        early, late = gains.iloc[:half].median(), gains.iloc[half:].median()
        trend = "rose" if late > early + 0.01 else "fell" if late < early - 0.01 else "held"
        if agent == "platform" or group["strategy"].iloc[0] == "customer_obsessed":
            lines.append(
                f"- {agent} **{name}**: median loop gain {gain_text(early)} in the first half "
                f"of the quarters measured, {gain_text(late)} in the second ({trend})."
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
            lines.append(f"  {name}'s links, median of the last four quarters measured: {links}.")
    return lines


def draw_loop_gain(result):
    """``flywheel_loop_gain.png``: each agent's measured loop gain by quarter."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_loop_gain(result.tables["flywheel"], ax, result.scenario.start_year)
    return fig


def draw_links(result):
    """``flywheel_links.png``: the links of the agent whose loop is shown."""
    flywheel = result.tables["flywheel"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_flywheel_links(flywheel, links_agent(flywheel), ax, result.scenario.start_year)
    return fig
