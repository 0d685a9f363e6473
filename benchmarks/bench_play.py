"""Benchmark of a played quarter: how long a player waits after answering.

For each scenario (at its default size), a game is started and every quarter is answered
with the decisions in force; the time from ``Game.submit`` to the next briefing (13 weeks
of simulation plus the seat's briefing: research estimates, rivals, flywheel links) is
measured. Also timed: starting a game (the first briefing) and an undo late in the game
(which replays every earlier quarter). Target: a played quarter answers in under 1 s.

Usage::

    .venv/bin/python benchmarks/bench_play.py                       # baseline, 40 quarters
    .venv/bin/python benchmarks/bench_play.py --scenarios baseline amazon_flywheel --quarters 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from sim.play import Game
from sim.scenario import load_scenario


def bench(scenario: str, quarters: int | None) -> dict:
    """Time a game's start, each answered quarter and one undo."""
    spec = load_scenario(scenario)
    steps = spec.steps if quarters is None else min(spec.steps, 13 * quarters)
    started = time.perf_counter()
    game = Game(scenario, steps=steps)
    briefing = game.begin()
    first = time.perf_counter() - started
    answers = []
    while briefing is not None:
        tick = time.perf_counter()
        briefing = game.submit(briefing.defaults)
        answers.append(time.perf_counter() - tick)
    undo_game = Game(scenario, steps=steps)
    undo_game.begin([{}] * (game.quarters - 2))
    undo_game.submit(undo_game.briefing.defaults)
    tick = time.perf_counter()
    undo_game.undo()
    undo = time.perf_counter() - tick
    undo_game.abandon()
    ordered = sorted(answers)
    return {
        "scenario": scenario,
        "consumers": spec.consumers.count,
        "weeks": steps,
        "first_briefing_s": first,
        "quarters": len(answers),
        "median_s": statistics.median(answers),
        "p95_s": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max_s": ordered[-1],
        "undo_late_s": undo,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=["baseline"])
    parser.add_argument("--quarters", type=int, help="quarters to play (default: all)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; seconds per played quarter (target < 1 s)")
    header = (
        f"{'scenario':<28}{'consumers':>10}{'weeks':>7}{'first':>8}{'median':>8}"
        f"{'p95':>8}{'max':>8}{'undo':>8}"
    )
    print(header)
    for scenario in args.scenarios:
        r = bench(scenario, args.quarters)
        print(
            f"{r['scenario']:<28}{r['consumers']:>10,}{r['weeks']:>7}"
            f"{r['first_briefing_s']:>8.3f}{r['median_s']:>8.3f}{r['p95_s']:>8.3f}"
            f"{r['max_s']:>8.3f}{r['undo_late_s']:>8.3f}"
        )


if __name__ == "__main__":
    main()
