"""``flywheel dashboard [--host 127.0.0.1] [--port 8765] [SCENARIO]``, and ``--class`` games."""

from __future__ import annotations

import argparse
import sys
import webbrowser

from sim.cli.arguments import non_negative_seconds, port_int, positive_int, seed_int
from sim.scenario import InputError

EXIT_BAD_INPUT = 2
DEFAULT_SCENARIO = "baseline"


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until Ctrl-C."""
    from sim.dashboard.server import DashboardServer
    from sim.scenario import list_scenarios

    if args.class_game:
        return cmd_class(args)
    if args.resume:
        print("error: --resume continues a class game; add --class", file=sys.stderr)
        return EXIT_BAD_INPUT
    args.scenario = args.scenario or DEFAULT_SCENARIO
    names = [name for name, _ in list_scenarios()]
    if args.scenario not in names:
        print(
            f"error: unknown scenario {args.scenario!r}; choose one of: {', '.join(names)}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    try:
        server = DashboardServer(args.host, args.port, args.scenario, args.play_out)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Flywheel dashboard on {server.url} (Ctrl-C to stop)", flush=True)
    print(f"Play a firm: {server.url}play (games are written to {args.play_out}/)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"Listening on {args.host}: others on this network can open it at this "
            f"machine's address, port {server.server_address[1]}.",
            flush=True,
        )
    if args.open:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.server_close()
    return 0


def _class_game(args: argparse.Namespace):
    """The game to serve: a new one, or the one ``--resume`` names, replayed.

    Returns:
        ``(game, problem)``: the game, or None and a message.
    """
    from pathlib import Path

    from sim.classroom.game import ClassGame
    from sim.classroom.log import resume

    if args.resume:
        given = [
            option
            for option, value in (
                ("--seats", args.seats),
                ("--seed", args.seed),
                ("--consumers", args.consumers),
                ("--markets", args.markets),
                ("--quarters", args.quarters),
                ("--rule", args.rule),
                ("--weights", args.weights),
            )
            if value is not None
        ]
        if given:
            return None, f"--resume takes the game's settings from its log; drop {', '.join(given)}"
        if args.log and Path(args.log).resolve() != Path(args.resume).resolve():
            return None, "--resume goes on writing to the log it resumes; drop --log"
        if not Path(args.resume).is_file():
            return None, f"--resume {args.resume}: no such game log"
        game = resume(args.resume)
        if args.scenario and args.scenario != game.scenario:
            return None, (
                f"--resume {args.resume}: the game was played on {game.scenario!r}, "
                f"not {args.scenario!r}"
            )
        return game, None
    log_path = Path(args.log) if args.log else None
    if log_path is not None and not log_path.parent.is_dir():
        return None, f"--log {args.log}: its folder does not exist"
    if log_path is not None and log_path.exists():
        return None, (
            f"--log {args.log}: the file exists; continue that game with --resume {args.log}, "
            "or give another file (a log is never overwritten)"
        )
    from sim.scenario import list_scenarios

    names = [name for name, _ in list_scenarios()]
    scenario = args.scenario or DEFAULT_SCENARIO
    if scenario not in names:
        return None, f"unknown scenario {scenario!r}; choose one of: {', '.join(names)}"
    from sim.classroom.scoring import parse_weights

    seats = 2 if args.seats is None else args.seats
    try:
        weights = parse_weights(args.weights) if args.weights else None
    except ValueError as exc:
        return None, f"--{exc}"
    game = ClassGame(
        scenario,
        seats,
        seed=args.seed,
        consumers=args.consumers,
        log_path=log_path,
        markets=args.markets or 1,
        quarters=args.quarters,
        rule=args.rule or "shareholder_value",
        weights=weights,
        teams=args.teams,
    )
    try:
        game.write_log()
    except OSError as exc:
        return None, f"--log {args.log}: cannot write it: {exc.strerror}"
    return game, None


def cmd_class(args: argparse.Namespace) -> int:
    """Serve a classroom game: seats for students, a console for the instructor."""
    from sim.classroom.server import ClassServer

    try:
        game, problem = _class_game(args)
        if problem is None and args.timer:
            try:
                game.start_timer(args.timer)
            except ValueError as exc:
                problem = f"--timer: {exc}"
        if problem is None:
            server = ClassServer(args.host, args.port, game)
    except (ValueError, InputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    seats = len(game.table)
    if args.resume:
        print(f"Resumed from {args.resume}: quarter {game.quarter}, week {game.model.week}")
    markets = len(game.markets)
    print(
        f"Classroom game: {game.model.spec.name}, {seats} seats"
        + (f" in {markets} markets" if markets > 1 else "")
        + f", {game.total_quarters} quarters (Ctrl-C to stop)"
    )
    print(f"Students open   {server.url}   and type their seat's join code:")
    for seat in game.table:
        taken = f", {seat.student}" if seat.joined else ""
        where = f"market {seat.market + 1}, " if markets > 1 else ""
        team = ", team seat" if seat.team else ""
        firm = game.firm_of(seat).name
        print(f"  seat {seat.index + 1}: {seat.code}   ({where}{firm}{taken}{team})")
    print(f"Instructor:     {server.url}instructor?key={server.key}")
    print(f"Projector:      {server.url}projector", flush=True)
    if game.log_path is not None:
        print(f"Game log:       {game.log_path} (resume with --class --resume {game.log_path})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.server_close()
    return 0


def add_dashboard_command(commands) -> None:
    """Register ``flywheel dashboard`` on the CLI's subcommands."""
    parser = commands.add_parser("dashboard", help="serve the classroom dashboard")
    parser.add_argument(
        "scenario", nargs="?", default=None, help="scenario shown first (default baseline)"
    )
    _server_options(parser, dashboard=True)
    _class_options(parser, dashboard=True)
    parser.set_defaults(handler=cmd_dashboard)


