"""A student's decision form: its names, its checks, and the seat decision it makes.

The class form asks for the price, four weekly spends and the payout, under the model's
names (:data:`DECISION_FIELDS`). A checked form is the student's
:class:`~sim.play.decisions.SeatDecision` for the seat (:class:`sim.play.seat.PlayerSeat`);
the form has no marketing, so marketing stays as it is. The game log holds each decision
as the form's values (:func:`form_values`), which :func:`form_decision` turns back.
"""

from __future__ import annotations

import difflib

from sim.play.decisions import SeatDecision
from sim.play.rules import plain_number

SEAT_NAMES = {
    "price": "price",
    "spend_experience": "experience",
    "spend_selection": "selection",
    "spend_efficiency": "efficiency",
    "spend_innovation": "innovation",
    "payout": "payout",
}
DECISION_FIELDS = tuple(SEAT_NAMES)
MAX_PRICE = 1_000_000.0
MAX_SPEND = 1_000_000_000.0


def shown(raw) -> str:
    """A value as a message shows it (at most 40 characters of its repr)."""
    text = repr(raw)
    return text if len(text) <= 40 else text[:40] + "..."


def form_decision(values: dict) -> SeatDecision:
    """The seat decision of a form's checked values (or a logged decision's)."""
    return SeatDecision(
        **{SEAT_NAMES[name]: value for name, value in values.items()}, marketing=None
    )


def form_values(decision: SeatDecision) -> dict:
    """A seat decision as the form's values, by the form's names (as the log holds them)."""
    return {name: getattr(decision, SEAT_NAMES[name]) for name in DECISION_FIELDS}


def parse_decision(data: dict, cash: float) -> SeatDecision:
    """A student's form as a seat decision, every problem named at once.

    Typed values follow the shared number rule (:func:`sim.play.rules.plain_number`: a
    comma is an error). Price is above 0 and at most :data:`MAX_PRICE`; each weekly spend
    and the payout from 0 to :data:`MAX_SPEND`; the payout at most the cash. A name that
    is not one of :data:`DECISION_FIELDS` is refused (as ``flywheel play`` refuses it).

    Raises:
        ValueError: listing each field and what is wrong with it.
    """
    if not isinstance(data, dict):
        raise ValueError("decision must be a mapping of decision names to numbers")
    problems = []
    for name in data:
        if name not in DECISION_FIELDS:
            hint = difflib.get_close_matches(str(name), DECISION_FIELDS, n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            problems.append(f"{str(name)[:40]!r}: not a decision{extra}")
    values = {}
    for name in DECISION_FIELDS:
        raw = data.get(name, 0 if name != "price" else None)
        if isinstance(raw, str) and not raw.strip() and name != "price":
            raw = 0
        try:
            value = plain_number(name, raw)
        except (ValueError, OverflowError) as exc:
            problems.append(str(exc))
            continue
        high = MAX_PRICE if name == "price" else MAX_SPEND
        if not 0 <= value <= high:
            problems.append(f"{name}: must be a number from 0 to {high:,.0f}, got {shown(raw)}")
            continue
        values[name] = value
    if "price" in values and values["price"] <= 0:
        problems.append("price: must be above 0")
    if values.get("payout", 0) > max(cash, 0.0):
        problems.append(f"payout: {values['payout']:,.0f} is more than the cash ({cash:,.0f})")
    if problems:
        raise ValueError("; ".join(problems))
    return form_decision(values)
