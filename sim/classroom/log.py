"""A classroom game's log: replaying it, and resuming a game from it after a restart.

The log (:meth:`~sim.classroom.game.ClassGame.log_json`) holds the game's settings
(markets, length, scoring rule), the seats' join codes and students' names, the
instructor's actions (``events``), and per quarter the seats held, every decision
submitted and every firm's outcome (with the student who played it at the time).
:func:`replay` rebuilds the game from it, byte for byte; :func:`resume` does so from a
log file and goes on writing to that file. A log is checked entry by entry before
anything is replayed; a problem names the file and entry.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from sim.classroom.form import DECISION_FIELDS, shown
from sim.classroom.game import MAX_NAME_CHARACTERS, ClassGame

LOG_KEYS = {
    "scenario",
    "seats",
    "seed",
    "consumers",
    "quarters",
    "codes",
    "students",
    "markets",
    "length",
    "rule",
    "weights",
    "teams",
    "locked",
    "events",
}
QUARTER_KEYS = {"week", "held", "decisions"}


def replay(log_text: str, log_path: Path | None = None, source: str = "the log") -> ClassGame:
    """Rebuild a game from its log: same settings, codes, seats held, names, decisions.

    Args:
        log_text: the log (JSON), as :meth:`ClassGame.log_json` writes it.
        log_path: where the rebuilt game goes on writing its log (None: nowhere).
        source: how to name the log in messages.

    Returns:
        The replayed game, at the week the logged game reached. A log written before
        logs held join codes gets codes ``R00000``, ``R00001``, ...

    Raises:
        ValueError: naming ``source``, the entry and what is wrong with it.
    """
    data = checked_log(log_text, source)
    codes = data.get("codes") or [f"R{i:05d}" for i in range(data["seats"])]
    game = ClassGame(
        data["scenario"],
        data["seats"],
        seed=data["seed"],
        consumers=data["consumers"],
        codes=codes,
        markets=data.get("markets", 1),
        quarters=data.get("length"),
        rule=data.get("rule") or "shareholder_value",
        weights=data.get("weights"),
    )
    for number, quarter in enumerate(data["quarters"]):
        if quarter["week"] != game.model.week:
            raise ValueError(
                f"{source}: quarters.{number}.week: got {quarter['week']}, but the replayed "
                f"game is at week {game.model.week}; the log does not fit its settings"
            )
        held = quarter["held"]
        for seat in game.table:
            seat.joined = seat.index in held
        decisions = {int(k): v for k, v in quarter["decisions"].items()}
        game.play_quarter(held, decisions)
        game.log.append(quarter)
    for seat, student in zip(game.table, data.get("students") or [], strict=False):
        seat.joined = bool(student)
        seat.student = student[: MAX_NAME_CHARACTERS * 4]
        seat.members = student.split(" & ") if student else []
        seat.person.held = seat.joined
    for index in data.get("teams") or []:
        game.table[index].team = True
    for index in data.get("locked") or []:
        game.table[index].locked = True
    game.events = list(data.get("events") or [])
    game.log_path = log_path
    game._logged_students = {seat.index: seat.student for seat in game.table if seat.joined}
    return game


def resume(path: str | os.PathLike) -> ClassGame:
    """The game a log file records, replayed, writing on to the same file.

    Raises:
        ValueError: naming the file, for a log that cannot be read or replayed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise ValueError(f"{path}: cannot read the game log: {reason}") from None
    return replay(text, log_path=path, source=str(path))


def checked_log(text: str, source: str) -> dict:
    """The log's mapping, its entries checked (shapes and names; numbers finite).

    Raises:
        ValueError: naming ``source`` and every problem found (the first ten).
    """
    try:
        data = json.loads(text, parse_constant=lambda name: float("nan"))
    except (json.JSONDecodeError, RecursionError) as exc:
        reason = f"{exc.msg} at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise ValueError(
            f"{source}: not a game log (JSON): {reason or 'nested too deeply'}"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f"{source}: not a game log: the top level must be an object")
    problems = [f"{key}: missing" for key in ("scenario", "seats", "quarters") if key not in data]
    problems += [f"{key}: not a game log entry" for key in data if key not in LOG_KEYS]
    seats = data.get("seats")
    if not isinstance(seats, int) or isinstance(seats, bool) or seats < 1:
        problems.append(f"seats: must be a whole number >= 1, got {shown(seats)}")
        seats = 0
    for key in ("teams", "locked"):
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list)
            and all(
                isinstance(i, int) and not isinstance(i, bool) and 0 <= i < seats for i in value
            )
        ):
            problems.append(f"{key}: must list seat indices from 0 to {seats - 1}")
    for key in ("markets", "length"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            problems.append(f"{key}: must be a whole number, got {shown(value)}")
    if data.get("events") is not None and not isinstance(data.get("events"), list):
        problems.append("events: must be a list")
    if not isinstance(data.get("scenario"), str):
        problems.append(f"scenario: must be a scenario name, got {shown(data.get('scenario'))}")
    for key in ("seed", "consumers"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            problems.append(f"{key}: must be a whole number or null, got {shown(value)}")
    for key in ("codes", "students"):
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list)
            and len(value) == seats
            and all(isinstance(item, str) for item in value)
        ):
            problems.append(f"{key}: must be a list of {seats} texts, one per seat")
    quarters = data.get("quarters")
    if not isinstance(quarters, list):
        problems.append("quarters: must be a list")
        quarters = []
    for number, quarter in enumerate(quarters):
        problems += _quarter_problems(quarter, f"quarters.{number}", seats)
    if problems:
        raise ValueError(
            f"{source}: not a game log this version can replay: " + "; ".join(problems[:10])
        )
    return data


def _quarter_problems(quarter, where: str, seats: int) -> list[str]:
    if not isinstance(quarter, dict) or not QUARTER_KEYS <= set(quarter) <= {
        *QUARTER_KEYS,
        "outcomes",
    }:
        return [f"{where}: must be an object with week, held and decisions (and outcomes)"]
    problems = []
    if not isinstance(quarter.get("outcomes", []), list):
        problems.append(f"{where}.outcomes: must be a list")
    week, held, decisions = quarter["week"], quarter["held"], quarter["decisions"]
    if not isinstance(week, int) or isinstance(week, bool):
        problems.append(f"{where}.week: must be a whole number")
    if not isinstance(held, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < seats for i in held
    ):
        problems.append(f"{where}.held: must list seat indices from 0 to {seats - 1}")
    if not isinstance(decisions, dict):
        return [*problems, f"{where}.decisions: must be an object"]
    for key, values in decisions.items():
        if not (key.isdigit() and int(key) < seats):
            problems.append(f"{where}.decisions.{key}: not a seat index")
        elif not isinstance(values, dict) or set(values) != set(DECISION_FIELDS):
            problems.append(f"{where}.decisions.{key}: must give {', '.join(DECISION_FIELDS)}")
        elif not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in values.values()
        ):
            problems.append(f"{where}.decisions.{key}: every value must be a finite number")
    return problems
