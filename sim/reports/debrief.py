"""A class game's debrief, read from its log: trajectories, ghosts, winners, turning points.

A class log (:meth:`sim.classroom.game.ClassGame.log_json`) holds every decision the
students submitted. The debrief replays each market from it, one market at a time (the
markets share a seed and never meet, so a market alone runs as it ran in the game), and
then replays it again once per seat held by a student and per built-in strategy, with
that seat's firm run by the strategy instead of the student (a *ghost*): same seed, same
other seats' decisions, so the gap between the seat and its ghost is what the student's
decisions made of the firm.

What :func:`build_debrief` collects per quarter and firm (:class:`FirmQuarter`) is read
from the model's own books, as the class pages read them (:mod:`sim.classroom.scoring`).
The turning points (:func:`turning_points`) are the quarters where the seat's price or
weekly spending at the quarter's end departed most from its ghost's, with the gap in the
game's scoring rule at that quarter's end and one quarter later. The HTML is written by
:mod:`sim.reports.debrief_html`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sim.classroom.game import seat_slots
from sim.classroom.log import checked_log
from sim.classroom.market import GameModel, Market
from sim.classroom.scoring import DEFAULT_RULE, RULES, add_mix, firm_scores, ranked
from sim.outputs.firm_groups import firm_group
from sim.play.seat import PlayerSeat
from sim.scenario import WEEKS_PER_QUARTER, InputError, Problem, load_scenario
from sim.strategies.base import Decision
from sim.strategies.registry import resolve_strategy

GHOSTS = ("customer_obsessed", "shareholder_focused")
SPENDS = ("spend_experience", "spend_selection", "spend_efficiency", "spend_innovation")
TURNING_POINTS = 3
# Consumer-weeks of ghost replays above which they run on every core: below it, starting
# the processes costs more than it saves (measured: 4 ghosts of 104 weeks at 3,000
# consumers took 28 s on one process, 41 s on two).
POOL_CONSUMER_WEEKS = 20_000_000


@dataclass(frozen=True)
class FirmQuarter:
    """One firm at one quarter's end: what it charged and spent, what it made."""

    quarter: int
    alive: bool
    price: float
    weekly_spend: float
    units: float
    operating_profit: float
    cash: float
    scores: dict[str, float]


@dataclass
class SeatRecord:
    """A seat held by a student: its firm, its path, and its ghosts' paths."""

    seat: int
    market: int
    firm: str
    mindset: str
    student: str
    path: list[FirmQuarter]
    ghosts: dict[str, list[FirmQuarter]] = field(default_factory=dict)


@dataclass
class MarketRecord:
    """One market as played: every firm's path, who played it, the model for figures."""

    number: int
    model: GameModel
    paths: dict[str, list[FirmQuarter]]
    players: dict[str, str]
    mindsets: dict[str, str]


@dataclass
class Debrief:
    """Everything the debrief page shows."""

    source: str
    scenario: str
    seed: int | None
    consumers: int | None
    quarters: int
    rule: str
    weights: dict[str, float]
    markets: list[MarketRecord]
    seats: list[SeatRecord]
    standings: list[dict]
    events: list[dict]


def looks_like_class_log(path: str | Path) -> bool:
    """True for a file (not a folder) whose JSON has a class log's ``seats`` and ``quarters``."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8") as stream:
            head = stream.read(1)
            if head != "{":
                return False
            data = json.loads(head + stream.read())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False
    return isinstance(data, dict) and "seats" in data and "quarters" in data


def read_class_log(path: str | Path) -> dict:
    """A class log file's settings and quarters, checked entry by entry.

    Raises:
        InputError: naming the file and what is wrong with it (a game with no quarter
            played has nothing to debrief).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise InputError([Problem(str(path), "", str(path), f"cannot be read: {reason}")]) from None
    try:
        data = checked_log(text, str(path))
    except ValueError as exc:
        rule = str(exc).removeprefix(f"{path}: ")
        raise InputError([Problem(str(path), "", "(class log)", rule)]) from None
    if not data["quarters"]:
        rule = "no quarter has been played in this game yet: nothing to debrief"
        raise InputError([Problem(str(path), "quarters", "[]", rule)])
    return data


