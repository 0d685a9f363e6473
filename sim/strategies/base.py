"""What a strategy sees and what it decides.

A strategy is a small class with a name, declared traits and one method,
``decide(firm, view) -> Decision``. It never touches the model: ``firm`` is a frozen
snapshot of its own firm and ``view`` a read-only view of the market, including the
firm's market research (a sample of consumers and the demand they imply).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from sim.mechanics.capacity import capacity_to_order, projected_demand
from sim.mechanics.demand import (
    choice_utilities,
    log_sum_of_others,
    logit_best_response_price,
    logit_group_best_response_price,
    logit_probabilities,
)
from sim.mechanics.relationship import repeat_units_gained
from sim.strategies.research_terms import ResearchTerms
from sim.strategies.trust_view import TrustPolicy, TrustResearch
from sim.strategies.user_code import import_module_from_here

CHANNEL_SWITCH_MARGIN = 0.02
# A price, weekly spend, payout or equity request above a trillion dollars is a mistake
# in any market this model can hold (a world market of 1e8 consumers buying a $100
# product every week turns over $1e10 a week); it would also overflow the books.
MAX_DECISION_DOLLARS = 1e12


class StrategyParams(BaseModel):
    """Base of every strategy's parameter model (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class QuarterReport:
    """A firm's results over its last completed quarter (13 weeks)."""

    units: float = 0.0
    revenue: float = 0.0
    operating_profit: float = 0.0
    investment: float = 0.0
    customers: int = 0
    customer_growth: float = 0.0
    repeat_rate: float = 0.0
    satisfaction: float = 0.0
    needs_reached: float = 0.0
    variable_cost: float = 0.0
    fixed_cost: float = 0.0
    direct_units: float = 0.0
    platform_fees: float = 0.0
    returns: float = 0.0
    trust_cost: float = 0.0
    referred_customers: float = 0.0


@dataclass(frozen=True)
class FirmView:
    """Read-only snapshot of the deciding firm."""

    firm_id: int
    name: str
    week: int
    quarter: int
    price: float
    unit_cost: float
    fixed_cost: float
    experience: float
    selection: float
    efficiency: float
    cash: float
    cumulative_units: float
    spend_experience: float
    spend_selection: float
    spend_efficiency: float
    last_quarter: QuarterReport
    previous_quarter: QuarterReport
    innovation_budget: float = 0.0
    spend_innovation: float = 0.0
    marketing_spend: float = 0.0
    take_share: float = 0.0
    connected_unit_cost: float = 0.0
    spend_research: float = 0.0
    defences_allowed: bool = False
    decides_marketing: bool = False
    platform_price: float | None = None
    direct_incentive: float = 0.0
    loyalty_rebate: float = 0.0
    owned_customers: int = 0
    loyalty_cost_per_member: float = 0.0
    incentive_cost_ratio: float = 1.0
    brand_strength: float = 0.0
    marketing_contact_cost: float = 1.0
    population: int = 0
    trust_policy: TrustPolicy = field(default_factory=TrustPolicy)
    owner: str | None = None
    credit_limit: float = 0.0
    acquisition_budget: float = 0.0
    capacity_binds: bool = False
    capacity: float = 0.0
    capacity_on_order: float = 0.0
    capacity_lead_weeks: int = 0
    capacity_headroom: float = 1.0
    demand_last_quarter: float = 0.0
    demand_previous_quarter: float = 0.0
    borrowing_rate: float = 0.08
    retained_earnings: float = math.inf
    investor_patience_quarters: int = 0
    track_record: float = 1.0
    credit_earnings_multiple: float = 0.0
    credit_revenue_advance: float = 0.0
    credit_quarters: tuple[tuple[float, float], ...] = ()
    seed_line: float = 0.0
    seed_line_weeks_left: float = 0.0
    referral_rate: float = 0.0


@dataclass(frozen=True)
class Technology:
    """Stock dynamics a strategy can use to project its investments."""

    experience: tuple[float, float, float]
    selection: tuple[float, float, float]
    efficiency: tuple[float, float, float]


