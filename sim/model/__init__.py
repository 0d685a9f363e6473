"""The model layer: :class:`MarketModel` (one step is one week), its metrics and Mesa idioms.

``market`` holds the model and its staged week; ``views`` what a deciding firm sees;
``firm_table`` the firm table's base columns; ``metrics`` the named market metrics the
data collector, figures and tests share; ``mesa_idioms`` how the model meets Mesa 3.
The subsystems the model composes are in :mod:`sim.components`.
"""

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers see; at run time the names load on first use
    from sim.model.market import FIRM_COLUMNS, MarketModel

_EXPORTS = {"MarketModel": "sim.model.market", "FIRM_COLUMNS": "sim.model.market"}
__all__ = [
    "FIRM_COLUMNS",
    "MarketModel",
]
lazy_exports(__name__, _EXPORTS)
