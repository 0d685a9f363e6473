"""What a run with trust switched on shows: the trust gap, the remedies and what they cost.

Registered in :mod:`sim.outputs.sections` for runs whose firm table has the trust columns
(``sim/components/trust.py``); its figure is drawn when consumers doubted some firm.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from sim.outputs.plots.common import OTHER_COLOURS, _years
from sim.outputs.wording import WEEKS_PER_YEAR

REMEDIES = {
    "guarantee": "money-back trial",
    "free_returns": "free returns",
    "try_on": "home try-on",
    "reviews": "published reviews",
}
LINE_STYLES = ("-", "--", ":")


def signed_dollars(value: float) -> str:
    """``$5.62`` or ``-$0.53``."""
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def has_trust(result) -> bool:
    """Whether the run had trust switched on (its firm table has the trust columns)."""
    return "trust_gap" in result.firms.columns


def has_doubts(result) -> bool:
    """Whether consumers were ever unsure of some firm (else there is nothing to draw)."""
    return bool(doubted_firms(result.firms))


def doubted_firms(firms: pd.DataFrame) -> list[str]:
    """Firms consumers were ever unsure of (a belief spread above zero), in order of entry."""
    doubted = firms[firms["belief_sd"].fillna(0.0) > 0]
    return list(doubted.sort_values("step")["name"].drop_duplicates())


def plot_trust(firms: pd.DataFrame, axes=None):
    """Trust gap and trust costs of the firms consumers were unsure of, by quarter.

    Args:
        firms: the firm table of a run with trust on.
        axes: two Axes (created when None).

    Returns:
        The two Axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    left, right = axes
    alive = firms[firms["alive"] & (firms["step"] > 0)]
    quarter = (alive["step"] - 1) // 13
    for k, name in enumerate(doubted_firms(firms)):
        rows = alive[alive["name"] == name]
        by_quarter = rows.groupby(quarter[rows.index]).agg(
            step=("step", "max"), gap=("trust_gap", "mean"), cost=("trust_cost", "sum")
        )
        style = {
            "color": OTHER_COLOURS[k % len(OTHER_COLOURS)],
            "linestyle": LINE_STYLES[(k // len(OTHER_COLOURS)) % len(LINE_STYLES)],
            "linewidth": 2.0 if k == 0 else 1.2,
            "label": name,
        }
        left.plot(_years(by_quarter["step"]), by_quarter["gap"], **style)
        right.plot(_years(by_quarter["step"]), by_quarter["cost"] / 1000.0, **style)
    left.axhline(0.0, color="#777777", linewidth=0.8)
    left.set_xlabel("years")
    left.set_ylabel("$ per aware consumer")
    left.set_title("Trust gap: what doubt costs a firm in its buyers' eyes")
    right.set_xlabel("years")
    right.set_ylabel("thousand $ per quarter")
    right.set_title("Cost of remedies: refunds, kits, reviews, referral rewards")
    for ax in axes:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=True, fontsize=8)
    return axes


def draw_trust(result):
    """``trust.png``: trust gap and the remedies' cost of the doubted firms (two panels)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_trust(result.firms, axes)
    return fig


def trust_lines(result) -> list[str]:
    """Summary lines: each doubted firm's trust gap, remedies, returns and their cost."""
    firms = result.firms
    names = doubted_firms(firms)
    lines = ["", "## Trust before buying", ""]
    if not names:
        lines.append("- Consumers knew every firm's experience: nobody faced a trust gap.")
        return lines
    lines.append(
        "The trust gap is what consumers' doubt costs a firm, in $ per consumer aware of it "
        "(positive: they value it below what it delivers; negative: their beliefs run "
        "ahead of what it delivers now, as when its experience erodes after they learnt it)."
    )
    lines.append("")
    for name in names:
        rows = firms[(firms["name"] == name) & firms["alive"] & (firms["step"] > 0)]
        if rows.empty:
            continue
        first = rows[rows["step"] <= rows["step"].min() + WEEKS_PER_YEAR - 1]
        last = rows[rows["step"] > rows["step"].max() - WEEKS_PER_YEAR]
        span = rows["step"].max() - rows["step"].min() + 1
        later = (
            f", {signed_dollars(last['trust_gap'].mean())} in its last year in the market"
            if span >= 2 * WEEKS_PER_YEAR
            else ""
        )
        used = [label for column, label in REMEDIES.items() if rows[column].mean() >= 0.5]
        reward = rows["referral_reward"].mean()
        remedies = f"most of the time {', '.join(used)}" if used else "no remedy most of the time"
        lines.append(
            f"- **{name}**: trust gap {signed_dollars(first['trust_gap'].mean())} in its first "
            f"year{later}; money-back trial "
            f"in {first['guarantee'].mean():.0%} of its first year's weeks; {remedies}"
            f"{f'; referral reward ${reward:.2f} on average' if reward > 0 else ''}; "
            f"{rows['returns'].sum():,.0f} returned, ${rows['trust_cost'].sum():,.0f} "
            f"spent on remedies (${rows['referral_payments'].sum():,.0f} of it on referrals)."
        )
    lines += ["", "Figure: `figures/trust.png`."]
    return lines
