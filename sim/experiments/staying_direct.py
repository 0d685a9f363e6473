"""Does staying direct pay? Outcomes of the disintermediation map, brand against brand.

The map (``experiments/disintermediation_map.yaml``) runs ``platform_disintermediation``:
brands named ``Direct`` sell only direct, the others (``Joiner``) choose their channels
and join the aggregator. Both groups run the same strategy, so the sweep's strategy
outcomes cannot tell them apart; these functions group firms by name instead. Each is a
user outcome ``sim.experiments.staying_direct:<family>__<group>`` of a sweep, so
``flywheel analyze`` draws the contest map of ``direct`` against ``joiner`` for each family.

Per firm of a group, failed firms counting as zero:

- ``operating_profit_yN``: operating profit summed over year N (weeks ``52(N-1)+1`` to
  ``52N``), $;
- ``shareholder_value_yN``: payouts so far less equity put in, plus market value, at week
  ``52N`` (:func:`sim.mechanics.value.shareholder_value`), $.

A run shorter than year N gives NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.mechanics.value import shareholder_value

WEEKS_PER_YEAR = 52
DIRECT_PREFIX = "Direct"


def firm_groups(firms: pd.DataFrame) -> pd.Series:
    """Group of each firm name: ``direct`` for names starting ``Direct``, else ``joiner``."""
    names = pd.Series(firms["name"].unique())
    group = np.where(names.str.startswith(DIRECT_PREFIX), "direct", "joiner")
    return pd.Series(group, index=names.to_numpy())


def operating_profit_in_year(result, group: str, year: int) -> float:
    """Operating profit per firm of ``group`` over ``year`` ($); NaN if too short or absent."""
    firms = result.firms
    last_week = WEEKS_PER_YEAR * year
    groups = firm_groups(firms)
    members = groups.index[groups == group]
    if int(firms["step"].max()) < last_week or not len(members):
        return float("nan")
    rows = firms[firms["step"].between(last_week - WEEKS_PER_YEAR + 1, last_week)]
    rows = rows[rows["name"].isin(members)]
    per_firm = rows.groupby("name")["operating_profit"].sum().reindex(members, fill_value=0.0)
    return float(per_firm.mean())


def shareholder_value_in_year(result, group: str, year: int) -> float:
    """Shareholder value per firm of ``group`` at the end of ``year`` ($); NaN if too short."""
    firms = result.firms
    week = WEEKS_PER_YEAR * year
    groups = firm_groups(firms)
    members = groups.index[groups == group]
    if int(firms["step"].max()) < week or not len(members):
        return float("nan")
    rows = firms[(firms["step"] == week) & firms["name"].isin(members)].set_index("name")
    value = shareholder_value(
        rows["cumulative_payout"], rows["market_value"], rows["cumulative_equity"]
    )
    return float(pd.Series(value, index=rows.index).reindex(members, fill_value=0.0).mean())


def operating_profit_y3__direct(result, window: int) -> float:
    """Operating profit per direct brand over year 3 ($)."""
    return operating_profit_in_year(result, "direct", 3)


def operating_profit_y3__joiner(result, window: int) -> float:
    """Operating profit per joining brand over year 3 ($)."""
    return operating_profit_in_year(result, "joiner", 3)


def operating_profit_y10__direct(result, window: int) -> float:
    """Operating profit per direct brand over year 10 ($)."""
    return operating_profit_in_year(result, "direct", 10)


def operating_profit_y10__joiner(result, window: int) -> float:
    """Operating profit per joining brand over year 10 ($)."""
    return operating_profit_in_year(result, "joiner", 10)


def shareholder_value_y3__direct(result, window: int) -> float:
    """Shareholder value per direct brand at the end of year 3 ($)."""
    return shareholder_value_in_year(result, "direct", 3)


def shareholder_value_y3__joiner(result, window: int) -> float:
    """Shareholder value per joining brand at the end of year 3 ($)."""
    return shareholder_value_in_year(result, "joiner", 3)


def shareholder_value_y10__direct(result, window: int) -> float:
    """Shareholder value per direct brand at the end of year 10 ($)."""
    return shareholder_value_in_year(result, "direct", 10)


def shareholder_value_y10__joiner(result, window: int) -> float:
    """Shareholder value per joining brand at the end of year 10 ($)."""
    return shareholder_value_in_year(result, "joiner", 10)
