"""The firm table: the columns the model fills itself, and those its components add.

One row per firm per week. The model fills the base columns (:data:`BASE_FIRM_COLUMNS`);
each component (``sim.components.protocol.Component``) adds its own ``firm_columns`` and
fills them with ``firm_row``, in the order of ``MarketModel.components``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sim.components.acquisition import ACQUISITION_FIRM_COLUMNS
from sim.components.finance import FINANCE_FIRM_COLUMNS
from sim.components.imitation import IMITATION_FIRM_COLUMNS
from sim.components.lifecycle import LIFECYCLE_FIRM_COLUMNS
from sim.components.protocol import Component
from sim.components.research import RESEARCH_FIRM_COLUMNS

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel

BASE_FIRM_COLUMNS = [
    "step",
    "firm_id",
    "name",
    "strategy",
    "price",
    "unit_cost",
    "units",
    "share",
    "revenue",
    "variable_cost",
    "fixed_cost",
    "investment",
    "operating_profit",
    "profit",
    "payout",
    "cumulative_payout",
    "cash",
    "experience",
    "selection",
    "efficiency",
    "satisfaction",
    "repeat_rate",
    "customers",
    "cumulative_units",
    "alive",
]
"""Columns of the firm table that the model itself fills (every run has them)."""

FIRM_COLUMNS = [
    *BASE_FIRM_COLUMNS,
    *LIFECYCLE_FIRM_COLUMNS,
    *FINANCE_FIRM_COLUMNS,
    *RESEARCH_FIRM_COLUMNS,
    *IMITATION_FIRM_COLUMNS,
    *ACQUISITION_FIRM_COLUMNS,
]
"""Columns every firm table starts with, whatever the scenario switches on."""


def columns(components: Iterable[Component]) -> list[str]:
    """The firm table's columns: the base columns, then each component's."""
    names = [*BASE_FIRM_COLUMNS]
    for component in components:
        names += component.firm_columns
    return names


def base_row(model: MarketModel, firm: Firm, total_units: int) -> dict[str, Any]:
    """The base columns of one firm's row this week (``total_units``: the week's purchases)."""
    week = firm.week
    return {
        "step": model.week,
        "firm_id": firm.unique_id,
        "name": firm.name,
        "strategy": firm.strategy_name,
        "price": week.price if model.week else firm.price,
        "unit_cost": week.unit_cost if model.week else firm.unit_cost,
        "units": week.units,
        "share": week.units / total_units if total_units else 0.0,
        "revenue": week.revenue,
        "variable_cost": week.variable_cost,
        "fixed_cost": week.fixed_cost,
        "investment": week.investment,
        "operating_profit": week.operating_profit,
        "profit": week.profit,
        "payout": week.payout,
        "cumulative_payout": firm.cumulative_payout,
        "cash": firm.cash,
        "experience": firm.experience,
        "selection": firm.selection,
        "efficiency": firm.efficiency,
        "satisfaction": firm.satisfaction,
        "repeat_rate": firm.repeat_rate,
        "customers": firm.last_quarter.customers,
        "cumulative_units": firm.cumulative_units,
        "alive": firm.alive,
    }