@dataclass(frozen=True)
class MarketResearch:
    """A sample of consumers and the firms they can choose, as the firm's research sees them.

    ``weights`` convert the sample into expected weekly purchases of the whole market
    (need rate times population over sample size). ``terms`` says what the research
    cost and how precise it is when research with noise is on (None: free and exact).
    ``brand_match`` holds the sampled consumers' lasting match with each firm (``(K, F)``
    utils, ``sim.components.heterogeneity``; None without one).
    """

    own: int
    outside_utility: float
    quality: np.ndarray
    price: np.ndarray
    selection: np.ndarray
    experience: np.ndarray
    price_sensitivity: np.ndarray
    selection_taste: np.ndarray
    experience_taste: np.ndarray
    expectation: np.ndarray
    habit_strength: np.ndarray
    last_firm: np.ndarray
    available: np.ndarray
    weights: np.ndarray
    habit_scale: np.ndarray | None = None
    siblings: tuple[int, ...] = ()
    sibling_markups: np.ndarray | None = None
    need_rate: np.ndarray | None = None
    terms: ResearchTerms | None = None
    trust: TrustResearch | None = None
    brand_match: np.ndarray | None = None

    def _utilities(self, price: np.ndarray, selection: np.ndarray, experience: np.ndarray):
        utilities = self._known_utilities(price, selection, experience)
        if self.trust is not None:
            utilities += self.trust.adjustment
        if self.brand_match is not None:
            utilities += self.brand_match
        return utilities

    def _known_utilities(self, price: np.ndarray, selection: np.ndarray, experience: np.ndarray):
        return choice_utilities(
            self.quality,
            price,
            np.log(np.maximum(selection, 1.0)),
            experience,
            self.price_sensitivity,
            self.selection_taste,
            self.experience_taste,
            self.expectation,
            self.habit_strength,
            self.last_firm,
            self.available,
            self.habit_scale,
        )

    def _with_own(self, array: np.ndarray, value: float | None) -> np.ndarray:
        if value is None:
            return array
        changed = array.copy()
        changed[self.own] = value
        return changed

    @functools.cached_property
    def _fixed_part(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per sampled consumer, what stays fixed while the firm varies its own offer.

        ``L_i = ln(exp(u0) + sum_{k != own} exp(V_ik))`` (rivals' offers are fixed within
        one research sample), the firm's utility less its price, selection and experience
        terms, and whether the consumer can buy from the firm. Computed once per sample.
        """
        utilities = self._utilities(self.price, self.selection, self.experience)
        log_rest = log_sum_of_others(utilities, self.own, self.outside_utility)
        base = self.quality[self.own] - self.experience_taste * self.expectation
        own_habit = 1.0 if self.habit_scale is None else float(self.habit_scale[self.own])
        base = base + np.where(self.last_firm == self.own, self.habit_strength * own_habit, 0.0)
        if self.brand_match is not None:
            base = base + self.brand_match[:, self.own]
        if self.trust is not None:
            # Doubt about the own firm; beliefs follow a change in its experience only as
            # far as the evidence weighs (pass-through), so that share is kept at today's.
            kept = self.experience_taste * (1.0 - self._own_pass_through)
            base = base + self.trust.adjustment[:, self.own] + kept * self.experience[self.own]
        return log_rest, base, self.available[:, self.own]

    @functools.cached_property
    def _own_pass_through(self) -> np.ndarray | float:
        """Share of a change in own experience the sample's beliefs follow (1 without trust)."""
        if self.trust is None:
            return 1.0
        return self.trust.pass_through(self.trust.policy)

    @property
    def _own_experience_taste(self) -> np.ndarray:
        """``gamma_i`` times the pass-through: what own experience is worth to the sample."""
        if self.trust is None:
            return self.experience_taste
        return self.experience_taste * self._own_pass_through

    def demand_with_trust(self, policy) -> tuple[float, np.ndarray]:
        """Expected weekly units at the current offer if the firm's trust remedies were ``policy``.

        Args:
            policy: a :class:`~sim.strategies.trust_view.TrustPolicy` (referral aside).

        Returns:
            ``(units, buyers)``: expected units and expected purchases per sampled consumer.
        """
        if self.trust is None:
            raise ValueError("demand_with_trust needs research with trust switched on")
        log_rest, base, own_available = self._fixed_part
        own = self.own
        known = (
            base
            - self.trust.adjustment[:, own]
            - self.experience_taste * (1.0 - self._own_pass_through) * self.experience[own]
        )
        utility = (
            known
            + self.trust.own_adjustment(policy)
            - self.price_sensitivity * self.price[own]
            + self.selection_taste * math.log(max(self.selection[own], 1.0))
            + self.experience_taste * self.experience[own]
        )
        share = 0.5 - 0.5 * np.tanh(0.5 * (log_rest - utility))
        buyers = self.weights * np.where(own_available, share, 0.0)
        return float(buyers.sum()), buyers

    def demand(
        self,
        price: float | None = None,
        experience: float | None = None,
        selection: float | None = None,
    ) -> float:
        """Expected weekly units of the firm if it changed its own price or stocks.

        The firm's logit share for consumer i is ``1 / (1 + exp(L_i - V_i,own))``, computed
        as ``(1 - tanh((L_i - V_i,own) / 2)) / 2``, which cannot overflow; only the firm's
        own utility is evaluated for each candidate offer.

        Args:
            price: own price to evaluate (current if None).
            experience: own experience quality (current if None).
            selection: own selection (current if None).

        Returns:
            Expected units per week.
        """
        log_rest, base, own_available = self._fixed_part
        own = self.own
        price = self.price[own] if price is None else price
        experience = self.experience[own] if experience is None else experience
        selection = self.selection[own] if selection is None else selection
        gap = (
            log_rest
            - base
            + self.price_sensitivity * price
            - self.selection_taste * math.log(max(selection, 1.0))
            - self._own_experience_taste * experience
        )
        gap *= 0.5
        np.tanh(gap, out=gap)
        share = 0.5 - 0.5 * gap
        return float(self.weights @ np.where(own_available, share, 0.0))

    def demand_grid(self, price, experience, selection) -> np.ndarray:
        """:meth:`demand` for many candidate offers at once.

        Args:
            price: own prices, an array or a number (broadcast against the others).
            experience: own experience qualities, likewise.
            selection: own selections, likewise.

        Returns:
            Expected weekly units per candidate, shaped like the broadcast arguments.
        """
        price, experience, selection = np.broadcast_arrays(
            np.asarray(price, dtype=float),
            np.asarray(experience, dtype=float),
            np.asarray(selection, dtype=float),
        )
        shape = price.shape
        log_rest, base, own_available = self._fixed_part
        weights = np.where(own_available, self.weights, 0.0)
        gap = (
            (log_rest - base)[None, :]
            + self.price_sensitivity[None, :] * price.reshape(-1, 1)
            - self.selection_taste[None, :] * np.log(np.maximum(selection, 1.0)).reshape(-1, 1)
            - np.multiply(self._own_experience_taste, experience.reshape(-1, 1))
        )
        gap *= 0.5
        np.tanh(gap, out=gap)
        units = 0.5 * weights.sum() - 0.5 * (gap @ weights)
        return units.reshape(shape)

    def demand_by_firm(self, price: float | None = None) -> np.ndarray:
        """Expected weekly units of every firm (by slot) if the firm set its own price.

        Logit shares of every sampled consumer (``sim.mechanics.demand``), weighted up to
        the market.

        Args:
            price: own price to evaluate (current if None).

        Returns:
            ``(F,)`` expected units per week.
        """
        utilities = self._utilities(
            self._with_own(self.price, price), self.selection, self.experience
        )
        return self.weights @ logit_probabilities(utilities, self.outside_utility)[:, 1:]

    def repeat_units_per_sale(self, horizon_weeks: float) -> float:
        """Units a sale today brings back over ``horizon_weeks`` through habit.

        Evaluates :func:`sim.mechanics.relationship.repeat_units_gained` for each sampled
        consumer at the current offers (``N_i = lambda_i * horizon_weeks``) and averages
        over the firm's expected buyers. Rivals' offers seen by a consumer stay as they are.

        Args:
            horizon_weeks: weeks over which repeat purchases count.

        Returns:
            Expected repeat units per sale (0 without habit or without need rates).
        """
        if self.need_rate is None or horizon_weeks <= 0:
            return 0.0
        log_rest, base, own_available = self._fixed_part
        own = self.own
        habit = self.habit_strength * (
            1.0 if self.habit_scale is None else float(self.habit_scale[own])
        )
        holds = self.last_firm == own
        offer = (
            base
            - np.where(holds, habit, 0.0)
            - self.price_sensitivity * self.price[own]
            + self.selection_taste * math.log(max(self.selection[own], 1.0))
            + self._own_experience_taste * self.experience[own]
        )
        share_without = 0.5 - 0.5 * np.tanh(0.5 * (log_rest - offer))
        share_with = 0.5 - 0.5 * np.tanh(0.5 * (log_rest - offer - habit))
        rivals_given_rest = -np.expm1(np.minimum(self.outside_utility - log_rest, 0.0))
        rival_with = rivals_given_rest * (1.0 - share_with)
        gained = repeat_units_gained(
            share_with, share_without, rival_with, self.need_rate * horizon_weeks
        )
        buyers = self.weights * np.where(
            own_available, np.where(holds, share_with, share_without), 0
        )
        total = float(buyers.sum())
        return float(buyers @ gained) / total if total > 0 else 0.0

    def best_response_price(self, unit_cost: float, start_price: float) -> float:
        """Price that maximises expected weekly profit against rivals' current prices.

        A brand whose owner has other live brands (``siblings``) maximises the owner's
        profit instead, taking the siblings' current markups as given.

        Args:
            unit_cost: marginal cost ($ per unit).
            start_price: where the search starts ($).

        Returns:
            The profit-maximising price ($).
        """
        utilities = self._utilities(
            self._with_own(self.price, 0.0), self.selection, self.experience
        )
        if self.siblings:
            return logit_group_best_response_price(
                self.own,
                unit_cost,
                utilities,
                self.price_sensitivity,
                self.outside_utility,
                self.weights,
                start_price,
                self.siblings,
                self.sibling_markups,
            )
        return logit_best_response_price(
            self.own,
            unit_cost,
            utilities,
            self.price_sensitivity,
            self.outside_utility,
            self.weights,
            start_price,
        )


@dataclass(frozen=True)
class RivalView:
    """What a firm can see of a rival.

    Beyond its price: its owner, its public accounts (cash, trailing-year operating
    profit, last quarter's report), its market value, and ``asking_price``, the price
    its shareholders accept for control ($; None when acquisitions are off or the
    rival cannot be bought, see ``sim/components/acquisition.py``). ``slot`` indexes the research
    arrays.
    """

    firm_id: int
    name: str
    strategy: str
    price: float
    alive: bool
    slot: int = -1
    owner: str | None = None
    direct_relationship: bool = True
    cash: float = 0.0
    annual_operating_profit: float = 0.0
    market_value: float = 0.0
    last_quarter: QuarterReport | None = None
    asking_price: float | None = None


@dataclass(frozen=True)
class MarketView:
    """Read-only view of the market handed to a deciding strategy."""

    week: int
    quarter: int
    rivals: tuple[RivalView, ...]
    research: MarketResearch
    technology: Technology
    platforms: tuple[PlatformOption, ...] = ()


@dataclass(frozen=True)
class PlatformOption:
    """What a firm can see of a platform it might sell through."""

    slot: int
    name: str
    kind: str
    strategy: str
    take_rate: float


@dataclass(frozen=True)
class ChannelSet:
    """Channels a firm sells through: its own (direct) and platforms by slot."""

    direct: bool
    platforms: tuple[int, ...] = ()

    def label(self, names: dict[int, str]) -> str:
        """Readable name, e.g. ``direct+Compare``."""
        parts = (["direct"] if self.direct else []) + [names[k] for k in self.platforms]
        return "+".join(parts)


@dataclass(frozen=True)
class FundingPlan:
    """What a firm's plan projects, shown to investors and lenders (``sim/components/finance.py``).

    ``weeks`` are the plan's evaluation weeks from now (the last is the horizon's end),
    ``units`` and ``surplus`` the expected weekly units and weekly operating surplus
    after the plan's spends (before interest) at each; ``units_now`` the expected weekly
    units at today's offer.
    """

    units_now: float
    weeks: tuple[float, ...]
    units: tuple[float, ...]
    surplus: tuple[float, ...]

    def __post_init__(self) -> None:
        if not (len(self.weeks) == len(self.units) == len(self.surplus) >= 1):
            raise ValueError("FundingPlan needs weeks, units and surplus of one equal length >= 1")
        values = (self.units_now, *self.weeks, *self.units, *self.surplus)
        if not all(math.isfinite(v) for v in values):
            raise ValueError("FundingPlan values must be finite")


@dataclass(frozen=True)
class Decision:
    """What a strategy decides for the coming quarter.

    Every amount must be finite, >= 0 and at most :data:`MAX_DECISION_DOLLARS`.
    Spends are weekly rates in $ that hold until the next decision; ``payout`` is paid
    to shareholders once, now. ``spend_innovation`` funds experiments (see
    ``sim/mechanics/innovation.py``). ``equity_request`` asks investors for new equity
    now ($); they put it in only if they believe the firm's growth story
    (``sim/components/finance.py``). ``acquire`` names a rival to buy now at its asking price
    (``sim/components/acquisition.py``); None buys nothing.

    The other fields matter only where the scenario switches their mechanic on, and all
    default to off:

    - ``spend_research`` buys survey respondents for the next quarter's research ($ per
      week; ``sim/mechanics/research.py``); ignored, and nothing paid, when research is
      free and exact.
    - Channel defences (``sim/mechanics/defences.py``, ``FirmView.defences_allowed``):
      ``platform_price`` is the price asked on platforms (None = the direct price),
      ``direct_incentive`` the $ of value given to every direct buyer, ``loyalty_rebate``
      the $ returned to loyalty members per unit bought direct (0 = no programme);
      ``marketing_spend`` is the weekly marketing spend ($; None keeps the current one).
    - Trust remedies (``sim/mechanics/trust.py``): ``guarantee``, ``free_returns``,
      ``try_on``, ``reviews``, and ``referral_reward`` in $ per referred new customer.
    - Capacity that binds (``sim/mechanics/capacity.py``): ``capacity_order`` is the
      weekly capacity ordered now (units per week, arriving after the lead time); None
      orders what :meth:`Strategy.plan_capacity` plans.
    """

    price: float
    spend_experience: float = 0.0
    spend_selection: float = 0.0
    spend_efficiency: float = 0.0
    payout: float = 0.0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    spend_innovation: float = 0.0
    equity_request: float = 0.0
    spend_research: float = 0.0
    platform_price: float | None = None
    direct_incentive: float = 0.0
    loyalty_rebate: float = 0.0
    marketing_spend: float | None = None
    guarantee: bool = False
    free_returns: bool = False
    try_on: bool = False
    reviews: bool = False
    referral_reward: float = 0.0
    acquire: str | None = None
    capacity_order: float | None = None
    funding_plan: FundingPlan | None = None

    def __post_init__(self) -> None:
        if self.acquire is not None and (
            not isinstance(self.acquire, str) or not self.acquire.strip()
        ):
            raise ValueError(
                f"Decision.acquire must be None or a firm's name, got {self.acquire!r}"
            )
        values = {
            "price": self.price,
            "spend_experience": self.spend_experience,
            "spend_selection": self.spend_selection,
            "spend_efficiency": self.spend_efficiency,
            "payout": self.payout,
            "spend_innovation": self.spend_innovation,
            "equity_request": self.equity_request,
            "spend_research": self.spend_research,
            "direct_incentive": self.direct_incentive,
            "loyalty_rebate": self.loyalty_rebate,
            "referral_reward": self.referral_reward,
        }
        for name in ("platform_price", "marketing_spend", "capacity_order"):
            if getattr(self, name) is not None:
                values[name] = getattr(self, name)
        for name, value in values.items():
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"Decision.{name} must be finite and >= 0, got {value}")
            if value > MAX_DECISION_DOLLARS:
                raise ValueError(
                    f"Decision.{name} must be at most ${MAX_DECISION_DOLLARS:,.0f}, got {value:g}"
                )
        if self.free_returns and not self.guarantee:
            raise ValueError("Decision.free_returns needs Decision.guarantee (nothing to return)")

    @property
    def trust_policy(self) -> TrustPolicy:
        """The decision's remedies for consumers' doubt, as one policy."""
        return TrustPolicy(
            self.guarantee, self.free_returns, self.try_on, self.reviews, self.referral_reward
        )


