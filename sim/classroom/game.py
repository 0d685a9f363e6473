"""Several students in one market: seats, join codes, quarterly decisions, a replayable log.

A :class:`ClassGame` runs one :class:`~sim.model.MarketModel`. Its first ``seats`` firms
are seats: a student who joins with the seat's code runs that firm; a seat nobody takes
stays with the firm's own strategy (a bot). A seat is a decision source for the model:
its firm's strategy becomes a :class:`SeatStrategy`, which, while a student holds the
seat, keeps the firm's current price and spending and pays nothing out, so that the
student's submitted decision is the one that counts; the game schedules it through the
model's own ``schedule_decision`` (decision lags apply as for any firm).

The game moves a quarter (13 weeks) at a time. Every decision is logged; replaying the
log on a new game gives the same tables, byte for byte (:func:`sim.classroom.log.replay`).
The log also holds the seats' join codes and students' names, so a game resumes from it
after a server restart with the same codes (:func:`sim.classroom.log.resume`); it is
written whole to a temporary file and then renamed, so a kill never leaves half a log.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sim.model import MarketModel
from sim.scenario import WEEKS_PER_QUARTER, load_scenario
from sim.strategies.base import Decision, Strategy

DECISION_FIELDS = (
    "price",
    "spend_experience",
    "spend_selection",
    "spend_efficiency",
    "spend_innovation",
    "payout",
)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
MAX_PRICE = 1_000_000.0
MAX_SPEND = 1_000_000_000.0
MAX_TIMER_SECONDS = 24 * 60 * 60
MAX_NAME_CHARACTERS = 40


class UnknownCode(KeyError):
    """A join code that opens no seat."""

    def __str__(self) -> str:
        return "no seat has this join code"


class SeatStrategy(Strategy):
    """A firm's strategy while it is a seat: the bot's, or hold for the student.

    Args:
        bot: the firm's own strategy, used while nobody holds the seat.
    """

    name = "seat"

    def __init__(self, bot: Strategy):
        self.bot = bot
        self.params = bot.params
        self.traits = bot.traits
        self.held = False
        self.opening = True

    def decide(self, firm, view) -> Decision:
        """Hold everything (no payout) for a student, and at the opening; else the bot's."""
        opening, self.opening = self.opening, False
        if not (self.held or opening):
            return self.bot.decide(firm, view)
        return Decision(
            price=firm.price,
            spend_experience=firm.spend_experience,
            spend_selection=firm.spend_selection,
            spend_efficiency=firm.spend_efficiency,
            spend_innovation=firm.spend_innovation,
            note="seat: waiting for the student's decision",
        )

    def choose_channels(self, *args, **kwargs):
        """Channels stay the bot's choice."""
        return self.bot.choose_channels(*args, **kwargs)


class GameModel(MarketModel):
    """A market whose seat firms decide through a :class:`SeatStrategy` from week 0 on.

    A seat's firm opens with the scenario's own price and spending (no opening payout),
    whether or not a student has joined yet; an untaken seat's bot decides from the
    first quarter's end on.

    Args:
        scenario: the validated scenario.
        seed: the run's seed (the scenario's own if None).
        seats: the firm slots that are seats.
    """

    def __init__(self, scenario, seed: int | None, seats: list[int]):
        self.seat_slots = set(seats)
        super().__init__(scenario, seed="scenario" if seed is None else seed)

    def firms_decide(self) -> None:
        """Seat firms get their seat strategy before the opening decision."""
        if self.week == 0:
            for firm in self.firms:
                if firm.slot in self.seat_slots and not isinstance(firm.strategy, SeatStrategy):
                    firm.strategy = SeatStrategy(firm.strategy)
        super().firms_decide()


def _shown(raw) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:40] + "..."


