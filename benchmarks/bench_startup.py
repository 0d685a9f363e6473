"""Start-up times of the ``flywheel`` command and of ``import sim``: this tree against another.

Each command runs ``--repeat`` times, alternating between the two trees so both see the
same machine load; the table gives the median wall time and the median CPU time (user +
system of the child process), which load inflates less. Run from the repository root::

    .venv/bin/python benchmarks/bench_startup.py --other /work/main --repeat 9

The other tree is run with its own ``.venv`` from its own folder.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
COMMANDS = {
    "flywheel --help": ["{bin}/flywheel", "--help"],
    "flywheel --version": ["{bin}/flywheel", "--version"],
    "flywheel list": ["{bin}/flywheel", "list"],
    "import sim": ["{bin}/python", "-c", "import sim"],
    "import sim; sim.MarketModel": ["{bin}/python", "-c", "import sim; sim.MarketModel"],
}


def timed(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the child, and its exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, env={**os.environ})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="the tree to compare with")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    trees = {"this": HERE, "other": args.other.resolve()}
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| command | tree | median wall (s) | median CPU (s) | exit |")
    print("|---|---|---|---|---|")
    for name, template in COMMANDS.items():
        samples: dict[str, list[tuple[float, float, int]]] = {tree: [] for tree in trees}
        for _ in range(args.repeat):
            for tree, root in trees.items():
                argv = [part.format(bin=root / ".venv" / "bin") for part in template]
                samples[tree].append(timed(argv, root))
        for tree, rows in samples.items():
            wall = statistics.median(r[0] for r in rows)
            cpu = statistics.median(r[1] for r in rows)
            codes = sorted({r[2] for r in rows})
            print(f"| `{name}` | {tree} | {wall:.3f} | {cpu:.3f} | {codes} |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
