"""Money has a price: credit lines, interest, investors and right-sizing capacity.

A firm whose cash goes negative is borrowing on a credit line; lenders size the line by
what the firm earns and sells (cash-flow and asset-based lending, as in the corporate
finance texts, e.g. Tirole 2006, ch. 3, on debt capacity from pledgeable income).
Investors fund losses for a while when the customer metrics of Bezos' 1997 letter
(customer growth, repeat purchases) tell a growth story. Part of the fixed cost is
capacity that tracks volume: a shrinking firm cuts it with a delay and a one-off cost
(restructuring), so a shakeout leaves survivors.

All functions are pure: plain numbers in, plain numbers out.
"""

from __future__ import annotations

import math

WEEKS_PER_YEAR = 52


def weekly_rate(annual_rate: float) -> float:
    """Weekly rate compounding to ``annual_rate`` over a year: ``(1 + r)^(1/52) - 1``.

    Args:
        annual_rate: effective annual rate (> -1).

    Returns:
        The weekly rate.
    """
    if annual_rate <= -1:
        raise ValueError(f"annual_rate must be > -1, got {annual_rate}")
    return (1.0 + annual_rate) ** (1.0 / WEEKS_PER_YEAR) - 1.0


def interest_cost(cash: float, borrowing_rate: float, deposit_rate: float = 0.0) -> float:
    """Interest the firm pays this week ($; negative when it earns interest on deposits).

    ``i = -cash * w(b)`` when cash < 0 (a loan) and ``i = -cash * w(d)`` otherwise, with
    ``w`` the weekly rate of :func:`weekly_rate`.

    Args:
        cash: cash at the start of the week ($, negative = drawn on the credit line).
        borrowing_rate: effective annual rate on debt.
        deposit_rate: effective annual rate earned on positive cash.

    Returns:
        Interest paid ($).
    """
    if cash < 0:
        return -cash * weekly_rate(borrowing_rate)
    return -cash * weekly_rate(deposit_rate)


def credit_limit(
    annual_operating_profit: float,
    annual_revenue: float,
    earnings_multiple: float,
    revenue_advance: float,
) -> float:
    """Largest debt lenders allow: ``L = m * max(0, OP) + a * Rev``.

    ``OP`` is the earnings lenders count: ``sim.components.finance`` passes operating profit after
    investment (free cash flow, since investment is expensed in this model).

    Cash-flow lending (a multiple ``m`` of trailing operating profit, the usual covenant
    of debt to EBITDA) plus asset-based lending against what the business turns over
    (an advance ``a`` on trailing revenue, as receivables and inventory finance).

    Args:
        annual_operating_profit: trailing four quarters' operating profit ($).
        annual_revenue: trailing four quarters' revenue ($).
        earnings_multiple: ``m`` >= 0.
        revenue_advance: ``a`` >= 0.

    Returns:
        The credit limit ($, >= 0).
    """
    return earnings_multiple * max(0.0, annual_operating_profit) + revenue_advance * max(
        0.0, annual_revenue
    )


def investors_believe(
    loss_quarters: int,
    patience_quarters: int,
    customer_growth: float,
    repeat_rate: float,
    min_customer_growth: float,
    min_repeat_rate: float,
) -> bool:
    """Whether investors fund more losses: the growth story of the 1997 letter.

    Investors fund a firm that has made losses for at most ``patience_quarters`` quarters
    in a row and shows the evidence they ask for: customer growth over the last year of
    at least ``min_customer_growth`` and a repeat rate of at least ``min_repeat_rate``.

    Args:
        loss_quarters: consecutive quarters of operating losses so far.
        patience_quarters: longest run of losses investors fund (0 = never).
        customer_growth: growth of the customer base over the last year (share).
        repeat_rate: share of last quarter's units bought by returning customers.
        min_customer_growth: evidence threshold for growth.
        min_repeat_rate: evidence threshold for repeat purchases.

    Returns:
        True if investors put in equity now.
    """
    return (
        loss_quarters <= patience_quarters
        and patience_quarters > 0
        and customer_growth >= min_customer_growth
        and repeat_rate >= min_repeat_rate
    )


def equity_to_raise(cash: float, quarterly_burn: float, runway_quarters: float) -> float:
    """Equity that brings cash up to ``runway_quarters`` of the current burn: ``max(0, R b - c)``.

    Args:
        cash: cash now ($, negative = debt, repaid first).
        quarterly_burn: cash lost last quarter ($, >= 0).
        runway_quarters: quarters of burn investors fund at once.

    Returns:
        The amount raised ($, >= 0).
    """
    return max(0.0, runway_quarters * max(0.0, quarterly_burn) - cash)


