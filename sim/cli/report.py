"""The ``flywheel report`` subcommand's arguments; the report code loads when it runs.

``flywheel report RUN_DIR...`` writes a run's report or a comparison of runs;
``flywheel report CLASS_LOG`` (a class game's log file) writes the game's debrief
(:mod:`sim.reports.debrief_html`).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.reports.debrief import looks_like_class_log

    if len(args.run_dirs) == 1 and looks_like_class_log(args.run_dirs[0]):
        from sim.reports.debrief_html import default_out, write_debrief
        from sim.scenario import InputError, Problem

        if args.workers is not None and args.workers < 1:
            rule = "must be a whole number of processes, 1 or more"
            raise InputError([Problem("command line", "--workers", str(args.workers), rule)])

        log = Path(args.run_dirs[0])
        out = Path(args.out) if args.out else default_out(log)
        out = write_debrief(log, out, workers=args.workers)
        print(f"wrote {out} (debrief of the class log {log})")
        return 0
    from sim.reports.html import cmd_report

    return cmd_report(args)


def add_report_command(commands) -> None:
    """Register ``flywheel report`` on the CLI's subcommands."""
    parser = commands.add_parser(
        "report",
        help="one self-contained HTML report of a run, a comparison of several, "
        "or the debrief of a class game's log",
    )
    parser.add_argument(
        "run_dirs",
        nargs="+",
        metavar="RUN_DIR",
        help="folders of `flywheel run`, or one class game log (`flywheel class --log`)",
    )
    parser.add_argument(
        "--out",
        help="HTML file to write (default: RUN_DIR/report.html for one run, "
        "comparison.html for several, LOG-debrief.html beside a class log)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="for a class log: processes replaying the seats' ghosts (default: every core "
        "for a large game, one for a small one)",
    )
    parser.set_defaults(handler=_cmd_report)
