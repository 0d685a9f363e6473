"""One tournament game: entrants seated behind a referee, the run, the scores.

The referee stands between an entrant's strategy and the model. An entrant whose
strategy raises, tries to end the process, returns something that is not a valid
decision, or takes longer than the time limit to decide is disqualified from that game:
its firm leaves the market at the end of that week (event ``death``, detail
``disqualified``) and the game goes on for everyone else. Its scores in that game are
missing, and the reason is recorded.

:func:`play_game_here` is a module-level function over plain data, so it runs on local
worker processes and Dask workers alike, and never writes files. A game with entrants
from outside this package is played in a watched child process
(:func:`sim.tournament.isolation.play_game` chooses), so that an entrant that ends the
process or ignores the time limit (catching every exception in a loop) is stopped and
disqualified too.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.model.market import MarketModel
from sim.play.seating import assign_seats
from sim.runs.runner import result_of
from sim.scenario import Scenario
from sim.strategies.base import ChannelSet, Decision, Strategy
from sim.strategies.registry import resolve_strategy
from sim.strategies.user_code import ProcessExit

WEEKS_PER_YEAR = 52
WEEKS_PER_QUARTER = 13


class DecisionTimeout(Exception):
    """A decision ran past the time limit."""


@contextlib.contextmanager
def deadline(seconds: float):
    """Interrupt the block after ``seconds`` (main thread with SIGALRM only; else no-op).

    Where the alarm is unavailable (Dask worker threads), a slow decision is still
    disqualified once it returns, by its measured time.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise DecisionTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def too_slow(method: str, limit: float) -> str:
    """The reason recorded when a call runs past the time limit."""
    return f"too slow: {method} ran past the {limit:g} s limit"


class Referee(Strategy):
    """Wraps an entrant's strategy; records the first rule it breaks.

    Args:
        inner: the entrant's strategy object.
        time_limit: longest a decision may take (seconds).
        seat: the seat's name (reported to ``watch``).
        watch: called as ``watch(seat, call, method)`` before each call of the entrant
            and ``watch(None, call, method)`` after it (the watched child process
            reports to its parent this way), or None.
        forced: ``(call, reason)``: at the entrant's call number ``call`` (counted from
            0), do not call it but disqualify it for ``reason`` (how a game is replayed
            after the entrant ended or hung the process on that call).
    """

    def __init__(
        self,
        inner: Strategy,
        time_limit: float,
        seat: str = "",
        watch=None,
        forced: tuple[int, str] | None = None,
    ):
        super().__init__()
        self.inner = inner
        self.name = inner.name
        self.traits = inner.traits
        self.time_limit = time_limit
        self.seat = seat
        self.watch = watch
        self.forced = forced
        self.calls = 0
        self.failure: str | None = None
        self.slowest = 0.0

    def _call(self, method: str, *args):
        call = self.calls
        self.calls += 1
        if self.forced is not None and self.forced[0] == call:
            self.failure = self.forced[1]
            return None
        started = time.perf_counter()
        if self.watch is not None:
            self.watch(self.seat, call, method)
        try:
            with deadline(self.time_limit):
                answer = getattr(self.inner, method)(*args)
        except DecisionTimeout:
            self.failure = too_slow(method, self.time_limit)
            return None
        except KeyboardInterrupt:
            raise
        except SystemExit as exc:  # sys.exit() ends the entrant, not the tournament
            called = str(exc) if isinstance(exc, ProcessExit) else f"SystemExit({exc.code!r})"
            self.failure = f"tried to end the process: {called} in {method}"
            return None
        except BaseException as exc:  # the entrant's fault: disqualified, the game goes on
            self.failure = f"raised {type(exc).__name__}: {exc}"
            return None
        finally:
            if self.watch is not None:
                self.watch(None, call, method)
        elapsed = time.perf_counter() - started
        self.slowest = max(self.slowest, elapsed)
        if elapsed > self.time_limit:
            self.failure = f"too slow: {method} took {elapsed:.2f} s (limit {self.time_limit:g} s)"
            return None
        return answer

    def decide(self, firm, view) -> Decision:
        """The entrant's decision, if valid; otherwise a standstill and a disqualification."""
        standstill = Decision(price=firm.price, note="disqualified")
        if self.failure is not None:
            return standstill
        decision = self._call("decide", firm, view)
        if self.failure is not None:
            return standstill
        if not isinstance(decision, Decision):
            self.failure = f"invalid decision: decide returned {type(decision).__name__}"
            return standstill
        if not (math.isfinite(decision.price) and decision.price > 0):
            self.failure = f"invalid decision: price {decision.price!r} (must be > 0)"
            return standstill
        return decision

    def choose_channels(self, firm, view, options, current) -> ChannelSet:
        """The entrant's channels, if among the options; otherwise disqualification."""
        if self.failure is not None:
            return current
        chosen = self._call("choose_channels", firm, view, options, current)
        if self.failure is not None:
            return current
        if chosen not in options:
            self.failure = f"invalid decision: channels {chosen!r} are not an option"
            return current
        return chosen


