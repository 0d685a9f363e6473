"""Lasting differences in the running market: brand matches and fading firm shocks.

The model holds one :class:`Heterogeneity`; its economics are the pure functions of
``sim.mechanics.heterogeneity``. Firms' founding draws of quality and capabilities are
made by the firms themselves (``Firm.draw_capabilities``).

Brand match storage. Each firm slot owns one float32 column of ``N`` matches
``mu_ij = s z_ij``, drawn from the model's generator when the firm is born (the
initial firms right after the population, an entrant when it enters). A consumer meets
its match the first time it can choose the firm; drawing the column at the firm's birth
instead of at each first meeting gives the same joint distribution (the match is
independent of everything else) in one vectorised draw, with no per-meeting hook in
the awareness stages. Per week the choice stage gathers the choosers' entries of each
live firm's column (``F`` gathers of the choosers, no ``(N, F)`` temporary). Memory is
``4 N`` bytes per live firm (80 MB at a million consumers and 20 firms); a firm's
column is freed when it leaves the market. Every number comes from the model's
generator in a fixed order, so the same seed gives the same bytes, and with ``s = 0``
nothing is drawn or stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.mechanics.heterogeneity import ar1_stationary_sd, ar1_step, brand_match
from sim.scenario.schema_base import WEEKS_PER_QUARTER
from sim.scenario.schema_shocks import ShockPeriod

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel
    from sim.scenario.schema import Scenario

SHOCK_FIRM_COLUMNS = ["demand_shock", "cost_shock"]


class Heterogeneity:
    """Brand-match columns and the firms' AR(1) demand and cost shocks.

    Args:
        scenario: the run's scenario (``consumers.brand_match_sd``, ``shocks``).
    """

    name: ClassVar[str] = "heterogeneity"

    def __init__(self, scenario: Scenario):
        self.match_sd = scenario.consumers.brand_match_sd
        self.shocks = scenario.shocks
        self.match: list[np.ndarray | None] = []

    @property
    def match_on(self) -> bool:
        """Whether consumers have a lasting match with each brand."""
        return self.match_sd > 0

    @property
    def demand_shocks_on(self) -> bool:
        """Whether firms' demand shocks move."""
        return self.shocks.demand_sd > 0

    def firm_born(self, firm, n_consumers: int, rng: np.random.Generator) -> None:
        """A firm starts (at model build or entry): its match column and first shocks.

        Draw order: ``n_consumers`` match normals (float32), then the demand shock, then
        the cost shock, each only when switched on. A firm's first shock is drawn from the
        stationary distribution, ``x_0 ~ N(0, sigma^2 / (1 - rho^2))``.

        Args:
            firm: the new firm (its ``slot`` is the next one).
            n_consumers: population size.
            rng: the model's generator.
        """
        if self.match_on:
            if firm.slot != len(self.match):
                raise ValueError(f"firm slot {firm.slot} born out of order ({len(self.match)})")
            normals = rng.standard_normal(n_consumers, dtype=np.float32)
            self.match.append(brand_match(self.match_sd, normals))
        spec = self.shocks
        if spec.demand_sd > 0:
            spread = ar1_stationary_sd(spec.demand_persistence, spec.demand_sd)
            firm.demand_shock = spread * float(rng.standard_normal())
        if spec.cost_sd > 0:
            spread = ar1_stationary_sd(spec.cost_persistence, spec.cost_sd)
            firm.cost_shock = spread * float(rng.standard_normal())
            firm.unit_cost = firm.current_unit_cost()

    def add_brand_match(self, firm_utilities: np.ndarray, rows: np.ndarray, alive) -> None:
        """Add the choosers' matches to their utilities of the live firms, in place.

        Args:
            firm_utilities: ``(F, n)`` utilities of the firms (row j = slot j) for the
                choosers; ``-inf`` stays ``-inf``.
            rows: the choosers' consumer rows, ``(n,)``.
            alive: ``(F,)`` bool; a departed firm's column is freed here.
        """
        for slot, column in enumerate(self.match):
            if column is None:
                continue
            if not alive[slot]:
                self.match[slot] = None
                continue
            firm_utilities[slot] += np.take(column, rows)

    def research_match(self, rows: np.ndarray, n_firms: int) -> np.ndarray | None:
        """The matches of sampled consumers with every firm, ``(K, F)`` utils (None if off).

        Args:
            rows: the sampled consumer rows.
            n_firms: number of firm slots.

        Returns:
            ``(K, F)`` float64 matches (0 for a departed firm), or None with no match.
        """
        if not self.match_on:
            return None
        sample = np.zeros((len(rows), n_firms))
        for slot, column in enumerate(self.match):
            if column is not None:
                sample[:, slot] = column[rows]
        return sample

    def evolve_shocks(self, firms, week: int, rng: np.random.Generator) -> None:
        """Move every live firm's shocks one period (weekly, or in a quarter's last week).

        ``x_t = rho x_(t-1) + sigma e_t`` (:func:`ar1_step`). Draw order: one demand
        innovation per firm slot, then one cost innovation per slot (departed slots draw
        too, so the order does not depend on who left). A quarterly shock moves in the
        quarter's last week, so the firms' quarter-end decisions see the new value.

        Args:
            firms: the model's firms by slot.
            week: the week being stepped (0-based, before the step's increment).
            rng: the model's generator.
        """
        spec = self.shocks
        if not spec.enabled:
            return
        if spec.period is ShockPeriod.quarter and (week + 1) % WEEKS_PER_QUARTER != 0:
            return
        if spec.demand_sd > 0:
            innovations = rng.standard_normal(len(firms))
            for firm, e in zip(firms, innovations, strict=True):
                if firm.alive:
                    firm.demand_shock = float(
                        ar1_step(firm.demand_shock, spec.demand_persistence, spec.demand_sd, e)
                    )
        if spec.cost_sd > 0:
            innovations = rng.standard_normal(len(firms))
            for firm, e in zip(firms, innovations, strict=True):
                if firm.alive:
                    firm.cost_shock = float(
                        ar1_step(firm.cost_shock, spec.cost_persistence, spec.cost_sd, e)
                    )

    @property
    def firm_columns(self) -> list[str]:
        """Columns of the firm table (the shocks, only when they move)."""
        return SHOCK_FIRM_COLUMNS if self.shocks.enabled else []

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """The firm table's shock columns (only recorded when shocks are on)."""
        if not self.shocks.enabled:
            return {}
        return {"demand_shock": firm.demand_shock, "cost_shock": firm.cost_shock}
