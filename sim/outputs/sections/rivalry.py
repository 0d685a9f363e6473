"""Summary lines on imitation and acquisitions, read from the events and firm tables.

Printed under the life-cycle section's heading on entry, exit and tenure
(:mod:`sim.outputs.sections.lifecycle`), one line per imitation and per deal.
"""

from __future__ import annotations

import pandas as pd

from sim.outputs.sections.lifecycle import has_lifecycle
from sim.outputs.wording import WEEKS_PER_YEAR, count, dollars

DEAL_EVENTS = ("acquisition", "acquisition_refused")


def _events(result, kinds: tuple[str, ...]) -> pd.DataFrame:
    events = result.tables["events"]
    return events[events["event"].isin(kinds)]


def has_imitation(result) -> bool:
    """Whether a firm copied another in this run (its events record an imitation)."""
    return has_lifecycle(result) and not _events(result, ("imitation",)).empty


def has_deals(result) -> bool:
    """Whether a firm bought, or decided against buying, another in this run."""
    return has_lifecycle(result) and not _events(result, DEAL_EVENTS).empty


def imitation_lines(result) -> list[str]:
    """One Markdown line per imitation: who copied whom, and when."""
    return [
        f"- **{row['name']}** {row['detail']}, in week {int(row['step'])} "
        f"(year {row['step'] / WEEKS_PER_YEAR:.1f})."
        for _, row in _events(result, ("imitation",)).iterrows()
    ]


def acquisition_lines(result) -> list[str]:
    """One Markdown line per deal (who bought whom, for what) and one on refused deals.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Markdown lines; a bought firm's state at the end follows its deal.
    """
    firms = result.firms
    final = firms[firms["step"] == firms["step"].max()].set_index("name")
    lines: list[str] = []
    premium = result.scenario.acquisition.control_premium
    for _, row in _events(result, ("acquisition",)).iterrows():
        target = row["detail"].split(":")[0].removeprefix("bought ")
        line = (
            f"- **{row['name']}** bought **{target}** in week {int(row['step'])} (year "
            f"{row['step'] / WEEKS_PER_YEAR:.1f}) for {dollars(row['value'])}, its market "
            f"value plus a {premium:.0%} control premium ({row['detail'].split(': ')[-1]})."
        )
        if target in final.index:
            end = final.loc[target]
            state = "still sells" if end["alive"] else "no longer sells"
            line += (
                f" At the end {target} {state} under its own name: unit share "
                f"{end['share']:.0%}, {int(end['customers'])} customers."
            )
        lines.append(line)
    refused = _events(result, ("acquisition_refused",))
    if len(refused):
        reasons = "; ".join(sorted(pd.unique(refused["detail"].str.split(":").str[0]))[:3])
        lines.append(f"- {count(len(refused), 'acquisition decision')} refused ({reasons}).")
    return lines
