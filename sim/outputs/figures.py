"""Figures of a run. Each plot function takes tidy data and ``ax=None`` and returns the Axes.

Colours follow the Okabe-Ito palette (safe for colour-blind readers): blue for
customer-obsessed firms, vermillion for shareholder-focused ones, other hues for other
strategies. Thin lines are single firms, thick lines the mean of their strategy.

The plot functions live in :mod:`sim.outputs.plots`; this module draws a run's standard
figures: the four market figures every run has (:data:`KEY_FIGURES`), then the figures of
each report section that applies to the run, in the registry's order
(:mod:`sim.outputs.sections`). :func:`draw_figures` returns them (for a notebook),
:func:`save_figures` writes them as PNG files.

Importing this module does not choose a matplotlib backend: a notebook keeps its own;
the command line and the servers draw off-screen (:func:`sim.outputs.headless.use_agg`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from sim.outputs.firm_groups import firm_group
from sim.outputs.folders import KEY_FIGURES
from sim.outputs.fonts import drawable_names
from sim.outputs.plots.common import (
    OTHER_COLOURS,
    PLATFORM_COLOURS,
    STRATEGY_COLOURS,
    WEEKS_PER_YEAR,
    _time_label,
    _years,
    calendar_years,
    quarterly,
    strategy_colour,
)
from sim.outputs.plots.lifecycle import (
    EVENT_MARKERS,
    LABEL_GAP,
    SP500_TENURE_YEARS,
    end_label_heights,
    plot_awareness,
    plot_tenure,
    plot_value,
    plot_vitality,
)
from sim.outputs.plots.market import (
    plot_cash_and_payouts,
    plot_experience_and_satisfaction,
    plot_market_share,
    plot_price_and_cost,
)
from sim.outputs.plots.platforms import (
    FIRM_LINKS,
    LINK_COLOURS,
    SELLER_LINKS,
    links_agent,
    plot_connected,
    plot_disintermediation,
    plot_flywheel_links,
    plot_loop_gain,
    plot_platform_sellers,
    plot_platform_take_rate,
    plot_third_party_share,
)
from sim.outputs.sections import figures_for

__all__ = [
    "EVENT_MARKERS",
    "FIRM_LINKS",
    "KEY_FIGURES",
    "LABEL_GAP",
    "LINK_COLOURS",
    "OTHER_COLOURS",
    "PLATFORM_COLOURS",
    "SELLER_LINKS",
    "SP500_TENURE_YEARS",
    "STRATEGY_COLOURS",
    "WEEKS_PER_YEAR",
    "_time_label",
    "_years",
    "calendar_years",
    "draw_figures",
    "end_label_heights",
    "links_agent",
    "plot_awareness",
    "plot_cash_and_payouts",
    "plot_connected",
    "plot_disintermediation",
    "plot_experience_and_satisfaction",
    "plot_flywheel_links",
    "plot_loop_gain",
    "plot_market_share",
    "plot_platform_sellers",
    "plot_platform_take_rate",
    "plot_price_and_cost",
    "plot_tenure",
    "plot_third_party_share",
    "plot_value",
    "plot_vitality",
    "quarterly",
    "save_figures",
    "strategy_colour",
]


def draw_figures(result) -> dict:
    """The standard figures of a run, by name (``market_share``, ``price_vs_cost``, ...).

    Each is a matplotlib ``Figure`` detached from pyplot (it is not shown twice in a
    notebook and holds no memory once dropped); display one by leaving it as a cell's
    value, or save it with ``figure.savefig``.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Figure name -> Figure, in drawing order.
    """
    with drawable_names(result) as (shown_result, renamed):
        title = renamed.get(result.scenario.name, result.scenario.name)
        return _draw_figures(shown_result, None, title)


def save_figures(result, folder: str | Path, key_only: bool = False) -> list[Path]:
    """Draw the standard figures of a run as PNG files.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.
        folder: destination folder (created).
        key_only: draw only :data:`KEY_FIGURES`.

    Names in any script are drawn with the installed fonts that have their characters
    (see :mod:`sim.outputs.fonts`).

    Returns:
        Paths of the files written.
    """
    folder = Path(folder)
    with drawable_names(result) as (shown_result, renamed):
        title = renamed.get(result.scenario.name, result.scenario.name)
        figures = _draw_figures(shown_result, folder, title, key_only)
    return [folder / f"{name}.png" for name in figures]


WIDE_FIGURE_INCHES = 10.0  # two panels side by side
WIDE_TEXT_SCALE = 1.3


def enlarge_text_of_wide_figure(fig) -> None:
    """Scale the axis text of a two-panel figure by ``WIDE_TEXT_SCALE``.

    A 12-inch figure shown 1024 pixels wide is shrunk to about three quarters, which
    brought its axis text down to 7-9 pixels; scaled by 1.3 it reads as a one-panel
    figure's does. Tick labels are set on the axes, so ticks drawn later keep the size;
    axis labels, legends and notes are scaled; panel titles (12 pt) and the figure's
    title stay.
    """
    if fig.get_figwidth() <= WIDE_FIGURE_INCHES:
        return
    from matplotlib.text import Text

    kept: set[int] = set()  # ids of the labels already scaled
    for ax in fig.axes:
        size = ax.xaxis.get_ticklabels()[0].get_fontsize() if ax.xaxis.get_ticklabels() else 10
        ax.tick_params(labelsize=size * WIDE_TEXT_SCALE)
        kept.update(id(label) for label in ax.get_xticklabels() + ax.get_yticklabels())
        for axis in (ax.xaxis, ax.yaxis):
            kept.update(id(tick.label1) for tick in axis.get_major_ticks())
            kept.update(id(tick.label2) for tick in axis.get_major_ticks())
            kept.update(id(tick.label1) for tick in axis.get_minor_ticks())
            kept.update(id(tick.label2) for tick in axis.get_minor_ticks())
        kept.update(id(title) for title in (ax.title, ax._left_title, ax._right_title))
    for text in fig.findobj(Text):
        if id(text) not in kept and text is not fig._suptitle:
            text.set_fontsize(text.get_fontsize() * WIDE_TEXT_SCALE)


def draw_market_share(result):
    """``market_share.png``: unit share by firm group (or strategy), stacked."""
    firms = result.firms
    groups = {name: firm_group(name, result.scenario) for name in firms["name"].drop_duplicates()}
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_market_share(firms, ax, groups)
    return fig


def draw_price_vs_cost(result):
    """``price_vs_cost.png``: price against unit cost."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_price_and_cost(result.firms, ax)
    return fig