def _ghost_strategy(spec, name: str):
    """A fresh ``name`` strategy, with the scenario's parameters for it where it has any."""
    params = next((f.strategy_params for f in spec.firms if f.strategy == name), {})
    return resolve_strategy(name)(**params)


def _firm_quarter(quarter: int, market: Market, firm) -> FirmQuarter:
    last = firm.last_quarter
    return FirmQuarter(
        quarter=quarter,
        alive=bool(firm.alive),
        price=float(firm.price),
        weekly_spend=float(sum(getattr(firm, name) for name in SPENDS)),
        units=float(last.units),
        operating_profit=float(last.operating_profit),
        cash=float(firm.cash),
        scores=firm_scores(market, firm),
    )


def play_market(data: dict, number: int, ghost: tuple[int, str] | None = None) -> Market:
    """Replay market ``number`` of a class log, a quarter at a time.

    Args:
        data: a checked class log (:func:`read_class_log`).
        number: the market (0-based).
        ghost: ``(seat index, strategy name)``: that seat's firm is run by the strategy
            instead of its student from the first week on (None: as played).

    Returns:
        The market after the logged quarters, with ``paths`` (firm name -> one
        :class:`FirmQuarter` per quarter) set on it.
    """
    overrides = {"consumers.count": data["consumers"]} if data.get("consumers") else None
    spec = load_scenario(data["scenario"], overrides=overrides)
    markets = data.get("markets", 1)
    slots = seat_slots(spec)
    seat_slot = {i: slots[i // markets] for i in range(data["seats"]) if i % markets == number}
    model = GameModel(spec, data["seed"], list(seat_slot.values()))
    market = Market(number, model)
    if ghost is not None:
        # as the scenario's own strategy is: the model makes it the seat's bot at week 0
        model.firms[seat_slot[ghost[0]]].strategy = _ghost_strategy(spec, ghost[1])
    horizon = spec.steps if data.get("length") is None else data["length"] * WEEKS_PER_QUARTER
    horizon = min(spec.steps, horizon)
    paths: dict[str, list[FirmQuarter]] = {firm.name: [] for firm in model.firms}
    for count, quarter in enumerate(data["quarters"], start=1):
        held = set(quarter["held"]) - ({ghost[0]} if ghost else set())
        for index, slot in seat_slot.items():
            strategy = model.firms[slot].strategy
            if isinstance(strategy, PlayerSeat):
                strategy.held = index in held
        for key, values in quarter["decisions"].items():
            index = int(key)
            if index in seat_slot and (ghost is None or index != ghost[0]):
                model.schedule_decision(model.firms[seat_slot[index]], Decision(**values))
        for _ in range(min(WEEKS_PER_QUARTER, horizon - model.week)):
            market.run_week()
        for firm in model.firms:
            paths.setdefault(firm.name, []).append(_firm_quarter(count, market, firm))
    market.paths = paths
    market.seat_slot = seat_slot
    return market


def _students(data: dict) -> dict[int, str]:
    """Each seat's student(s): the names the log's outcomes give it, in order met."""
    names: dict[int, list[str]] = {}
    for quarter in data["quarters"]:
        for row in quarter.get("outcomes") or []:
            if isinstance(row, dict) and row.get("seat") and row.get("student"):
                seen = names.setdefault(int(row["seat"]) - 1, [])
                if row["student"] not in seen:
                    seen.append(str(row["student"]))
    for index, student in enumerate(data.get("students") or []):
        if student and student not in names.get(index, []):
            names.setdefault(index, []).append(student)
    return {index: " / ".join(found) for index, found in names.items()}


def final_standings(
    markets: list[MarketRecord],
    seats: dict[tuple[int, str], int],
    rule: str,
    weights: dict[str, float],
    students: dict[int, str],
) -> list[dict]:
    """Every firm of every market at the end, ranked by ``rule``.

    Each row has the four scores, the weighted mix, and the firm's rank by each rule
    among all the firms of all markets (the markets share one seed).
    """
    rows = []
    for record in markets:
        for name, path in record.paths.items():
            if not path:
                continue
            seat = seats.get((record.number, name))
            rows.append(
                {
                    "market": record.number + 1,
                    "firm": name,
                    "seat": seat + 1 if seat is not None else None,
                    "player": students.get(seat, "") if seat is not None else "",
                    "mindset": record.mindsets.get(name, ""),
                    "alive": path[-1].alive,
                    "scores": dict(path[-1].scores),
                }
            )
    for row in rows:
        row["player"] = row["player"] or "bot"
    add_mix(rows, weights)
    ranks = {}
    for name in RULES:
        for row in ranked([dict(r) for r in rows], name):
            ranks.setdefault((row["market"], row["firm"]), {})[name] = row["rank"]
    for row in rows:
        row["ranks"] = ranks[(row["market"], row["firm"])]
    return ranked(rows, rule)


def build_debrief(
    path: str | Path, ghosts: tuple[str, ...] = GHOSTS, workers: int | None = None
) -> Debrief:
    """Replay a class log, its seats' ghosts, and gather the debrief.

    Raises:
        InputError: for a file that is not a class log this version can replay.
    """
    data = read_class_log(path)
    return debrief_of(data, str(path), ghosts, workers)


def _ghost_path(task: tuple) -> list[FirmQuarter]:
    """One ghost's path: ``(log, market, seat index, strategy, firm name)``."""
    data, number, index, strategy, name = task
    return play_market(data, number, (index, strategy)).paths[name]


def ghost_paths(tasks: list[tuple], workers: int) -> list[list[FirmQuarter]]:
    """Every ghost's path, in the order of ``tasks``, on up to ``workers`` processes.

    Each ghost is a whole replay of its market and independent of the others, so they
    run side by side; a pool is started (fresh interpreters, ``spawn``) only for more
    than one task and worker. The paths are the same whatever the number of workers.
    """
    workers = max(1, min(workers, len(tasks)))
    if workers == 1:
        return [_ghost_path(task) for task in tasks]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_ghost_path, tasks))


