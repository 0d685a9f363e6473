"""Where a step's time goes: per-stage wall time, and optionally a cProfile listing.

Every stage of ``MarketModel.step`` is timed (``capacity.arrive`` falls in "other");
the flywheel meter's re-decisions, part of ``firms_decide``, are shown on their own too.

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
from sim.model.market import MarketModel

STAGES = (  # every stage MarketModel.step calls, in its order (weekly, then quarterly)
    "needs_arise",
    "shoppers_discover_platforms",
    "automatic_execution",
    "consumers_try_on",
    "consumers_choose",
    "market_clears",
    "interest_accrues",
    "consumers_experience",
    "word_of_mouth_spreads",
    "word_of_mouth_informs",
    "relationships_learn",
    "platforms_operate",
    "firm_shocks_evolve",
    "firms_invest",
    "platforms_invest",
    "firms_right_size",
    "close_quarter",
    "consolidate_groups",
    "settle_finances",
    "close_channel_quarter",
    "measure_brand_strength",
    "measure_flywheel",
    "firms_experiment",
    "firms_adopt_trends",
    "vitality_evolves",
    "day2_stages",
    "exit_insolvent_firms",
    "exit_irrelevant_firms",
    "exit_insolvent_platforms",
    "firms_choose_channels",
    "firms_imitate",
    "firms_decide",
    "platforms_decide",
    "rank_top_k",
    "firms_act",
    "firms_enter",
    "value_firms",
    "collect",
    "close_mesa_week",
)


def timed_stages(model: MarketModel) -> dict[str, float]:
    """Wrap each stage method of ``model`` (the instance only) to accumulate its time."""
    totals: dict[str, float] = defaultdict(float)
    for name in STAGES:
        method = getattr(model, name)  # capacity.arrive is timed as part of (other)

        def wrapper(method=method, name=name):
            started = time.perf_counter()
            method()
            totals[name] += time.perf_counter() - started

        setattr(model, name, wrapper)
    meter = model.flywheel.before_firm_decides  # the flywheel meter's re-decisions

    def metered(*args, meter=meter):
        started = time.perf_counter()
        meter(*args)
        totals[METER] += time.perf_counter() - started

    model.flywheel.before_firm_decides = metered
    return totals


METER = "firms_decide: of which the flywheel meter's re-decisions"


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
    print(f"  {'(other)':22s} {wall - sum(totals.values()) + totals.get(METER, 0.0):7.3f} s")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
