"""Command-line subcommands of the sweep machinery: ``sweep``, ``results``, ``analyze``.

The main CLI adds them with :func:`add_subcommands`; each subcommand stores its handler
as ``handler`` (``args.handler(args) -> int``), as the main CLI expects. Bad input exits
with status 2, a message and no traceback, and writes nothing.
``python -m sim.experiments.cli`` runs them on their own.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.arguments import positive_int
from sim.experiments.research_cli import add_calibrate_command, add_discover_command
from sim.outputs.folders import writable_problem
from sim.scenario import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_OUTCOMES = ("final_customer_obsessed_share", "final_consumer_surplus", "final_hhi")
EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def add_subcommands(subparsers) -> None:
    """Register ``sweep``, ``results``, ``analyze`` and ``discover`` on argparse subparsers.

    Args:
        subparsers: the object returned by ``parser.add_subparsers()``.
    """
    sweep = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep with replications into a results store",
        description=(
            "Run every design point of a sweep file times its replications. Finished runs "
            "are skipped, so re-running the same command resumes an interrupted sweep."
        ),
    )
    sweep.add_argument("file", help="sweep file, or a name in experiments/ (orientation_mix)")
    sweep.add_argument("--workers", type=positive_int, help="worker processes (default: CPUs)")
    sweep.add_argument(
        "--executor",
        choices=("local", "dask", "inline"),
        default="local",
        help="local processes (default), Dask distributed, or inline (debugging)",
    )
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786) or scheduler file; implies --executor dask",
    )
    sweep.add_argument(
        "--connect-timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="how long to wait for a Dask scheduler (default 20)",
    )
    sweep.add_argument("--out", type=Path, help="store folder (results/sweeps/<name>-<hash>)")
    sweep.add_argument(
        "--resume", action="store_true", help="continue the store at --out (it must exist)"
    )
    sweep.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override the sweep file, e.g. replications=2 or fixed.consumers.count=500",
    )
    sweep.add_argument("--variant", help="apply one of the file's named variants (e.g. quick)")
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    sweep.add_argument(
        "--dry-run", action="store_true", help="validate and show the plan; run nothing"
    )
    sweep.set_defaults(handler=cmd_sweep)

    results = subparsers.add_parser(
        "results",
        help="summarise a sweep's results store",
        description="Print the state of a results store and a table of outcomes.",
    )
    results.add_argument("dir", type=Path, help="the store folder")
    results.add_argument("--outcome", action="append", default=[], help="outcome column(s) to show")
    results.add_argument("--rows", type=positive_int, default=40, help="most rows printed")
    results.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    results.set_defaults(handler=cmd_results)

    analyze = subparsers.add_parser(
        "analyze",
        help="sensitivity indices, paired comparisons and figures of a sweep",
        description=(
            "Sampled designs (lhs, morris, sobol): sensitivity indices with confidence "
            "intervals. Grids: outcome against parameter with confidence bands, and each "
            "level against a reference, paired on replications."
        ),
    )
    analyze.add_argument("dir", type=Path, help="the store folder")
    analyze.add_argument("--outcome", action="append", default=[], help="outcome column(s)")
    analyze.add_argument(
        "--compare",
        nargs=2,
        action="append",
        default=[],
        metavar=("A", "B"),
        help="paired difference A - B between design points (p3, or name=value,...)",
    )
    analyze.add_argument(
        "--compare-outcomes",
        nargs=2,
        action="append",
        default=[],
        metavar=("X", "Y"),
        help="paired difference X - Y of two outcomes within runs (e.g. two strategies)",
    )
    analyze.add_argument("--reference", help="reference level of the first parameter (grids)")
    analyze.add_argument("--conf", type=float, default=0.95, help="confidence level")
    analyze.add_argument("--out", type=Path, help="output folder (DIR/analysis)")
    analyze.set_defaults(handler=cmd_analyze)
    add_discover_command(subparsers)
    add_calibrate_command(subparsers)


def _error(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return EXIT_INPUT


def _setup_logging() -> None:
    logger = logging.getLogger("sim.experiments")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


# ---------------------------------------------------------------- sweep


def cmd_sweep(args: argparse.Namespace) -> int:
    """``flywheel sweep``: run or resume a sweep."""
    from sim.experiments.runner import default_out, run_sweep
    from sim.experiments.spec import describe, load_sweep
    from sim.experiments.store import StoreLocked

    _setup_logging()
    try:
        sweep = load_sweep(args.file, args.set, args.variant)
    except InputError as exc:
        return _error(exc)
    out = args.out if args.out is not None else default_out(sweep)
    spec = sweep.spec
    print(
        f"sweep {sweep.name}{f' ({spec.variant})' if spec.variant else ''}: "
        f"{spec.design.kind.value} design, {sweep.n_points} points x {spec.replications} "
        f"replications = {sweep.n_runs} runs of {sweep.base.get('steps')} weeks; "
        f"sha256 {sweep.digest[:12]}"
    )
    print(f"store: {out}")
    if args.dry_run:
        print(describe(sweep).to_string(index=False))
        seeds = ", ".join(str(s) for s in sweep.seeds[:3])
        print(
            f"replication seeds (root {spec.seed}): {seeds}{' ...' if len(sweep.seeds) > 3 else ''}"
        )
        return EXIT_OK
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        report = run_sweep(
            sweep,
            out=out,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            resume=args.resume,
            progress=not args.no_progress,
            connect_timeout=args.connect_timeout,
        )
    except InputError as exc:
        return _error(exc)
    except StoreLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(
            f"\ninterrupted; finished runs are kept in {out}. Run the same command again "
            "(or add --resume) to continue.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    if report.ran == 0 and report.done == report.total:
        print(f"nothing to do: all {report.total} runs are already in the store")
        print(f"next: flywheel results {out}")
        return EXIT_OK
    rate = f", {report.runs_per_hour:,.0f} runs/hour" if report.ran else ""
    print(
        f"{report.done} of {report.total} runs done, {report.failed} failed, "
        f"{report.pending} pending ({report.skipped} already done before; ran {report.ran} "
        f"in {report.wall_seconds:.1f} s on {report.executor}{rate})"
    )
    if report.failed:
        print(f"failures are logged in {out / 'failures.jsonl'}; re-run to retry them")
    print(f"next: flywheel results {out}")
    return EXIT_OK if report.failed == 0 else EXIT_FAILED


# ---------------------------------------------------------------- results


def _store_status(store, damaged: dict[str, str] | None = None) -> dict[str, int]:
    manifest = store.manifest()
    total = int(manifest["runs"]["total"])
    finished = store.finished() - set(damaged or {})
    failed = {r["run_id"] for r in store.failures()} - finished
    return {
        "total": total,
        "done": len(finished),
        "failed": len(failed),
        "damaged": len(damaged or {}),
        "pending": total - len(finished) - len(failed),
    }


def report_damaged(damaged: dict[str, str], manifest: dict, store: Path) -> None:
    """Warn on stderr about damaged run files left out, and say how to redo them."""
    if not damaged:
        return
    print(
        f"warning: {len(damaged)} run(s) have a damaged file and are left out:",
        file=sys.stderr,
    )
    for run_id, reason in list(damaged.items())[:10]:
        print(f"  {run_id}: {reason}", file=sys.stderr)
    if len(damaged) > 10:
        print(f"  ... and {len(damaged) - 10} more", file=sys.stderr)
    sweep_file = str(manifest.get("sweep_file") or "")
    if not sweep_file or sweep_file.startswith("<"):
        sweep_file = "SWEEP_FILE"
    variant = f" --variant {manifest['variant']}" if manifest.get("variant") else ""
    print(
        f"redo them: flywheel sweep {sweep_file}{variant} --out {store} --resume "
        "(with the --set options the sweep was created with, if any)",
        file=sys.stderr,
    )


def _pick_outcomes(requested: list[str], available: list[str]) -> list[str]:
    import difflib

    if requested:
        unknown = [name for name in requested if name not in available]
        if unknown:
            hints = []
            for name in unknown:
                match = difflib.get_close_matches(name, available, n=1)
                hints.append(name + (f" (did you mean {match[0]!r}?)" if match else ""))
            raise ValueError(
                f"unknown outcome(s): {', '.join(hints)}; available: {', '.join(available)}"
            )
        return requested
    chosen = [name for name in DEFAULT_OUTCOMES if name in available]
    return chosen if chosen else available[:3]


def _fmt(mean: float, low: float, high: float) -> str:
    import pandas as pd

    if pd.isna(mean):
        return "n/a"
    if pd.isna(low):
        return f"{mean:.4g}"
    return f"{mean:.4g} [{low:.4g}, {high:.4g}]"


def tidy_grid_table(df: pd.DataFrame, parameters: list[str], outcomes: list[str]) -> pd.DataFrame:
    """One row per design point and outcome: ``n``, ``mean``, ``low``, ``high`` as numbers.

    ``low`` and ``high`` bound the 95% confidence interval of the mean over replications
    (empty with one replication). This is what ``flywheel results --csv`` writes for grids.
    """
    import pandas as pd

    from sim.experiments.analysis import summarise

    parts = []
    for outcome in outcomes:
        summary = summarise(df, outcome, by=parameters)
        part = summary[[*parameters, "n", "mean", "ci_low", "ci_high"]].copy()
        part.insert(len(parameters), "outcome", outcome)
        parts.append(part.rename(columns={"ci_low": "low", "ci_high": "high"}))
    return pd.concat(parts, ignore_index=True)


def results_table(df: pd.DataFrame, parameters: list[str], outcomes: list[str], grid: bool):
    """The table ``flywheel results`` prints: per design point (grid) or per outcome."""
    import pandas as pd

    if grid:
        tidy = tidy_grid_table(df, parameters, outcomes)
        table = None
        for outcome in outcomes:
            rows = tidy[tidy["outcome"] == outcome]
            part = rows[[*parameters, "n"]].copy()
            part[outcome] = [_fmt(*r) for r in rows[["mean", "low", "high"]].to_numpy()]
            table = part if table is None else table.merge(part, on=[*parameters, "n"])
        return table
    rows = []
    for outcome in outcomes:
        values = df[outcome]
        rows.append(
            {
                "outcome": outcome,
                "runs": int(values.notna().sum()),
                "mean": values.mean(),
                "sd": values.std(),
                "min": values.min(),
                "median": values.median(),
                "max": values.max(),
            }
        )
    return pd.DataFrame(rows)


def cmd_results(args: argparse.Namespace) -> int:
    """``flywheel results``: state of a store and a table of outcomes."""
    import pandas as pd

    from sim.experiments.store import SweepStore, load_results

    try:
        store = SweepStore.open(args.dir)
    except FileNotFoundError as exc:
        return _error(exc)
    if args.csv is not None and (problem := writable_problem(args.csv.parent, "--csv")):
        return _error(InputError([problem]))
    manifest = store.manifest()
    if "tournament_sha256" in manifest:
        rule = "is a tournament store: read its leaderboard.md (or run the tournament again)"
        return _error(InputError([Problem("command line", "DIR", str(args.dir), rule)]))
    df = load_results(args.dir)
    status = _store_status(store, df.attrs.get("damaged", {}))
    design = manifest["design"]
    print(
        f"{manifest['name']}{f' ({manifest["variant"]})' if manifest.get('variant') else ''}: "
        f"{design['kind']} design, {design['points']} points x {manifest['replications']} "
        f"replications = {status['total']} runs; sha256 {manifest['sweep_sha256'][:12]}"
    )
    print(
        f"runs: {status['done']} done, {status['failed']} failed, {status['pending']} pending"
        f"{f' ({status["damaged"]} damaged)' if status['damaged'] else ''} "
        f"({len(manifest.get('sessions', []))} session(s); base scenario "
        f"{manifest['base_scenario']['name']}, {manifest.get('steps')} weeks)"
    )
    failed = [r for r in store.failures() if r["run_id"] not in store.finished()]
    for record in failed[-5:]:
        print(f"  failed {record['run_id']}: {record['error']}")
    report_damaged(df.attrs.get("damaged", {}), manifest, args.dir)
    if df.empty:
        print("no finished runs yet")
        return EXIT_OK
    available = manifest["outputs"]["metrics"]
    try:
        outcomes = _pick_outcomes(args.outcome, available)
    except ValueError as exc:
        return _error(exc)
    parameters = list(design["parameters"])
    grid = design["kind"] == "grid"
    table = results_table(df, parameters, outcomes, grid)
    with pd.option_context(
        "display.width", 200, "display.max_columns", 20, "display.max_colwidth", 40
    ):
        if grid:
            print("\nmean over replications [95% CI]:")
        else:
            print("\ndistribution over runs (sampled design; see `flywheel analyze`):")
        shown = table.head(args.rows)
        print(shown.to_string(index=False))
        if len(table) > len(shown):
            print(f"... {len(table) - len(shown)} more rows (--rows, --csv)")
    if args.csv is not None:
        written = tidy_grid_table(df, parameters, outcomes) if grid else table
        written.to_csv(args.csv, index=False)
        print(f"table written to {args.csv}")
    print(f"\n{query_hint(args.dir)}")
    return EXIT_OK


def query_hint(store: Path) -> str:
    """How to query the store with what is installed: DuckDB's command, its module, pandas."""
    import importlib.util
    import shutil

    sql = f"SELECT * FROM read_parquet('{store}/runs/*.parquet')"
    if shutil.which("duckdb"):
        return f'query: duckdb -c "{sql}"'
    if importlib.util.find_spec("duckdb") is not None:
        return f'query: python -c "import duckdb; print(duckdb.sql(\\"{sql}\\"))"'
    return (
        'query: python -c "from sim.experiments import load_results; '
        f"print(load_results('{store}'))\""
    )


