"""Reference data to calibrate against, and how close a run comes to it.

Amazon's third-party share: Jeff Bezos, *2018 Letter to Shareholders* (April 2019):
"the share of physical gross merchandise sales on Amazon by independent third-party
sellers" was 3% (1999), 6% (2001), 17% (2002), 28% (2005), 34% (2010), 51% (2015)
and 58% (2018). The model's counterpart is the share of units sold through a
marketplace that are not sold by the marketplace's owner (its first-party retail).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEKS_PER_YEAR = 52

AMAZON_THIRD_PARTY_SHARE: dict[int, float] = {
    1999: 0.03,
    2001: 0.06,
    2002: 0.17,
    2005: 0.28,
    2010: 0.34,
    2015: 0.51,
    2018: 0.58,
}


def third_party_share_by_year(
    platforms: pd.DataFrame, start_year: int, name: str | None = None
) -> pd.Series:
    """Yearly third-party share of units on a marketplace (or all owned marketplaces).

    Args:
        platforms: the ``platforms`` table of a run.
        start_year: calendar year of weeks 1-52.
        name: a platform's name (all platforms with first-party sales if None).

    Returns:
        Share by calendar year: ``1 - owner units / units`` over the year.
    """
    rows = platforms[platforms["step"] > 0]
    if name is not None:
        rows = rows[rows["name"] == name]
    year = start_year + (rows["step"] - 1) // WEEKS_PER_YEAR
    grouped = rows.groupby(year)[["purchases", "owner_units"]].sum()
    share = 1.0 - grouped["owner_units"] / grouped["purchases"].where(grouped["purchases"] > 0)
    share.index.name = "year"
    return share.rename("third_party_share")


def compare_to_reference(
    share: pd.Series, reference: dict[int, float] = AMAZON_THIRD_PARTY_SHARE
) -> pd.DataFrame:
    """The model's share next to the reference, year by year.

    Args:
        share: model share by year (from :func:`third_party_share_by_year`).
        reference: reference share by year.

    Returns:
        Columns ``year, reference, model, error`` for the reference years.
    """
    rows = [
        {
            "year": year,
            "reference": value,
            "model": float(share.get(year, np.nan)),
        }
        for year, value in sorted(reference.items())
    ]
    table = pd.DataFrame(rows)
    table["error"] = table["model"] - table["reference"]
    return table


def rmse(table: pd.DataFrame) -> float:
    """Root mean squared error of a :func:`compare_to_reference` table (NaN-aware)."""
    errors = table["error"].to_numpy(dtype=float)
    if not np.isfinite(errors).any():
        return float("nan")
    return float(np.sqrt(np.nanmean(errors**2)))
