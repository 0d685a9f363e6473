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
    "channels.journey.discover_platforms",
    "channels.journey.automatic_execution",
    "trust.consumers_try_on",
    "consumers_choose",
    "market_clears",
    "finance.charge_interest",
    "consumers_experience",
    "lifecycle.word_of_mouth.spread",
    "trust.word_of_mouth_informs",
    "channels.relationships.learn",
    "channels.operations.operate",
    "heterogeneity.evolve_shocks",
    "firms_invest",
    "channels.operations.invest",
    "finance.right_size_firms",
    "close_quarter",
    "acquisitions.consolidate",
    "finance.settle",
    "channels.relationships.close_quarter",
    "defences.measure_brands",
    "flywheel.close_quarter",
    "lifecycle.firms_experiment",
    "lifecycle.firms_adopt_trends",
    "lifecycle.vitality_evolves",
    "lifecycle.day2_stages",
    "exit_insolvent_firms",
    "lifecycle.exit_irrelevant_firms",
    "channels.operations.exit_insolvent",
    "channels.operations.firms_choose_channels",
    "imitation.observe_and_copy",
    "firms_decide",
    "channels.operations.decide",
    "lifecycle.rank_top_k",
    "lifecycle.firms_act",
    "lifecycle.firms_enter",
    "lifecycle.value_firms",
    "collect",
    "close_mesa_week",
)


def timed_stages(model: MarketModel) -> dict[str, float]:
    """Wrap each stage method (on the model or a component, instances only) to time it."""
    totals: dict[str, float] = defaultdict(float)
    for name in STAGES:
        *path, attribute = name.split(".")
        owner = model
        for part in path:
            owner = getattr(owner, part)
        method = getattr(owner, attribute)  # capacity.arrive is timed as part of (other)

        def wrapper(*args, method=method, name=name, **kwargs):
            started = time.perf_counter()
            method(*args, **kwargs)
            totals[name] += time.perf_counter() - started

        setattr(owner, attribute, wrapper)
    meter = model.flywheel.firm_decides  # decisions through the meter (re-decisions included)

    def metered(*args, meter=meter):
        started = time.perf_counter()
        decision = meter(*args)
        totals[METER] += time.perf_counter() - started
        return decision

    model.flywheel.firm_decides = metered
    return totals


METER = "firms_decide: of which decisions through the flywheel meter"


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
