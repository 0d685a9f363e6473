"""The ``flywheel claims`` subcommand's arguments; the claims code loads when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.arguments import positive_int, seed_int


def _cmd_claims(args: argparse.Namespace) -> int:
    from sim.experiments.claims import cmd_claims

    return cmd_claims(args)


def add_paired_run_options(parser) -> None:
    """Add the options of every paired-seed study (claims, robustness) to ``parser``."""
    parser.add_argument("--seed", type=seed_int, help="root seed of the seed plan")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value for every run, e.g. consumers.count=5000",
    )
    parser.add_argument("--workers", type=positive_int, help="worker processes (default: CPUs)")
    parser.add_argument(
        "--executor", choices=("local", "inline", "dask"), default="local", help="where runs go"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")


def add_claims_command(subparsers) -> None:
    """Register ``flywheel claims`` on the main CLI's subparsers."""
    parser = subparsers.add_parser(
        "claims",
        help="switch each mechanic off in turn: which assumption produces the verdict?",
        description=(
            "For every named mechanic the scenario uses, rerun it with that mechanic "
            "switched off on the same seeds, and report the effect on the headline "
            "outcomes with confidence intervals (claims.md, claims.csv, claims.png). "
            "--only names some of the mechanics (an unknown name lists them all)."
        ),
    )
    parser.add_argument("scenario", help="scenario name (see `flywheel list`) or YAML path")
    parser.add_argument("--reps", type=positive_int, default=10, help="paired seeds (10)")
    parser.add_argument("--out", type=Path, help="output folder (results/claims/<scenario>)")
    parser.add_argument("--only", help="comma-separated mechanics to test (default: all used)")
    parser.add_argument("--steps", type=positive_int, help="weeks per run")
    add_paired_run_options(parser)
    parser.set_defaults(handler=_cmd_claims)