def capacity_target(weekly_units: float, headroom: float) -> float:
    """Capacity a firm keeps for its volume: ``K* = h * q`` (units per week)."""
    return headroom * max(0.0, weekly_units)


def adjust_capacity(capacity: float, target: float, cut_rate: float) -> float:
    """Capacity after one quarter's adjustment toward the target.

    Growth is built at once (``K' = K*`` when ``K* > K``); a cut removes at most the share
    ``cut_rate`` of capacity a quarter (``K' = max(K*, (1 - c) K)``), the delay of closing
    sites and ending leases.

    Args:
        capacity: capacity now (units per week).
        target: capacity wanted (units per week).
        cut_rate: largest share cut in one quarter, in [0, 1].

    Returns:
        The new capacity.
    """
    if target >= capacity:
        return target
    return max(target, (1.0 - cut_rate) * capacity)


def restructuring_cost(capacity_cut: float, cost_per_unit: float, weeks: float) -> float:
    """One-off cost of a cut: ``weeks`` of the capacity cost removed, ``w * k * dK``."""
    return max(0.0, capacity_cut) * cost_per_unit * weeks


def discount_factor(hurdle_rate: float, weeks: float) -> float:
    """Present value of $1 paid in ``weeks``: ``(1 + r)^(-weeks / 52)``."""
    return math.pow(1.0 + hurdle_rate, -weeks / WEEKS_PER_YEAR)


def plan_value(
    weeks: tuple[float, ...], surplus: tuple[float, ...], required_return: float
) -> float:
    """What investors think a plan is worth: its surpluses, then its run rate for ever.

    The plan's evaluation weeks ``t_0 < ... < t_n`` (``t_n`` the horizon) are the middles
    of segments that tile ``[0, t_n]`` (so segment ``k`` ends at ``2 t_k`` less the
    previous end); each segment's weekly surplus ``s_k`` is paid over its ``L_k`` weeks
    and discounted from its evaluation week; the run rate at the
    horizon ``s_n`` continues as a perpetuity: ``V = sum_k L_k s_k (1+r)^(-t_k/52) +
    52 s_n / r (1+r)^(-t_n/52)``.

    Args:
        weeks: evaluation weeks, increasing; the last is the horizon's end.
        surplus: weekly surplus at each (same length; $ per week).
        required_return: investors' annual required return ``r`` > 0.

    Returns:
        The plan's value ($, may be negative).
    """
    if required_return <= 0:
        raise ValueError(f"required_return must be > 0, got {required_return}")
    if len(weeks) != len(surplus) or not weeks:
        raise ValueError("weeks and surplus must have one equal length >= 1")
    *middles, end = weeks
    value = 0.0
    start = 0.0
    for k, week in enumerate(middles):
        stop = 2.0 * week - start
        value += (stop - start) * surplus[k] * discount_factor(required_return, week)
        start = stop
    return value + 52.0 * surplus[-1] / required_return * discount_factor(required_return, end)


def plan_is_credible(
    plan_growth: float,
    value: float,
    amount: float,
    track_record: float,
    repeat_rate: float,
    has_history: bool,
    min_customer_growth: float,
    min_repeat_rate: float,
) -> bool:
    """Whether investors believe a plan: growth and value, discounted by the track record.

    Investors discount what the plan projects by how well the firm's past plans came
    true (``track_record`` in [0, 1]): they require credible growth of weekly units over
    the plan, ``rho (1 + g) - 1 >= g_min``, a credible value at least the amount asked,
    ``rho V >= E``, and, from a firm with a quarter of sales behind it, a repeat rate of
    at least ``min_repeat_rate`` (customers who come back, the 1997 letter's evidence).

    Args:
        plan_growth: growth of expected weekly units from now to the horizon (share).
        value: the plan's value (:func:`plan_value`, $).
        amount: equity asked ($, >= 0).
        track_record: ``rho``, credibility of the firm's plans so far.
        repeat_rate: share of last quarter's units bought by returning customers.
        has_history: whether the firm has sold for a quarter.
        min_customer_growth: ``g_min``.
        min_repeat_rate: evidence threshold for repeat purchases.

    Returns:
        True if the plan is credible for that amount.
    """
    return (
        track_record * (1.0 + plan_growth) - 1.0 >= min_customer_growth
        and track_record * value >= amount
        and (not has_history or repeat_rate >= min_repeat_rate)
    )


