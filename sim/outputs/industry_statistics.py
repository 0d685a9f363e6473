"""Industry dynamics: the statistics empirical industrial organisation measures on real firms.

Every function here works on the tidy firm table (``firms.parquet``: one row per firm per
week, with ``step``, ``firm_id``, ``alive``, ``units``, ``revenue``, ``operating_profit``)
or on plain arrays derived from it, so the figures can be set beside published ones:

* firm sizes: skewness, the shares of the largest firm and the largest four, the ratio of
  mean to median, the Pareto tail (Hill estimator and the Zipf rank-size slope) and a
  log-normal fit (Gibrat 1931; Axtell 2001);
* annual growth rates: excess kurtosis and the Subbotin shape, which is 1 for the
  Laplace "tent" found by Stanley et al. (1996) and Bottazzi and Secchi (2003, 2006)
  and 2 for the normal;
* turnover among the leaders: yearly churn of the top K and the probability that the
  largest firm is displaced within N years (Sutton 2007; Golder, Irwin and Mitra 2013);
* persistence of profit differences: the AR(1) coefficient of firms' profit rates
  measured from the yearly mean (Mueller 1986; Geroski and Jacquemin 1988);
* entry and exit rates (Dunne, Roberts and Samuelson 1988);
* concentration over time: HHI by year and the drift towards monopoly.

Time is cut into model years of 52 weeks (weeks 1-52 are year 1). A firm's size in a
year is the sum of its weekly ``units`` (or ``revenue``) over that year; only firms alive
in every week of the year count, so entry and exit years do not pass for growth or
decline. :func:`industry_statistics` collects the headline figures of a run;
:func:`industry_summary` writes them in plain words for the run summary.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

Sizes = Sequence[float] | np.ndarray
"""Firm sizes or growth rates: a sequence of numbers or an array of them."""

WEEKS_PER_YEAR = 52


# ---------------------------------------------------------------- the annual panel


def annual_panel(firms: pd.DataFrame, measure: str = "units") -> pd.DataFrame:
    """Firm-year table of complete years: size, revenue and operating profit per year.

    Args:
        firms: the firm table (one row per firm per week).
        measure: the weekly column summed into the size (``units`` or ``revenue``).

    Returns:
        One row per firm and complete year (alive in all 52 weeks): ``year, firm_id,
        name, strategy, size, revenue, operating_profit``, sorted by year and firm.
    """
    weekly = firms[firms["step"] >= 1]
    weekly = weekly.assign(year=(weekly["step"] - 1) // WEEKS_PER_YEAR + 1)
    grouped = weekly.groupby(["year", "firm_id"], sort=True)
    panel = grouped.agg(
        name=("name", "first"),
        strategy=("strategy", "first"),
        size=(measure, "sum"),
        revenue=("revenue", "sum"),
        operating_profit=("operating_profit", "sum"),
        weeks_alive=("alive", "sum"),
    ).reset_index()
    panel = panel[panel["weeks_alive"] == WEEKS_PER_YEAR]
    return panel.drop(columns="weeks_alive").reset_index(drop=True)


def sizes_in_year(panel: pd.DataFrame, year: int | None = None) -> np.ndarray:
    """Sizes of the firms with a complete ``year`` (the last year of the panel if None)."""
    if panel.empty:
        return np.array([])
    year = int(panel["year"].max()) if year is None else year
    return panel.loc[panel["year"] == year, "size"].to_numpy(dtype=float)


# ---------------------------------------------------------------- firm sizes


def skewness(values: Sizes) -> float:
    """Sample skewness ``g1 = m3 / m2^1.5`` (moments about the mean, divided by n).

    Positive for a long right tail: many small firms and a few large ones (Gibrat 1931).

    Returns:
        NaN with fewer than 3 values or no spread.
    """
    x = np.asarray(values, dtype=float)
    if len(x) < 3 or np.ptp(x) == 0:
        return float("nan")
    return float(stats.skew(x, bias=True))


def top_share(sizes: Sizes, k: int = 1) -> float:
    """Share of the total held by the ``k`` largest firms (k = 4: the CR4 ratio).

    Returns:
        A number in [0, 1]; NaN when the total is not positive.
    """
    x = np.sort(np.asarray(sizes, dtype=float))[::-1]
    total = x.sum()
    if total <= 0:
        return float("nan")
    return float(x[:k].sum() / total)


def mean_median_ratio(sizes: Sizes) -> float:
    """Mean size over median size; 1 for a symmetric distribution, above 1 for a right tail.

    For a log-normal with log-sd sigma it is ``exp(sigma^2 / 2)``.
    """
    x = np.asarray(sizes, dtype=float)
    if len(x) == 0 or np.median(x) <= 0:
        return float("nan")
    return float(x.mean() / np.median(x))


def herfindahl(sizes: Sizes) -> float:
    """Herfindahl-Hirschman index ``sum(s_i^2)`` of the shares ``s_i`` (0-1; 1 = monopoly)."""
    x = np.asarray(sizes, dtype=float)
    total = x.sum()
    if total <= 0:
        return float("nan")
    return float(np.sum((x / total) ** 2))


def hill_tail_index(sizes: Sizes, k: int | None = None) -> float:
    """Hill (1975) estimator of the Pareto tail index over the ``k`` largest sizes.

    ``alpha = k / sum_{i=1..k} ln(X_(i) / X_(k+1))`` with ``X_(1) >= X_(2) >= ...``.
    ``P(S > s) ~ s^-alpha``: Zipf's law is ``alpha = 1`` (Axtell 2001: 1.059 for US firms).

    Args:
        sizes: positive sizes (zeros are dropped).
        k: order statistics in the tail (default: half of the firms, at least 2).

    Returns:
        The estimate; NaN with fewer than ``k + 1`` positive sizes or a flat tail.
    """
    x = np.sort(np.asarray(sizes, dtype=float))[::-1]
    x = x[x > 0]
    if k is None:
        k = max(2, len(x) // 2)
    if k < 1 or len(x) < k + 1:
        return float("nan")
    logs = np.log(x[:k] / x[k])
    total = logs.sum()
    return float(k / total) if total > 0 else float("nan")


def zipf_slope(sizes: Sizes) -> float:
    """Rank-size slope of Gabaix and Ibragimov (2011): OLS of ``ln(rank - 1/2)`` on ``ln size``.

    The slope's negative estimates the Pareto tail index (1 under Zipf's law); the 1/2
    shift removes most of the small-sample bias of the plain rank regression.

    Returns:
        ``-slope``; NaN with fewer than 3 positive sizes or no spread.
    """
    x = np.sort(np.asarray(sizes, dtype=float))[::-1]
    x = x[x > 0]
    if len(x) < 3 or np.ptp(x) == 0:
        return float("nan")
    ranks = np.arange(1, len(x) + 1) - 0.5
    slope = np.polyfit(np.log(x), np.log(ranks), 1)[0]
    return float(-slope)


def lognormal_fit(sizes: Sizes) -> tuple[float, float]:
    """Maximum-likelihood log-normal fit: mean and sd (divided by n) of ``ln size``.

    Returns:
        ``(mu, sigma)``; NaNs with fewer than 2 positive sizes.
    """
    x = np.asarray(sizes, dtype=float)
    x = x[x > 0]
    if len(x) < 2:
        return float("nan"), float("nan")
    logs = np.log(x)
    return float(logs.mean()), float(logs.std())


# ---------------------------------------------------------------- growth rates


def growth_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Annual log growth ``g = ln S(t+1) - ln S(t)`` with the size ``S(t)`` it grew from.

    Both years must be complete and both sizes positive (Stanley et al. 1996 use the
    same definition on Compustat sales).

    Returns:
        ``firm_id, year, size, growth`` (``year`` is t).
    """
    if panel.empty:
        return pd.DataFrame(columns=["firm_id", "year", "size", "growth"])
    table = panel[panel["size"] > 0][["firm_id", "year", "size"]]
    following = table.assign(year=table["year"] - 1)
    merged = table.merge(following, on=["firm_id", "year"], suffixes=("", "_next"))
    merged["growth"] = np.log(merged["size_next"] / merged["size"])
    return merged[["firm_id", "year", "size", "growth"]]


