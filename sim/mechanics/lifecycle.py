"""Birth, the stages of Day 2, death, and tenure at the top.

Sources: Bezos, 2016 letter to shareholders, for the stages: stasis, irrelevance,
decline, death. Innosight (Anthony, Viguerie, Schwartz and Van Landeghem 2018),
"2018 Corporate Longevity Forecast: Creative Destruction is Accelerating", for tenure
in the S&P 500 (33 years in 1964, 24 in 2016, about 12 forecast for 2027); Foster and
Kaplan (2001), *Creative Destruction*. Entry as a Poisson stream of founders, each
drawing a business model from a set of templates (Hopenhayn 1992 for entry and exit in
industry dynamics; Jovanovic 1982 for exit of firms that learn they are not viable).

Stage rules (each checked at quarter ends):

- stasis: vitality falls below the Day 2 threshold (Day 2 begins); a firm that climbs
  back above the threshold plus a margin records a renewal.
- irrelevance: the firm's share of the quarter's units falls below a threshold after
  its grace period; firms that stay irrelevant for a set number of quarters exit.
- decline: revenue over the last four quarters falls a set fraction below its peak.
- death: the firm exits (insolvency or irrelevance).

Tenure: at every quarter end the live firms are ranked by their revenue over the last
four quarters; the top ``K`` are "at the top". A firm's tenure is the length of its
current spell there.
"""

from __future__ import annotations

import math

import numpy as np


def arrivals(rate_per_week: float, rng: np.random.Generator) -> int:
    """Entrants arriving this week: ``Poisson(rate)`` (no draw when the rate is 0)."""
    if rate_per_week <= 0:
        return 0
    return int(rng.poisson(rate_per_week))


def entry_rate(
    base_rate: float,
    incumbent_margin: float,
    market_growth: float,
    profit_response: float,
    growth_response: float,
    max_multiple: float,
) -> float:
    """Entrants expected per year when entry follows profits and growth.

    ``lambda = lambda_0 * min(M, exp(a * m + b * g))``: a Poisson rate with a log link in
    what incumbents earned (``m``, their operating margin over the last year) and the
    market's growth (``g``, units over the last year against the year before). Entry
    responds to incumbents' profits and to market growth, with lags (Geroski 1995, "What
    do we know about market entry?", stylised results 2-4 and the entry equation
    ``E = beta (pi^e - pi*)``); counts of entrants modelled as Poisson with a log link as
    in Chappell, Kimenyi and Mayer (1990), "A Poisson probability model of entry and
    market structure". With ``m = g = 0``, or ``a = b = 0``, the rate is ``lambda_0``;
    losses and shrinking markets slow entry. ``M`` caps the multiple.

    Args:
        base_rate: ``lambda_0`` >= 0, entrants per year at zero margin and growth.
        incumbent_margin: ``m``, operating profit over revenue of the incumbents.
        market_growth: ``g``, growth of market units over the last year (share).
        profit_response: ``a`` >= 0.
        growth_response: ``b`` >= 0.
        max_multiple: ``M`` >= 1.

    Returns:
        The rate (entrants per year).
    """
    exponent = profit_response * incumbent_margin + growth_response * market_growth
    return base_rate * min(max_multiple, math.exp(min(exponent, 700.0)))


def trailing_margin(operating_profits: list[list[float]], revenues: list[list[float]]) -> float:
    """Operating margin of a group of firms over their last four quarters.

    ``m = sum_f sum_q OP_fq / sum_f sum_q R_fq`` over each firm's last four quarters
    (revenue-weighted); 0 when there is no revenue.
    """
    profit = sum(sum(history[-4:]) for history in operating_profits)
    revenue = sum(sum(history[-4:]) for history in revenues)
    return profit / revenue if revenue > 0 else 0.0


def annual_growth(quarterly_units: list[float]) -> float:
    """Growth of the last four quarters' units over the four before (0 without 8 quarters)."""
    if len(quarterly_units) < 8:
        return 0.0
    last, before = sum(quarterly_units[-4:]), sum(quarterly_units[-8:-4])
    return last / before - 1.0 if before > 0 else 0.0


def top_k(revenue: np.ndarray, alive: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the ``k`` live firms with the highest revenue.

    Ties are broken by slot (the older firm ranks first); firms with no revenue are
    never at the top.

    Args:
        revenue: revenue of each firm slot over the ranking period ($).
        alive: live firms.
        k: number of places at the top.

    Returns:
        Mask over firm slots.
    """
    revenue = np.asarray(revenue, dtype=float)
    eligible = np.asarray(alive, dtype=bool) & (revenue > 0)
    order = np.lexsort((np.arange(len(revenue)), -revenue))
    chosen = [slot for slot in order if eligible[slot]][:k]
    mask = np.zeros(len(revenue), dtype=bool)
    mask[chosen] = True
    return mask


def current_tenure_years(since_week: np.ndarray, week: int, at_top: np.ndarray) -> float:
    """Mean length (years) of the current spells of the firms at the top; 0 if none.

    Args:
        since_week: week each firm's current spell at the top began.
        week: the current week.
        at_top: mask of the firms now at the top.

    Returns:
        Mean tenure in years (52 weeks).
    """
    at_top = np.asarray(at_top, dtype=bool)
    if not at_top.any():
        return 0.0
    return float(np.mean(week - np.asarray(since_week, dtype=float)[at_top]) / 52.0)


def is_irrelevant(unit_share: float, threshold: float) -> bool:
    """Whether a quarter's unit share is below the irrelevance threshold."""
    return threshold > 0 and unit_share < threshold


def in_decline(trailing_revenue: float, peak_trailing_revenue: float, drop: float) -> bool:
    """Whether trailing-year revenue is at least ``drop`` below its peak (peak > 0)."""
    return peak_trailing_revenue > 0 and trailing_revenue <= (1.0 - drop) * peak_trailing_revenue