class Strategy:
    """Base class of strategies. Subclasses set ``name``, ``traits``, ``Params``, ``decide``.

    Attributes:
        name: identifier used in scenario files and result tables.
        traits: declared characteristics (who the customer is, horizon, pricing rule,
            payout policy, planning cycle, metric managed to). Two numeric traits feed
            vitality: ``proxy_focus`` (0 decides from customer metrics, 1 manages to a
            proxy) and ``decision_velocity`` (habit of acting at once on new
            information); both default to 0.5 when a strategy does not declare them.
        Params: pydantic model of the strategy's parameters.
        mindset_parameters: names of the ``Params`` fields that define the strategy's
            mindset (horizon, payout policy, objective weights, proxy trust, plan
            rigidity, experiment cutting, decision speed); every other numeric field is
            an implementation constant a verdict must survive halving and doubling.
    """

    name: ClassVar[str] = "strategy"
    traits: ClassVar[dict[str, Any]] = {}
    Params: ClassVar[type[StrategyParams]] = StrategyParams
    mindset_parameters: ClassVar[frozenset[str]] = frozenset()
    """Names of the ``Params`` fields that define the strategy's mindset (objective,
    horizon, payout policy, trust in proxies, plan rigidity, cutting experiments,
    decision speed). Every other numeric field (int, float or a list of numbers) is an
    implementation constant, which ``flywheel robustness`` halves and doubles to check
    that the verdict does not hang on it."""

    def __init__(self, **params: Any):
        self.params = self.Params.model_validate(params)

    def decide(self, firm: FirmView, view: MarketView) -> Decision:
        """Decide price, investment and payout for the coming quarter.

        Args:
            firm: snapshot of the deciding firm.
            view: read-only view of the market.

        Returns:
            The decision.
        """
        raise NotImplementedError

    def plan_capacity(self, firm: FirmView) -> float:
        """Weekly capacity to order now when the decision names none (units per week).

        The default is :func:`default_capacity_order`: cover the demand projected at the
        horizon the order arrives for. Strategies may override it.
        """
        return default_capacity_order(firm)

    def choose_channels(
        self,
        firm: FirmView,
        view: MarketView,
        options: tuple[ChannelSet, ...],
        current: ChannelSet,
    ) -> ChannelSet:
        """Choose the channels to sell through for the coming year.

        The default values each option by its expected weekly contribution through every
        channel (price less platform fee less unit cost, times units, from the market
        research) plus ``relationship_weight * price`` per unit sold direct: what the
        strategy thinks an owned customer relationship is worth beyond the sale. A
        strategy without a ``relationship_weight`` parameter values relationships at 0.
        The current channels are kept unless another option is worth at least
        ``CHANNEL_SWITCH_MARGIN`` more.

        Args:
            firm: snapshot of the deciding firm.
            view: read-only view of the market; its research must offer
                ``channel_value`` (it does whenever platforms exist).
            options: channel sets the firm may choose from.
            current: the channels it sells through now.

        Returns:
            The chosen channel set.
        """
        weight = float(getattr(self.params, "relationship_weight", 0.0))
        research = view.research
        values = {
            option: research.channel_value(
                option, firm.unit_cost + firm.connected_unit_cost, weight
            )
            for option in options
        }
        best = max(options, key=values.__getitem__)
        keep = values.get(current)
        if keep is not None and values[best] <= keep + CHANNEL_SWITCH_MARGIN * abs(keep):
            return current
        return best