def draw_experience(result):
    """``experience_and_satisfaction.png``: experience delivered and satisfaction."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_experience_and_satisfaction(result.firms, result.model, axes)
    return fig


def draw_cash(result):
    """``cash_and_payouts.png``: cash held and cumulative payouts."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    plot_cash_and_payouts(result.firms, axes)
    return fig


MARKET_FIGURES = (
    ("market_share", draw_market_share),
    ("price_vs_cost", draw_price_vs_cost),
    ("experience_and_satisfaction", draw_experience),
    ("cash_and_payouts", draw_cash),
)
"""The figures every run has, by file name (the :data:`KEY_FIGURES`), in order."""


def _draw_figures(result, folder: Path | None, title: str, key_only: bool = False) -> dict:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    drawn = {}

    def finish(fig, name):
        for ax in fig.axes:
            calendar_years(ax, result.scenario.start_year)
        fig.suptitle(f"{title} (seed {result.seed})", fontsize=10, x=0.01, ha="left")
        enlarge_text_of_wide_figure(fig)
        fig.tight_layout()
        if folder is not None:
            fig.savefig(folder / f"{name}.png", dpi=110)
        plt.close(fig)
        drawn[name] = fig

    for name, draw in MARKET_FIGURES:
        finish(draw(result), name)
    if not key_only:
        for figure in figures_for(result):
            finish(figure.draw(result), figure.name)
    return drawn
