"""Words, numbers and time windows shared by every part of the run summary."""

from __future__ import annotations

import pandas as pd

WEEKS_PER_YEAR = 52


def label(strategy: str) -> str:
    """A strategy's name as printed: ``customer-obsessed``."""
    return strategy.replace("_", "-")


def dollars(value: float) -> str:
    """Dollars in words a reader scans: ``-$58 thousand``, ``$1.20 million``, ``$3.50``."""
    sign = "-" if value < 0 else ""
    size = abs(value)
    if size >= 1e15:
        return f"{sign}${size:.3g}"
    if size >= 1e12:
        return f"{sign}${size / 1e12:,.2f} trillion"
    if size >= 1e6:
        return f"{sign}${size / 1e6:,.2f} million"
    if size >= 1e4:
        return f"{sign}${size / 1e3:,.0f} thousand"
    return f"{sign}${size:,.2f}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 consumer``, ``2 consumers``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def still_in_market(alive: int, firms: int) -> str:
    """``1 of 5 is still in the market``, ``3 of 5 are ...``."""
    return f"{alive} of {firms} {'is' if alive == 1 else 'are'} still in the market"


def share_change(before: float, after: float) -> str:
    """How a share moved, in words: ``grew from 20% to 45%``, ``held at 100%``."""
    if round(before * 100) == round(after * 100):
        return f"held at {after:.0%}"
    verb = "grew" if after > before + 0.01 else "fell" if after < before - 0.01 else "held"
    if verb == "held":
        return f"held near {after:.0%} ({before:.0%} -> {after:.0%})"
    return f"{verb} from {before:.0%} to {after:.0%}"


def in_years(step: float) -> str:
    """``year 2.5`` for week 130."""
    return f"year {step / WEEKS_PER_YEAR:.1f}"


def compared_weeks(steps: int) -> int:
    """Length of the opening and closing windows the summary compares: a year, or half a run."""
    return min(WEEKS_PER_YEAR, max(steps // 2, 1))


def year_window(table: pd.DataFrame, first: bool, weeks: int) -> pd.DataFrame:
    """The rows of the first or the last ``weeks`` weeks after week 0 (both ends included).

    Args:
        table: any table with a ``step`` column.
        first: True for the opening window, False for the closing one.
        weeks: window length in weeks.

    Returns:
        The rows in the window (none when the table has no week after 0).
    """
    steps = table["step"][table["step"] > 0]
    if steps.empty:
        return table.iloc[0:0]
    lo, hi = (
        (steps.min(), steps.min() + weeks - 1) if first else (steps.max() - weeks + 1, steps.max())
    )
    return table[(table["step"] >= lo) & (table["step"] <= hi)]
