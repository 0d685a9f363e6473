"""Play the market: a person (or a script) runs one firm against the strategies.

``Game`` is the engine every front end drives: the terminal (``flywheel play``), the
browser page and the tests.
"""

from sim.play.decisions import FIELDS, SeatDecision, read_decision_file
from sim.play.engine import Game

__all__ = ["FIELDS", "Game", "SeatDecision", "read_decision_file"]
