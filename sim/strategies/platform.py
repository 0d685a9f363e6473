"""Platform strategies: who the platform serves decides its take rate and investment.

A platform strategy is a small class like a firm's: a name, declared traits, a
``Params`` model and one ``decide(platform, view) -> PlatformDecision``. It sees a
frozen snapshot of its platform and never touches the model.

Sources: CONCEPTS sections 1, 3 and 5. A customer-obsessed platform passes scale savings
on (Bezos, letters of 1997 and 2018: lower cost structure, lower prices, better
service); a shareholder-focused one prices to its power over the other side (Rochet and
Tirole 2003; Parker, Van Alstyne and Choudary 2016, *Platform Revolution*, ch. 6 on
raising fees once both sides are locked in).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from sim.mechanics.platforms import cost_plus_take_rate, power_take_rate
from sim.strategies.base import StrategyParams, load_class

WEEKS_PER_QUARTER = 13


@dataclass(frozen=True)
class PlatformQuarterReport:
    """A platform's results over its last completed quarter."""

    units: float = 0.0
    gmv: float = 0.0
    take: float = 0.0
    membership_revenue: float = 0.0
    operating_cost: float = 0.0
    operating_profit: float = 0.0
    investment: float = 0.0
    power: float = 0.0
    sellers: int = 0
    members: int = 0


@dataclass(frozen=True)
class PlatformView:
    """Read-only snapshot of a deciding platform.

    ``cost_per_order`` is the platform's full cost of a unit it handles at last
    quarter's volume: variable fulfilment and member costs plus fixed cost spread.
    """

    platform_id: int
    name: str
    kind: str
    week: int
    quarter: int
    take_rate: float
    fulfilment_cost: float
    fixed_cost: float
    cash: float
    experience: float
    efficiency: float
    sellers: int
    selection: float
    members: int
    cost_per_order: float
    average_price: float
    last_quarter: PlatformQuarterReport
    previous_quarter: PlatformQuarterReport


@dataclass(frozen=True)
class PlatformDecision:
    """What a platform decides for the coming quarter (weekly spends, one payout now)."""

    take_rate: float
    spend_experience: float = 0.0
    spend_efficiency: float = 0.0
    payout: float = 0.0
    note: str = ""

    def __post_init__(self) -> None:
        if not (np.isfinite(self.take_rate) and 0.0 <= self.take_rate < 1.0):
            raise ValueError(f"PlatformDecision.take_rate must be in [0, 1), got {self.take_rate}")
        for name in ("spend_experience", "spend_efficiency", "payout"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"PlatformDecision.{name} must be finite and >= 0, got {value}")


class PlatformStrategy:
    """Base class of platform strategies."""

    name: ClassVar[str] = "platform_strategy"
    traits: ClassVar[dict[str, Any]] = {}
    Params: ClassVar[type[StrategyParams]] = StrategyParams
    mindset_parameters: ClassVar[frozenset[str]] = frozenset()
    """The ``Params`` fields that define the mindset; every other numeric field is an
    implementation constant (as :attr:`sim.strategies.base.Strategy.mindset_parameters`)."""

    def __init__(self, **params: Any):
        self.params = self.Params.model_validate(params)

    def decide(self, platform: PlatformView) -> PlatformDecision:
        """Decide take rate, investment and payout for the coming quarter."""
        raise NotImplementedError


class CustomerObsessedPlatformParams(StrategyParams):
    """Parameters of :class:`CustomerObsessedPlatform`."""

    thin_margin: float = Field(0.1, ge=0, le=5, description="margin over cost per order")
    take_floor: float = Field(0.03, ge=0, lt=1, description="lowest take rate")
    take_cap: float = Field(0.3, gt=0, lt=1, description="highest take rate")
    defence_cap: float = Field(
        0.5, gt=0, lt=1, description="highest take rate while cash is below the floor"
    )
    cash_floor_quarters: float = Field(
        2.0, ge=0, description="quarters of fixed cost kept as a cash floor"
    )
    experience_share: float = Field(
        0.6, ge=0, le=1, description="share of reinvestment going to experience (rest: efficiency)"
    )
    reinvest_quarters: float = Field(
        4.0, ge=1, le=40, description="quarters over which cash above the floor is reinvested"
    )


