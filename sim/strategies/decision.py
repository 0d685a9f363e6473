"""What a strategy decides: the :class:`Decision` record and the plan it shows investors."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.strategies.trust_view import TrustPolicy

# A price, weekly spend, payout or equity request above a trillion dollars is a mistake
# in any market this model can hold (a world market of 1e8 consumers buying a $100
# product every week turns over $1e10 a week); it would also overflow the books.
MAX_DECISION_DOLLARS = 1e12


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
