"""The summary's sections, one per subsystem, and the figures each draws: one registry.

A :class:`Section` reports on one model component (:data:`COMPONENTS`, the names of
``sim/components``): it says whether it applies to a run (the mechanic is on, or its
table or events are there), writes its lines of ``summary.md`` and names the figures it
draws. :data:`SECTIONS` lists them all in the order the summary reads them; the summary
(:mod:`sim.outputs.summary`) and the standard figures (:mod:`sim.outputs.figures`) both walk
it, so a section is switched on in one place for its words and its pictures, and its
figures are drawn in the order the summary discusses them.

The sections are listed here, in one place, rather than each module registering itself:
the whole report's order is read in one tuple, a section module stays a set of plain
functions of a run result that knows nothing of the registry, and no module is imported
for its side effect (self-registration would make the order that of the imports).

Sections of one ``part`` (the platforms) share a closing note naming their figures and
tables; every other section names its own figure in its lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sim.components.protocol import COMPONENT_NAMES
from sim.outputs.sections import (
    channels,
    defences,
    flywheel,
    industry,
    lifecycle,
    platform_moves,
    research,
    rivalry,
    trust,
)

COMPONENTS = (*COMPONENT_NAMES, "industry")
"""What a section may report on: a model component, or industry dynamics (read from tables)."""


def always(result) -> bool:
    """True: a figure drawn whenever its section applies."""
    return True


@dataclass(frozen=True)
class Figure:
    """A figure of a section: its file name and how to draw it.

    Attributes:
        name: file name without ``.png`` (``figures/<name>.png``).
        draw: ``draw(result) -> matplotlib Figure``, on a new figure.
        applies: ``applies(result) -> bool``, whether the run has something to draw
            (asked only when the section applies).
    """

    name: str
    draw: Callable[[Any], Any]
    applies: Callable[[Any], bool] = always


@dataclass(frozen=True)
class Section:
    """A section of the summary on one model component, with its figures.

    Attributes:
        name: unique name of the section.
        component: the model component it reports on, one of :data:`COMPONENTS`.
        applies: ``applies(result) -> bool``, whether the mechanic is on in this run.
        write: ``write(result) -> list[str]``, its Markdown lines (asked only when it applies).
        figures: the figures it draws, in order.
        tables: the tables it adds to the run folder, as the part's note names them.
        part: sections of one part share a closing note naming their figures and tables.
    """

    name: str
    component: str
    applies: Callable[[Any], bool]
    write: Callable[[Any], list[str]]
    figures: tuple[Figure, ...] = ()
    tables: tuple[str, ...] = ()
    part: str = ""

    def __post_init__(self) -> None:
        if self.component not in COMPONENTS:
            raise ValueError(
                f"section {self.name!r}: component {self.component!r} is not one of "
                f"{', '.join(COMPONENTS)}"
            )

    def figures_for(self, result) -> list[Figure]:
        """The figures this section draws for a run it applies to."""
        return [figure for figure in self.figures if figure.applies(result)]


PLATFORMS = "platforms"

SECTIONS: tuple[Section, ...] = (
    Section(
        "day_one_and_tenure",
        "lifecycle",
        lifecycle.has_lifecycle,
        lifecycle.day_one_and_tenure_lines,
        figures=(
            Figure("vitality", lifecycle.draw_vitality),
            Figure("awareness", lifecycle.draw_awareness),
            Figure("tenure", lifecycle.draw_tenure),
        ),
    ),
    Section("imitation", "imitation", rivalry.has_imitation, rivalry.imitation_lines),
    Section("acquisition", "acquisition", rivalry.has_deals, rivalry.acquisition_lines),
    Section(
        "long_run_value",
        "lifecycle",
        lifecycle.has_lifecycle,
        lifecycle.long_run_value_lines,
        figures=(Figure("value", lifecycle.draw_value),),
    ),
    Section("industry", "industry", industry.has_entry, industry.industry_lines),
    Section(
        "platforms",
        "channels",
        channels.has_platforms,
        channels.platform_lines,
        figures=(
            Figure("platform_take_rate", channels.draw_take_rate),
            Figure("platform_sellers_selection", channels.draw_sellers),
            Figure("disintermediation", channels.draw_disintermediation),
            Figure("third_party_share", channels.draw_third_party_share, channels.has_owner_retail),
        ),
        tables=(channels.PLATFORMS_TABLE,),
        part=PLATFORMS,
    ),
    Section(
        "platform_moves",
        "platform_moves",
        platform_moves.has_platform_moves,
        platform_moves.platform_moves_lines,
        part=PLATFORMS,
    ),
    Section(
        "flywheel",
        "flywheel",
        flywheel.has_flywheel,
        flywheel.flywheel_lines,
        figures=(
            Figure("flywheel_loop_gain", flywheel.draw_loop_gain),
            Figure("flywheel_links", flywheel.draw_links),
        ),
        tables=(flywheel.FLYWHEEL_TABLE,),
        part=PLATFORMS,
    ),
    Section(
        "connected",
        "channels",
        channels.has_connected,
        channels.connected_lines,
        figures=(Figure("connected_strategy", channels.draw_connected),),
        part=PLATFORMS,
    ),
    Section(
        "research",
        "research",
        research.has_research,
        research.research_lines,
        figures=(Figure("research", research.draw_research),),
    ),
    Section(
        "defences",
        "defences",
        defences.has_brand_strength,
        defences.defence_lines,
        figures=(
            Figure("brand_strength", defences.draw_brand_strength, defences.brand_strength_drawn),
        ),
    ),
    Section(
        "trust",
        "trust",
        trust.has_trust,
        trust.trust_lines,
        figures=(Figure("trust", trust.draw_trust, trust.has_doubts),),
    ),
)
"""Every section in the order of the summary (and of the figures)."""


def section(name: str) -> Section:
    """The registered section called ``name``."""
    for candidate in SECTIONS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no section {name!r}; sections: {', '.join(s.name for s in SECTIONS)}")


def applicable(result) -> list[Section]:
    """The sections that apply to a run, in the summary's order."""
    return [candidate for candidate in SECTIONS if candidate.applies(result)]


def section_lines(result) -> list[str]:
    """The summary's lines from every section that applies, with each part's closing note.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Markdown lines.
    """
    on = applicable(result)
    lines: list[str] = []
    for part, grouped in groupby(on, key=lambda s: s.part):
        members = list(grouped)
        written = [line for member in members for line in member.write(result)]
        if part and written:
            written += part_note(members, result)
        lines += written
    return lines


def part_note(members: list[Section], result) -> list[str]:
    """The note closing a part: its figures and tables (a blank line when it has no table)."""
    figures = [figure.name for member in members for figure in member.figures_for(result)]
    tables = [table for member in members for table in member.tables]
    named = ", ".join(f"`figures/{name}.png`" for name in figures)
    return ["", f"Figures: {named}. Tables: {'; '.join(tables)}." if tables else ""]


def figures_for(result) -> list[Figure]:
    """Every figure the applicable sections draw for a run, in the summary's order."""
    return [figure for member in applicable(result) for figure in member.figures_for(result)]