class RefereedModel(MarketModel):
    """The market with referees: a disqualified firm leaves at the end of the week."""

    def __init__(self, scenario: Scenario, seats: dict[str, Referee]):
        super().__init__(scenario, seed="scenario", seats=seats)
        self.disqualify()

    def step(self) -> None:
        """One week, then disqualifications."""
        super().step()
        self.disqualify()

    def disqualify(self) -> None:
        """Firms whose referee recorded a failure leave the market."""
        for firm in self.firms:
            if firm.alive and isinstance(firm.strategy, Referee) and firm.strategy.failure:
                self.firm_exits(firm, "disqualified")


@dataclass(frozen=True)
class GameTask:
    """Everything one game needs, as plain picklable data."""

    game_id: str
    scenario_index: int
    scenario_name: str
    lineup: int
    replication: int
    seed: int
    scenario: dict
    seats: tuple[tuple[str, str], ...]
    scored: tuple[str, ...]
    entrants: dict[str, tuple[str, dict]]
    scores: tuple[tuple[str, str, float | None], ...]
    time_limit: float
    tournament: str
    import_paths: tuple[str, ...] = ()


@dataclass
class GameOutput:
    """What a worker hands back: one row per seat, or the error."""

    game_id: str
    rows: list[dict[str, Any]] | None = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)


def measure(firms: pd.DataFrame, seat: str, kind: str, at_year: float | None) -> float:
    """One score of a seat's firm from the firm table.

    Args:
        firms: the firm table.
        seat: the firm's name.
        kind: a :class:`~sim.tournament.spec.Measure` value.
        at_year: when (years); the last week if None or past the end.
    """
    rows = firms[firms["name"] == seat].set_index("step").sort_index()
    last = int(rows.index.max())
    week = last if at_year is None else min(last, round(at_year * WEEKS_PER_YEAR))
    row = rows.loc[week]
    if kind == "shareholder_value":
        return float(row["cumulative_payout"] + row["market_value"])
    if kind == "customer_value":
        return float(row["cumulative_customer_value"])
    if kind == "survival":
        return float(bool(row["alive"]))
    if kind == "share":
        window = rows.loc[max(1, week - WEEKS_PER_QUARTER + 1) : week, "share"]
        return float(window.mean()) if len(window) else math.nan
    if kind == "customers":
        return float(row["customers"])
    if kind == "payout":
        return float(row["cumulative_payout"])
    raise ValueError(f"unknown measure {kind!r}")


def play_game_here(
    task: GameTask, watch=None, forced: dict[str, tuple[int, str]] | None = None
) -> GameOutput:
    """Play one game in this process and score every seated entrant.

    Errors outside entrants are returned, not raised.

    Args:
        task: the game.
        watch: handed to every :class:`Referee`.
        forced: per seat, a call at which its entrant is disqualified (see Referee).

    Returns:
        The :class:`GameOutput`: one row per seat (game, scenario, replication, seed,
        entrant, seat, whether the game counts for its ranking, opponents,
        disqualified, reason, then the scores). In ``field`` seating only the first
        seat's entrant is ranked on the game; the field's rows record their
        disqualifications.
    """
    started = time.perf_counter()
    output = GameOutput(task.game_id)
    try:
        from sim.tournament.spec import add_import_paths

        add_import_paths(list(task.import_paths))
        referees = {}
        assignments = {}
        for seat, entrant in task.seats:
            strategy, params = task.entrants[entrant]
            assignments[seat] = (strategy, params)
            referees[seat] = Referee(
                resolve_strategy(strategy)(**params),
                task.time_limit,
                seat=seat,
                watch=watch,
                forced=(forced or {}).get(seat),
            )
        from sim.scenario import load_scenario

        scenario = assign_seats(load_scenario(task.scenario, {"seed": task.seed}), assignments)
        model = RefereedModel(scenario, referees)
        model.run()
        result = result_of(model, time.perf_counter() - started)
        rows = []
        for k, (seat, entrant) in enumerate(task.seats):
            referee = referees[seat]
            row = {
                "game_id": task.game_id,
                "tournament": task.tournament,
                "scenario": task.scenario_name,
                "scenario_index": task.scenario_index,
                "lineup": task.lineup,
                "replication": task.replication,
                "seed": task.seed,
                "entrant": entrant,
                "seat": seat,
                "scored": k < len(task.scored),  # scored entrants sit in the first seats
                "opponents": ",".join(e for s, e in task.seats if s != seat),
                "disqualified": referee.failure is not None,
                "reason": referee.failure or "",
            }
            for column, kind, at_year in task.scores:
                value = math.nan if referee.failure else measure(result.firms, seat, kind, at_year)
                row[column] = value
            rows.append(row)
        output.rows = rows
    except Exception as exc:  # not an entrant's fault: recorded, retried on resume
        output.error = f"{type(exc).__name__}: {exc}"
        output.traceback = traceback.format_exc()
    output.seconds = time.perf_counter() - started
    return output