def growth_rates(panel: pd.DataFrame) -> np.ndarray:
    """Annual log growth rates of firms in two consecutive complete years (see growth_table)."""
    return growth_table(panel)["growth"].to_numpy(dtype=float)


def growth_size_scaling(sizes: Sizes, growth: Sizes) -> float:
    """Exponent ``beta`` of ``sd(g | S) ~ S^-beta``: larger firms grow more steadily.

    If ``g = mu + c S^-beta eps`` with ``eps`` independent of size, then
    ``ln|g - mu| = ln c - beta ln S + ln|eps|``, so minus the OLS slope of
    ``ln|g - mean g|`` on ``ln S`` estimates ``beta`` (the mean of ``ln|eps|`` goes into
    the intercept). Stanley et al. (1996) find ``beta = 0.15 +/- 0.03`` and Amaral et al.
    (1997) ``0.20 +/- 0.03`` for the sales of US manufacturing firms; ``beta = 0`` is
    Gibrat's law, ``1/2`` a firm made of independent equal parts.

    Returns:
        The estimate; NaN with fewer than 10 pairs or no spread in size.
    """
    s, g = np.asarray(sizes, dtype=float), np.asarray(growth, dtype=float)
    deviation = np.abs(g - g.mean()) if len(g) else g
    keep = (s > 0) & (deviation > 0)
    if keep.sum() < 10 or np.ptp(np.log(s[keep])) == 0:
        return float("nan")
    slope = np.polyfit(np.log(s[keep]), np.log(deviation[keep]), 1)[0]
    return float(-slope)


