"""Scenario schema of imitation and acquisition (sections ``imitation`` and ``acquisition``).

Both are off by default: a scenario that leaves them out runs exactly as before.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.schema_base import Frozen


class ImitationSpec(Frozen):
    """Copying a rival's proven business model, imperfectly and late.

    See ``sim/mechanics/imitation.py``: a model is proven when its observed unit share
    held ``share_threshold`` for ``proven_quarters`` quarter ends; imitators see it
    ``lag_quarters`` late and close ``fraction`` of the gap to its visible stocks.
    """

    entrants: bool = Field(
        False, description="entrants copy the best proven model they can see (off by default)"
    )
    entrant_share: float = Field(
        1.0,
        ge=0,
        le=1,
        description="chance an entrant imitates when a proven model exists, in [0, 1]",
    )
    incumbents: bool = Field(
        False, description="firms already in the market may copy a proven model too"
    )
    incumbent_rate: float = Field(
        0.25,
        ge=0,
        le=1,
        description="chance per quarter that a firm below the share threshold copies, "
        "once in its life, in [0, 1]",
    )
    share_threshold: float = Field(
        0.15, gt=0, le=1, description="s*: observed unit share that proves a model, in (0, 1]"
    )
    proven_quarters: int = Field(
        4, ge=1, le=40, description="Q: consecutive quarter ends the share must hold"
    )
    lag_quarters: int = Field(
        2, ge=0, le=40, description="L: quarters between what the imitator sees and now"
    )
    fraction: float = Field(
        0.5,
        ge=0,
        le=1,
        description="f: share of the gap to the target's observed stocks the copy closes",
    )
    copy_cost: float = Field(
        0.0, ge=0, description="$ paid once by the imitator (booked as investment)"
    )

    @property
    def active(self) -> bool:
        """Whether anyone imitates in this scenario."""
        return self.entrants or (self.incumbents and self.incumbent_rate > 0)


class AcquisitionSpec(Frozen):
    """Buying a rival, decided by the acquirer's strategy, at the valuation rule's price.

    Price = market value (``sim/mechanics/value.py``) times ``1 + control_premium``; see
    ``sim/mechanics/acquisition.py``.
    """

    enabled: bool = Field(
        False, description="strategies may acquire rivals (off: no asking prices are shown)"
    )
    control_premium: float = Field(
        0.3,
        ge=0,
        le=5,
        description="pi: premium over market value the target's shareholders accept (0.3 = 30%)",
    )
    working_capital_quarters: float = Field(
        4.0,
        ge=0,
        le=40,
        description="quarters of its fixed cost an acquired brand keeps as cash; the rest "
        "is swept to its acquirer, which covers any shortfall",
    )
    max_stock_share: float = Field(
        1.0,
        ge=0,
        le=10,
        description="largest part of a price paid in new shares, as a multiple of the "
        "acquirer's own market value (0 = cash and credit only)",
    )
