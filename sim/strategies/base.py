"""What a strategy sees and what it decides.

A strategy is a small class with a name, declared traits and one method,
``decide(firm, view) -> Decision``. It never touches the model: ``firm`` is a frozen
snapshot of its own firm and ``view`` a read-only view of the market, including the
firm's market research (a sample of consumers and the demand they imply).

This module holds the :class:`Strategy` base class and its parameter base; the views
live in :mod:`sim.strategies.views` and :mod:`sim.strategies.market_research`, the
decision in :mod:`sim.strategies.decision`. All of them are importable from here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from sim.mechanics.capacity import capacity_to_order, projected_demand
from sim.strategies.channel_research import ChannelMarketResearch
from sim.strategies.decision import MAX_DECISION_DOLLARS, Decision, FundingPlan
from sim.strategies.market_research import MarketResearch
from sim.strategies.user_code import import_module_from_here
from sim.strategies.views import (
    ChannelSet,
    FirmView,
    MarketView,
    PlatformOption,
    QuarterReport,
    RivalView,
    Technology,
)

__all__ = [
    "CHANNEL_SWITCH_MARGIN",
    "MAX_DECISION_DOLLARS",
    "ChannelSet",
    "Decision",
    "FirmView",
    "FundingPlan",
    "MarketResearch",
    "MarketView",
    "PlatformOption",
    "QuarterReport",
    "RivalView",
    "Strategy",
    "StrategyParams",
    "Technology",
    "default_capacity_order",
    "load_class",
]

CHANNEL_SWITCH_MARGIN = 0.02


class StrategyParams(BaseModel):
    """Base of every strategy's parameter model (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
        if not isinstance(research, ChannelMarketResearch):
            raise TypeError("choose_channels needs research that sees channels (platforms on)")
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
