"""Putting strategies in named seats of a scenario (players, ghosts, tournament entrants)."""

from __future__ import annotations

import difflib
from typing import Any

from sim.scenario import InputError, Problem, Scenario, load_scenario


def seat_names(scenario: Scenario) -> list[str]:
    """Names of the firms present at the start, as the model numbers them."""
    names = []
    for spec in scenario.firms:
        if spec.count == 1:
            names.append(spec.name)
        else:
            names += [f"{spec.name} {k + 1}" for k in range(spec.count)]
    return names


def seat_problems(scenario: Scenario, seats: list[str], where: str, file: str) -> list[Problem]:
    """Problems with seat names: unknown firms, or firms of a group that owns a platform."""
    names = seat_names(scenario)
    owners = {p.owner for p in scenario.platforms if p.owner}
    problems = []
    for seat in seats:
        if seat not in names:
            hint = difflib.get_close_matches(seat, names, n=1)
            rule = f"no firm of that name; firms: {', '.join(names)}"
            rule += f" (did you mean {hint[0]!r}?)" if hint else ""
            problems.append(Problem(file, where, seat, rule))
            continue
        group = next(f for f in scenario.firms if seat == f.name or seat.startswith(f"{f.name} "))
        if group.count > 1 and group.name in owners:
            rule = f"its group {group.name!r} owns a platform; seat another firm"
            problems.append(Problem(file, where, seat, rule))
    return problems


def assign_seats(
    scenario: Scenario, assignments: dict[str, tuple[str, dict[str, Any]]]
) -> Scenario:
    """The scenario with some firms' strategies (and parameters) replaced.

    A firm of a group (``count > 1``) is seated by splitting its group into single firms
    with the names the model gives them, so every firm keeps its name, order and luck.

    Args:
        scenario: the resolved scenario.
        assignments: firm name -> (strategy, strategy parameters).

    Returns:
        The new scenario.

    Raises:
        InputError: if a seat names no firm, or a firm whose group owns a platform.
    """
    problems = seat_problems(scenario, list(assignments), "--seat", f"<scenario {scenario.name}>")
    if problems:
        raise InputError(problems)
    data = scenario.model_dump(mode="json")
    firms = []
    for group in data["firms"]:
        members = (
            [group["name"]]
            if group["count"] == 1
            else [f"{group['name']} {k + 1}" for k in range(group["count"])]
        )
        if not any(member in assignments for member in members):
            firms.append(group)
            continue
        for member in members:
            single = {**group, "name": member, "count": 1}
            if member in assignments:
                strategy, params = assignments[member]
                single.update(strategy=strategy, strategy_params=dict(params))
            firms.append(single)
    data["firms"] = firms
    return load_scenario(data)
