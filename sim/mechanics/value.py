"""Long-run value: to shareholders (market value, total shareholder return) and customers.

Valuation rule: earnings-power value (Greenwald, Kahn, Sonkin and van Biema 2001,
*Value Investing: From Graham to Buffett and Beyond*, ch. 3), a discounted-cash-flow
value with no growth assumed:

    V = max(0, cash + max(0, OP_annual) / r)

with ``OP_annual`` the operating profit (revenue less variable and fixed costs, before
the discretionary spend on experience, selection, efficiency, innovation and
marketing) of the last four quarters, annualised when the firm has fewer, and ``r``
the annual discount rate. Why this rule: it needs no forecast the model would have to
make up, it is the DCF value of the business as it stands (a perpetuity of current
earnings power) plus the cash it holds, it is the same rule for both mindsets, and it
neither rewards a firm for paying out (cash paid is no longer held) nor punishes it
for investing (investment is not deducted from earnings power). The floors are limited
liability: shares are worth at least nothing, and losses are not capitalised because
a loss-making business can be closed.

Total shareholder return from a base date ``0`` to ``t`` (standard definition, as in
S&P Dow Jones Indices' total-return indices, with dividends not reinvested):

    TSR = (V_t + D_(0,t]) / V_0 - 1

with ``D`` the payouts received since birth. ``V_0``, the value at birth, applies the
same rule to the starting cash and the earnings power of the first quarter (known at
its end): for a start-up, whose first quarter earns nothing, it is the capital put in;
for an established business it includes the business.

Consumer surplus attributed to a firm: each shopper's expected surplus of the week
(the logit log-sum, Small and Rosen 1981) is split across firms in proportion to her
chance of buying from each, ``CS_i P_ij / (1 - P_i0)``. Summed over firms this is the
market's consumer surplus, so nothing is created or lost by the attribution.
"""

from __future__ import annotations

import numpy as np

QUARTERS_PER_YEAR = 4


def annual_operating_profit(quarterly: list[float]) -> float:
    """Operating profit over the last four quarters, annualised if fewer are known.

    Args:
        quarterly: operating profits of completed quarters, oldest first.

    Returns:
        Annual operating profit ($); 0 with no quarter yet.
    """
    recent = quarterly[-QUARTERS_PER_YEAR:]
    if not recent:
        return 0.0
    return float(np.mean(recent) * QUARTERS_PER_YEAR)


def market_value(cash: float, annual_operating_profit: float, discount_rate: float) -> float:
    """Earnings-power value ``max(0, cash + max(0, OP) / r)``.

    Args:
        cash: cash held ($, negative = debt).
        annual_operating_profit: ``OP`` ($ per year).
        discount_rate: ``r`` > 0 per year.

    Returns:
        Market value ($).
    """
    if discount_rate <= 0:
        raise ValueError(f"discount_rate must be > 0, got {discount_rate}")
    return max(0.0, cash + max(0.0, annual_operating_profit) / discount_rate)


def shareholder_value(payouts, market_value, equity=0.0):
    """What owners have had and still hold: ``SV = D - E + V``.

    Args:
        payouts: cumulative payouts ``D`` ($; numbers or arrays).
        market_value: market value now ``V`` ($; 0 once a firm has exited).
        equity: equity investors have put in ``E`` ($).

    Returns:
        Shareholder value ($), shaped like the arguments.
    """
    return payouts - equity + market_value


def total_shareholder_return(value: float, payouts_since_base: float, base_value: float) -> float:
    """``TSR = (V_t + D) / V_0 - 1``; NaN when the base value is not positive."""
    if base_value <= 0:
        return float("nan")
    return (value + payouts_since_base) / base_value - 1.0


def attributed_surplus(
    probabilities: np.ndarray, surplus: np.ndarray, n_firms: int | None = None
) -> np.ndarray:
    """Split each shopper's expected surplus across firms by purchase probability.

    Args:
        probabilities: ``(N, F + 1)`` logit probabilities, column 0 the outside option.
        surplus: ``(N,)`` expected surplus of each shopper ($).
        n_firms: number of firm columns (inferred if None).

    Returns:
        ``(F,)`` surplus attributed to each firm ($); sums to the surplus of the
        shoppers who could buy from some firm.
    """
    inside = 1.0 - probabilities[:, 0]
    weights = np.divide(surplus, inside, out=np.zeros_like(surplus), where=inside > 0)
    # einsum: several times faster than ``weights @ probabilities[:, 1:]`` on a
    # strided (N, F) view, and this runs every week over every shopper
    result = np.einsum("i,ij->j", weights, probabilities, optimize=False)[1:]
    if n_firms is not None and len(result) != n_firms:
        raise ValueError(f"expected {n_firms} firm columns, got {len(result)}")
    return result


def attributed_surplus_from_cumulative(
    cumulative_weights: np.ndarray, surplus: np.ndarray
) -> np.ndarray:
    """:func:`attributed_surplus` from the cumulative choice weights of the choice stage.

    ``cumulative_weights`` is ``(F + 1, N)`` with row k the running sum of
    ``exp(V_0 - m), ..., exp(V_k - m)`` (as left by
    :func:`sim.mechanics.demand.logit_choose`), so ``P_k = (C_k - C_{k-1}) / C_F`` and the
    attribution ``sum_i S_i P_ij / (1 - P_i0)`` becomes
    ``sum_i S_i (C_j - C_{j-1}) / (C_F - C_0)``.

    Args:
        cumulative_weights: ``(F + 1, N)`` cumulative weights, row 0 the outside option.
        surplus: ``(N,)`` expected surplus of each shopper ($).

    Returns:
        ``(F,)`` surplus attributed to each firm ($).
    """
    inside = cumulative_weights[-1] - cumulative_weights[0]
    weights = np.divide(surplus, inside, out=np.zeros_like(surplus), where=inside > 0)
    return np.diff(cumulative_weights, axis=0) @ weights
