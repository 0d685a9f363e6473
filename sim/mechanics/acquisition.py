"""Acquisition: buying a rival at the valuation rule's price, keeping its brand.

Sources: Walmart bought Bonobos in 2017 for $310 million (CONCEPTS section 6) and ran
it as a separate brand. Price: the target's shareholders sell at the market's valuation
of the target plus a control premium, the premium bidders pay for control; Betton, Eckbo
and Thorburn (2008), "Corporate takeovers", *Handbook of Corporate Finance* vol. 2,
report average premiums of about 45% over the pre-bid price in US takeovers
(1980-2005). Payment: cash first, then the acquirer's credit line, then new shares
issued to the sellers (a stock deal), as in the pecking order of Myers and Majluf
(1984), "Corporate financing and investment decisions when firms have information that
investors do not have", *Journal of Financial Economics* 13.

Rules:

- Price: ``P = (1 + pi) V_j`` with ``V_j`` the target's market value by the earnings-
  power rule (``sim.mechanics.value.market_value``) and ``pi`` the control premium.
- Payment: from cash ``a = min(P, max(0, C))``; from the credit line
  ``b = min(P - a, max(0, L + min(0, C)))`` (``L`` the credit limit: debt may grow
  to ``L``); the rest ``s = P - a - b`` in new shares, allowed while
  ``s <= k V_acq`` (``k`` the largest stock share, ``V_acq`` the acquirer's own market
  value). Cash after the deal: ``C' = C - a - b``; equity raised ``E' = E + s``.
- Group treasury: an acquired brand keeps a working balance of ``k`` quarters of its
  weekly fixed cost, ``W_b = 13 k F_b``; at the deal and every quarter end the head of
  its group takes the excess ``C_b - W_b`` (or covers it when negative).
- Value over a horizon: a level weekly profit ``g`` is worth ``g W`` with ``W`` the
  discounted weeks of the horizon (see
  :func:`sim.strategies.shareholder_focused.plan_weights`); the acquirer buys the
  target's cash ``C_j`` too.

All functions are pure: plain numbers in, plain numbers out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Payment:
    """How a price is paid: from cash, from the credit line, in new shares ($)."""

    cash: float
    credit: float
    stock: float

    @property
    def total(self) -> float:
        """The price paid ($)."""
        return self.cash + self.credit + self.stock


def acquisition_price(market_value: float, control_premium: float) -> float:
    """Price the target's shareholders accept: ``P = (1 + pi) V``.

    Args:
        market_value: ``V``, the target's market value ($, >= 0).
        control_premium: ``pi`` >= 0 (0.3 = 30% over market value).

    Returns:
        The price ($).
    """
    if control_premium < 0:
        raise ValueError(f"control_premium must be >= 0, got {control_premium}")
    return (1.0 + control_premium) * max(0.0, market_value)


def payment(
    price: float, cash: float, credit_limit: float, own_value: float, max_stock_share: float
) -> Payment | None:
    """Split a price into cash, credit and new shares; None if it cannot be paid.

    Args:
        price: ``P`` ($, >= 0).
        cash: the acquirer's cash ``C`` ($, negative = already borrowed).
        credit_limit: its credit line ``L`` ($, >= 0).
        own_value: its own market value ``V_acq`` ($).
        max_stock_share: ``k``, the largest stock part as a multiple of ``V_acq``.

    Returns:
        The :class:`Payment`, or None when ``P - a - b > k V_acq``.
    """
    from_cash = min(price, max(0.0, cash))
    from_credit = min(price - from_cash, max(0.0, credit_limit + min(0.0, cash)))
    stock = price - from_cash - from_credit
    if stock > max_stock_share * max(0.0, own_value) + 1e-9 * max(1.0, price):
        return None
    return Payment(from_cash, from_credit, max(0.0, stock))


def budget(cash: float, credit_limit: float, own_value: float, max_stock_share: float) -> float:
    """Largest price the acquirer can pay: ``max(0, C) + max(0, L + min(0, C)) + k V_acq``."""
    return (
        max(0.0, cash)
        + max(0.0, credit_limit + min(0.0, cash))
        + max_stock_share * max(0.0, own_value)
    )


def working_balance(weekly_fixed_cost: float, quarters: float) -> float:
    """Cash an acquired brand keeps: ``W_b = 13 k F_b`` ($)."""
    return 13.0 * max(0.0, quarters) * max(0.0, weekly_fixed_cost)


def value_over_horizon(weekly_profit: float, discounted_weeks: float, cash: float) -> float:
    """What a target is worth to a buyer: ``g W + C_j`` ($).

    Args:
        weekly_profit: ``g``, the weekly profit the buyer expects the deal to add ($).
        discounted_weeks: ``W``, the horizon's weeks discounted at the buyer's rate.
        cash: ``C_j``, the target's cash (negative = its debt, taken on).

    Returns:
        The value to the buyer ($).
    """
    return weekly_profit * discounted_weeks + cash
