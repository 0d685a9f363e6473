"""The ``flywheel play`` subcommand (registered by the main CLI with :func:`add_subcommand`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.arguments import seed_int
from sim.scenario import InputError, Problem

EXIT_OK, EXIT_INPUT = 0, 2


def add_subcommand(subparsers) -> None:
    """Register ``play`` on an argparse subparsers object."""
    play = subparsers.add_parser(
        "play",
        help="run one firm yourself against the strategies",
        description=(
            "Take over one firm of a scenario; every other firm runs its strategy. Each "
            "quarter you read a briefing and set price, spends, payout and channels. At the "
            "end: a scorecard and the ghost replay (the same seed with each built-in "
            "strategy in your seat). The game is written as a run folder."
        ),
    )
    play.add_argument("scenario", help="scenario name (see `flywheel list`) or YAML path")
    play.add_argument("--seat", metavar="FIRM_NAME", help="the firm you run (default: the first)")
    play.add_argument("--seed", type=seed_int, help="seed of the game (default: the scenario's)")
    play.add_argument("--steps", type=int, help="weeks to play (default: the scenario's)")
    play.add_argument("--out", type=Path, help="run folder (default: runs/play-<scenario>)")
    source = play.add_mutually_exclusive_group()
    source.add_argument(
        "--decisions",
        type=Path,
        metavar="FILE.yaml",
        help="play without questions from a decision file (quarters: [...])",
    )
    source.add_argument(
        "--resume", type=Path, metavar="FILE.yaml", help="replay a saved game, then go on asking"
    )
    play.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override the scenario"
    )
    play.add_argument("--no-ghosts", action="store_true", help="skip the ghost replay")
    play.add_argument("--csv", action="store_true", help="also write CSV tables")
    play.add_argument("--quiet", action="store_true", help="print only the summary path")
    play.set_defaults(handler=cmd_play)


def _game_settings(args, recorded: dict) -> dict:
    """Seat, seed and steps: the command line's, else those the file recorded."""
    settings = {}
    for key in ("seat", "seed", "steps"):
        given = getattr(args, key)
        settings[key] = given if given is not None else recorded.get(key)
    return settings


def cmd_play(args: argparse.Namespace) -> int:
    """Play a game in the terminal, or from a decision file."""
    from sim.play.decisions import read_decision_file
    from sim.play.engine import Game
    from sim.play.scorecard import save_game
    from sim.play.terminal import play_in_terminal

    file = args.decisions or args.resume
    recorded = {}
    if file is not None:
        recorded = read_decision_file(file, check_quarters=False).game  # the game first
    game = Game(args.scenario, overrides=args.set, **_game_settings(args, recorded))
    script: tuple = ()
    if file is not None:
        script = read_decision_file(file, game.channel_names, game.quarters, game.rules).quarters
        if recorded.get("scenario") not in (None, game.base.name):
            rule = f"the file was played on scenario {recorded['scenario']!r}"
            raise InputError([Problem(str(file), "game.scenario", game.base.name, rule)])
    out = args.out or Path("runs") / f"play-{game.base.name.replace('/', '_')}"
    game.begin(script, interactive=args.decisions is None)
    if game.briefing is not None:
        if not sys.stdin.isatty() and args.decisions is None and not args.resume:
            print("note: reading decisions from standard input", file=sys.stderr)
        # Beside the run folder, not in it: the folder is written whole at the end.
        finished = play_in_terminal(game, out.with_name(f"{out.name}-saved.yaml"))
        if not finished:
            return EXIT_OK
    if not args.quiet and not args.no_ghosts:
        print(
            "Game over. Playing the ghosts (the same seed with each built-in strategy "
            "in your seat)..."
        )
    save_game(game, out, csv=args.csv, ghosts=not args.no_ghosts)
    if args.quiet:
        print(out / "summary.md")
        return EXIT_OK
    print(f"results in {out}/ (summary.md, decisions.yaml, scorecard.csv, figures/)")
    if not args.no_ghosts:
        text = (out / "summary.md").read_text(encoding="utf-8")
        print(text[text.index("## Ghost replay") :])
    return EXIT_OK
