"""Tournaments of strategies: entrants seated in scenarios, played on common random numbers.

``load_tournament`` validates a tournament file, ``run_tournament`` plays its games into
a resumable store on the sweep machinery's executors, and ``write_leaderboard`` ranks the
entrants with paired confidence intervals.
"""

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers see; at run time names load on first use
    from sim.tournament.leaderboard import leaderboard, write_leaderboard
    from sim.tournament.runner import load_games, run_tournament
    from sim.tournament.spec import load_tournament


_EXPORTS = {
    "leaderboard": "sim.tournament.leaderboard",
    "load_games": "sim.tournament.runner",
    "load_tournament": "sim.tournament.spec",
    "run_tournament": "sim.tournament.runner",
    "write_leaderboard": "sim.tournament.leaderboard",
}
__all__ = [
    "leaderboard",
    "load_games",
    "load_tournament",
    "run_tournament",
    "write_leaderboard",
]
lazy_exports(__name__, _EXPORTS)
