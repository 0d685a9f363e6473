"""The summary's lines on the platform's moves and on what owned customers are worth.

Printed in the platforms part of ``summary.md`` (after :mod:`sim.outputs.sections.channels`)
when a move is on (``sim/components/platform_moves.py``), data value is measured or a
brand starts strong.
"""

from __future__ import annotations

import pandas as pd

from sim.outputs.wording import WEEKS_PER_YEAR, compared_weeks, year_window


def has_platform_moves(result) -> bool:
    """Whether a listed platform makes a move, a brand starts strong, or data value is measured."""
    scenario = result.scenario
    platforms = result.tables.get("platforms")
    if platforms is not None and "dependence" in platforms:
        listed = set(platforms["name"])
        if any(spec.moves.active and spec.name in listed for spec in scenario.platforms):
            return True
    return (
        bool(scenario.owned_customers.starting_strength) or "data_value_per_owned" in result.firms
    )


def platform_moves_lines(result) -> list[str]:
    """Plain-word lines on each move that is on, owned data's value and starting strength.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Markdown lines under one heading.
    """
    scenario, firms = result.scenario, result.firms
    platforms = result.tables.get("platforms")
    window = compared_weeks(int(result.model["step"].max()))
    lines = ["", "### The platform's moves and owned customers", ""]
    if platforms is not None and "dependence" in platforms:
        for spec in scenario.platforms:
            lines += _moves_of(spec, platforms[platforms["name"] == spec.name], window, result)
    return lines + _owned_lines(scenario, firms, window)


def _moves_of(spec, group: pd.DataFrame, window: int, result) -> list[str]:
    moves, name = spec.moves, spec.name
    if not moves.active or group.empty:
        return []
    opening, closing = year_window(group, True, window), year_window(group, False, window)
    lines = []
    if moves.own_label.enabled:
        events = result.tables.get("events")
        launched = pd.DataFrame()
        if events is not None and len(events):
            launched = events[
                (events["event"] == "own_label") & events["detail"].str.startswith(f"{name} ")
            ]
        if len(launched):
            row = launched.iloc[0]
            units = closing["own_label_units"].sum()
            through = closing["purchases"].sum()
            lines.append(
                f"- **{name}** launched its own copy of {row['name']} in week {int(row['step'])} "
                f"(year {row['step'] / WEEKS_PER_YEAR:.1f}), for ${row['value']:,.0f}; in the last "
                f"{window} weeks the copy sold {units:,.0f} units "
                f"({units / through if through else 0.0:.0%} of what went through {name}) and "
                f"earned ${closing['own_label_margin'].sum():,.0f} of margin."
            )
        else:
            lines.append(
                f"- **{name}** could launch an own label, but its sales data never showed a "
                "best seller whose demand would repay the launch."
            )
    if moves.steering > 0:
        first = " (its own label first)" if moves.own_label.enabled else ""
        lines.append(
            f"- **{name}** ranks listings by what each sale pays it{first}; "
            f"every rank down the page loses {moves.steering:.0%} of shoppers' attention."
        )
    if moves.holdup_fee:
        lines.append(
            f"- **{name}** prices its fee to brands' dependence on it, anticipated "
            f"{moves.holdup_quarters_ahead:g} quarters ahead: listed brands sold "
            f"{opening['dependence'].iloc[-1]:.0%} of their units through it at the end of the "
            f"first {window} weeks and {closing['dependence'].iloc[-1]:.0%} at the end; its fee "
            f"went from {opening['take_rate'].mean():.1%} to {closing['take_rate'].mean():.1%}."
        )
    if moves.return_share > 0:
        lines.append(
            f"- {moves.return_share:.0%} of the shoppers who last bought through **{name}** "
            f"start their next search there and compare only its listings: "
            f"{closing['returned_shoppers'].mean():,.0f} shoppers a week in the last {window} "
            "weeks."
        )
    return lines


def _owned_lines(scenario, firms: pd.DataFrame, window: int) -> list[str]:
    lines = []
    for start in scenario.owned_customers.starting_strength:
        lines.append(
            f"- {start.firm} started strong: {start.loyal_share:.0%} of the consumers who knew "
            f"it were its own direct customers, and its data gave it population knowledge "
            f"{start.knowledge:.2f}."
        )
    if "data_value_per_owned" not in firms:
        return lines
    closing = year_window(firms[firms["alive"]], False, window)
    lines.append(
        "- What owned customers are worth (last quarter measured): the weekly contribution "
        "the brand's data earn per owned customer, by the fit they give it (its purchases "
        "with the fit less without), and the fit in $ per purchase:"
    )
    for name, group in closing.groupby("name", sort=False):
        end = group.iloc[-1]
        lines.append(
            f"  - {name}: ${end['data_value_per_owned']:.3f} a week "
            f"(${end['data_value_per_owned'] * WEEKS_PER_YEAR:.2f} a year) per owned customer, "
            f"{int(end['owned_customers']):,} owned; fit worth ${end['fit_premium']:.2f} "
            "per purchase."
        )
    return lines
