"""Birth, the stages of Day 2, death, and tenure at the top.

Sources: Bezos, 2016 letter to shareholders, for the stages: stasis, irrelevance,
decline, death. Innosight (Anthony, Viguerie, Schwartz and Van Landeghem 2018),
"2018 Corporate Longevity Forecast: Creative Destruction is Accelerating", for tenure
in the S&P 500 (33 years in 1964, 24 in 2016, about 12 forecast for 2027); Foster and
Kaplan (2001), *Creative Destruction*. Entry as a Poisson stream of founders, each
drawing a business model from a set of templates (Hopenhayn 1992 for entry and exit in
industry dynamics; Jovanovic 1982 for exit of firms that learn they are not viable).

Stage rules (:func:`next_day2_stage`, checked at quarter ends). The stages are a
ladder taken in the letter's order, one rung per quarter at most: "Day 2 is stasis.
Followed by irrelevance. Followed by excruciating, painful decline. Followed by death."

- stasis (Day 2 begins): vitality falls below the Day 2 threshold.
- irrelevance (only from stasis): the firm's share of the quarter's units is below a
  threshold after its grace period; it stops mattering to the market.
- decline (only from irrelevance): revenue over the last four quarters is a set fraction
  below its peak.
- death: the firm exits (insolvency, or irrelevance for a set number of quarters in a
  row; these exit rules run apart from the ladder, so a firm can die on any rung).
- renewal: from any rung, vitality back above the threshold plus a margin returns the
  firm to Day 1. A firm whose share recovers to twice the irrelevance threshold steps
  back to stasis; one whose trailing revenue recovers to within half the drop of its
  peak steps back to irrelevance.

The pace follows from the irrelevance threshold being a share of the whole market: a
firm that loses a fraction ``r`` of its units each quarter reaches irrelevance
``ln(s0 / s_irr) / -ln(1 - r)`` quarters after it starts to shrink from share ``s0``, so
a large incumbent harvests Day 2 for years and a small firm passes through in quarters
(Bezos 2016: "this kind of decline would happen in extreme slow motion").

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


DAY1, STASIS, IRRELEVANCE, DECLINE = 0, 1, 2, 3
"""Rungs of the Day 2 ladder, in the letter's order (death is an exit, not a rung)."""

STAGE_NAMES = ("day1", "stasis", "irrelevance", "decline")
"""Name of each rung, by its number."""


def next_day2_stage(
    stage: int,
    vitality: float,
    unit_share: float,
    revenue_ratio: float,
    *,
    stasis_threshold: float,
    renewal_margin: float,
    irrelevance_share: float,
    decline_drop: float,
    judged: bool = True,
) -> int:
    """The firm's rung on the Day 2 ladder after one quarter end.

    Renewal first: from any rung, ``v > threshold + margin`` returns the firm to Day 1.
    Then a firm on a rung whose condition no longer holds (with hysteresis) steps back
    one rung, or else a firm steps down at most one rung, and only to the next one:
    Day 1 to stasis when ``v < threshold``; stasis to irrelevance when the unit share is
    below ``irrelevance_share`` (``judged``: past its grace period); irrelevance to
    decline when ``revenue_ratio <= 1 - decline_drop``.

    Args:
        stage: current rung (:data:`DAY1`, :data:`STASIS`, :data:`IRRELEVANCE` or
            :data:`DECLINE`).
        vitality: ``v`` in [0, 1].
        unit_share: the firm's share of the quarter's units, in [0, 1].
        revenue_ratio: trailing-year revenue over its peak (1 while there is no full
            year or no peak).
        stasis_threshold: vitality below which Day 2 begins.
        renewal_margin: vitality above the threshold that counts as renewal.
        irrelevance_share: unit share below which a firm is irrelevant (0: never).
        decline_drop: fall of trailing-year revenue below its peak that is decline.
        judged: whether the firm is past the grace period after entry.

    Returns:
        The new rung.
    """
    if stage > DAY1 and vitality > stasis_threshold + renewal_margin:
        return DAY1
    if stage == DECLINE and revenue_ratio >= 1.0 - decline_drop / 2:
        return IRRELEVANCE
    if stage == IRRELEVANCE and irrelevance_share > 0 and unit_share >= 2 * irrelevance_share:
        return STASIS
    if stage == DAY1 and vitality < stasis_threshold:
        return STASIS
    if stage == STASIS and judged and is_irrelevant(unit_share, irrelevance_share):
        return IRRELEVANCE
    if stage == IRRELEVANCE and revenue_ratio <= 1.0 - decline_drop:
        return DECLINE
    return stage
