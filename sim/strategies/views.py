"""What a strategy sees: its own firm, its rivals, the platforms and the market.

Every view is a frozen snapshot the model builds before it calls a strategy; a strategy
reads them and never touches the model (:mod:`sim.strategies.base`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sim.strategies.market_research import MarketResearch
from sim.strategies.trust_view import TrustPolicy


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

    def price_to_buy(self) -> float:
        """The asking price of a rival that can be bought ($).

        Raises:
            ValueError: if the rival cannot be bought (``asking_price`` is None).
        """
        if self.asking_price is None:
            raise ValueError(f"{self.name} is not for sale")
        return self.asking_price


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
