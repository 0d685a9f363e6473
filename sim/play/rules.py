"""Rules every seat shares, whichever page or terminal it is played from.

* :func:`plain_number`: what a typed number may look like (digits, one decimal point,
  an optional exponent; a comma is refused, since ``34,5`` may mean 34.5 or 345).
* :func:`quarter_label`: how quarters are counted (the quarter being decided, from 1).
* :func:`forced_exit_in`: whether cash and credit say the firm is forced out soon.
* :func:`stage_of` (in :mod:`sim.play.briefing`) names a firm's Day 1 / Day 2 stage.
"""

from __future__ import annotations

import math
import re

PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
WARNING_QUARTERS = 2


def plain_number(name: str, raw) -> float:
    """A number typed into a field: digits, at most one decimal point, an optional exponent.

    Args:
        name: the field's name (named in the message).
        raw: what was typed (text) or a number already.

    Returns:
        The value (not yet checked against the field's range).

    Raises:
        ValueError: naming the field and what was typed, with an example of the form.
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        shown = repr(raw) if len(repr(raw)) <= 20 else repr(raw)[:20] + "..."
        raise ValueError(f"{name}: {shown} is not a number; type e.g. 34.5")
    if not isinstance(raw, str):
        value = float(raw)
    else:
        text = raw.strip()
        shown = text if len(text) <= 20 else text[:20] + "..."
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise ValueError(f"{name}: must be a finite number")
        if "," in text:
            raise ValueError(
                f"{name}: {shown!r} has a comma; type a plain number with a point for "
                "decimals and no thousands separators, e.g. 34.5 or 1250"
            )
        if not PLAIN_NUMBER.fullmatch(text):
            raise ValueError(f"{name}: {shown!r} is not a plain number; type e.g. 34.5 or 1250")
        value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{name}: must be a finite number")
    return value


def quarter_label(week: int, horizon: int, weeks_per_quarter: int = 13) -> str:
    """``Quarter 3 of 6`` for the quarter being decided; ``Game over: 6 of 6 quarters``.

    Args:
        week: weeks played.
        horizon: the game's last week.
        weeks_per_quarter: weeks in a quarter.
    """
    total = -(-horizon // weeks_per_quarter)
    if week >= horizon:
        return f"Game over: {total} of {total} quarters played"
    return f"Quarter {week // weeks_per_quarter + 1} of {total}"


def forced_exit_in(
    cash: float,
    credit_limit: float,
    cash_flow: float,
    quarters_beyond: int,
    limit_quarters: int,
    within: int = WARNING_QUARTERS,
) -> int | None:
    """Quarter ends until the firm is forced out if last quarter's cash flow repeats.

    A firm leaves when its cash has been below ``-credit_limit`` at ``limit_quarters``
    quarter ends in a row (:meth:`sim.components.finance.Finance.cannot_continue`). Cash after ``k``
    more quarters is taken as ``cash + k * cash_flow``; investors who might still fund the
    firm are not counted, so this is a warning, not a forecast.

    Args:
        cash: cash now ($; negative is debt).
        credit_limit: the credit line now ($).
        cash_flow: the change in cash over the last quarter ($).
        quarters_beyond: quarter ends in a row the firm has already been beyond its line.
        limit_quarters: the scenario's ``market.insolvency_quarters``.
        within: how many quarter ends ahead to look.

    Returns:
        ``k`` from 1 to ``within`` (forced out at the ``k``-th quarter end from now), or None.
    """
    count = quarters_beyond
    for k in range(1, within + 1):
        count = count + 1 if cash + k * cash_flow < -credit_limit else 0
        if count >= limit_quarters:
            return k
    return None


def forced_exit_warning(quarters: int | None) -> str | None:
    """The warning a seat is shown for :func:`forced_exit_in`'s answer (None: no warning)."""
    if quarters is None:
        return None
    when = "at the end of this quarter" if quarters == 1 else f"within {quarters} quarters"
    return (
        f"Warning: if cash keeps moving as it did last quarter, your firm stays beyond its "
        f"credit line and is forced out of the market {when}. Raise the price, cut spending "
        "or pay nothing out."
    )
