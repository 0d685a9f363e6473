"""Summary lines on imitation and acquisitions, read from the events and firm tables."""

from __future__ import annotations

import pandas as pd

from sim.outputs.summary import WEEKS_PER_YEAR, _count, dollars


def rivalry_lines(result) -> list[str]:
    """Markdown lines on who copied whom and who bought whom (empty if nobody did).

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Markdown lines, one per imitation and deal, and one on refused deals.
    """
    events = result.tables.get("events")
    if events is None or events.empty:
        return []
    firms = result.firms
    final = firms[firms["step"] == firms["step"].max()].set_index("name")
    lines: list[str] = []
    for _, row in events[events["event"] == "imitation"].iterrows():
        lines.append(
            f"- **{row['name']}** {row['detail']}, in week {int(row['step'])} "
            f"(year {row['step'] / WEEKS_PER_YEAR:.1f})."
        )
    deals = events[events["event"] == "acquisition"]
    premium = result.scenario.acquisition.control_premium
    for _, row in deals.iterrows():
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
    refused = events[events["event"] == "acquisition_refused"]
    if len(refused):
        reasons = "; ".join(sorted(pd.unique(refused["detail"].str.split(":").str[0]))[:3])
        lines.append(f"- {_count(len(refused), 'acquisition decision')} refused ({reasons}).")
    return lines
