"""Command-line registration of ``flywheel discover``, ``calibrate`` and ``robustness``.

Only argparse lives here, so that ``flywheel --help`` stays quick; each command's work
(PRIM, CART, optuna, the simulation) is imported when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.arguments import positive_int
from sim.experiments.claims_cli import add_paired_run_options


def _discover(args: argparse.Namespace) -> int:
    from sim.experiments.discover_cli import cmd_discover

    return cmd_discover(args)


def _robustness(args: argparse.Namespace) -> int:
    from sim.experiments.robustness import cmd_robustness

    return cmd_robustness(args)


def _calibrate(args: argparse.Namespace) -> int:
    from sim.experiments.calibrate_cli import cmd_calibrate

    return cmd_calibrate(args)


def add_discover_command(subparsers) -> None:
    """Register ``discover`` on an argparse subparsers object."""
    command = subparsers.add_parser(
        "discover",
        help="scenario discovery: the region of conditions where an outcome occurs (PRIM, CART)",
        description=(
            "Each finished run of the store is a case; --outcome says which cases are of "
            "interest (a comparison, or a number with --threshold). PRIM finds a box of "
            "conditions holding them (coverage, density, restrictions and their quasi-p "
            "values); a CART tree gives a second view. Needs the 'discover' extra."
        ),
    )
    command.add_argument("dir", type=Path, help="the store folder")
    command.add_argument(
        "--outcome",
        required=True,
        metavar="EXPR",
        help="rule over outcome columns, e.g. "
        "'share_y10__customer_obsessed > share_y10__shareholder_focused'",
    )
    command.add_argument("--threshold", type=float, help="with a numeric EXPR: cases above it")
    command.add_argument("--below", action="store_true", help="cases below --threshold instead")
    command.add_argument(
        "--density",
        type=float,
        default=0.8,
        help="least density of the chosen box (default 0.8)",
    )
    command.add_argument("--peel-alpha", type=float, default=0.05, help="PRIM's peel (0.05)")
    command.add_argument("--mass-min", type=float, default=0.05, help="PRIM's least mass (0.05)")
    command.add_argument("--depth", type=int, default=3, help="CART tree depth (3)")
    command.add_argument("--seed", type=int, default=0, help="CART's random state (0)")
    command.add_argument("--out", type=Path, help="output folder (DIR/discover)")
    command.set_defaults(handler=_discover)


def add_calibrate_command(subparsers) -> None:
    """Register ``calibrate`` on an argparse subparsers object."""
    command = subparsers.add_parser(
        "calibrate",
        help="fit scenario parameters to target data (optuna; resumable)",
        description=(
            "Fit the parameters a calibration file names to its target (published data), "
            "every trial on the same seeds; the first trial is the scenario as written. "
            "Running the command again resumes the study. Needs the 'calibrate' extra."
        ),
    )
    command.add_argument("scenario", help="scenario name or YAML path")
    command.add_argument(
        "targets", help="calibration file (YAML path, or a shipped name: amazon_flywheel)"
    )
    command.add_argument("--trials", type=positive_int, help="trial budget (the file's)")
    command.add_argument("--seeds", type=positive_int, help="seeds per trial (the file's)")
    command.add_argument(
        "--workers", type=positive_int, default=1, help="processes for a trial's seeds"
    )
    command.add_argument("--out", type=Path, help="output folder (runs/<scenario>-calibration)")
    command.set_defaults(handler=_calibrate)


def add_robustness_command(subparsers) -> None:
    """Register ``flywheel robustness`` on the main CLI's subparsers."""
    parser = subparsers.add_parser(
        "robustness",
        help="halve and double each strategy constant: does the winner change?",
        description=(
            "For every implementation constant of every strategy in the scenario (numeric "
            "parameters that do not define its mindset), rerun the scenario with the "
            "constant halved and doubled on the same seeds, and report which changes flip "
            "the year-10 winner of unit share and of shareholder value, with paired "
            "confidence intervals (robustness.md, robustness.csv, robustness.png)."
        ),
    )
    parser.add_argument("scenario", help="scenario name (see `flywheel list`) or YAML path")
    parser.add_argument("--seeds", type=positive_int, default=5, help="common seeds (5)")
    parser.add_argument("--out", type=Path, help="output folder (runs/<scenario>-robustness)")
    parser.add_argument(
        "--only", help="comma-separated constants to scale, as parameter or strategy.parameter"
    )
    parser.add_argument("--steps", type=positive_int, help="weeks per run (default: the horizon)")
    add_paired_run_options(parser)
    parser.set_defaults(handler=_robustness)
