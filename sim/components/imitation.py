"""Imitation: firms copy a rival's proven business model, imperfectly and late.

The model holds one :class:`Imitation` component (``model.imitation``). At every quarter
end it records what anyone can observe of each firm (unit share, price, visible stocks,
channels, connected experience); entrants (at entry) and, if switched on, lagging
incumbents (at quarter ends) copy the best model proven in that record, seen
``lag_quarters`` late. The rules are the pure functions of
:mod:`sim.mechanics.imitation`; the scenario section is
:class:`~sim.scenario.schema_rivalry.ImitationSpec`. Switched off, it records nothing and
draws no random number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.mechanics import imitation as rules
from sim.scenario.schema_channels import ConnectedKind
from sim.scenario.schema_rivalry import ImitationSpec

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel

IMITATION_FIRM_COLUMNS = ["imitated_from"]
"""Columns added to the firm table: the name of the firm copied ('' if none)."""


@dataclass(frozen=True)
class Observation:
    """What the market could see of every firm at one quarter end (arrays by slot)."""

    share: np.ndarray
    price: np.ndarray
    experience: np.ndarray
    selection: np.ndarray
    mean_price: float
    sells_direct: tuple[bool, ...]
    listed_on: tuple[tuple[int, ...], ...]
    direct_relationship: tuple[bool, ...]
    connected: tuple[ConnectedKind, ...]


class Imitation:
    """The imitation component: the public record of firms' models and who copied whom."""

    name: ClassVar[str] = "imitation"
    firm_columns: list[str] = IMITATION_FIRM_COLUMNS

    def __init__(self, spec: ImitationSpec):
        self.spec = spec
        self.record: list[Observation] = []
        self.copied_from: dict[int, str] = {}

    @property
    def active(self) -> bool:
        """Whether anyone imitates in this scenario."""
        return self.spec.active

    def observe_and_copy(self, model: MarketModel) -> None:
        """Quarter end: the public record of firms' models grows; lagging firms may copy."""
        self.observe(model)
        self.incumbents_copy(model)

    def observe(self, model: MarketModel) -> None:
        """Quarter end: record each firm's observed share, price, stocks and channels."""
        if not self.active:
            return
        firms = model.firms
        total = model.last_quarter_units
        units = np.array([f.last_quarter.units if f.alive else 0.0 for f in firms])
        share = units / total if total > 0 else np.zeros(len(firms))
        prices = np.array([f.price for f in firms])
        self.record.append(
            Observation(
                share=share,
                price=prices,
                experience=np.array([f.experience for f in firms]),
                selection=np.array([f.selection for f in firms]),
                mean_price=rules.mean_price(prices, units),
                sells_direct=tuple(f.sells_direct for f in firms),
                listed_on=tuple(f.listed_on for f in firms),
                direct_relationship=tuple(f.direct_relationship for f in firms),
                connected=tuple(f.connected for f in firms),
            )
        )

    def target(self, imitator: int = -1) -> tuple[int, Observation | None]:
        """The proven model an imitator sees now: ``(slot, observation)``, or ``(-1, None)``."""
        spec = self.spec
        seen = len(self.record) - spec.lag_quarters
        if seen < spec.proven_quarters:
            return -1, None
        window = self.record[seen - spec.proven_quarters : seen]
        width = len(window[-1].share)
        history = np.zeros((len(window), width))
        for row, observation in enumerate(window):
            history[row, : len(observation.share)] = observation.share
        proven = rules.proven_models(history, spec.share_threshold, spec.proven_quarters)
        observed = window[-1]
        slot = rules.imitation_target(observed.share, proven, imitator)
        return slot, (observed if slot >= 0 else None)

    def entrant_copies(self, model: MarketModel, firm) -> float | None:
        """A new entrant copies the best proven model it can see (if switched on).

        Runs before the entrant's first decision, so its strategy decides on the copied
        stocks and channels.

        Returns:
            The launch price at the target's price position, which holds until the
            entrant's first quarter-end decision; None if it did not imitate.
        """
        spec = self.spec
        if not spec.entrants:
            return None
        slot, observed = self.target(firm.slot)
        if observed is None or not model.firms[slot].alive:
            return None
        if spec.entrant_share < 1.0 and model.rng.random() >= spec.entrant_share:
            return None
        return self.copy(model, firm, slot, observed, launch_price=True)

    def incumbents_copy(self, model: MarketModel) -> None:
        """Quarter end: each firm below the share threshold may copy, once in its life."""
        spec = self.spec
        if not (spec.incumbents and spec.incumbent_rate > 0):
            return
        for firm in model.firms:
            if not firm.alive or firm.slot in self.copied_from:
                continue
            last = self.record[-1]
            if firm.slot < len(last.share) and last.share[firm.slot] >= spec.share_threshold:
                continue
            slot, observed = self.target(firm.slot)
            if observed is None or not model.firms[slot].alive:
                continue
            if model.rng.random() < spec.incumbent_rate:
                self.copy(model, firm, slot, observed, launch_price=False)

    def copy(
        self, model, firm, slot: int, observed: Observation, launch_price: bool
    ) -> float | None:
        """Copy the observed model of ``slot`` into ``firm`` and record the event.

        Stocks close ``fraction`` of the gap; channels, the direct relationship and the
        connected experience are copied as seen (channels only where the firm is free to
        choose, the connected experience only in a market with channels); an entrant also
        launches at the target's observed price position.
        """
        spec = self.spec
        target = model.firms[slot]
        firm.experience = rules.copied_stock(
            firm.experience, float(observed.experience[slot]), spec.fraction
        )
        firm.selection = rules.copied_stock(
            firm.selection, float(observed.selection[slot]), spec.fraction
        )
        firm.direct_relationship = observed.direct_relationship[slot]
        if not firm.channels_fixed:
            live = tuple(k for k in observed.listed_on[slot] if model.platforms[k].alive)
            direct = observed.sells_direct[slot] or not live
            firm.sells_direct, firm.listed_on = direct, live
        if model.channels.mode:
            firm.connected = observed.connected[slot]
        price = None
        if launch_price:
            others = [f for f in model.firms if f.alive and f is not firm]
            now = rules.mean_price(
                np.array([f.price for f in others]),
                np.array([f.last_quarter.units for f in others]),
            )
            price = rules.copied_price(float(observed.price[slot]), observed.mean_price, now)
        if spec.copy_cost > 0:
            firm.spend_once(spec.copy_cost)
        self.copied_from[firm.slot] = target.name
        model.record_event(
            firm,
            "imitation",
            f"copied {target.name} (seen {spec.lag_quarters} quarters late, "
            f"share {observed.share[slot]:.0%})",
            firm.price if price is None else price,
        )
        return price

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """The imitation columns of a firm's row in the firm table."""
        return {"imitated_from": self.copied_from.get(firm.slot, "")}
