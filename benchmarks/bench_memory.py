"""Memory estimate against measured peak memory, for a few scenario sizes.

Each size runs in a fresh process; its peak resident memory (``ru_maxrss``) is compared
with :func:`sim.runs.memory.estimate_bytes` (which includes a 25% margin). The estimate must
stay above the measurement, and not far above it.

    .venv/bin/python benchmarks/bench_memory.py [--large]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

PROBE = """
import json, resource, sys
import sim
from sim.runs.memory import estimate_bytes
from sim.scenario import load_scenario
overrides = json.loads(sys.argv[1])
scenario = load_scenario("baseline", overrides)
sim.run(scenario)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"peak": peak, "estimate": estimate_bytes(scenario)}))
"""

SIZES = [
    {"consumers.count": 200_000, "steps": 13},
    {"consumers.count": 200_000, "steps": 13, "firms.0.count": 40},
    {"consumers.count": 1_000_000, "steps": 13},
    {
        "consumers.count": 1_000_000,
        "steps": 13,
        "network.kind": "watts_strogatz",
        "network.mean_degree": 10,
    },
]
LARGE = [{"consumers.count": 8_000_000, "steps": 3}]


def main() -> None:
    """Print one line per size: estimate, measured peak, ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 8 million consumers")
    args = parser.parse_args()
    print(f"{'scenario (baseline +)':<70} {'estimate':>9} {'peak':>9} {'ratio':>6}")
    for overrides in SIZES + (LARGE if args.large else []):
        done = subprocess.run(
            [sys.executable, "-c", PROBE, json.dumps(overrides)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        label = ", ".join(f"{k}={v}" for k, v in overrides.items())
        print(
            f"{label:<70} {figures['estimate'] / 1e6:>7.0f}MB {figures['peak'] / 1e6:>7.0f}MB "
            f"{figures['estimate'] / figures['peak']:>6.2f}"
        )


if __name__ == "__main__":
    main()