def parse_decision(data: dict, cash: float) -> Decision:
    """A student's form as a :class:`Decision`, every problem named at once.

    Price is above 0 and at most :data:`MAX_PRICE`; each weekly spend and the payout
    from 0 to :data:`MAX_SPEND`; the payout at most the cash. A name that is not one of
    :data:`DECISION_FIELDS` is refused (as ``flywheel play`` refuses it).

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
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            problems.append(f"{name}: {_shown(raw)} is not a number")
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError, OverflowError):
            problems.append(f"{name}: {_shown(raw)} is not a number")
            continue
        high = MAX_PRICE if name == "price" else MAX_SPEND
        if not math.isfinite(value) or not 0 <= value <= high:
            problems.append(f"{name}: must be a number from 0 to {high:,.0f}, got {_shown(raw)}")
            continue
        values[name] = value
    if "price" in values and values["price"] <= 0:
        problems.append("price: must be above 0")
    if values.get("payout", 0) > max(cash, 0.0):
        problems.append(f"payout: {values['payout']:,.0f} is more than the cash ({cash:,.0f})")
    if problems:
        raise ValueError("; ".join(problems))
    return Decision(**values)


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
    """One student's place: a firm, a join code, and this quarter's decision."""

    index: int
    slot: int
    code: str
    student: str = ""
    joined: bool = False
    submitted: dict | None = None
    last_seen: float = 0.0


@dataclass
class ClassGame:
    """A market with seats for students, advanced a quarter at a time by the instructor.

    Args:
        scenario: a scenario name or path.
        seats: number of seats (one firm of each group in turn, see :func:`seat_slots`).
        seed: the run's seed (the scenario's own if None).
        consumers: market size (the scenario's own if None).
        codes: join codes per seat (random if None; given for tests and replays).
    """

    scenario: str
    seats: int
    seed: int | None = None
    consumers: int | None = None
    codes: list[str] | None = None
    log: list[dict] = field(default_factory=list)
    paused: bool = False
    deadline: float | None = None
    timer_seconds: float = 0.0
    log_path: Path | None = None

    def __post_init__(self):
        overrides = {"consumers.count": self.consumers} if self.consumers else None
        spec = load_scenario(self.scenario, overrides=overrides)
        slots = seat_slots(spec)
        if not 1 <= self.seats <= len(slots):
            raise ValueError(
                f"seats must be between 1 and {len(slots)} (the firms of {spec.name}), "
                f"got {self.seats}"
            )
        self.model = GameModel(spec, self.seed, slots[: self.seats])
        self.horizon = spec.steps
        codes = self.codes or [
            "".join(secrets.choice(CODE_ALPHABET) for _ in range(6)) for _ in range(self.seats)
        ]
        if len(set(codes)) != self.seats:
            raise ValueError("join codes must be distinct, one per seat")
        self.table: list[Seat] = []
        for index, slot in enumerate(slots[: self.seats]):
            self.table.append(Seat(index, slot, codes[index]))
        self.lock = threading.RLock()
        self._logged_students: dict[int, str] = {}

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
        """Take (or, after a dropped connection, retake) the seat of ``code``."""
        with self.lock:
            seat = self.seat_of(code)
            newcomer = not seat.joined
            seat.joined = True
            name = (student or seat.student or f"Seat {seat.index + 1}").strip()
            seat.student = name[:MAX_NAME_CHARACTERS]
            seat.last_seen = time.time()
            self.model.firms[seat.slot].strategy.held = True
            if newcomer or seat.student != self._logged_students.get(seat.index):
                self.write_log()
            return seat

    def submit(self, code: str, data: dict) -> Decision:
        """Record a seat's decision for this quarter (it can be changed until the advance).

        Raises:
            KeyError: for an unknown code; ValueError: for a bad decision or a seat not
                joined, a firm that has left, or a game at its horizon.
        """
        with self.lock:
            seat = self.seat_of(code)
            firm = self.model.firms[seat.slot]
            if not seat.joined:
                raise ValueError("join the seat first")
            if not firm.alive:
                raise ValueError("your firm has left the market")
            if self.finished:
                raise ValueError("the game has reached its horizon")
            decision = parse_decision(data, firm.cash)
            seat.submitted = {name: getattr(decision, name) for name in DECISION_FIELDS}
            seat.last_seen = time.time()
            self.maybe_advance()
            return decision

    # ------------------------------------------------------------------ the instructor

    @property
    def finished(self) -> bool:
        """True at the horizon."""
        return self.model.week >= self.horizon

    @property
    def quarter(self) -> int:
        """Quarters completed."""
        return self.model.week // WEEKS_PER_QUARTER

    def waiting_for(self) -> list[Seat]:
        """Joined seats with a live firm that have not submitted this quarter."""
        return [
            seat
            for seat in self.table
            if seat.joined and seat.submitted is None and self.model.firms[seat.slot].alive
        ]

    def start_timer(self, seconds: float) -> None:
        """Advance automatically ``seconds`` after now (0 turns the timer off).

        Raises:
            ValueError: unless ``seconds`` is a finite number from 0 to a day.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError(f"seconds must be a number, got {_shown(seconds)}")
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_TIMER_SECONDS:
            raise ValueError(
                f"seconds must be from 0 (no timer) to {MAX_TIMER_SECONDS:,} (a day), "
                f"got {_shown(seconds)}"
            )
        with self.lock:
            self.timer_seconds = float(seconds)
            self.deadline = time.time() + self.timer_seconds if self.timer_seconds else None

    def maybe_advance(self, now: float | None = None) -> bool:
        """Advance when every joined seat has submitted, or the timer has run out."""
        with self.lock:
            if self.paused or self.finished:
                return False
            joined = [seat for seat in self.table if seat.joined]
            everyone = bool(joined) and not self.waiting_for()
            expired = self.deadline is not None and (now or time.time()) >= self.deadline
            if everyone or expired:
                self.advance()
                return True
            return False

    def advance(self) -> int:
        """Apply the submitted decisions, log them, and run one quarter.

        Returns:
            The weeks run (fewer than 13 only at the horizon).
        """
        with self.lock:
            if self.finished:
                return 0
            decisions = {}
            for seat in self.table:
                if seat.submitted is not None and self.model.firms[seat.slot].alive:
                    decisions[seat.index] = seat.submitted
            held = [seat.index for seat in self.table if seat.joined]
            start = self.model.week
            weeks = self._apply_and_run(decisions)
            self.log.append(
                {
                    "week": start,
                    "held": held,
                    "decisions": {str(k): v for k, v in sorted(decisions.items())},
                }
            )
            for seat in self.table:
                seat.submitted = None
            if self.timer_seconds:
                self.deadline = time.time() + self.timer_seconds
            self.write_log()
            return weeks

    def write_log(self) -> None:
        """Write the log to ``log_path`` (if any): a temporary file, then renamed over it."""
        if self.log_path is None:
            return
        path = Path(self.log_path)
        temporary = path.with_name(f".{path.name}.writing")
        temporary.write_text(self.log_json(), encoding="utf-8")
        os.replace(temporary, path)
        self._logged_students = {seat.index: seat.student for seat in self.table if seat.joined}

    def _apply_and_run(self, decisions: dict[int, dict]) -> int:
        for index, values in decisions.items():
            firm = self.model.firms[self.table[index].slot]
            self.model.schedule_decision(firm, Decision(**values))
        weeks = min(WEEKS_PER_QUARTER, self.horizon - self.model.week)
        for _ in range(weeks):
            self.model.step()
        return weeks

    # ------------------------------------------------------------------ what people see

    def private_view(self, seat: Seat) -> dict:
        """What only the seat's student sees: the firm's own books and settings."""
        firm = self.model.firms[seat.slot]
        last = firm.last_quarter
        return {
            "firm": firm.name,
            "alive": firm.alive,
            "price": firm.price,
            "unit_cost": firm.unit_cost,
            "cash": firm.cash,
            "spend_experience": firm.spend_experience,
            "spend_selection": firm.spend_selection,
            "spend_efficiency": firm.spend_efficiency,
            "spend_innovation": firm.spend_innovation,
            "experience": firm.experience,
            "last_quarter": {
                "units": last.units,
                "revenue": last.revenue,
                "operating_profit": last.operating_profit,
                "customers": last.customers,
                "satisfaction": last.satisfaction,
            },
            "submitted": seat.submitted,
        }

    def leaderboard(self, private: bool = False) -> list[dict]:
        """Every firm's price, last quarter's unit share, who plays it and whether it is in.

        That much is public (the projector, every student). A firm's revenue is its own
        books: only the instructor's board (``private=True``) has it.
        """
        firms = self.model.firms
        total = sum(f.last_quarter.units for f in firms if f.alive) or 0.0
        seat_of_slot = {seat.slot: seat for seat in self.table}
        rows = []
        for firm in firms:
            seat = seat_of_slot.get(firm.slot)
            rows.append(
                {
                    "firm": firm.name,
                    "player": (seat.student if seat and seat.joined else "bot"),
                    "alive": firm.alive,
                    "price": round(float(firm.price), 2),
                    "share": firm.last_quarter.units / total if total and firm.alive else 0.0,
                }
            )
            if private:
                rows[-1]["revenue"] = round(float(firm.last_quarter.revenue), 2)
        rows.sort(key=lambda r: (not r["alive"], -r["share"], r["firm"]))
        return rows

    def status(self) -> dict:
        """Week, quarter, horizon, pause, timer and who has submitted (no decisions)."""
        remaining = None
        if self.deadline is not None and not self.paused:
            remaining = max(0.0, self.deadline - time.time())
        return {
            "scenario": self.model.spec.name,
            "week": self.model.week,
            "quarter": self.quarter,
            "horizon": self.horizon,
            "finished": self.finished,
            "paused": self.paused,
            "seconds_left": remaining,
            "seats": [
                {
                    "seat": seat.index + 1,
                    "firm": self.model.firms[seat.slot].name,
                    "student": seat.student if seat.joined else "",
                    "joined": seat.joined,
                    "submitted": seat.submitted is not None,
                    "alive": self.model.firms[seat.slot].alive,
                }
                for seat in self.table
            ],
        }

    def log_json(self) -> str:
        """The game log: settings, join codes, names and every quarter's decisions, as JSON."""
        return json.dumps(
            {
                "scenario": self.scenario,
                "seats": self.seats,
                "seed": self.model.seed,
                "consumers": self.consumers,
                "codes": [seat.code for seat in self.table],
                "students": [seat.student if seat.joined else "" for seat in self.table],
                "quarters": self.log,
            },
            indent=1,
            sort_keys=True,
        )