def add_class_command(commands) -> None:
    """Register ``flywheel class`` (the same as ``flywheel dashboard --class``)."""
    parser = commands.add_parser(
        "class", help="serve a class game: students in markets, an instructor, a projector"
    )
    parser.add_argument("scenario", nargs="?", default=None, help="scenario (default baseline)")
    _server_options(parser, dashboard=False)
    _class_options(parser, dashboard=False)
    parser.set_defaults(handler=cmd_dashboard, class_game=True)


def _server_options(parser, dashboard: bool) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; "
        "0.0.0.0 opens it to the classroom network)",
    )
    parser.add_argument("--port", type=port_int, default=8765, help="port (default 8765)")
    if not dashboard:
        return
    parser.add_argument("--open", action="store_true", help="open it in the default browser")
    parser.add_argument(
        "--play-out",
        default="runs/play-web",
        metavar="DIR",
        help="folder for the Play page's games (run folders, saved games; default runs/play-web)",
    )


def _class_options(parser, dashboard: bool) -> None:
    game = parser.add_argument_group("classroom game (students in one or more markets)")
    if dashboard:
        game.add_argument(
            "--class",
            dest="class_game",
            action="store_true",
            help="serve a class game instead (the same as flywheel class)",
        )
    game.add_argument("--seats", type=int, help="seats for students (default 2)")
    game.add_argument(
        "--markets",
        type=positive_int,
        help="copies of the scenario, same seed; seats are spread over them (default 1)",
    )
    game.add_argument(
        "--quarters",
        type=positive_int,
        help="the game's length in quarters (default: the scenario's length)",
    )
    game.add_argument(
        "--rule",
        choices=(
            "shareholder_value",
            "cumulative_profit",
            "customers_served",
            "consumer_surplus",
            "mix",
        ),
        help="scoring rule the standings are ranked by (default shareholder_value)",
    )
    game.add_argument(
        "--weights",
        help="weights of the mix rule, e.g. shareholder_value=1,consumer_surplus=1",
    )
    game.add_argument(
        "--teams",
        action="store_true",
        help="every seat is a team seat: its code may be shared by several browsers",
    )
    game.add_argument("--seed", type=seed_int, help="seed of the game (default: the scenario's)")
    game.add_argument("--consumers", type=int, help="market size (default: the scenario's)")
    game.add_argument(
        "--timer",
        type=non_negative_seconds,
        default=0,
        help="seconds per quarter before it advances anyway",
    )
    game.add_argument(
        "--log",
        help="write the game log (JSON) to this new file as the game goes (never overwritten)",
    )
    game.add_argument(
        "--resume",
        metavar="LOG",
        help="continue the game a log records after a restart: same settings and join "
        "codes; the log is written on",
    )
