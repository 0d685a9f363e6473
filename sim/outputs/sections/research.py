"""The summary's section on research with noise (plain words), and its figure.

Written when the scenario's research is with noise (``research.enabled``,
``sim/components/research.py``).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

from sim.outputs.wording import WEEKS_PER_YEAR, dollars


def has_research(result) -> bool:
    """Whether the run's research is with noise."""
    return bool(result.scenario.research.enabled)


def research_lines(result) -> list[str]:
    """What each firm's research cost and how precise it was at the end of the run.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Markdown lines.
    """
    firms = result.firms
    end = firms[firms["step"] == firms["step"].max()]
    spent = firms.groupby("name")["research_spend"].sum()
    lines = [
        "",
        "## Market research with noise",
        "",
        "Each firm's research is a sample of the customers it owns (they last bought direct "
        "from it) and of respondents it surveys (free ones and those it pays for); every "
        "taste it sees carries a measurement error. The error is the standard deviation of "
        "its estimate of customers' mean log price sensitivity (0.10 is about 10%).",
        "",
    ]
    for _, row in end.iterrows():
        lines.append(
            f"- **{row['name']}**: owned {int(row['owned_customers']):,} customers; its last "
            f"research sampled {int(row['research_sample']):,} consumers with an error of "
            f"{row['research_error']:.3f}; it spent {dollars(spent[row['name']])} on research."
        )
    platforms = result.tables.get("platforms")
    if platforms is not None and len(platforms):
        last = platforms[platforms["step"] == platforms["step"].max()]
        for _, row in last.iterrows():
            if not math.isnan(row["research_error"]):
                lines.append(
                    f"- Platform **{row['name']}** learns from all {int(row['customers']):,} "
                    f"of its shoppers: {int(row['research_sample']):,} consumers, error "
                    f"{row['research_error']:.3f}."
                )
    lines += ["", "Figure: `figures/research.png`."]
    return lines


def plot_research(firms: pd.DataFrame, platforms: pd.DataFrame | None, axes=None):
    """Research precision and owned customers per firm over time (two panels).

    Left: each firm's research error (sd of its estimate of mean log price sensitivity;
    platforms dashed). Right: the customers each firm owns (last bought direct from it),
    the data its research studies.

    Args:
        firms: the firm table.
        platforms: the platform table, or None.
        axes: two Axes (created when None).

    Returns:
        The two Axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    left, right = axes
    rows = firms[firms["step"] > 0]
    for name, group in rows.groupby("name", sort=False):
        years = group["step"] / WEEKS_PER_YEAR
        (line,) = left.plot(years, group["research_error"], lw=1.4, label=name)
        right.plot(years, group["owned_customers"], lw=1.4, color=line.get_color(), label=name)
    if platforms is not None and len(platforms):
        shown = platforms[(platforms["step"] > 0) & platforms["research_error"].notna()]
        for name, group in shown.groupby("name", sort=False):
            left.plot(
                group["step"] / WEEKS_PER_YEAR,
                group["research_error"],
                lw=1.4,
                ls="--",
                color="black",
                label=f"{name} (platform)",
            )
    left.set_ylim(bottom=0)
    left.set_ylabel("research error (sd of log price sensitivity)")
    left.set_title("How precisely each firm knows what customers will pay")
    right.set_ylim(bottom=0)
    right.set_ylabel("owned customers (last bought direct)")
    right.set_title("The customers whose data each firm owns")
    for ax in axes:
        ax.set_xlabel("years")
        ax.legend(frameon=True, fontsize=8, loc="best")
    return axes


def draw_research(result):
    """``research.png``: research precision and owned customers (two panels)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_research(result.firms, result.tables.get("platforms"), axes)
    return fig