def auto_workers(data: dict, ghosts: int) -> int:
    """Processes for ``ghosts`` replays of a log: every core past :data:`POOL_CONSUMER_WEEKS`."""
    if data.get("consumers"):
        consumers = data["consumers"]
    else:
        consumers = load_scenario(data["scenario"]).consumers.count
    weeks = len(data["quarters"]) * WEEKS_PER_QUARTER
    if ghosts * weeks * consumers <= POOL_CONSUMER_WEEKS:
        return 1
    return os.cpu_count() or 1


def debrief_of(
    data: dict, source: str, ghosts: tuple[str, ...] = GHOSTS, workers: int | None = None
) -> Debrief:
    """The debrief of a checked class log (see :func:`build_debrief`).

    Args:
        data: the checked log.
        source: how the page names the log.
        ghosts: the built-in strategies each seat is replayed with.
        workers: processes for the ghosts' replays (:func:`ghost_paths`; None:
            :func:`auto_workers`). The page is the same for any number.
    """
    rule = data.get("rule") or DEFAULT_RULE
    weights = data.get("weights") or {}
    students = _students(data)
    played_seats = sorted({i for q in data["quarters"] for i in q["held"]} | set(students))
    records, seat_of = [], {}
    for number in range(data.get("markets", 1)):
        market = play_market(data, number)
        model = market.model
        players = {}
        for index, slot in market.seat_slot.items():
            name = model.firms[slot].name
            seat_of[(number, name)] = index
            players[name] = students.get(index, "") or "bot"
        mindsets = {f.name: firm_group(f.name, model.spec) for f in model.firms}
        records.append(MarketRecord(number, model, market.paths, players, mindsets))
    seats, tasks = [], []
    for index in played_seats:
        number = index % data.get("markets", 1)
        record = records[number]
        name = next(n for (m, n), i in seat_of.items() if i == index and m == number)
        seat = SeatRecord(
            index + 1,
            number + 1,
            name,
            record.mindsets[name],
            students.get(index, ""),
            record.paths[name],
        )
        tasks += [(data, number, index, strategy, name) for strategy in ghosts]
        seats.append(seat)
    if workers is None:
        workers = auto_workers(data, len(tasks))
    paths = iter(ghost_paths(tasks, workers))
    for seat in seats:
        for strategy in ghosts:
            seat.ghosts[strategy] = next(paths)
    return Debrief(
        source=source,
        scenario=records[0].model.spec.name,
        seed=data.get("seed"),
        consumers=data.get("consumers"),
        quarters=len(data["quarters"]),
        rule=rule,
        weights=weights,
        markets=records,
        seats=seats,
        standings=final_standings(records, seat_of, rule, weights, students),
        events=list(data.get("events") or []),
    )


