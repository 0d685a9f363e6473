"""Scenario schema: how firms are financed (the ``finance`` section)."""

from __future__ import annotations

from pydantic import Field

from sim.scenario.schema_base import Frozen


class FinanceSpec(Frozen):
    """How firms are financed: credit, investors and capacity (scenario section ``finance``).

    Defaults: debt at 8% a year on a line of three times trailing operating profit plus a
    tenth of trailing revenue; no investors for incumbents (patience 0), venture investors
    patient for twelve loss quarters for start-ups, who judge a plan at a 15% return and
    the firm's track record; a start-up's first line is a quarter of an average firm's
    revenue; half of each firm's starting fixed
    cost is capacity at $1 per unit of weekly volume, cut by at most a quarter a quarter at
    eight weeks' cost of what is cut. Capacity does not bind unless ``capacity_binds``:
    then a firm sells at most its capacity, turns the rest away, and grows capacity only
    by orders that arrive ``capacity_lead_weeks`` later (``sim/mechanics/capacity.py``).
    """

    borrowing_rate: float = Field(
        0.08, ge=0, le=1, description="annual interest rate on negative cash (debt)"
    )
    deposit_rate: float = Field(0.0, ge=0, le=1, description="annual interest earned on cash")
    credit_earnings_multiple: float = Field(
        3.0, ge=0, le=100, description="m: credit line per $ of trailing annual operating profit"
    )
    credit_revenue_advance: float = Field(
        0.1, ge=0, le=10, description="a: credit line per $ of trailing annual revenue"
    )
    initial_credit: float | None = Field(
        None,
        ge=0,
        description="credit line before a firm's first quarter end ($; default: a quarter "
        "of its starting fixed cost)",
    )
    investor_patience_quarters: int = Field(
        0, ge=0, le=200, description="longest run of loss quarters investors fund (0 = none)"
    )
    investor_min_customer_growth: float = Field(
        0.0, ge=-1, le=100, description="customer growth over the last year investors require"
    )
    investor_min_repeat_rate: float = Field(
        0.3, ge=0, le=1, description="repeat rate investors require"
    )
    investor_runway_quarters: float = Field(
        4.0, gt=0, le=40, description="quarters of burn one raise funds"
    )
    investor_required_return: float = Field(
        0.15,
        gt=0,
        le=2,
        description="annual return at which investors value a firm's plan (its projected "
        "surpluses, then its run rate for ever)",
    )
    track_record_weight: float = Field(
        0.5,
        ge=0,
        le=1,
        description="weight of the latest quarter in a firm's track record (share of each "
        "quarter's projected units it delivered)",
    )
    venture_patience_quarters: int = Field(
        12,
        ge=0,
        le=200,
        description="longest run of loss quarters venture investors fund a start-up (a firm "
        "that entered during the run) on its plan; the larger of this and "
        "investor_patience_quarters applies to start-ups",
    )
    seed_credit_weeks: float = Field(
        13.0,
        ge=0,
        le=520,
        description="a start-up's first credit line, in weeks of an average live firm's "
        "revenue (at least a quarter of its fixed cost); ignored when initial_credit is set",
    )
    seed_credit_years: float = Field(
        0.0,
        ge=0,
        le=30,
        description="term of a start-up's seed line (years): lenders grant a start-up at "
        "least what is left of it, amortised in a straight line over the term "
        "(0 = the seed line holds only until the first quarter end)",
    )
    venture_milestones: bool = Field(
        False,
        description="venture investors fund a start-up within their patience on its plan "
        "and track record alone (staged on milestones), without the repeat-rate evidence "
        "asked of an established firm",
    )
    plans_project_reach: bool = Field(
        False,
        description="plans project the growth of the firm's awareness (Bass diffusion by "
        "its marketing and word of mouth), so a start-up's plan shows the customers it "
        "will reach",
    )
    capacity_share: float = Field(
        0.5, ge=0, le=1, description="share of a firm's starting fixed cost that is capacity"
    )
    capacity_unit_cost: float = Field(
        1.0, gt=0, description="k: $ per week per unit of weekly capacity"
    )
    capacity_headroom: float = Field(
        1.2, ge=1, le=10, description="h: capacity kept per unit of recent weekly volume"
    )
    capacity_cut_rate: float = Field(
        0.25, ge=0, le=1, description="largest share of capacity cut in one quarter"
    )
    restructuring_weeks: float = Field(
        8.0, ge=0, le=520, description="one-off cost of a cut, in weeks of the cost removed"
    )
    capacity_binds: bool = Field(
        False,
        description="units sold never exceed capacity; growth only by orders with a lead time",
    )
    capacity_lead_weeks: int = Field(
        13, ge=0, le=520, description="L: weeks from a capacity order to its arrival"
    )
    capacity_capital_cost: float = Field(
        0.0, ge=0, description="c_K: $ paid at order per unit of weekly capacity ordered"
    )
