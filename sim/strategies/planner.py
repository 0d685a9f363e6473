"""One planner for both built-in mindsets: candidate decisions, projections, financing.

Both :class:`~sim.strategies.customer_obsessed.CustomerObsessed` and
:class:`~sim.strategies.shareholder_focused.ShareholderFocused` plan with this machinery
and differ only in the settings their mindset gives it (horizon, discount rate) and in
the objective by which they choose among its candidates (customers served at the
horizon, or discounted profit for the shareholders).

The plan, step by step (ODD section 7.30):

1. **Candidates.** Prices: a markup over full unit cost (``thin_margin`` times each of
   ``margin_multiples``) and the best response to rivals' prices (with and without the
   repeat purchases a sale brings within the horizon). Weekly spends on experience,
   selection and efficiency: zero, a geometric grid up to ``spend_share`` of the market's
   weekly spending at the candidate price (needs per week times price: in proportion to
   the market, no dollar cap), and each stock's upkeep. Experience and selection are
   searched jointly at every price; efficiency is then searched for the best pair.
2. **Projection.** Each stock follows the Technology dynamics
   (:func:`sim.mechanics.stocks.stocks_after`) under constant spend; demand is the
   firm's research at the stocks reached at the middle of each of ``PLAN_POINTS``
   segments of the horizon (the coming quarter, then equal parts of the rest) and at
   its end; the price follows unit cost at the
   candidate's markup (efficiency passes savings on). The change from today's demand at
   the candidate price is scaled by the firm's track record ``rho`` (how much of its
   earlier plans' projected units it delivered, ``sim.components.finance``): a firm whose plans
   overshot plans more cautiously. Weekly surplus = unit margin x
   units - fixed cost - committed spends (experiments, marketing, research) - the
   candidate's spends.
3. **Financing.** Cash moves segment by segment by the surplus less interest on debt
   (``borrowing_rate``, weekly compounding). The same rules bind every mindset: at every
   point, cash plus the share ``credit_use`` of the credit line lenders will then grant
   (re-sized on the plan's own earnings after investment and revenue, as
   ``sim.components.finance`` does) must stay above a reserve
   of ``reserve_quarters`` quarters of fixed cost and committed spends; a plan that ends
   in debt must earn its interest from its run rate at the horizon. What a plan lacks
   for those rules is the equity it needs (investors judge the plan, ``sim.components.finance``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from sim.mechanics.finance import discount_factor, seed_line_left, weekly_rate
from sim.mechanics.stocks import stocks_after, upkeep_spend
from sim.mechanics.word_of_mouth import bass_reach, referral_coefficient
from sim.strategies.base import FirmView, MarketView
from sim.strategies.market_research import MarketResearch

WEEKS_PER_QUARTER = 13
PLAN_POINTS = 2
# Coordinate search: best starting prices followed, and passes over the three spends.
STARTS = 2
ROUNDS = 2
# Candidate prices closer than this share are one candidate.
SAME_PRICE = 0.005

# A candidate plan: (index of its price option, weekly experience, selection and
# efficiency spends in $).
Candidate = tuple[int, float, float, float]
# How candidates rank (compared as tuples, higher first); see Planner.evaluate.
SortKey = tuple[float, ...]


class Financing(TypedDict):
    """What :meth:`Planner.finance` projects, one entry per candidate (last axis: points)."""

    surplus: np.ndarray
    value: np.ndarray
    needed: np.ndarray
    needed_now: np.ndarray
    min_cash: np.ndarray
    covers: np.ndarray


class Projection(Financing):
    """What :meth:`Planner.project` projects: the financing and the weekly units."""

    units: np.ndarray


# The strategy's objective: a score per candidate of a projection (higher is better).
Score = Callable[[Projection], np.ndarray]
# Which (experience, selection) spend pairs a strategy permits, as a boolean mask.
SpendMask = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PlanTerms:
    """How a strategy plans: its mindset's horizon and discounting, shared constants.

    Attributes:
        horizon_weeks: weeks the plan looks ahead (mindset).
        discount_rate: annual rate at which profit is valued (mindset).
        continuing_years: years of the horizon's run rate counted as continuing value.
        thin_margin: the thinnest markup over full unit cost considered.
        margin_multiples: markups considered, as multiples of ``thin_margin``.
        max_margin: the widest markup considered.
        repeat_pricing: whether the best response counts repeat purchases in the horizon.
        spend_share: top of the spend grid, share of the market's weekly spending.
        spend_levels: geometric levels of the spend grid below its top (halving).
        reserve_quarters: liquidity kept at every point, quarters of committed costs.
        credit_use: share of the credit line a plan may draw.
    """

    horizon_weeks: float
    discount_rate: float
    continuing_years: float
    thin_margin: float
    margin_multiples: tuple[float, ...]
    max_margin: float
    repeat_pricing: bool
    spend_share: float
    spend_levels: int
    reserve_quarters: float
    credit_use: float


@dataclass(frozen=True)
class PriceOption:
    """A candidate price: a rule (``markup`` or ``best response``), its markup and price."""

    rule: str
    margin: float
    price: float


@dataclass(frozen=True)
class Plan:
    """The chosen candidate and what the plan projects for it.

    ``units_now`` and ``units_end`` are expected weekly units at today's offer and at
    the horizon's end, ``units`` those at every point; ``surplus`` the weekly surplus
    at each point (before interest);
    ``needed`` the equity the plan lacks to meet the financing rules ($, 0 = financed).
    """

    price: PriceOption
    spend_experience: float
    spend_selection: float
    spend_efficiency: float
    units_now: float
    units_end: float
    units: tuple[float, ...]
    value: float
    needed: float
    weeks: tuple[float, ...]
    surplus: tuple[float, ...]
    min_cash: float
    feasible: bool

    @property
    def spends(self) -> float:
        """Total weekly spend on the three stocks ($)."""
        return self.spend_experience + self.spend_selection + self.spend_efficiency


def spend_grid(top: float, levels: int, extra: tuple[float, ...] = ()) -> np.ndarray:
    """Candidate weekly spends: zero, ``top`` halved ``levels - 1`` times, and ``extra``.

    ``extra`` values (upkeep: holding a stock is always a candidate) are kept when finite
    and positive.
    """
    kept = [x for x in extra if math.isfinite(x) and x > 0.0]
    if top <= 0 or levels <= 0:
        return np.unique(np.concatenate([[0.0], kept]))
    steps = top * 2.0 ** -np.arange(levels - 1, -1, -1, dtype=float)
    return np.unique(np.concatenate([[0.0], steps, kept]))


def plan_points(horizon_weeks: float) -> tuple[np.ndarray, np.ndarray]:
    """Evaluation weeks (segment middles) and each segment's length in weeks.

    The coming quarter is one segment (liquidity is decided there: a plan that spends
    ahead of its revenue burns cash first); the rest of the horizon is cut into
    ``PLAN_POINTS - 1`` equal segments. A horizon of a quarter or less is one segment.
    """
    if horizon_weeks <= WEEKS_PER_QUARTER + 1e-9:
        return np.array([horizon_weeks / 2.0]), np.array([horizon_weeks])
    rest = (horizon_weeks - WEEKS_PER_QUARTER) / (PLAN_POINTS - 1)
    lengths = np.array([WEEKS_PER_QUARTER] + [rest] * (PLAN_POINTS - 1), dtype=float)
    ends = np.cumsum(lengths)
    return ends - lengths / 2.0, lengths


def price_options(firm: FirmView, view: MarketView, terms: PlanTerms) -> list[PriceOption]:
    """The candidate prices: markups over full unit cost and the best responses.

    Full unit cost includes connected costs, and the price is grossed up by the platform
    fee share (both 0 without channels).
    """
    cost = firm.unit_cost + firm.connected_unit_cost
    gross = 1.0 - firm.take_share
    thin, top = terms.thin_margin, max(terms.max_margin, terms.thin_margin)
    margins = sorted({min(max(thin * k, thin), top) for k in terms.margin_multiples})
    options = [PriceOption("markup", m, cost * (1.0 + m) / gross) for m in margins]
    research = view.research
    best = research.best_response_price(firm.unit_cost, firm.price)
    responses = [best]
    if terms.repeat_pricing:
        responses.append(repeat_price(research, firm.unit_cost, best, terms))
    for rule, price in zip(("best response", "repeat response"), responses, strict=False):
        margin = price * gross / cost - 1.0 if cost > 0 else 0.0
        if margin >= 0 and all(abs(price - o.price) > SAME_PRICE * price for o in options):
            options.append(PriceOption(rule, margin, price))
    return options


def repeat_price(
    research: MarketResearch, cost: float, static_price: float, terms: PlanTerms
) -> float:
    """Best response with the repeat purchases a sale brings within the horizon.

    A sale adds ``G`` repeat units (research), each worth the markup ``p - c``, so the firm
    prices as if its unit cost were ``c - (p - c) G``; at the fixed point the markup is the
    best response's markup over ``1 + G`` (one correcting best response from there).
    Repeats are discounted to the horizon's middle at the plan's discount rate.
    """
    repeats = research.repeat_units_per_sale(terms.horizon_weeks)
    repeats *= discount_factor(terms.discount_rate, terms.horizon_weeks / 2.0)
    markup = max(0.0, static_price - cost)
    if repeats * markup < 1e-3 * cost:
        return static_price
    value = markup / (1.0 + repeats) * repeats
    return research.best_response_price(max(cost - value, 0.0), static_price - value)


def with_spend(point: Candidate, dim: int, spend: float) -> Candidate:
    """The candidate with the spend on stock ``dim`` (experience, selection, efficiency)."""
    spends = [point[1], point[2], point[3]]
    spends[dim] = spend
    return (point[0], spends[0], spends[1], spends[2])


class Planner:
    """Projects candidate decisions for one firm and one quarter (see module docstring)."""

    def __init__(self, firm: FirmView, view: MarketView, terms: PlanTerms, committed: float):
        self.firm, self.view, self.terms = firm, view, terms
        self.committed = firm.fixed_cost + committed
        self.weeks, self.lengths = plan_points(terms.horizon_weeks)
        self.all_weeks = np.append(self.weeks, terms.horizon_weeks)
        rate = terms.discount_rate
        self.discount = np.array([discount_factor(rate, w) for w in self.weeks])
        self.end_weight = 52.0 * terms.continuing_years * discount_factor(rate, terms.horizon_weeks)
        self.weekly_interest = weekly_rate(firm.borrowing_rate)
        self.reserve = terms.reserve_quarters * WEEKS_PER_QUARTER * self.committed
        self.credit = terms.credit_use * max(0.0, firm.credit_limit)
        tech = view.technology
        self.upkeep = (
            upkeep_spend(firm.experience, *tech.experience),
            upkeep_spend(firm.selection, *tech.selection, floor=1.0),
            upkeep_spend(firm.efficiency, *tech.efficiency),
        )
        self.options = price_options(firm, view, terms)
        research = view.research
        self.units_today = np.array([research.demand(price=o.price) for o in self.options])
        self.reach = self.reach_factors()
        self.credibility = min(1.0, max(0.0, firm.track_record))
        needs = float(view.research.weights.sum())
        self.grids = [
            tuple(
                spend_grid(terms.spend_share * needs * option.price, terms.spend_levels, (up,))
                for up in self.upkeep
            )
            for option in self.options
        ]

    def reach_factors(self) -> np.ndarray:
        """Growth of the firm's reach at every point, per candidate price ``(O, P+1)``.

        With a referral rate in view (``FirmView.referral_rate`` > 0; the scenario's
        ``finance.plans_project_reach``), the aware share ``A0`` (the research sample's)
        grows by Bass diffusion (:func:`~sim.mechanics.word_of_mouth.bass_reach`): ``p``
        the marketing hazard ``M / (c N)``, ``q`` the referral coefficient of the units
        the candidate price sells today (:func:`~sim.mechanics.word_of_mouth.
        referral_coefficient`); the newly aware buy as the aware do, so demand grows by
        ``F(t_k) / A0``. Otherwise (or with nobody aware) the factors are 1.
        """
        firm, research = self.firm, self.view.research
        ones = np.ones((len(self.options), len(self.all_weeks)))
        if firm.referral_rate <= 0 or firm.population <= 0:
            return ones
        aware = float(np.mean(research.available[:, research.own]))
        if aware <= 0:
            return ones
        marketing = firm.marketing_spend / (firm.marketing_contact_cost * firm.population)
        for k, units in enumerate(self.units_today):
            q = referral_coefficient(firm.referral_rate, float(units), aware * firm.population)
            ones[k] = bass_reach(aware, marketing, q, self.all_weeks) / aware
        return ones

    def project(self, candidates: np.ndarray) -> Projection:
        """Units, surplus and financing of candidates ``(C, 4)``: price index, x, s, e.

        Each stock follows its Technology dynamics under the candidate's constant weekly
        spend; the price follows unit cost at the candidate's markup. Returns arrays over
        candidates (``units``, ``surplus``: ``(C, P+1)``; ``value``, ``needed``,
        ``min_cash``, ``covers``: ``(C,)``).
        """
        firm, tech, weeks = self.firm, self.view.technology, self.all_weeks[None, :]
        index = candidates[:, 0].astype(int)
        spend_x, spend_s, spend_e = (candidates[:, k : k + 1] for k in (1, 2, 3))
        experience = stocks_after(firm.experience, spend_x, weeks, *tech.experience)
        selection = stocks_after(firm.selection, spend_s, weeks, *tech.selection, floor=1.0)
        efficiency = stocks_after(firm.efficiency, spend_e, weeks, *tech.efficiency)
        saving = (1.0 + firm.efficiency) / (1.0 + efficiency)
        prices = np.array([option.price for option in self.options])[index][:, None]
        price = prices * saving
        cost = firm.unit_cost * saving + firm.connected_unit_cost
        units = self.view.research.demand_grid(price, experience, selection)
        units = units * self.reach[index]
        # What the plan adds to today's demand counts as far as its plans have come true.
        today = self.units_today[index][:, None]
        units = np.maximum(0.0, today + self.credibility * (units - today))
        unit_margin = price * (1.0 - firm.take_share) - cost
        spends = spend_x + spend_s + spend_e
        surplus = unit_margin * units - self.committed - spends
        revenue = price * (1.0 - firm.take_share) * units
        return {"units": units, **self.finance(surplus, revenue)}

    def credit_line(self, surplus: np.ndarray, revenue: np.ndarray) -> np.ndarray:
        """Credit line lenders will grant at each point, from the plan's own flows.

        Lenders re-size the line each quarter on the trailing year's earnings after
        investment and its revenue (``sim.mechanics.finance.credit_limit``):
        ``L_k = m max(0, 52 s_k) + a 52 R_k``; over the first segment the line is at most
        today's; after it (point 1, where the plan's first check falls) the trailing year
        is the ``n <= 3`` quarters on record (free cash flow ``f_q``, revenue ``r_q``) and
        the coming one: ``L = m max(0, 4 (sum f_q + 13 s_0) / (n + 1)) + a 4 (sum r_q +
        13 R_0) / (n + 1)``. Without the lenders' terms (0, 0) the line stays today's. A
        start-up's seed line (``FirmView.seed_line``, amortised over the weeks left of its
        term) is a floor under the line at every point
        (:func:`~sim.mechanics.finance.seed_line_left`).
        """
        firm = self.firm
        if firm.credit_earnings_multiple <= 0 and firm.credit_revenue_advance <= 0:
            return np.full(surplus.shape, max(0.0, firm.credit_limit))
        multiple, advance = firm.credit_earnings_multiple, firm.credit_revenue_advance
        line = multiple * np.maximum(0.0, 52.0 * surplus) + advance * 52.0 * np.maximum(
            0.0, revenue
        )
        line[..., 0] = np.minimum(line[..., 0], max(0.0, firm.credit_limit))
        # After the coming quarter lenders still count the last quarters on record: the
        # trailing year is those and the plan's coming quarter, annualised as lenders do.
        kept = len(firm.credit_quarters)
        earned = sum(flow for flow, _ in firm.credit_quarters)
        sold = sum(revenue for _, revenue in firm.credit_quarters)
        quarter = WEEKS_PER_QUARTER
        scale = 4.0 / (kept + 1)
        line[..., 1] = multiple * np.maximum(
            0.0, scale * (earned + quarter * surplus[..., 0])
        ) + advance * np.maximum(0.0, scale * (sold + quarter * revenue[..., 0]))
        if firm.seed_line > 0:  # a start-up's seed line, amortised over its term
            left = [
                seed_line_left(firm.seed_line, w, firm.seed_line_weeks_left) for w in self.all_weeks
            ]
            line = np.maximum(line, np.array(left))
        return line

    def finance(self, surplus: np.ndarray, revenue: np.ndarray | None = None) -> Financing:
        """Cash path with interest, value, and the equity a plan lacks (last axis: points).

        ``cash_k = cash_{k-1} + L s_k - D_{k-1} ((1 + w)^L - 1)`` over segments of length
        ``L`` with debt ``D = max(0, -cash)``; value ``sum_k d_k (L s_k - interest_k) +
        W (s_end - w D_end)`` with ``d_k`` the discount at the segment's middle and ``W``
        the continuing weeks discounted from the horizon; lacking ``max_k max(0, reserve
        - credit_use * L_k - cash_k)`` over the points after today (today's cash no plan
        can change) with ``L_k`` the line lenders grant then
        (:meth:`credit_line`; today's without ``revenue``); a plan that ends in debt
        covers its interest when ``s_end >= w D_end``.
        """
        if revenue is None:
            line = np.full(surplus.shape, max(0.0, self.firm.credit_limit))
        else:
            line = self.credit_line(surplus, revenue)
        usable = self.terms.credit_use * line
        cash = np.full(surplus.shape[:-1], self.firm.cash, dtype=float)
        lowest = cash.copy()
        # Only what the plan can change counts: shortfalls from the first segment's end on.
        short = np.full_like(cash, -np.inf)
        value = np.zeros_like(cash)
        for k, length in enumerate(self.lengths):
            interest = np.maximum(0.0, -cash) * ((1.0 + self.weekly_interest) ** length - 1.0)
            cash = cash + length * surplus[..., k] - interest
            value += self.discount[k] * (length * surplus[..., k] - interest)
            lowest = np.minimum(lowest, cash)
            short = np.maximum(short, self.reserve - usable[..., k + 1] - cash)
            if k == 0:
                short_now = short.copy()
        run_rate = surplus[..., -1]
        end_interest = np.maximum(0.0, -cash) * self.weekly_interest
        value += self.end_weight * (run_rate - end_interest)
        return {
            "surplus": surplus,
            "value": value,
            "needed": np.maximum(0.0, short),
            "needed_now": np.maximum(0.0, short_now),
            "min_cash": lowest,
            "covers": (cash >= 0.0) | (run_rate >= end_interest),
        }

    def evaluate(
        self,
        candidates: list[Candidate],
        score: Score,
        allowed: SpendMask | None,
        financed: bool,
    ) -> tuple[list[SortKey], Projection]:
        """Sort keys of candidates: financed first (``financed``), else by score alone.

        With ``financed`` a plan the rules allow beats any that lacks money; among those
        that lack, plans that keep the rules over the coming quarter come first and are
        ranked by score (the firm pursues its objective and re-plans next quarter), and
        the rest by what they lack now, then over the horizon (survival first); without
        ``financed``, (covers its interest, score, value). Ties in the score go to the plan
        worth more. Candidates the strategy does not allow rank last.
        """
        array = np.array(candidates, dtype=float)
        projected = self.project(array)
        values = np.asarray(score(projected), dtype=float)
        ok = projected["covers"].copy()
        permitted = np.ones(len(array), dtype=bool)
        if allowed is not None:
            permitted = allowed(array[:, 1], array[:, 2])
            ok &= permitted
        worth = projected["value"]
        keys: list[SortKey] = []
        for c in range(len(candidates)):
            tie = float(worth[c])
            if financed:
                lacking = float(projected["needed"][c])
                fine = int(bool(ok[c] and lacking <= 0.0))
                lacking_now = float(projected["needed_now"][c])
                near = int(lacking_now <= 0.0)
                first = -lacking if fine or not near else float(values[c])
                status = (int(permitted[c]), int(bool(ok[c])), fine, near, -lacking_now)
                keys.append((*status, first, float(values[c]), tie))
            else:
                keys.append((int(permitted[c]), int(bool(ok[c])), float(values[c]), tie))
        return keys, projected

    def search(
        self, score: Score, allowed: SpendMask | None, financed: bool
    ) -> tuple[Candidate, SortKey]:
        """Coordinate search over price and the three weekly spends.

        Every candidate price is tried at upkeep spends and at no spend (a plan the
        strategy's mask allows even where it couples the spends, so that the search can
        always reach it: one move at a time cannot leave a pair the mask ties together);
        from the best ``STARTS`` of them,
        the experience, selection and efficiency spends are improved one at a time over
        their grids (``ROUNDS`` passes), then every price is tried once more at the spends
        found. Returns the best candidate and its key.
        """
        starts = [self.snapped(k, self.upkeep) for k in range(len(self.options))]
        starts += [(k, 0.0, 0.0, 0.0) for k in range(len(self.options))]
        keys, _ = self.evaluate(starts, score, allowed, financed)
        order = sorted(range(len(starts)), key=keys.__getitem__, reverse=True)[:STARTS]
        best, best_key = starts[order[0]], keys[order[0]]
        for first in order:
            point, key = starts[first], keys[first]
            for _ in range(ROUNDS):
                for dim in range(3):
                    grid = self.grids[point[0]][dim]
                    trial = [with_spend(point, dim, float(v)) for v in grid]
                    trial_keys, _ = self.evaluate(trial, score, allowed, financed)
                    k = max(range(len(trial)), key=trial_keys.__getitem__)
                    if trial_keys[k] > key:
                        point, key = trial[k], trial_keys[k]
            if key > best_key:
                best, best_key = point, key
        others = [self.snapped(k, best[1:]) for k in range(len(self.options))]
        keys, _ = self.evaluate(others, score, allowed, financed)
        k = max(range(len(others)), key=keys.__getitem__)
        if keys[k] > best_key:
            best, best_key = others[k], keys[k]
        return best, best_key

    def snapped(self, option: int, spends: tuple[float, float, float]) -> Candidate:
        """The candidate at price option ``option`` with each spend snapped to its grid."""
        return (
            option,
            self.snap(option, 0, spends[0]),
            self.snap(option, 1, spends[1]),
            self.snap(option, 2, spends[2]),
        )

    def snap(self, option: int, dim: int, spend: float) -> float:
        """The grid value of a stock's spend nearest to ``spend`` at a candidate price."""
        grid = self.grids[option][dim]
        return float(grid[int(np.abs(grid - spend).argmin())])

    def choose(
        self, score: Score, allowed: SpendMask | None = None, equity: bool = False
    ) -> tuple[Plan, Plan | None]:
        """The best financed plan by ``score``, and (``equity``) a better one needing equity.

        ``score(projection)`` returns an array over candidates (higher is better). A plan
        is financed when it lacks nothing and its run rate covers its interest; when no
        candidate is financed, the one that lacks least is taken (survival first). With
        ``equity`` (investors are there to ask), a second search ignores what the plan
        lacks; its plan is returned when it needs equity and scores higher than the
        first (or nothing is financed). ``allowed(x, s)`` may mask spend pairs.
        """
        point, key = self.search(score, allowed, financed=True)
        chosen = self.plan(point)
        if not equity:
            return chosen, None
        other, other_key = self.search(score, allowed, financed=False)
        wanted = self.plan(other)
        if other_key[1] and wanted.needed > 0 and (not key[2] or other_key[2] > key[6]):
            return chosen, wanted
        return chosen, None

    def plan(self, point: Candidate) -> Plan:
        """The plan of one candidate ``(price index, x, s, e)``."""
        projected = self.project(np.array([point], dtype=float))
        option = self.options[int(point[0])]
        units_now = float(self.view.research.demand(price=option.price))
        covers = bool(projected["covers"][0])
        needed = float(projected["needed"][0])
        return Plan(
            price=option,
            spend_experience=float(point[1]),
            spend_selection=float(point[2]),
            spend_efficiency=float(point[3]),
            units_now=units_now,
            units_end=float(projected["units"][0, -1]),
            units=tuple(float(x) for x in projected["units"][0]),
            value=float(projected["value"][0]),
            needed=needed,
            weeks=tuple(float(w) for w in self.all_weeks),
            surplus=tuple(float(x) for x in projected["surplus"][0]),
            min_cash=float(projected["min_cash"][0]),
            feasible=covers and needed <= 0.0,
        )
