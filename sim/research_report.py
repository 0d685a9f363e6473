"""The summary's section on research with noise (plain words)."""

from __future__ import annotations

import math

from sim.report import dollars


def research_lines(result) -> list[str]:
    """What each firm's research cost and how precise it was at the end of the run.

    Args:
        result: a :class:`~sim.runner.RunResult`.

    Returns:
        Markdown lines (none when the run's research is free and exact).
    """
    if not result.scenario.research.enabled:
        return []
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
    return lines
