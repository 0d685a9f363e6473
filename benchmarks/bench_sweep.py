"""Benchmark of the sweep machinery: runs per hour, scaling with workers, overhead per run.

The same N runs (the baseline at its default size, N replication seeds) are timed three
ways:

1. bare: ``sim.run(scenario, seed=s)`` one after the other in this process;
2. a sweep on 1 local worker process (``run_sweep``: validation, store, pool, IPC,
   outcome extraction, Parquet writes, manifest);
3. a sweep on 2 local worker processes (or the counts given by ``--workers``).

Workers busy = share of the sweep's worker-seconds spent running tasks; a speed-up below
the number of workers with workers busy near 100% means the cores were shared with
other jobs (each run then takes longer inside ``sim.run``), not that the sweep idled.

Overhead = (sweep wall time x workers) / (time spent inside ``sim.run`` by the workers of
that same sweep) - 1: everything the machinery adds, pool start-up, IPC, outcome
extraction and idle slots included, measured in the same sweep so that other load on the
machine affects both sides alike. It is split into outcomes (``task_seconds -
sim_seconds`` in the workers) and start-up/IPC/idle, and also given against the bare runs
timed just before (which other load on a shared machine makes noisy). Targets: >= 1,000
runs/hour on 2 cores, overhead < 5%.

Usage::

    .venv/bin/python benchmarks/bench_sweep.py            # 12 runs, 1 and 2 workers
    .venv/bin/python benchmarks/bench_sweep.py --runs 24 --rounds 3 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import sim
from sim.experiments import run_sweep
from sim.experiments.spec import validate_sweep
from sim.experiments.store import SweepStore

RECORD = Path(__file__).resolve().parent / "SWEEP_RESULTS.md"
RECORD_HEADER = """# Sweep benchmark results

