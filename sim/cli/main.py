"""The ``flywheel`` command: run, validate and list scenarios (and sweeps)."""

from __future__ import annotations

import argparse
import sys
import traceback
import warnings
from pathlib import Path

from sim.cli.arguments import positive_int, seed_int
from sim.cli.report import add_report_command
from sim.dashboard.cli import add_class_command, add_dashboard_command
from sim.experiments.claims_cli import add_claims_command
from sim.experiments.cli import add_subcommands
from sim.experiments.research_cli import add_robustness_command
from sim.outputs.headless import use_agg
from sim.play.cli import add_subcommand as add_play_subcommand
from sim.runs.stopping import EXIT_INTERRUPTED, signals_interrupt
from sim.scenario import InputError
from sim.strategies.user_code import StrategyError
from sim.tournament.cli import add_subcommand as add_tournament_subcommand

EXIT_BAD_INPUT = 2
EXIT_STRATEGY_FAILED = 1
PROGRESS_DELAY = 2.0  # seconds before `flywheel run` shows a progress bar on a terminal


def _default_out(name: str) -> Path:
    return Path("runs") / name.replace("/", "_")


def cmd_run(args: argparse.Namespace) -> int:
    """Run a scenario and write its results."""
    from sim.outputs.folders import check_run_out
    from sim.scenario import load_scenario

    overrides: dict = {}
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.steps is not None:
        overrides["steps"] = args.steps
    scenario = load_scenario(args.scenario, args.set)
    if overrides:
        scenario = load_scenario(scenario, overrides)
    out = Path(args.out) if args.out else _default_out(scenario.name)
    if args.seeds is not None:
        from sim.experiments.multiseed import command

        return command(scenario, args, out)
    out = check_run_out(out)
    with signals_interrupt():
        return _run_and_save(scenario, args, out)


def _run_and_save(scenario, args: argparse.Namespace, out: Path) -> int:
    from sim.runs.runner import run

    bar = None
    if not args.quiet and sys.stdout.isatty() and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(  # appears only once the run has taken PROGRESS_DELAY seconds
            total=scenario.steps,
            unit="week",
            desc=scenario.name,
            file=sys.stderr,
            delay=PROGRESS_DELAY,
        )
    try:
        result = run(scenario, progress=bar.update if bar else None)
    finally:
        if bar is not None:
            bar.close()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            result.save(out, csv=args.csv, figures=args.figures)
    except OSError as exc:
        print(f"error: cannot write the results to {out}: {exc}", file=sys.stderr)
        return 1
    for message in dict.fromkeys(str(w.message) for w in caught):
        if not args.quiet:
            print(f"warning: {message}", file=sys.stderr)
    if not args.quiet:
        print(
            f"{scenario.name}: {scenario.steps} weeks, seed {result.seed}, "
            f"{result.manifest['wall_seconds']:.1f} s"
        )
        drawn = "" if args.figures == "none" else "figures/, "
        print(f"results in {out}/ (summary.md, {drawn}model.parquet, firms.parquet)")
        print()
        print((out / "summary.md").read_text(encoding="utf-8"))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario files; report every problem."""
    from sim.scenario import load_scenario

    failed = False
    for item in args.files:
        try:
            scenario = load_scenario(item, args.set)
        except InputError as exc:
            failed = True
            print(exc, file=sys.stderr)
            continue
        firms = sum(f.count for f in scenario.firms)
        print(
            f"ok: {item} ({scenario.name}: {firms} firms, "
            f"{scenario.consumers.count:,} consumers, {scenario.steps} weeks)"
        )
    return EXIT_BAD_INPUT if failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    """List the scenarios with the one-line descriptions their files give.

    Only the YAML is read, not validated, so the list comes at once; ``flywheel validate``
    checks files in full.
    """
    from sim.scenario.files import list_scenarios, read_yaml

    entries = list_scenarios()
    if not entries:
        print("no scenarios found (looked in: ./scenarios and the package's scenarios/)")
        return 0
    width = max(len(name) for name, _ in entries)
    for name, path in entries:
        try:
            description = read_yaml(path).get("description")
        except InputError:
            description = None
        if not isinstance(description, str):
            description = "(invalid: run `flywheel validate` on it)"
        print(f"{name:<{width}}  {description}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``flywheel`` command."""
    from sim import __version__

    parser = argparse.ArgumentParser(
        prog="flywheel",
        description="Agent-based market simulation of customer obsession.",
    )
    parser.add_argument("--version", action="version", version=f"flywheel {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_parser = commands.add_parser("run", help="run a scenario and write results")
    run_parser.add_argument("scenario", help="scenario name (see `flywheel list`) or YAML path")
    run_parser.add_argument(
        "--seed", type=seed_int, help="seed of the run (default: the scenario's)"
    )
    run_parser.add_argument("--steps", type=int, help="weeks to simulate")
    run_parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value by dotted path, e.g. consumers.count=100000",
    )
    run_parser.add_argument(
        "--out",
        help="output folder (default: runs/<scenario>); an earlier run folder there is "
        "replaced whole, any other non-empty folder is refused",
    )
    run_parser.add_argument("--csv", action="store_true", help="also write CSV tables")
    run_parser.add_argument(
        "--figures",
        choices=("all", "key", "none"),
        default="all",
        help="figures to draw: all (default), key (market share, price and cost, "
        "experience and satisfaction, cash and payouts) or none (fastest)",
    )
    run_parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    run_parser.add_argument(
        "--seeds",
        type=positive_int,
        metavar="N",
        help="run N seeds drawn from the scenario's seed into OUT/seed-K/ and report "
        "each headline's spread (spread.md, spread.csv)",
    )
    run_parser.add_argument(
        "--workers", type=positive_int, help="worker processes for --seeds (default: CPUs)"
    )
    run_parser.add_argument(
        "--debug", action="store_true", help="show the whole traceback when a strategy fails"
    )
    run_parser.set_defaults(handler=cmd_run)

    validate_parser = commands.add_parser("validate", help="check scenario files")
    validate_parser.add_argument("files", nargs="+", help="scenario paths or names")
    validate_parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    validate_parser.set_defaults(handler=cmd_validate)

    list_parser = commands.add_parser("list", help="list scenarios")
    list_parser.set_defaults(handler=cmd_list)

    add_subcommands(commands)
    add_claims_command(commands)
    add_robustness_command(commands)
    add_dashboard_command(commands)
    add_class_command(commands)
    add_report_command(commands)
    add_play_subcommand(commands)
    add_tournament_subcommand(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (2 for bad input, with no traceback)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    use_agg()
    try:
        return args.handler(args)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    except StrategyError as exc:
        if getattr(args, "debug", False):
            traceback.print_exception(exc.original, file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        if not getattr(args, "debug", False):
            print("(run again with --debug for the whole traceback)", file=sys.stderr)
        return EXIT_STRATEGY_FAILED
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        call = getattr(exc, "strategy_call", None)
        where = f" while {call} ran" if call else ""
        written = "; no results were written" if args.command == "run" else ""
        print(f"interrupted{where}{written}", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