# ---------------------------------------------------------------- analyze


def _figure():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.2), layout="constrained")
    return figure, figure.subplots()


def cmd_analyze(args: argparse.Namespace) -> int:
    """``flywheel analyze``: sensitivity indices or paired comparisons, with figures."""
    import pandas as pd

    from sim.experiments import analysis, plots
    from sim.experiments.store import SweepStore, load_results

    try:
        store = SweepStore.open(args.dir)
    except FileNotFoundError as exc:
        return _error(exc)
    if not 0 < args.conf < 1:
        return _error(ValueError(f"--conf must be in (0, 1), got {args.conf}"))
    manifest = store.manifest()
    df = load_results(args.dir)
    report_damaged(df.attrs.get("damaged", {}), manifest, args.dir)
    if df.empty:
        return _error(ValueError(f"{args.dir} has no finished runs yet"))
    available = manifest["outputs"]["metrics"]
    try:
        outcomes = _pick_outcomes(args.outcome, available)
        for pair in args.compare_outcomes:
            _pick_outcomes(list(pair), available)
        comparisons = [
            analysis.compare_points(df, outcome, a, b, args.conf)
            for a, b in args.compare
            for outcome in outcomes
        ]
        comparisons += [
            analysis.compare_outcomes(df, x, y, conf=args.conf) for x, y in args.compare_outcomes
        ]
    except ValueError as exc:
        return _error(exc)
    out = args.out if args.out is not None else Path(args.dir) / "analysis"
    if (problem := writable_problem(out, "--out")) is not None or out.is_file():
        return _error(
            InputError([problem or Problem("command line", "--out", str(out), "is a file")])
        )
    out.mkdir(parents=True, exist_ok=True)
    design = manifest["design"]
    parameters = list(design["parameters"])
    written = []
    pd.set_option("display.width", 200)
    if design["kind"] in analysis.SAMPLED:
        for outcome in outcomes:
            try:
                table = analysis.sensitivity(args.dir, outcome, conf=args.conf)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_FAILED
            path = out / f"sensitivity_{outcome}.csv"
            table.to_csv(path, index=False)
            written.append(path)
            print(f"\n{outcome} ({table['method'].iloc[0]}):")
            print(
                table.pivot_table(index="parameter", columns="index", values="value")
                .round(4)
                .to_string()
            )
            figure, ax = _figure()
            plots.sensitivity_bars(table, ax=ax)
            written.append(out / f"sensitivity_{outcome}.png")
            figure.savefig(written[-1], dpi=150)
            if table["method"].iloc[0] == "morris":
                figure, ax = _figure()
                plots.morris_scatter(table, ax=ax)
                written.append(out / f"morris_{outcome}.png")
                figure.savefig(written[-1], dpi=150)
    else:
        first = parameters[0]
        hue = parameters[1] if len(parameters) == 2 else None
        reference = None
        if args.reference is not None:
            import yaml

            reference = yaml.safe_load(args.reference)
        for outcome in outcomes:
            figure, ax = _figure()
            plots.outcome_vs_parameter(df, outcome, first, hue=hue, conf=args.conf, ax=ax)
            written.append(out / f"{outcome}_vs_{first}.png")
            figure.savefig(written[-1], dpi=150)
            if hue is not None:
                figure, ax = _figure()
                plots.outcome_heatmap(df, outcome, first, hue, ax=ax)
                written.append(out / f"{outcome}_heatmap.png")
                figure.savefig(written[-1], dpi=150)
            try:
                table = analysis.compare_levels(df, outcome, first, reference, args.conf)
            except ValueError as exc:
                return _error(exc)
            path = out / f"paired_{outcome}_by_{first}.csv"
            table.to_csv(path, index=False)
            written.append(path)
            if len(parameters) == 1 and len(table):
                print(
                    f"\n{outcome}: each {first} against {first}={table['reference'].iloc[0]} "
                    "(paired on replications)"
                )
                print(
                    table[
                        [
                            first,
                            "n_pairs",
                            "mean_diff",
                            "ci_low",
                            "ci_high",
                            "unpaired_ci_low",
                            "unpaired_ci_high",
                        ]
                    ].to_string(index=False, float_format="%.4g")
                )
                figure, ax = _figure()
                plots.paired_differences(table, ax=ax, label_column=first)
                written.append(out / f"paired_{outcome}_by_{first}.png")
                figure.savefig(written[-1], dpi=150)
    if design["kind"] not in analysis.SAMPLED:
        from sim.experiments.contest_map import write_contest_maps

        maps = write_contest_maps(df, parameters, out)
        written += maps
        if maps:
            print()
            print(maps[-1].read_text(encoding="utf-8"))
    if comparisons:
        table = pd.DataFrame([c.as_dict() for c in comparisons])
        path = out / "comparisons.csv"
        table.to_csv(path, index=False)
        written.append(path)
        print("\npaired comparisons (a - b):")
        print(
            table[
                [
                    "outcome",
                    "a",
                    "b",
                    "n_pairs",
                    "mean_diff",
                    "ci_low",
                    "ci_high",
                    "unpaired_ci_low",
                    "unpaired_ci_high",
                ]
            ].to_string(index=False, float_format="%.4g")
        )
    print(f"\nwrote {len(written)} files to {out}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """A parser with only these subcommands (the main CLI adds them to its own)."""
    parser = argparse.ArgumentParser(
        prog="flywheel", description="Flywheel sweeps: run, summarise and analyse experiments."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_subcommands(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; returns the exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
