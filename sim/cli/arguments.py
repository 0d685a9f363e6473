"""Argument types of the ``flywheel`` command: whole numbers, seeds, ports, seconds.

Each refuses a bad value with one line naming the rule (a 5,000-digit number is shown
shortened, never parsed whole).
"""

from __future__ import annotations

import argparse
import math

SEED_MAX = 2**63 - 1  # seeds are stored as 64-bit integers (manifests, Parquet tables)
PORT_MAX = 65535


def _shown(text: str) -> str:
    """``text`` quoted, shortened when long."""
    return repr(text) if len(text) <= 40 else f"{text[:20]!r}... ({len(text)} characters)"


def _whole_number(text: str, rule: str) -> int:
    """``text`` as an int, or an ArgumentTypeError saying ``rule`` (at most 30 digits read)."""
    stripped = text.strip().lstrip("+-")
    if not stripped.isdigit() or len(stripped) > 30:
        raise argparse.ArgumentTypeError(f"expected {rule}, got {_shown(text)}")
    return int(text)


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    value = _whole_number(text, "a whole number >= 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def seed_int(text: str) -> int:
    """An argparse type: a seed, a whole number from 0 to 2**63 - 1."""
    rule = f"a seed: a whole number from 0 to 2**63 - 1 ({SEED_MAX})"
    value = _whole_number(text, rule)
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"expected {rule}, got {_shown(text)}")
    return value


def port_int(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    rule = f"a port number from 0 to {PORT_MAX}"
    value = _whole_number(text, rule)
    if not 0 <= value <= PORT_MAX:
        raise argparse.ArgumentTypeError(f"expected {rule}, got {value}")
    return value


def non_negative_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds >= 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds >= 0 (0 = none), got {_shown(text)}"
        )
    return value