Written by `benchmarks/bench_sweep.py` (one row per run). Same N runs of the scenario
bare and as sweeps on local worker processes. Overhead = sweep wall time x workers /
time inside `sim.run` in that sweep - 1 (steady = after the one-off pool start-up).
Targets: >= 1,000 runs/hour on 2 cores; overhead < 5%. Load average: other processes on
the machine (2 CPUs) compete for the same cores.
"""
RECORD_COLUMNS = (
    "date",
    "commit",
    "scenario",
    "N",
    "bare s/run",
    "1 worker runs/h",
    "2 workers runs/h",
    "speed-up",
    "overhead 1w",
    "steady 1w",
    "overhead 2w",
    "outcomes",
    "load avg",
)
TARGET_RUNS_PER_HOUR = 1000
TARGET_OVERHEAD = 0.05


def bench_sweep(runs: int, scenario: str, overrides: dict) -> dict:
    """The sweep mapping: one design point, ``runs`` replications of the base scenario."""
    return {
        "name": "bench",
        "scenario": scenario,
        "seed": 2024,
        "replications": runs,
        "fixed": overrides,
        "parameters": {"description": {"levels": ["benchmark"]}},
        "outputs": {"metrics": "all"},
    }


def git_commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True)
        return sha + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def time_bare(scenario: dict, seeds) -> tuple[float, list[float]]:
    """Wall time of ``sim.run`` over the seeds, one after the other in this process."""
    started = time.perf_counter()
    times = []
    for seed in seeds:
        t0 = time.perf_counter()
        sim.run(scenario, seed=seed)
        times.append(time.perf_counter() - t0)
    return time.perf_counter() - started, times


def time_sweep(data: dict, workers: int, out: Path, bare: float) -> dict:
    """Run the sweep on ``workers`` local processes and decompose its wall time."""
    t0 = time.perf_counter()
    report = run_sweep(data, out=out, workers=workers, progress=False)
    wall = time.perf_counter() - t0
    store = SweepStore.open(out)
    timings = store.timings()
    session = store.manifest()["sessions"][-1]
    sim_seconds = sum(t["sim_seconds"] for t in timings)
    task_seconds = sum(t["task_seconds"] for t in timings)
    startup = min(t["started_at"] for t in timings) - session["started_at"]
    return {
        "wall_seconds": wall,
        "runs_per_hour": 3600 * report.done / wall,
        "done": report.done,
        "failed": report.failed,
        "sim_seconds_in_workers": sim_seconds,
        "task_seconds_in_workers": task_seconds,
        "driver_seconds": session["driver_seconds"],
        "startup_seconds": startup,
        # share of the sweep's worker-seconds spent running tasks (1 = never idle)
        "utilisation": task_seconds / (workers * wall),
        "sim_per_run_in_workers": sim_seconds / report.done,
        # everything beyond the simulation itself, relative to it, measured in the same
        # sweep (robust to other load on the machine):
        "overhead": wall * workers / sim_seconds - 1,
        "overhead_steady": (wall - startup) * workers / sim_seconds - 1,
        "overhead_outcomes": (task_seconds - sim_seconds) / sim_seconds,
        "overhead_scheduling": (wall * workers - task_seconds) / sim_seconds,
        # against the bare runs (sensitive to other load):
        "overhead_vs_bare": wall * workers / bare - 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12, help="runs per measurement")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="repeat bare and sweeps this many times, interleaved, and keep the fastest of "
        "each (use 3 or more on a machine shared with other jobs)",
    )
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="scenario overrides (default: none, the baseline's own size)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--no-record", action="store_true", help=f"do not append a row to {RECORD.name}"
    )
    args = parser.parse_args()

    from sim.scenario import parse_override

    overrides = dict(parse_override(text) for text in args.set)
    data = bench_sweep(args.runs, args.scenario, overrides)
    sweep = validate_sweep(data, "bench")
    scenario = sweep.scenario_for(0)
    load_before = os.getloadavg()[0]
    print(
        f"sweep benchmark: {args.runs} runs of {args.scenario} "
        f"({scenario['consumers']['count']} consumers, {scenario['steps']} weeks), "
        f"best of {args.rounds} round(s)"
    )
    sim.run(scenario, seed=1, steps=4)  # warm imports and caches

    bare, bare_times = float("inf"), []
    best: dict[int, dict] = {}
    walls: dict[str, list[float]] = {"bare": []}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            seconds, times = time_bare(scenario, sweep.seeds)
            walls["bare"].append(seconds)
            if seconds < bare:
                bare, bare_times = seconds, times
            for workers in args.workers:
                out = Path(folder) / f"r{round_}-w{workers}"
                entry = time_sweep(data, workers, out, seconds)
                walls.setdefault(f"{workers}w", []).append(entry["wall_seconds"])
                if workers not in best or entry["wall_seconds"] < best[workers]["wall_seconds"]:
                    best[workers] = entry

    results = {"bare_seconds": bare, "bare_per_run": statistics.mean(bare_times), "sweeps": best}
    print(
        f"bare sim.run      : {bare:7.2f} s total, {statistics.mean(bare_times):.3f} s/run, "
        f"{3600 * args.runs / bare:7.0f} runs/hour"
    )
    for workers, entry in best.items():
        plural = "s" if workers > 1 else " "
        line = (
            f"sweep, {workers} worker{plural}: {entry['wall_seconds']:7.2f} s total, "
            f"{entry['wall_seconds'] / entry['done']:.3f} s/run, "
            f"{entry['runs_per_hour']:7.0f} runs/hour"
        )
        if workers > 1 and 1 in best:
            line += f", speed-up x{best[1]['wall_seconds'] / entry['wall_seconds']:.2f}"
        print(line)
        print(
            f"    workers busy {100 * entry['utilisation']:.1f}% of the time; "
            f"{entry['sim_per_run_in_workers']:.3f} s per run inside sim.run"
        )
        print(
            f"    overhead {100 * entry['overhead']:+.1f}% of the time in sim.run, "
            f"{100 * entry['overhead_steady']:+.1f}% after a one-off pool start-up of "
            f"{entry['startup_seconds']:.2f} s (outcomes {100 * entry['overhead_outcomes']:.2f}%; "
            f"driver writes {1000 * entry['driver_seconds'] / entry['done']:.1f} ms/run); "
            f"{100 * entry['overhead_vs_bare']:+.1f}% vs the bare runs"
        )
    if args.rounds > 1:
        shown = "; ".join(f"{k}: {', '.join(f'{w:.1f}' for w in v)}" for k, v in walls.items())
        print(f"wall seconds per round: {shown}")
    fastest = max(entry["runs_per_hour"] for entry in best.values())
    load_after = os.getloadavg()[0]
    overhead = best.get(1, {}).get("overhead_steady")
    verdict = [f"best {fastest:.0f} runs/hour (target >= {TARGET_RUNS_PER_HOUR})"]
    if overhead is not None:
        verdict.append(
            f"per-run overhead {100 * overhead:+.1f}% (target < {100 * TARGET_OVERHEAD:.0f}%)"
        )
    print("; ".join(verdict))
    print(f"load average before/after: {load_before:.2f}/{load_after:.2f} on {os.cpu_count()} CPUs")
    results.update(
        runs=args.runs,
        rounds=args.rounds,
        walls=walls,
        scenario=args.scenario,
        overrides=overrides,
        commit=git_commit(),
        platform=platform.platform(),
        cpus=os.cpu_count(),
        load_before=load_before,
        load_after=load_after,
        date=time.strftime("%Y-%m-%dT%H:%M"),
        passes=fastest >= TARGET_RUNS_PER_HOUR and (overhead is None or overhead < TARGET_OVERHEAD),
    )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2))
    if not args.no_record:
        record(results)


def record(results: dict) -> None:
    """Append one row to SWEEP_RESULTS.md."""
    sweeps = results["sweeps"]
    one, two = sweeps.get(1, {}), sweeps.get(2, {})

    def pct(value) -> str:
        return f"{100 * value:+.1f}%" if value is not None else "-"

    def rate(entry) -> str:
        return f"{entry['runs_per_hour']:.0f}" if entry else "-"

    speedup = f"x{one['wall_seconds'] / two['wall_seconds']:.2f}" if one and two else "-"
    size = f"{results['scenario']}, best of {results['rounds']}" + (
        " " + " ".join(f"{k}={v}" for k, v in results["overrides"].items())
        if results["overrides"]
        else " (default size)"
    )
    row = (
        f"| {results['date']} | {results['commit']} | {size} | {results['runs']} "
        f"| {results['bare_per_run']:.2f} | {rate(one)} | {rate(two)} | {speedup} "
        f"| {pct(one.get('overhead'))} | {pct(one.get('overhead_steady'))} "
        f"| {pct(two.get('overhead'))} | {pct(one.get('overhead_outcomes'))} "
        f"| {results['load_before']:.2f}/{results['load_after']:.2f} |\n"
    )
    if not RECORD.exists():
        table_head = "| " + " | ".join(RECORD_COLUMNS) + " |\n"
        table_head += "|" + "---|" * len(RECORD_COLUMNS) + "\n"
        RECORD.write_text(RECORD_HEADER + "\n" + table_head, encoding="utf-8")
    with open(RECORD, "a", encoding="utf-8") as handle:
        handle.write(row)
    print(f"recorded in {RECORD}")


if __name__ == "__main__":
    main()