def track_record(previous: float, projected: float, realised: float, weight: float) -> float:
    """Credibility of a firm's plans after one more quarter: ``(1-w) rho + w min(1, a/p)``.

    An exponentially weighted mean of how much of each quarter's projected weekly units
    the firm delivered (capped at one: beating a plan earns no extra credit). A plan that
    projected nothing leaves the record as it was.

    Args:
        previous: ``rho`` before the quarter, in [0, 1].
        projected: weekly units the plan projected for the quarter.
        realised: weekly units sold.
        weight: ``w`` in [0, 1], weight of the latest quarter.

    Returns:
        The updated record.
    """
    if projected <= 0:
        return previous
    return (1.0 - weight) * previous + weight * min(1.0, max(0.0, realised) / projected)


def payout_allowed(amount: float, cash: float, paid_in_capital: float) -> float:
    """Payout a firm may make: from retained earnings only, ``min(P, max(0, C - K))``.

    Cash less the capital its owners put in (at start-up and in equity raised) is what
    it has earned and kept; start-up capital and equity are not paid back as dividends.

    Args:
        amount: payout asked ($, >= 0).
        cash: cash now ($).
        paid_in_capital: start-up capital plus equity raised ($).

    Returns:
        The payout allowed ($, >= 0).
    """
    return max(0.0, min(amount, cash - paid_in_capital))


def seed_credit(fixed_cost: float, market_weekly_revenue: float, live_firms: int, weeks: float):
    """A start-up's first credit line: ``max(13 F, w R / n)`` ($).

    A quarter of its fixed cost, or ``weeks`` of an average live firm's revenue (the
    market's weekly revenue ``R`` over its ``n`` live firms), whichever is larger: lenders
    size a seed line by the business it enters.
    """
    share = market_weekly_revenue / live_firms if live_firms > 0 else 0.0
    return max(13.0 * fixed_cost, weeks * max(0.0, share))


def seed_line_left(seed_line: float, age_weeks: float, term_weeks: float) -> float:
    """What remains of a start-up's seed line after ``age_weeks``: ``L0 max(0, 1 - a/T)``.

    New firms borrow most of their outside money as bank debt, term loans and credit
    lines, not outside equity (Robb and Robinson 2014, "The capital structure decisions
    of new firms", *Review of Financial Studies* 27(1), on the Kauffman Firm Survey). The
    seed line is such a loan, sized at founding (:func:`seed_credit`) and amortised in a
    straight line over its term ``T``; lenders grant a start-up at least what is left of
    it whatever its trailing earnings show. ``T = 0`` means no term: nothing is left.

    Args:
        seed_line: ``L0``, the line at founding ($, >= 0).
        age_weeks: weeks since founding (>= 0).
        term_weeks: ``T`` >= 0.

    Returns:
        The line left ($, >= 0).
    """
    if term_weeks <= 0:
        return 0.0
    return max(0.0, seed_line) * max(0.0, 1.0 - max(0.0, age_weeks) / term_weeks)


def venture_plan_is_credible(
    plan_growth: float,
    value: float,
    amount: float,
    track_record: float,
    min_customer_growth: float,
) -> bool:
    """Whether venture investors fund a start-up's plan: staged on its milestones.

    Venture capital is paid in stages, each against the milestones of the business plan
    (Gompers 1995, "Optimal investment, monitoring, and the staging of venture capital",
    *Journal of Finance* 50(5); Kaplan and Stromberg 2003). The evidence is the plan and
    how far the firm has delivered its earlier plans' milestones (its track record
    ``rho``), not the repeat share of an established business: a start-up's units come
    mostly from new customers, so its repeat share is low while it grows. Investors fund
    when ``rho (1 + g) - 1 >= g_min`` and ``rho V >= E`` (the tests of
    :func:`plan_is_credible` without the repeat evidence).

    Args:
        plan_growth: ``g``, growth of expected weekly units over the plan (share).
        value: the plan's value ``V`` (:func:`plan_value`, $).
        amount: ``E``, equity asked ($, >= 0).
        track_record: ``rho`` in [0, 1].
        min_customer_growth: ``g_min``.

    Returns:
        True if the plan is funded.
    """
    return track_record * (1.0 + plan_growth) - 1.0 >= min_customer_growth and (
        track_record * value >= amount
    )