def excess_kurtosis(values: Sizes) -> float:
    """Fisher's excess kurtosis ``m4 / m2^2 - 3``: 0 for a normal, 3 for a Laplace.

    Returns:
        NaN with fewer than 4 values or no spread.
    """
    x = np.asarray(values, dtype=float)
    if len(x) < 4 or np.ptp(x) == 0:
        return float("nan")
    return float(stats.kurtosis(x, fisher=True, bias=True))


def subbotin_shape(values: Sizes) -> float:
    """Shape ``b`` of the Subbotin (exponential power) density fitted by maximum likelihood.

    ``f(g) ~ exp(-|g - mu|^b / (b a^b))``: ``b = 1`` is the Laplace, ``b = 2`` the
    normal. Bottazzi and Secchi (2003, 2006) find ``b`` close to 1 for the annual growth
    rates of US (Compustat) and Italian manufacturing firms. scipy's ``gennorm`` is the
    same family.

    With few observations, or a sample flatter than a normal (two humps), the
    likelihood keeps rising as ``b`` grows: a value above 10 means "flatter than a normal",
    not a precise shape.

    Returns:
        The fitted shape; NaN with fewer than 30 values or no spread.
    """
    x = np.asarray(values, dtype=float)
    if len(x) < 30 or np.ptp(x) == 0:
        return float("nan")
    shape, _, _ = stats.gennorm.fit(x)
    return float(shape)


# ---------------------------------------------------------------- turnover at the top


def ranking(panel: pd.DataFrame) -> pd.DataFrame:
    """Rank of every firm in every complete year by size (1 = largest; ties by firm id)."""
    ordered = panel.sort_values(["year", "size", "firm_id"], ascending=[True, False, True])
    ordered = ordered.assign(rank=ordered.groupby("year").cumcount() + 1)
    return ordered[["year", "firm_id", "size", "rank"]].reset_index(drop=True)


def top_k_turnover(ranks: pd.DataFrame, k: int = 4) -> float:
    """Mean yearly share of the top ``k`` that was not in the top ``k`` the year before.

    ``(1/T) sum_t |Top_t minus Top_(t-1)| / k`` over consecutive years with a ranking.

    Returns:
        A number in [0, 1]; NaN with fewer than two ranked years.
    """
    tops = {
        year: set(group.loc[group["rank"] <= k, "firm_id"]) for year, group in ranks.groupby("year")
    }
    years = sorted(tops)
    changes = [
        len(tops[year] - tops[prev]) / k
        for prev, year in itertools.pairwise(years)
        if year == prev + 1
    ]
    return float(np.mean(changes)) if changes else float("nan")


def mean_rank_change(ranks: pd.DataFrame, k: int = 4) -> float:
    """Mean absolute change of rank from one year to the next of the firms in the top ``k``.

    Firms that leave the ranking (exit) are not counted; NaN when no pair exists.
    """
    following = ranks.assign(year=ranks["year"] - 1)
    merged = ranks[ranks["rank"] <= k].merge(
        following, on=["firm_id", "year"], suffixes=("", "_next")
    )
    if merged.empty:
        return float("nan")
    return float((merged["rank_next"] - merged["rank"]).abs().mean())


def leader_displacement_probability(ranks: pd.DataFrame, years: int = 10) -> float:
    """Probability that the largest firm of a year is no longer largest ``years`` later.

    Over every year ``t`` with a ranking at ``t + years``: the share of those years whose
    leader differs from the leader at ``t + years`` (a leader that exited is displaced).

    Returns:
        A number in [0, 1]; NaN when the run is shorter than ``years + 1`` ranked years.
    """
    leaders = ranks[ranks["rank"] == 1].set_index("year")["firm_id"]
    pairs = [
        leaders[year] != leaders[year + years] for year in leaders.index if year + years in leaders
    ]
    return float(np.mean(pairs)) if pairs else float("nan")


# ---------------------------------------------------------------- profit persistence


def profit_rates(panel: pd.DataFrame) -> pd.DataFrame:
    """Yearly profit rate (operating profit / revenue) and its deviation from the year's mean.

    Mueller (1986) normalises each firm's return by the sample mean of the year; with no
    balance sheets in the model, the rate used is the return on sales.

    Returns:
        ``year, firm_id, rate, deviation`` for firm-years with positive revenue.
    """
    table = panel[panel["revenue"] > 0]
    table = table.assign(rate=table["operating_profit"] / table["revenue"])
    mean = table.groupby("year")["rate"].transform("mean")
    table = table.assign(deviation=table["rate"] - mean)
    return table[["year", "firm_id", "rate", "deviation"]].reset_index(drop=True)


