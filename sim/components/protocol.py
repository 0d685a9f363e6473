"""What every component of the model has in common: a name and its firm-table columns.

A component is a subsystem the model owns (``model.finance``, ``model.channels``...): it
keeps its own state and runs its own stages, which ``MarketModel.step`` calls in order.
Beyond that, components differ; the protocol asks only for what the model and the
reports treat alike:

* ``name``: the component's key, one of :data:`COMPONENT_NAMES` (the summary's
  sections are keyed by the same names);
* ``firm_columns``: the columns it adds to the firm table (empty when its mechanic is
  off or it records nothing per firm);
* ``firm_row(model, firm)``: its values of those columns for one firm this week.

The model builds its firm table from its components' columns, in the order of
``MarketModel.components``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel

COMPONENT_NAMES = (
    "finance",
    "capacity",
    "defences",
    "trust",
    "research",
    "imitation",
    "acquisition",
    "flywheel",
    "heterogeneity",
    "platform_moves",
    "lifecycle",
    "channels",
)
"""The names components go by, one per component."""


@runtime_checkable
class Component(Protocol):
    """A subsystem owned by the model, with the firm-table columns it fills."""

    name: ClassVar[str]

    @property
    def firm_columns(self) -> list[str]:
        """Columns this component adds to the firm table (possibly none)."""
        ...

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """This component's columns of one firm's row this week (keys: ``firm_columns``)."""
        ...
