"""Engine speed with platforms switched on (and off, for comparison).

Targets (README): 520 weekly steps at 100,000 consumers in at most 5 s; at 1,000,000
consumers in at most 60 s and 1 GB peak memory. Each case runs in its own process so
its peak memory (max resident set size) is its own.

    python benchmarks/bench_platforms.py            # 100k consumers x 520 weeks
    python benchmarks/bench_platforms.py --large    # also 1M consumers x 520 weeks
    python benchmarks/bench_platforms.py --consumers 20000 --steps 104
    python benchmarks/bench_platforms.py --large --only baseline   # like-for-like pair

The meter and all platform mechanics stay on; results are not saved (no figures).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

CASES = {
    "engine: baseline, no platforms": "baseline",
    "baseline + marketplace, sellers, Prime, learning": "baseline+platforms",
    "scenario amazon_flywheel (5 firms, marketplace)": "amazon_flywheel",
    "scenario platform_disintermediation (aggregator)": "platform_disintermediation",
}


def baseline_with_platforms() -> dict:
    """The baseline market with everything this branch adds switched on.

    Its ten firms are free to choose channels; a customer-obsessed marketplace with a
    pool of third-party sellers and a membership programme; relationships fade; learning
    (fit) is on; one firm offers each connected experience.
    """
    import sim

    data = sim.load_scenario("baseline").model_dump(mode="json")
    data["platforms"] = [
        {
            "name": "Market",
            "kind": "marketplace",
            "strategy": "customer_obsessed",
            "initial_awareness": 0.5,
            "awareness_imitation": 0.05,
            "membership": {"fee": 1.5, "launch_step": 104},
            "third_party": {"potential_sellers": 2000, "initial_sellers": 50},
        }
    ]
    data["relationships"] = {"awareness_fade": 0.1}
    data["learning"] = {"fit_value": 0.5}
    kinds = ["respond_to_desire", "curated_offering", "coach_behaviour", "automatic_execution"]
    data["firms"] = (
        [
            dict(data["firms"][0], count=1, name=f"Connected {kind}", connected=kind)
            for kind in kinds
        ]
        + [dict(data["firms"][0], count=1, name="Obsessed")]
        + [data["firms"][1]]
    )
    return data


def run_case(case: str, consumers: int, steps: int) -> dict:
    import sim

    source = baseline_with_platforms() if case == "baseline+platforms" else case
    spec = sim.load_scenario(source, {"consumers.count": consumers, "steps": steps})
    started = time.perf_counter()
    model = sim.MarketModel(spec, seed="scenario")
    built = time.perf_counter()
    model.run()
    finished = time.perf_counter()
    return {
        "build_s": round(built - started, 2),
        "run_s": round(finished - built, 2),
        "total_s": round(finished - started, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "platforms": len(model.platforms),
        "channel_mode": model.channels.mode,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consumers", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=520)
    parser.add_argument("--large", action="store_true", help="also 1,000,000 consumers")
    parser.add_argument("--only", help="run only cases whose name contains this text")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(CASES[args.case], args.consumers, args.steps)))
        return 0
    sizes = [args.consumers] + ([1_000_000] if args.large else [])
    print(f"{'case':<52} {'consumers':>10} {'steps':>6} {'run s':>7} {'total s':>8} {'peak MB':>8}")
    for consumers in sizes:
        for case in CASES:
            if args.only and args.only not in case:
                continue
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--case",
                    case,
                    "--consumers",
                    str(consumers),
                    "--steps",
                    str(args.steps),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{case:<52} {consumers:>10,} {args.steps:>6} {result['run_s']:>7.2f} "
                f"{result['total_s']:>8.2f} {result['peak_mb']:>8.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
