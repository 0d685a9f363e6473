"""``flywheel dashboard [--host 127.0.0.1] [--port 8765] [SCENARIO]``."""

from __future__ import annotations

import argparse
import sys
import webbrowser

from sim.scenario import InputError, list_scenarios

EXIT_BAD_INPUT = 2


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until Ctrl-C."""
    from sim.dashboard.server import DashboardServer

    names = [name for name, _ in list_scenarios()]
    if args.scenario not in names:
        print(
            f"error: unknown scenario {args.scenario!r}; choose one of: {', '.join(names)}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    try:
        server = DashboardServer(args.host, args.port, args.scenario)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Flywheel dashboard on {server.url} (Ctrl-C to stop)", flush=True)
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


def add_dashboard_command(commands) -> None:
    """Register ``flywheel dashboard`` on the CLI's subcommands."""
    parser = commands.add_parser("dashboard", help="serve the classroom dashboard")
    parser.add_argument(
        "scenario", nargs="?", default="baseline", help="scenario shown first (default baseline)"
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; "
        "0.0.0.0 opens it to the classroom network)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument("--open", action="store_true", help="open it in the default browser")
    parser.set_defaults(handler=cmd_dashboard)
