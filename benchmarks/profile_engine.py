"""Where a step's time goes: per-stage wall time, and optionally a cProfile listing.

Usage::

    .venv/bin/python benchmarks/profile_engine.py [--consumers 100000] [--steps 104]
                                                  [--cprofile] [--variant NAME]

``--variant`` installs a prototype from ``benchmarks/prototypes.py`` on the model class
first (nothing in ``sim/`` is edited), so the same listing can be compared before/after.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections import defaultdict

import sim
from sim.model import MarketModel

STAGES = (
    "needs_arise",
    "consumers_choose",
    "market_clears",
    "consumers_experience",
    "firms_invest",
    "close_quarter",
    "exit_insolvent_firms",
    "firms_decide",
    "collect",
)


def timed_stages(model: MarketModel) -> dict[str, float]:
    """Wrap each stage method of ``model`` (the instance only) to accumulate its time."""
    totals: dict[str, float] = defaultdict(float)
    for name in STAGES:
        method = getattr(model, name)

        def wrapper(method=method, name=name):
            started = time.perf_counter()
            method()
            totals[name] += time.perf_counter() - started

        setattr(model, name, wrapper)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consumers", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=104)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--variant", default=None, help="prototype from prototypes.py")
    args = parser.parse_args()
    if args.variant:
        import prototypes

        prototypes.install(args.variant)
    scenario = sim.load_scenario("baseline", overrides={"consumers.count": args.consumers})
    model = MarketModel(scenario, seed="scenario")
    totals = timed_stages(model)
    profiler = cProfile.Profile() if args.cprofile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    model.run(args.steps)
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - started
    variant = args.variant or "current"
    per_step_ms = wall / args.steps * 1e3
    print(
        f"{args.consumers:,} consumers x {args.steps} steps (variant {variant}): "
        f"{wall:.2f} s, {per_step_ms:.2f} ms/step"
    )
    for name in sorted(totals, key=totals.get, reverse=True):
        share = totals[name] / wall
        per_step = totals[name] / args.steps * 1e3
        print(f"  {name:22s} {totals[name]:7.3f} s  {per_step:7.2f} ms/step  {share:6.1%}")
    print(f"  {'(other)':22s} {wall - sum(totals.values()):7.3f} s")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
