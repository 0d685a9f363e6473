"""A class period: students in one or more markets, seats, join codes, a replayable log.

A :class:`ClassGame` runs ``markets`` copies of one scenario, all with the same seed, so
the markets are comparable. Seats are spread over the markets in turn (seat 1 in market
1, seat 2 in market 2, ...); within a market they take one firm of each group in turn
(:func:`seat_slots`). A student who joins with a seat's code runs that firm; a seat
nobody takes stays with the firm's own strategy (a bot). A seat's firm is run by the
seat every front end uses, :class:`sim.play.seat.PlayerSeat`, submitted to: while a
student holds the seat it keeps the firm's current price and spending and pays nothing
out, and the student's submitted decision (:mod:`sim.classroom.form`) waits in it until
the next quarter starts, when it goes into the model through the model's own
``schedule_decision`` (decision lags apply as for any firm; a payout is paid once, in the
quarter it is submitted).

The game lasts ``quarters`` quarters (the scenario's length if None) and moves a quarter
(13 weeks) at a time, in every market together: when every student who holds a seat has
submitted, when the timer runs out, or when the instructor advances. :meth:`ClassGame.end`
plays the remaining quarters out with the decisions in force (bots go on deciding).

Every decision and every quarter's outcome is logged; replaying the log on a new game
gives the same tables, byte for byte (:func:`sim.classroom.log.replay`). The log holds
the seats' join codes and students' names, so a game resumes from it after a restart
with the same codes (:func:`sim.classroom.log.resume`); it is written whole to a
temporary file and then renamed, so a kill never leaves half a log. Seat controls
(claims, teams, locks, moves, join codes) are in :mod:`sim.classroom.seats`; the decision
form in :mod:`sim.classroom.form`; what each page sees in :mod:`sim.classroom.views`;
scoring in :mod:`sim.classroom.scoring`; the markets in :mod:`sim.classroom.market`.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sim.classroom.form import form_decision, form_values, parse_decision, shown
from sim.classroom.market import GameModel, Market
from sim.classroom.scoring import DEFAULT_RULE, checked_rule, checked_weights
from sim.classroom.seats import SeatControls, new_join_code
from sim.classroom.views import GameViews
from sim.play.decisions import SeatDecision
from sim.play.seat import PlayerSeat
from sim.scenario import WEEKS_PER_QUARTER, load_scenario

MAX_TIMER_SECONDS = 24 * 60 * 60
MAX_NAME_CHARACTERS = 40
MAX_MARKETS = 20


class UnknownCode(KeyError):
    """A join code that opens no seat."""

    def __str__(self) -> str:
        return "no seat has this join code"


def seat_slots(spec) -> list[int]:
    """Firm slots in seat order: one firm of each group in turn.

    Obsessed 1, Shareholder 1, Obsessed 2, ...: a few seats already span the scenario's
    sides.
    """
    groups, slot = [], 0
    for firm_spec in spec.firms:
        groups.append(list(range(slot, slot + firm_spec.count)))
        slot += firm_spec.count
    order = []
    for rank in range(max(len(g) for g in groups)):
        order += [g[rank] for g in groups if rank < len(g)]
    return order


@dataclass
class Seat:
    """One place in the class: a firm in a market, a join code, who holds it.

    ``tokens`` are the browsers holding the seat (one, or several for a team seat);
    ``watching`` is the seat whose firm a student follows read-only as an analyst;
    ``person`` is the strategy that runs the seat's firm for its students (it keeps
    this quarter's submitted decision).
    """

    index: int
    slot: int
    code: str
    market: int = 0
    student: str = ""
    joined: bool = False
    last_seen: float = 0.0
    team: bool = False
    locked: bool = False
    watching: int | None = None
    members: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    notices: list[dict] = field(default_factory=list)
    person: PlayerSeat = field(init=False, repr=False)

    @property
    def submitted(self) -> dict | None:
        """This quarter's submitted decision as the form's values (None: none yet)."""
        pending = self.person.pending
        return None if pending is None else form_values(pending)


class ClassGame(SeatControls, GameViews):
    """Markets with seats for students, advanced a quarter at a time.

    Args:
        scenario: a scenario name or path.
        seats: number of seats, spread over the markets in turn.
        seed: the run's seed, the same in every market (the scenario's own if None).
        consumers: market size (the scenario's own if None).
        codes: join codes per seat (random if None; given for tests and replays).
        log_path: where the log is written as the game goes (None: nowhere).
        markets: copies of the scenario.
        quarters: the game's length (the scenario's whole length if None).
        rule: the scoring rule (:data:`sim.classroom.scoring.RULES`).
        weights: the weighted mix's weights by rule (for ``rule="mix"``).
        teams: whether every seat is a team seat (a code shared by several browsers).
    """

    def __init__(
        self,
        scenario: str,
        seats: int,
        seed: int | None = None,
        consumers: int | None = None,
        codes: list[str] | None = None,
        log_path: Path | None = None,
        markets: int = 1,
        quarters: int | None = None,
        rule: str = DEFAULT_RULE,
        weights: dict[str, float] | None = None,
        teams: bool = False,
    ):
        self.scenario, self.seed, self.consumers = scenario, seed, consumers
        self.log_path = log_path
        overrides = {"consumers.count": consumers} if consumers else None
        spec = load_scenario(scenario, overrides=overrides)
        slots = seat_slots(spec)
        if isinstance(markets, bool) or not isinstance(markets, int):
            raise ValueError(f"markets must be a whole number, got {shown(markets)}")
        if not 1 <= markets <= MAX_MARKETS:
            raise ValueError(f"markets must be between 1 and {MAX_MARKETS}, got {markets}")
        if not 1 <= seats <= len(slots) * markets:
            where = f"the firms of {spec.name}" + (f" x {markets} markets" if markets > 1 else "")
            raise ValueError(
                f"seats must be between 1 and {len(slots) * markets} ({where}), got {seats}"
            )
        self.seats = seats
        self.scenario_steps = spec.steps
        self.horizon = spec.steps
        self.rule, self.weights = checked_rule(rule), checked_weights(weights)
        if quarters is not None:
            self.set_length(quarters)
        codes = codes or [new_join_code() for _ in range(seats)]
        if len(set(codes)) != seats:
            raise ValueError("join codes must be distinct, one per seat")
        self.table: list[Seat] = [
            Seat(i, slots[i // markets], codes[i], market=i % markets, team=teams)
            for i in range(seats)
        ]
        self.markets = [
            Market(
                number,
                GameModel(spec, seed, [s.slot for s in self.table if s.market == number]),
            )
            for number in range(markets)
        ]
        for seat in self.table:
            seat.person = self.firm_of(seat).strategy
        self.log: list[dict] = []
        self.events: list[dict] = []
        self.messages: list[dict] = []
        self.paused = False
        self.ending = False
        self.deadline: float | None = None
        self.timer_seconds = 0.0
        self.paused_left: float | None = None
        self.lock = threading.RLock()
        self._logged_students: dict[int, str] = {}
        self._end_thread: threading.Thread | None = None

    # ------------------------------------------------------------------ settings

    @property
    def model(self) -> GameModel:
        """The first market's model (the only one in a one-market game)."""
        return self.markets[0].model

    def model_of(self, seat: Seat) -> GameModel:
        """The model of the seat's market."""
        return self.markets[seat.market].model

    def firm_of(self, seat: Seat):
        """The seat's firm."""
        return self.markets[seat.market].model.firms[seat.slot]

    @property
    def started(self) -> bool:
        """True once the first quarter has been played."""
        return self.model.week > 0

    @property
    def total_quarters(self) -> int:
        """The game's length in quarters."""
        return -(-self.horizon // WEEKS_PER_QUARTER)

    def set_length(self, quarters) -> None:
        """Set the game's length (before the first quarter only).

        Raises:
            ValueError: after the first quarter, or for a length outside 1 to the
                scenario's quarters.
        """
        most = -(-self.scenario_steps // WEEKS_PER_QUARTER)
        if isinstance(quarters, bool) or not isinstance(quarters, int | float):
            raise ValueError(f"quarters must be a whole number, got {shown(quarters)}")
        if quarters != int(quarters) or not 1 <= quarters <= most:
            raise ValueError(
                f"quarters must be a whole number from 1 to {most} (the scenario's length), "
                f"got {shown(quarters)}"
            )
        if getattr(self, "markets", None) and self.started:
            raise ValueError("the game's length is set before the first quarter")
        self.horizon = min(self.scenario_steps, int(quarters) * WEEKS_PER_QUARTER)

    def configure(self, quarters=None, seconds=None, rule=None, weights=None) -> None:
        """The instructor's settings at the start: length, pace, scoring rule.

        Raises:
            ValueError: after the first quarter, or for a bad value (named).
        """
        with self.lock:
            if self.started:
                raise ValueError("settings are chosen before the first quarter")
            rule = self.rule if rule is None else checked_rule(rule)
            weights = self.weights if weights is None else checked_weights(weights)
            if quarters is not None:
                self.set_length(quarters)
            if seconds is not None:
                self.start_timer(seconds)
            self.rule, self.weights = rule, weights
            self.note_event("settings", quarters=self.total_quarters, rule=rule)
            self.write_log()

    # ------------------------------------------------------------------ students

    def seat_of(self, code: str) -> Seat:
        """The seat a join code opens.

        Raises:
            UnknownCode: (a KeyError) for a code that opens no seat.
        """
        wanted = str(code).strip().upper().encode("utf-8")
        found = None
        for seat in self.table:
            if secrets.compare_digest(seat.code.encode("utf-8"), wanted):
                found = seat
        if found is None:
            raise UnknownCode(code)
        return found

    def join(self, code: str, student: str = "") -> Seat:
        """Take (or, after a dropped connection, retake) the seat of ``code``.

        Raises:
            KeyError: for an unknown code; PermissionError: for a locked seat.
        """
        with self.lock:
            seat = self.seat_of(code)
            if seat.locked and not seat.joined:
                raise PermissionError("the instructor has locked this seat; ask the instructor")
            newcomer = not seat.joined
            seat.joined = True
            name = (student or "").strip()[:MAX_NAME_CHARACTERS]
            if name and name not in seat.members:
                seat.members = [*seat.members, name] if seat.team else [name]
            if not seat.members:
                seat.members = [seat.student or f"Seat {seat.index + 1}"]
            seat.student = " & ".join(seat.members)[: MAX_NAME_CHARACTERS * 4]
            seat.last_seen = time.time()
            seat.person.held = True
            if newcomer or seat.student != self._logged_students.get(seat.index):
                self.write_log()
            return seat

    def submit(self, code: str, data: dict) -> SeatDecision:
        """Record a seat's decision for this quarter (it can be changed until the advance).

        Raises:
            KeyError: for an unknown code; ValueError: for a bad decision or a seat not
                joined, a locked seat, a firm that has left, or a game that is over.
        """
        with self.lock:
            seat = self.seat_of(code)
            firm = self.firm_of(seat)
            if not seat.joined:
                raise ValueError("join the seat first")
            if seat.locked:
                raise ValueError("the instructor has locked this seat: decisions wait")
            if not firm.alive:
                raise ValueError(
                    "your firm has left the market; ask the instructor for a new firm "
                    "or to follow another firm as an analyst"
                )
            if self.finished or self.ending:
                raise ValueError("the game is over (it has reached its horizon): no more decisions")
            decision = parse_decision(data, firm.cash)
            seat.person.submit(decision)
            seat.last_seen = time.time()
            self.maybe_advance()
            return decision

    # ------------------------------------------------------------------ the quarter loop

    @property
    def finished(self) -> bool:
        """True at the game's last week."""
        return self.model.week >= self.horizon

    @property
    def quarter(self) -> int:
        """Quarters completed."""
        return self.model.week // WEEKS_PER_QUARTER

    def waiting_for(self) -> list[Seat]:
        """Joined, unlocked seats with a live firm that have not submitted this quarter."""
        return [
            seat
            for seat in self.table
            if seat.joined
            and not seat.locked
            and seat.submitted is None
            and self.firm_of(seat).alive
        ]

    def start_timer(self, seconds: float) -> None:
        """Advance automatically ``seconds`` after now (0 turns the timer off).

        Raises:
            ValueError: unless ``seconds`` is a finite number from 0 to a day.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError(f"seconds must be a number, got {shown(seconds)}")
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_TIMER_SECONDS:
            raise ValueError(
                f"seconds must be from 0 (no timer) to {MAX_TIMER_SECONDS:,} (a day), "
                f"got {shown(seconds)}"
            )
        with self.lock:
            self.timer_seconds = float(seconds)
            self.deadline = time.time() + self.timer_seconds if self.timer_seconds else None
            self.paused_left = None

    def pause(self) -> None:
        """Stop the clock: nothing advances by itself; the seconds left are kept."""
        with self.lock:
            if not self.paused and self.deadline is not None:
                self.paused_left = max(0.0, self.deadline - time.time())
            self.paused = True

    def resume(self) -> None:
        """Start the clock again with the seconds that were left at the pause."""
        with self.lock:
            if self.paused and self.paused_left is not None:
                self.deadline = time.time() + self.paused_left
            self.paused, self.paused_left = False, None

    def maybe_advance(self, now: float | None = None) -> bool:
        """Advance when every seat held has submitted, or the timer has run out."""
        with self.lock:
            if self.paused or self.finished or self.ending:
                return False
            joined = [seat for seat in self.table if seat.joined and not seat.locked]
            live = [seat for seat in joined if self.firm_of(seat).alive]
            everyone = bool(live) and not self.waiting_for()
            expired = self.deadline is not None and (now or time.time()) >= self.deadline
            if everyone or expired:
                self.advance()
                return True
            return False

    def advance(self) -> int:
        """Apply the submitted decisions, run one quarter in every market, log it.

        Returns:
            The weeks run (fewer than 13 only at the game's end).
        """
        with self.lock:
            if self.finished:
                return 0
            decisions = {
                seat.index: seat.submitted
                for seat in self.table
                if seat.submitted is not None and self.firm_of(seat).alive
            }
            held = [seat.index for seat in self.table if seat.joined]
            start = self.model.week
            weeks = self.play_quarter(held)
            self.log.append(
                {
                    "week": start,
                    "held": held,
                    "decisions": {str(k): v for k, v in sorted(decisions.items())},
                    "outcomes": self.outcomes(),
                }
            )
            if self.timer_seconds and not self.finished:
                self.deadline = time.time() + self.timer_seconds
                if self.paused:
                    self.paused_left = self.timer_seconds
            if self.finished:
                self.deadline = None
            self.write_log()
            return weeks

    def play_quarter(self, held: list[int], decisions: dict[int, dict] | None = None) -> int:
        """Run one quarter in every market: submitted decisions go in, held seats hold.

        Args:
            held: indices of the seats held by students (their firms keep their plan).
            decisions: form values by seat index to submit first (a replayed log's);
                None: the decisions the students submitted.

        Returns:
            The weeks run (fewer than 13 only at the game's end).
        """
        chosen = set(held)
        for seat in self.table:
            seat.person.held = seat.index in chosen
        for index, values in (decisions or {}).items():
            self.table[index].person.submit(form_decision(values))
        for seat in self.table:
            if self.firm_of(seat).alive:
                seat.person.start_quarter(self.model_of(seat), self.firm_of(seat))
            else:
                seat.person.withdraw()
        weeks = min(WEEKS_PER_QUARTER, self.horizon - self.model.week)
        for market in self.markets:
            cash = {firm.slot: firm.cash for firm in market.model.firms}
            for _ in range(weeks):
                market.run_week()
            market.cash_flow = {
                firm.slot: firm.cash - cash.get(firm.slot, firm.cash) for firm in market.model.firms
            }
        return weeks

    def end(self, background: bool = True) -> None:
        """End now: play the remaining quarters with the decisions in force, then stop.

        Seats held by students keep their last price and spending (and pay nothing out);
        bots go on deciding. Each quarter is logged as any other, so the log replays.

        Args:
            background: play them on a thread, a quarter per turn of the game's lock,
                so pages keep answering meanwhile (False: play them now).
        """
        with self.lock:
            if self.finished or self.ending:
                return
            self.ending = True
            self.paused, self.paused_left, self.deadline = False, None, None
            for seat in self.table:
                seat.person.withdraw()
            self.note_event("end", quarters_left=self.total_quarters - self.quarter)
        if background:
            self._end_thread = threading.Thread(target=self._play_out, daemon=True)
            self._end_thread.start()
        else:
            self._play_out()

    def _play_out(self) -> None:
        try:
            while True:
                with self.lock:
                    if self.finished:
                        break
                    self.advance()
        finally:
            with self.lock:
                self.ending = False

    def note_event(self, action: str, **details) -> None:
        """Record an instructor's action in the log (with the week it was taken)."""
        self.events.append({"week": self.model.week, "action": action, **details})

    # ------------------------------------------------------------------ the log

    def write_log(self) -> None:
        """Write the log to ``log_path`` (if any): a temporary file, then renamed over it."""
        if self.log_path is None:
            return
        path = Path(self.log_path)
        temporary = path.with_name(f".{path.name}.writing")
        temporary.write_text(self.log_json(), encoding="utf-8")
        os.replace(temporary, path)
        self._logged_students = {seat.index: seat.student for seat in self.table if seat.joined}

    def log_json(self) -> str:
        """The game log: settings, codes, names, every quarter's decisions and outcomes."""
        data = {
            "scenario": self.scenario,
            "seats": self.seats,
            "seed": self.model.seed,
            "consumers": self.consumers,
            "codes": [seat.code for seat in self.table],
            "students": [seat.student if seat.joined else "" for seat in self.table],
            "quarters": self.log,
        }
        if len(self.markets) > 1:
            data["markets"] = len(self.markets)
        if self.horizon != self.scenario_steps:
            data["length"] = self.total_quarters
        if self.rule != DEFAULT_RULE or self.weights:
            data["rule"], data["weights"] = self.rule, self.weights
        teams = [seat.index for seat in self.table if seat.team]
        locked = [seat.index for seat in self.table if seat.locked]
        if teams:
            data["teams"] = teams
        if locked:
            data["locked"] = locked
        if self.events:
            data["events"] = self.events
        return json.dumps(data, indent=1, sort_keys=True)