def score_of(row: FirmQuarter, rule: str) -> float:
    """A quarter's score by ``rule``.

    The weighted mix is a share of the best firm's scores, not defined for one firm
    alone: the shareholder value stands in for it.
    """
    return row.scores["shareholder_value" if rule == "mix" else rule]


@dataclass(frozen=True)
class TurningPoint:
    """A quarter where a seat's decisions departed from its ghost's, and what followed."""

    quarter: int
    ghost: str
    price: float
    ghost_price: float
    spend: float
    ghost_spend: float
    gap: float
    gap_next: float | None
    departure: float


def turning_points(seat: SeatRecord, rule: str, count: int = TURNING_POINTS) -> list[TurningPoint]:
    """The quarters where the seat's price or weekly spending departed most from a ghost's.

    One point per quarter (against the ghost it departed from most), at most ``count``,
    in the order of the quarters.

    The departure of a quarter is ``|p - p_g| / p_g + |s - s_g| / max(s, s_g)`` (price
    and weekly spending at the quarter's end, the ghost's ``_g``; a spending term is 0
    when both spend nothing). The gap is the seat's score by ``rule`` minus the ghost's,
    at that quarter's end and one quarter later (None at the last quarter). Quarters
    where either firm has left are skipped.
    """
    points = []
    for ghost, path in seat.ghosts.items():
        for position, (mine, theirs) in enumerate(zip(seat.path, path, strict=False)):
            if not (mine.alive and theirs.alive) or theirs.price <= 0:
                continue
            top = max(mine.weekly_spend, theirs.weekly_spend)
            departure = abs(mine.price - theirs.price) / theirs.price + (
                abs(mine.weekly_spend - theirs.weekly_spend) / top if top > 0 else 0.0
            )
            following = None
            if position + 1 < min(len(seat.path), len(path)):
                following = score_of(seat.path[position + 1], rule) - score_of(
                    path[position + 1], rule
                )
            points.append(
                TurningPoint(
                    mine.quarter,
                    ghost,
                    mine.price,
                    theirs.price,
                    mine.weekly_spend,
                    theirs.weekly_spend,
                    score_of(mine, rule) - score_of(theirs, rule),
                    following,
                    departure,
                )
            )
    points.sort(key=lambda p: (-p.departure, p.quarter, p.ghost))
    chosen, quarters = [], set()
    for point in points:  # one point per quarter: the ghost departed from most
        if point.quarter not in quarters:
            chosen.append(point)
            quarters.add(point.quarter)
    return sorted(chosen[:count], key=lambda p: p.quarter)
