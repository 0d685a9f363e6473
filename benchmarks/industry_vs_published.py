"""Industry-dynamics statistics of runs beside the published figures (prints a table).

Usage:
    python benchmarks/industry_vs_published.py RUN_FOLDER [RUN_FOLDER ...]
    python benchmarks/industry_vs_published.py --scenario SCENARIO [--seeds N] [--set K=V ...]

Run folders are those written by ``flywheel run`` (a folder of ``flywheel run --seeds``
holds one per seed: pass ``OUT/seed-*``). With ``--scenario`` the scenario is run here on
the seeds of its seed plan. With several runs each statistic is averaged over the runs
(NaN runs left out) and its range is printed beside it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.seeds import replication_seeds
from sim.outputs.sections.industry import comparison_markdown, comparison_table, industry_statistics
from sim.scenario import load_scenario


def firm_tables(args: argparse.Namespace) -> list[tuple[str, pd.DataFrame]]:
    if args.scenario:
        from sim.runs.runner import run

        scenario = load_scenario(args.scenario, args.set)
        tables = []
        for seed in replication_seeds(scenario.seed, args.seeds):
            result = run(scenario, seed=seed)
            tables.append((f"seed {seed}", result.firms))
        return tables
    return [(str(folder), pd.read_parquet(Path(folder) / "firms.parquet")) for folder in args.runs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", help="run folders (with firms.parquet)")
    parser.add_argument("--scenario", help="run this scenario instead of reading folders")
    parser.add_argument("--seeds", type=int, default=1, help="seeds of the scenario's plan")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    if not args.runs and not args.scenario:
        parser.error("give run folders or --scenario")
    per_run = pd.DataFrame(
        [{"run": name, **industry_statistics(firms)} for name, firms in firm_tables(args)]
    )
    numbers = per_run.drop(columns="run")
    means = numbers.mean(skipna=True).to_dict()
    table = comparison_table(means)
    print(f"Industry dynamics over {len(per_run)} run(s), means over runs:\n")
    print(comparison_markdown(table))
    if len(per_run) > 1:
        print("\nRange over runs (min - max):\n")
        for name in table["statistic"]:
            column = numbers[name].dropna()
            span = f"{column.min():.3g} - {column.max():.3g}" if len(column) else "-"
            print(f"- {name}: {span} ({len(column)} runs measurable)")
    print()
    shown = {k: v for k, v in means.items() if np.isfinite(v)}
    print("All statistics (means): " + ", ".join(f"{k}={v:.3g}" for k, v in shown.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