def default_capacity_order(firm: FirmView, horizon_weeks: float | None = None) -> float:
    """Capacity to order so that capacity covers projected demand at the horizon.

    ``dK = max(0, h q_hat(T) - K - K_o)`` with the linear-trend projection of weekly
    demand (units sold plus shoppers turned away) of
    :func:`sim.mechanics.capacity.projected_demand`; the horizon ``T`` defaults to the
    lead time plus one quarter (the quarter the order must serve once it arrives).
    Nothing is ordered when capacity does not bind.

    Args:
        firm: the deciding firm's snapshot (its capacity fields).
        horizon_weeks: the plan's horizon in weeks (default ``L + 13``).

    Returns:
        Units of weekly capacity to order (>= 0).
    """
    if not firm.capacity_binds:
        return 0.0
    horizon = firm.capacity_lead_weeks + 13 if horizon_weeks is None else horizon_weeks
    demand = projected_demand(firm.demand_last_quarter, firm.demand_previous_quarter, horizon)
    return capacity_to_order(demand, firm.capacity_headroom, firm.capacity, firm.capacity_on_order)


def load_class(spec: str, known: dict[str, type], base: type, kind: str) -> type:
    """Return a registered class by name, or import one from ``package.module:Class``.

    Args:
        spec: a registered name or a dotted path ``package.module:Class``.
        known: registered classes by name.
        base: the class the result must subclass.
        kind: what is being looked up, for messages (e.g. ``"strategy"``).

    Returns:
        The class.

    Raises:
        ValueError: if the name is unknown, the module cannot be imported, the class is
            missing, or it does not subclass ``base``.
    """
    if spec in known:
        return known[spec]
    module_name, sep, class_name = spec.partition(":")
    if not sep:
        raise ValueError(f"unknown {kind} {spec!r}; known: {sorted(known)}")
    try:
        module = import_module_from_here(module_name)
    except ImportError as exc:
        raise ValueError(f"cannot import module {module_name!r}: {exc}") from None
    found = getattr(module, class_name, None)
    if found is None:
        raise ValueError(f"module {module_name!r} has no attribute {class_name!r}")
    if not (isinstance(found, type) and issubclass(found, base)):
        raise ValueError(f"{spec!r} is not a subclass of {base.__module__}.{base.__qualname__}")
    return found
