"""Tournaments of strategies: entrants seated in scenarios, played on common random numbers.

``load_tournament`` validates a tournament file, ``run_tournament`` plays its games into
a resumable store on the sweep machinery's executors, and ``write_leaderboard`` ranks the
entrants with paired confidence intervals.
"""

from sim.tournament.leaderboard import leaderboard, write_leaderboard
from sim.tournament.runner import load_games, run_tournament
from sim.tournament.spec import load_tournament

__all__ = ["leaderboard", "load_games", "load_tournament", "run_tournament", "write_leaderboard"]
