"""Play the market: a person (or a script) runs one firm against the strategies.

``Game`` is the engine every front end drives: the terminal (``flywheel play``), the
browser page and the tests.
"""

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers see; at run time names load on first use
    from sim.play.decisions import FIELDS, SeatDecision, read_decision_file
    from sim.play.engine import Game


_EXPORTS = {
    "FIELDS": "sim.play.decisions",
    "Game": "sim.play.engine",
    "SeatDecision": "sim.play.decisions",
    "read_decision_file": "sim.play.decisions",
}
__all__ = [
    "FIELDS",
    "Game",
    "SeatDecision",
    "read_decision_file",
]
lazy_exports(__name__, _EXPORTS)
