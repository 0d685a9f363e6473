"""Benchmark of a tournament: wall time, games per hour, time per game.

Plays a tournament (default: the demo's quick variant) into a fresh temporary store on
local worker processes and prints the wall time, the games per hour and the seconds
per game measured in the workers. With ``--extrapolate VARIANT`` it also estimates the
wall time of another variant from the measured time per game-week (games x weeks),
which is how a long tournament can be judged from a short one.

Usage::

    .venv/bin/python benchmarks/bench_tournament.py                       # quick variant
    .venv/bin/python benchmarks/bench_tournament.py --variant full        # the real thing
    .venv/bin/python benchmarks/bench_tournament.py --extrapolate full
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from sim.tournament import load_tournament, run_tournament


def game_weeks(tournament) -> int:
    """Total simulated weeks over the tournament's games."""
    return sum(tournament.scenarios[key.scenario].steps for key in tournament.games)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="tournament_demo")
    parser.add_argument("--variant", default="quick", help="a variant, or 'full' for none")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--extrapolate", help="variant to estimate ('full' for none)")
    args = parser.parse_args()
    variant = None if args.variant == "full" else args.variant
    tournament = load_tournament(args.file, variant)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        report = run_tournament(
            tournament, Path(folder) / "store", workers=args.workers, progress=False
        )
        wall = time.perf_counter() - started
        timings = [
            json.loads(line)["seconds"]
            for line in (Path(folder) / "store" / "timings.jsonl").read_text().splitlines()
        ]
    weeks = game_weeks(tournament)
    print(
        f"{tournament.name}: {report.total} games on {args.workers} workers, "
        f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  wall {wall:.1f} s, {3600 * report.total / wall:,.0f} games/hour; per game "
        f"median {statistics.median(timings):.2f} s, max {max(timings):.2f} s (in workers)"
    )
    if args.extrapolate:
        other = load_tournament(args.file, None if args.extrapolate == "full" else args.extrapolate)
        estimate = wall * game_weeks(other) / weeks
        print(
            f"  {other.name}: {len(other.games)} games, {game_weeks(other):,} game-weeks; "
            f"estimated wall {estimate / 60:.1f} min at the same rate"
        )


if __name__ == "__main__":
    main()
