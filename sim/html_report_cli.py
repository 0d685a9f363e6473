"""The ``flywheel report`` subcommand's arguments; the report code loads when it runs."""

from __future__ import annotations

import argparse


def _cmd_report(args: argparse.Namespace) -> int:
    from sim.html_report import cmd_report

    return cmd_report(args)


def add_report_command(commands) -> None:
    """Register ``flywheel report`` on the CLI's subcommands."""
    parser = commands.add_parser(
        "report", help="one self-contained HTML report of a run, or a comparison of several"
    )
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="folders of `flywheel run`")
    parser.add_argument(
        "--out",
        help="HTML file to write (default: RUN_DIR/report.html for one run, "
        "comparison.html for several)",
    )
    parser.set_defaults(handler=_cmd_report)
