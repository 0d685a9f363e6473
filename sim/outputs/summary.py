"""The plain-language summary of a run (``summary.md``).

The summary is the market story every run has (:mod:`sim.outputs.market_story`), then the
section of each subsystem that applies to the run, in the registry's order
(:mod:`sim.outputs.sections`), then the files of the run folder.
"""

from __future__ import annotations

from sim.outputs.market_story import market_story
from sim.outputs.sections import section_lines

RUN_FOLDER = (
    "Figures: `figures/market_share.png`, `figures/price_vs_cost.png`, "
    "`figures/experience_and_satisfaction.png`, `figures/cash_and_payouts.png`, "
    "`figures/vitality.png`, `figures/awareness.png`, `figures/tenure.png`, "
    "`figures/value.png`. "
    "Tables: `model.parquet` (one row per week), `firms.parquet` (one row per firm per week), "
    "`events.parquet` (one row per life-cycle event)."
)


def summary(result) -> str:
    """Write what happened in a run, in words a student understands.

    Args:
        result: a :class:`~sim.runs.runner.RunResult`.

    Returns:
        Markdown text.
    """
    lines = [*market_story(result), *section_lines(result), "", RUN_FOLDER, ""]
    return "\n".join(lines)
