"""Tournaments of strategies: entrants seated in scenarios, played on common random numbers.

``load_tournament`` validates a tournament file, ``run_tournament`` plays its games into
a resumable store on the sweep machinery's executors, and ``write_leaderboard`` ranks the
entrants with paired confidence intervals.
"""

from sim.lazy import lazy_exports

_EXPORTS = {
    "leaderboard": "sim.tournament.leaderboard",
    "load_games": "sim.tournament.runner",
    "load_tournament": "sim.tournament.spec",
    "run_tournament": "sim.tournament.runner",
    "write_leaderboard": "sim.tournament.leaderboard",
}
__all__ = sorted(_EXPORTS)
lazy_exports(__name__, _EXPORTS)
