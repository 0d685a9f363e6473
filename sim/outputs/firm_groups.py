"""Firm groups: the lines a scenario's story is told in (its firm groups and entry templates).

A scenario names its firms by group (``Obsessed 3`` belongs to group ``Obsessed``) and its
entrants by template (``Patient entrant #2``). Figures and reports that group by these,
rather than by strategy alone, show stories told between firms of one strategy
(drifting against steady firms, joiners against holdouts, entrants against incumbents).
"""

from __future__ import annotations

from sim.outputs.plots.common import STRATEGY_COLOURS

# Okabe-Ito hues after the two strategy colours; a hue close to a colour already taken
# (orange beside vermillion, sky blue beside blue) is used only when nothing else is left.
PALETTE = ("#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999", "#F0E442")
NEAR = {"#D55E00": "#E69F00", "#0072B2": "#56B4E9"}

# Groupings a scenario's story is told in, where its firm groups are finer: the five
# single-firm incumbents of short_termism are one side of its story.
DECLARED_GROUPS = {
    "short_termism": {f"Incumbent {letter}": "Incumbents" for letter in "ABCDE"},
}


def declared_group(scenario_name: str, firm_group_name: str) -> str:
    """The line a firm group is drawn in: a declared grouping, else the group itself."""
    return DECLARED_GROUPS.get(scenario_name, {}).get(firm_group_name, firm_group_name)


def firm_group(name: str, scenario) -> str:
    """The scenario firm group (or entry template) a firm name belongs to.

    Args:
        name: the firm's name as the model gives it.
        scenario: the run's scenario.

    Returns:
        The group's name, after any declared grouping (the firm's own name when it
        matches no group).
    """
    groups = {spec.name for spec in scenario.firms}
    templates = {t.name for t in (scenario.entry.templates if scenario.entry else [])}
    if name in groups:
        return declared_group(scenario.name, name)
    head = name.rsplit(" #", 1)[0]
    if head in templates:
        return declared_group(scenario.name, head)
    head = name.rsplit(" ", 1)[0]
    return declared_group(scenario.name, head) if head in groups else name


def group_colours(group_strategies: dict[str, str]) -> dict[str, str]:
    """Colours of groups: the first group of each strategy gets the strategy's colour.

    Args:
        group_strategies: ``{group: strategy}`` in drawing order.

    Returns:
        ``{group: colour}``, distinct for every group up to the palette's length.
    """
    colours: dict[str, str] = {}
    taken: set[str] = set()
    for group, strategy in group_strategies.items():
        colour = STRATEGY_COLOURS.get(strategy)
        if colour is not None and colour not in taken:
            colours[group] = colour
            taken.add(colour)
    for group in group_strategies:
        if group not in colours:
            close = {NEAR[c] for c in taken if c in NEAR}
            free = [c for c in PALETTE if c not in taken]
            colour = next((c for c in free if c not in close), free[0] if free else "#666666")
            colours[group] = colour
            taken.add(colour)
    return colours
