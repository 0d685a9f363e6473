"""Play the market: a person (or a script) runs one firm against the strategies.

``Game`` is the engine every front end drives: the terminal (``flywheel play``), the
browser page and the tests.
"""

from sim.lazy import lazy_exports

_EXPORTS = {
    "FIELDS": "sim.play.decisions",
    "Game": "sim.play.engine",
    "SeatDecision": "sim.play.decisions",
    "read_decision_file": "sim.play.decisions",
}
__all__ = sorted(_EXPORTS)
lazy_exports(__name__, _EXPORTS)
