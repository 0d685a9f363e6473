"""Channel state: the consumers' channel columns, the week's purchases and table columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.components.research import RESEARCH_PLATFORM_COLUMNS

POOL = -1
"""Brand of a purchase from a platform's third-party pool."""
NO_CHANNEL = -1
"""Last channel of a consumer who has not bought yet."""
DIRECT = 0
"""Channel of a purchase from a brand's own store; platform k is channel k + 1."""
QUARTERS_PER_YEAR = 4

CHANNEL_FIRM_COLUMNS = [
    "direct_units",
    "platform_units",
    "platform_share",
    "platform_fees",
    "net_revenue",
    "connected_cost",
    "owned_customers",
    "fit",
    "knowledge",
    "channels",
    "connected",
]
"""Columns added to the firm table (units in ``docs/ODD.md``)."""

PLATFORM_COLUMNS = [
    "step",
    "platform_id",
    "name",
    "kind",
    "strategy",
    "take_rate",
    "fee_rate",
    "sellers",
    "sellers_joined",
    "sellers_left",
    "seller_profit",
    "third_party_price",
    "selection",
    "purchases",
    "owner_units",
    "brand_units",
    "pool_units",
    "third_party_share",
    "gmv",
    "pool_sales",
    "pool_revenue",
    "take",
    "membership_revenue",
    "members",
    "fulfilment_cost",
    "operating_cost",
    "operating_profit",
    "investment",
    "payout",
    "cumulative_payout",
    "cash",
    "experience",
    "efficiency",
    "satisfaction",
    "customers",
    "aware_share",
    "power",
    "knowledge",
    "connected",
    "alive",
    *RESEARCH_PLATFORM_COLUMNS,
]


@dataclass
class ChannelColumns:
    """Per-consumer state that exists only when channels are on (row i = consumer i).

    Attributes:
        last_channel: channel of the last purchase: -1 none, 0 direct, k+1 platform k.
        aware_platform: knows platform k, ``(N, K)`` bool.
        member: member of platform k's programme, ``(N, K)`` bool.
        auto_firm: firm fulfilling this consumer's needs automatically (-1 none).
        auto_platform: platform doing so (-1 none).
        fit_firm: individual fit with each firm, ``(N, F)`` float32, or None.
        fit_platform: individual fit with each platform, ``(N, K)`` float32, or None.
    """

    last_channel: np.ndarray
    aware_platform: np.ndarray
    member: np.ndarray
    auto_firm: np.ndarray
    auto_platform: np.ndarray
    fit_firm: np.ndarray | None
    fit_platform: np.ndarray | None

    @classmethod
    def create(
        cls,
        n: int,
        n_firms: int,
        awareness: list[float],
        learning: bool,
        rng: np.random.Generator,
    ) -> ChannelColumns:
        """Columns at the start: no purchases, platform awareness drawn per platform."""
        aware = np.ones((n, len(awareness)), dtype=bool)
        for k, share in enumerate(awareness):
            if share <= 0.0:
                aware[:, k] = False
            elif share < 1.0:
                aware[:, k] = rng.random(n) < share
        return cls(
            last_channel=np.full(n, NO_CHANNEL, dtype=np.int16),
            aware_platform=aware,
            member=np.zeros((n, len(awareness)), dtype=bool),
            auto_firm=np.full(n, -1, dtype=np.int32),
            auto_platform=np.full(n, -1, dtype=np.int16),
            fit_firm=np.zeros((n, n_firms), dtype=np.float32) if learning else None,
            fit_platform=np.zeros((n, len(awareness)), dtype=np.float32) if learning else None,
        )

    def add_firm_column(self) -> None:
        """Room for a firm that enters (no fit yet)."""
        if self.fit_firm is not None:
            pad = np.zeros((self.fit_firm.shape[0], 1), dtype=self.fit_firm.dtype)
            self.fit_firm = np.concatenate([self.fit_firm, pad], axis=1)

    def fit_firms(self, n_firms: int) -> None:
        """Make sure there is a fit column for each of ``n_firms`` firm slots."""
        while self.fit_firm is not None and self.fit_firm.shape[1] < n_firms:
            self.add_firm_column()


@dataclass
class WeekPurchases:
    """This week's purchases, one entry per buyer.

    Attributes:
        rows: consumer rows.
        brand: firm slot bought from, or -1 for a third-party seller.
        channel: 0 direct, k+1 through platform k.
        automatic: fulfilled by automatic execution (no comparison).
        felt: satisfaction of the purchase (after the respond stage).
    """

    rows: np.ndarray
    brand: np.ndarray
    channel: np.ndarray
    automatic: np.ndarray
    felt: np.ndarray | None = None

    @property
    def satisfaction(self) -> np.ndarray:
        """Satisfaction of each purchase (set by the respond stage)."""
        if self.felt is None:
            raise RuntimeError("the week's purchases have not been judged yet")
        return self.felt