class CustomerObsessedPlatform(PlatformStrategy):
    """Fee at cost plus a thin margin; every dollar above a cash floor reinvested.

    The take rate covers the full cost of an order (fulfilment, member perks, fixed cost
    spread over volume) plus a thin margin, so as volume lowers the cost of an order the
    fee falls and sellers' prices with it. ``take_cap`` bounds it: below that scale the
    platform subsidises its users from cash. Only while cash is below the floor does the
    fee rise as far as needed to break even (up to ``defence_cap``), as the
    customer-obsessed firm widens its margin only to defend its cash floor.

    Cash above the floor, less what the platform would lose over ``reinvest_quarters``
    at last quarter's operating loss, is spent, paced over those quarters, on the
    experience (fulfilment) and on efficiency (a lower fulfilment cost).
    """

    name = "customer_obsessed"
    traits = {
        "customer": "end user",
        "take_rate": "cost per order plus a thin margin; falls as scale lowers cost",
        "investment": "all cash above a floor, into experience and efficiency",
        "payout": "none",
    }
    Params = CustomerObsessedPlatformParams
    params: CustomerObsessedPlatformParams
    mindset_parameters = frozenset({"reinvest_quarters"})

    def decide(self, platform: PlatformView) -> PlatformDecision:
        """Cost-plus take rate and reinvestment of surplus cash."""
        p = self.params
        take = platform.take_rate
        floor = p.cash_floor_quarters * WEEKS_PER_QUARTER * platform.fixed_cost
        last = platform.last_quarter
        if last.units > 0 and platform.average_price > 0:
            take = cost_plus_take_rate(
                platform.cost_per_order,
                platform.average_price,
                p.thin_margin,
                p.take_floor,
                p.take_cap,
            )
            if platform.cash < floor and last.gmv > 0:
                break_even = (last.operating_cost - last.membership_revenue) / last.gmv
                take = float(np.clip(break_even * (1 + p.thin_margin), take, p.defence_cap))
        horizon = WEEKS_PER_QUARTER * p.reinvest_quarters
        weekly_loss = max(0.0, -platform.last_quarter.operating_profit / WEEKS_PER_QUARTER)
        budget = max(0.0, platform.cash - floor - horizon * weekly_loss) / horizon
        return PlatformDecision(
            take_rate=take,
            spend_experience=budget * p.experience_share,
            spend_efficiency=budget * (1.0 - p.experience_share),
            note=f"cost per order {platform.cost_per_order:.2f}",
        )


class ShareholderFocusedPlatformParams(StrategyParams):
    """Parameters of :class:`ShareholderFocusedPlatform`."""

    base_take: float = Field(0.1, ge=0, lt=1, description="take rate with no market power")
    max_take: float = Field(0.45, ge=0, lt=1, description="take rate with the whole market")
    adjust_speed: float = Field(
        0.5, ge=0, le=1, description="share of the gap to the target closed each quarter"
    )
    maintenance_share: float = Field(
        0.1, ge=0, le=1, description="share of fee revenue spent on the experience"
    )
    cash_reserve_quarters: float = Field(
        1.0, ge=0, description="quarters of fixed cost kept; the rest is paid out"
    )


class ShareholderFocusedPlatform(PlatformStrategy):
    """Take rate rises with power; minimal upkeep; surplus cash paid out.

    Power is the share of all purchases in the market that went through the platform
    last quarter. The take rate moves each quarter toward ``base + (max - base) power``
    and never below ``base``. A fixed share of fee revenue maintains the experience;
    cash above a reserve is paid to shareholders.
    """

    name = "shareholder_focused"
    traits = {
        "customer": "investor",
        "take_rate": "rises with the platform's share of all purchases (its power)",
        "investment": "a fixed share of fee revenue, for upkeep",
        "payout": "cash above a reserve, every quarter",
    }
    Params = ShareholderFocusedPlatformParams
    params: ShareholderFocusedPlatformParams
    mindset_parameters = frozenset({"cash_reserve_quarters"})

    def decide(self, platform: PlatformView) -> PlatformDecision:
        """Move the take rate toward what power allows; upkeep; pay out."""
        p = self.params
        target = power_take_rate(
            p.base_take, max(p.max_take, p.base_take), platform.last_quarter.power
        )
        take = platform.take_rate + p.adjust_speed * (target - platform.take_rate)
        take = float(np.clip(take, p.base_take, max(p.max_take, p.base_take)))
        revenue = platform.last_quarter.take + platform.last_quarter.membership_revenue
        upkeep = p.maintenance_share * max(revenue, 0.0) / WEEKS_PER_QUARTER
        reserve = p.cash_reserve_quarters * WEEKS_PER_QUARTER * platform.fixed_cost
        committed = upkeep * WEEKS_PER_QUARTER
        return PlatformDecision(
            take_rate=take,
            spend_experience=upkeep,
            payout=max(0.0, platform.cash - reserve - committed),
            note=f"power {platform.last_quarter.power:.2f}",
        )


PLATFORM_STRATEGIES: dict[str, type[PlatformStrategy]] = {
    CustomerObsessedPlatform.name: CustomerObsessedPlatform,
    ShareholderFocusedPlatform.name: ShareholderFocusedPlatform,
}


def resolve_platform_strategy(spec: str) -> type[PlatformStrategy]:
    """Return the platform strategy class for a name or a ``package.module:Class`` path.

    Raises:
        ValueError: if unknown, not importable, missing, or not a PlatformStrategy.
    """
    return load_class(spec, PLATFORM_STRATEGIES, PlatformStrategy, "platform strategy")
