"""The ``flywheel tournament`` subcommand (registered by the main CLI)."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from sim.experiments.cli import positive_int

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def add_subcommand(subparsers) -> None:
    """Register ``tournament`` on an argparse subparsers object."""
    parser = subparsers.add_parser(
        "tournament",
        help="rank strategies against each other on the same draws",
        description=(
            "Play every game of a tournament file (entrants x scenarios x replications, "
            "common random numbers), then write leaderboard.csv, leaderboard.md and "
            "figures. Finished games are kept: run the same command again to resume."
        ),
    )
    parser.add_argument("file", help="tournament file, or a name in experiments/")
    parser.add_argument("--variant", help="one of the file's variants (e.g. quick)")
    parser.add_argument("--workers", type=positive_int, help="worker processes (default: CPUs)")
    parser.add_argument(
        "--executor",
        choices=("local", "dask", "inline"),
        default="local",
        help="local processes (default), Dask distributed, or inline (debugging)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786) or scheduler file; implies --executor dask",
    )
    parser.add_argument("--out", type=Path, help="store folder (results/tournaments/<name>-<hash>)")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the plan")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(handler=cmd_tournament)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def cmd_tournament(args: argparse.Namespace) -> int:
    """Validate, play the games not yet played, write the leaderboard."""
    from sim.tournament.leaderboard import write_leaderboard
    from sim.tournament.runner import default_out, load_games, run_tournament
    from sim.tournament.spec import load_tournament

    tournament = load_tournament(args.file, args.variant)
    out = args.out or default_out(tournament)
    spec = tournament.spec
    print(
        f"{tournament.name}: {len(spec.entrants)} entrants x {len(spec.scenarios)} scenarios "
        f"x {spec.replications} replications, {spec.seating.value} seating: "
        f"{len(tournament.games)} games -> {out}"
    )
    if args.dry_run:
        return EXIT_OK
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        report = run_tournament(
            tournament,
            out,
            args.executor,
            args.workers,
            args.scheduler,
            progress=not args.no_progress and sys.stderr.isatty(),
        )
    except KeyboardInterrupt:
        print(
            f"interrupted; finished games are kept in {out}; run again to resume", file=sys.stderr
        )
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(
        f"{report.done}/{report.total} games finished ({report.skipped} already in the store, "
        f"{report.ran} played in {report.wall_seconds:.1f} s, {report.executor})"
    )
    if report.done < report.total:
        print(
            f"{report.total - report.done} games failed (see {out}/failures.jsonl); "
            "run again to retry",
            file=sys.stderr,
        )
        return EXIT_FAILED
    games = load_games(out)
    write_leaderboard(out, games, tournament.score_columns, tournament.name)
    print((out / "leaderboard.md").read_text(encoding="utf-8"))
    print(f"results in {out}/ (leaderboard.csv, leaderboard.md, pairwise.csv, games.csv, figures/)")
    return EXIT_OK