def profit_persistence(rates: pd.DataFrame) -> float:
    """Pooled AR(1) coefficient ``lambda`` of profit-rate deviations (Mueller 1986).

    OLS slope of ``x_i(t+1)`` on ``x_i(t)`` with an intercept, ``x`` the deviation of a
    firm's profit rate from the year's mean, over every firm with two consecutive years.
    ``lambda = 0``: differences vanish within a year; ``lambda = 1``: they never erode.
    Geroski and Jacquemin (1988) report mean ``lambda`` of about 0.41-0.49 for large UK,
    French and German firms.

    Returns:
        The slope; NaN with fewer than 3 pairs or no spread in ``x(t)``.
    """
    following = rates.assign(year=rates["year"] - 1)
    merged = rates.merge(following, on=["firm_id", "year"], suffixes=("", "_next"))
    x, y = merged["deviation"].to_numpy(), merged["deviation_next"].to_numpy()
    if len(x) < 3 or np.ptp(x) == 0:
        return float("nan")
    return float(np.polyfit(x, y, 1)[0])


# ---------------------------------------------------------------- entry and exit


def entry_exit_by_year(firms: pd.DataFrame) -> pd.DataFrame:
    """Entrants, exits and incumbents per model year.

    A firm enters in the year of its first row after step 0 and exits in the year of its
    first row with ``alive`` false. Incumbents are the firms alive at the end of the
    previous year (at step 0 for year 1).

    Returns:
        ``year, incumbents, entrants, exits, entry_rate, exit_rate`` (rates per incumbent).
    """
    first = firms.groupby("firm_id")["step"].min()
    dead = firms[~firms["alive"].astype(bool)].groupby("firm_id")["step"].min()
    last_step = int(firms["step"].max())
    n_years = last_step // WEEKS_PER_YEAR
    rows = []
    for year in range(1, n_years + 1):
        start, end = (year - 1) * WEEKS_PER_YEAR, year * WEEKS_PER_YEAR
        at_start = firms[(firms["step"] == start) & firms["alive"].astype(bool)]
        incumbents = at_start["firm_id"].nunique()
        entrants = int(((first > start) & (first <= end)).sum())
        exits = int(((dead > start) & (dead <= end)).sum())
        rows.append(
            {
                "year": year,
                "incumbents": incumbents,
                "entrants": entrants,
                "exits": exits,
                "entry_rate": entrants / incumbents if incumbents else float("nan"),
                "exit_rate": exits / incumbents if incumbents else float("nan"),
            }
        )
    return pd.DataFrame(
        rows, columns=["year", "incumbents", "entrants", "exits", "entry_rate", "exit_rate"]
    )


def entrant_survival(firms: pd.DataFrame, years: int = 5) -> float:
    """Share of entrants still alive ``years`` after entry (entrants with that much time left).

    Dunne, Roberts and Samuelson (1988): about 40% of new US manufacturing firms survive
    their first five years (61.5% exit within five).

    Returns:
        A share in [0, 1]; NaN when no entrant had ``years`` of run left.
    """
    first = firms.groupby("firm_id")["step"].min()
    dead = firms[~firms["alive"].astype(bool)].groupby("firm_id")["step"].min()
    horizon = years * WEEKS_PER_YEAR
    last_step = int(firms["step"].max())
    entrants = first[(first > 0) & (first + horizon <= last_step)]
    if entrants.empty:
        return float("nan")
    died = dead.reindex(entrants.index)
    survived = died.isna() | (died > entrants + horizon)
    return float(survived.mean())


# ---------------------------------------------------------------- concentration


def hhi_by_year(panel: pd.DataFrame) -> pd.Series:
    """HHI of yearly sizes among the firms of each complete year, indexed by year."""
    return panel.groupby("year")["size"].apply(herfindahl)


def monopoly_drift(hhi: pd.Series, threshold: float = 0.9) -> dict[str, float]:
    """Trend of concentration: OLS slope of HHI per decade, first and last HHI, years above.

    Args:
        hhi: HHI by year (from :func:`hhi_by_year`).
        threshold: HHI above which the market counts as (near) monopoly.

    Returns:
        ``hhi_first, hhi_last, slope_per_decade, share_of_years_above``.
    """
    values = hhi.dropna()
    if values.empty:
        nan = float("nan")
        return {
            "hhi_first": nan,
            "hhi_last": nan,
            "slope_per_decade": nan,
            "share_of_years_above": nan,
        }
    slope = (
        np.polyfit(values.index.to_numpy(float), values.to_numpy(), 1)[0]
        if len(values) > 1
        else 0.0
    )
    return {
        "hhi_first": float(values.iloc[0]),
        "hhi_last": float(values.iloc[-1]),
        "slope_per_decade": float(10 * slope),
        "share_of_years_above": float((values > threshold).mean()),
    }
