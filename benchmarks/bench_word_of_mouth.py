"""Cost of the social network and of word of mouth at large populations.

Run: ``python benchmarks/bench_word_of_mouth.py [consumers] [weeks]`` (default
1,000,000 consumers, 26 weeks). Prints the time and peak memory to build each network
family directly as CSR arrays, and the time per week of the baseline scenario with and
without word of mouth on a small-world network (k = 10, 5% initial awareness, referrals
and warnings on), split into the word-of-mouth stage and the rest.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np

import sim
from sim.mechanics import network


def peak_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def bench_networks(n: int) -> None:
    """Time the array generators at ``n`` nodes, mean degree 10."""
    for kind in ("watts_strogatz", "barabasi_albert", "erdos_renyi"):
        started = time.perf_counter()
        graph = network.build_network(kind, n, 10, 0.1, np.random.default_rng(0), False)
        print(
            f"{kind:>16}: {time.perf_counter() - started:5.2f} s, {graph.n_edges:,} edges, "
            f"peak so far {peak_mb():.0f} MB"
        )
        del graph


def bench_weeks(n: int, weeks: int, word_of_mouth: bool) -> None:
    """Time ``weeks`` steps of the baseline at ``n`` consumers."""
    overrides: dict = {"consumers.count": n}
    if word_of_mouth:
        overrides |= {
            "network.kind": "watts_strogatz",
            "word_of_mouth.referral_rate": 0.3,
            "word_of_mouth.warning_rate": 0.3,
            "consumers.initial_awareness": 0.05,
        }
    started = time.perf_counter()
    model = sim.MarketModel(sim.load_scenario("baseline", overrides), seed="scenario")
    built = time.perf_counter()
    spent = [0.0]
    stage = model.lifecycle.word_of_mouth.spread

    def timed_stage() -> None:
        begin = time.perf_counter()
        stage()
        spent[0] += time.perf_counter() - begin

    model.lifecycle.word_of_mouth.spread = timed_stage
    model.run(weeks)
    elapsed = time.perf_counter() - built
    label = "with word of mouth" if word_of_mouth else "network none      "
    print(
        f"{label}: build {built - started:5.2f} s, {elapsed / weeks * 1000:6.1f} ms/week "
        f"(word of mouth {spent[0] / weeks * 1000:5.1f} ms/week), peak {peak_mb():.0f} MB"
    )


if __name__ == "__main__":
    consumers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    weeks = int(sys.argv[2]) if len(sys.argv) > 2 else 26
    print(f"networks at {consumers:,} nodes")
    bench_networks(consumers)
    print(f"baseline, {consumers:,} consumers, {weeks} weeks")
    bench_weeks(consumers, weeks, word_of_mouth=False)
    bench_weeks(consumers, weeks, word_of_mouth=True)
