"""Check the prototypes in ``prototypes.py`` against the current code, then time them.

Usage::

    .venv/bin/python benchmarks/compare_prototypes.py [--consumers 100000] [--steps 520]
                                                      [--variants numpy numba ...]

Correctness: on one model state, each choice-stage prototype must give the current code's
surplus to rounding and choice shares within sampling error (over many draws), and the
research prototype the current ``MarketResearch.demand`` to rounding; and a whole 520-week
run of each variant (20k consumers, same seed) is compared table for table with the
current engine's. Speed: each variant runs the scaled baseline in its own fresh process,
round-robin, best of ``--repeats``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def check_choice(variant: str, consumers: int = 20_000, draws: int = 200) -> dict:
    import prototypes

    import sim
    from sim.model.market import MarketModel

    scenario = sim.load_scenario(
        "baseline",
        overrides={"consumers.count": consumers, "consumers.initial_awareness": 0.7},
    )
    model = MarketModel(scenario, seed="scenario")
    model.run(30)
    model.needs_arise()
    current = MarketModel.consumers_choose
    proto = {
        "numpy": prototypes.consumers_choose_numpy,
        "numba": prototypes.consumers_choose_numba,
        "hybrid": prototypes.consumers_choose_hybrid,
    }[variant]
    state = model.rng.bit_generator.state
    units = {}
    result = {}
    for name, method in (("current", current), (variant, proto)):
        model.rng.bit_generator.state = state
        total = np.zeros(len(model.firms) + 1)
        same_draw = None
        for k in range(draws):
            method(model)
            counts = np.bincount(model.bought_from, minlength=len(model.firms))
            total += np.concatenate([[len(model.choosers) - counts.sum()], counts])
            if k == 0:
                same_draw = (model.buyers.copy(), model.bought_from.copy())
        units[name] = total
        result[name] = {
            "surplus": model.stats.surplus_total,
            "needs_reached": np.asarray(model.needs_reached).tolist(),
            "first_draw": same_draw,
        }
    first_c, first_p = result["current"]["first_draw"], result[variant]["first_draw"]
    identical = bool(
        np.array_equal(first_c[0], first_p[0]) and np.array_equal(first_c[1], first_p[1])
    )
    shares_c = units["current"] / units["current"].sum()
    shares_p = units[variant] / units[variant].sum()
    n = units["current"].sum()
    z = np.abs(shares_c - shares_p) / np.sqrt(2 * shares_c * (1 - shares_c) / n)
    return {
        "variant": variant,
        "relative_surplus_gap": abs(result["current"]["surplus"] - result[variant]["surplus"])
        / abs(result["current"]["surplus"]),
        "needs_reached_equal": result["current"]["needs_reached"]
        == result[variant]["needs_reached"],
        "same_choices_same_uniforms": identical,
        "max_share_z": float(z.max()),
    }


def check_research(consumers: int = 20_000) -> dict:
    import prototypes

    import sim
    from sim.model.market import MarketModel
    from sim.strategies.base import MarketResearch

    scenario = sim.load_scenario(
        "baseline",
        overrides={"consumers.count": consumers, "consumers.initial_awareness": 0.7},
    )
    model = MarketModel(scenario, seed="scenario")
    model.run(30)
    worst = 0.0
    for firm in model.firms:
        research = model.market_research(firm)
        for price, x, s in [(None, None, None), (35.0, 1.4, 150.0), (20.0, None, 1.0)]:
            a = MarketResearch.demand(research, price=price, experience=x, selection=s)
            b = prototypes.research_demand(research, price=price, experience=x, selection=s)
            worst = max(worst, abs(a - b) / max(abs(a), 1e-300))
    return {"variant": "research", "max_relative_gap": worst}


def run_tables(variant: str, consumers: int, steps: int):
    import prototypes

    import sim

    prototypes.install(variant)
    result = sim.run("baseline", steps=steps, overrides={"consumers.count": consumers})
    return result.model, result.firms


def check_tables(variant: str, consumers: int = 20_000, steps: int = 520) -> dict:
    """Whole-run outputs of a variant against the current engine's, same seed."""
    base_model, base_firms = fresh(run_tables, "current", consumers, steps)
    model, firms = fresh(run_tables, variant, consumers, steps)
    numeric = base_model.select_dtypes("number").columns
    gap = np.abs(model[numeric].to_numpy() - base_model[numeric].to_numpy())
    scale = np.maximum(np.abs(base_model[numeric].to_numpy()), 1e-12)
    return {
        "variant": variant,
        "model_table_identical": bool(model.equals(base_model)),
        "firm_table_identical": bool(firms.equals(base_firms)),
        "model_table_max_relative_gap": float((gap / scale).max()),
    }


def timed_run(variant: str, consumers: int, steps: int) -> dict:
    import prototypes

    import sim

    prototypes.install(variant)
    if "numba" in variant:  # compile (or load from cache) outside the timing
        model = sim.MarketModel(
            sim.load_scenario("baseline", overrides={"consumers.count": 100}), seed="scenario"
        )
        model.run(2)
    started = time.perf_counter()
    result = sim.run("baseline", steps=steps, overrides={"consumers.count": consumers})
    seconds = time.perf_counter() - started
    last = result.model.iloc[-1]
    return {
        "variant": variant,
        "seconds": seconds,
        "customer_obsessed_share": float(result.model["customer_obsessed_share"].mean()),
        "final_firms": int(last["n_firms_alive"]),
    }


def fresh(function, *args):
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def main() -> None:
    from prototypes import VARIANTS

    parser = argparse.ArgumentParser()
    parser.add_argument("--consumers", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=520)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()
    if not args.no_check:
        for variant in ("numpy", "numba", "hybrid"):
            print("check", fresh(check_choice, variant))
        print("check", fresh(check_research))
        for variant in args.variants:
            if variant != "current":
                print("check", check_tables(variant))
    runs_of = {variant: [] for variant in args.variants}
    for _ in range(args.repeats):  # round-robin, so load from other processes hits all alike
        for variant in args.variants:
            runs_of[variant].append(fresh(timed_run, variant, args.consumers, args.steps))
    for variant, runs in runs_of.items():
        times = sorted(r["seconds"] for r in runs)
        print(
            f"{variant:16s} {args.consumers:>9,} x {args.steps}: best {times[0]:6.2f} s "
            f"(all {', '.join(f'{t:.2f}' for t in times)}); "
            f"obsessed share {runs[0]['customer_obsessed_share']:.3f}, "
            f"firms alive {runs[0]['final_firms']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
