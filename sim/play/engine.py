"""The play engine: one market, one seat run by a player, every other firm by its strategy.

The model runs on its own thread and stops at each of the seat's decision moments; the
front end (terminal, browser, test) reads the :class:`~sim.play.briefing.Briefing` and
answers with :meth:`Game.submit`. Only one of the two threads runs at a time, so a game
is as deterministic as a plain run: same scenario, seed and decisions, same bytes.
Resume replays the logged decisions from the start. Undo starts from a copy of the
model kept every ``SNAPSHOT_EVERY`` quarters of an interactive game (the latest
``SNAPSHOTS_KEPT``), taken just before the week that asks for that quarter's decision,
and replays the logged decisions from there: the same draws in the same order, so the
same bytes as a replay from the start, in a fraction of the time late in a game.
"""

from __future__ import annotations

import copy
import os
import queue
import threading
import time
from typing import Any

from sim.model.market import MarketModel
from sim.play.briefing import WEEKS_PER_QUARTER, Briefing, build_briefing
from sim.play.decisions import SeatDecision, SeatRules, dump_decision_file
from sim.play.seat import SEAT_STRATEGY, PlayerSeat
from sim.play.seating import assign_seats, seat_names
from sim.runs.runner import RunResult, result_of, run
from sim.scenario import Scenario, load_scenario
from sim.strategies.registry import STRATEGIES


class GameAbandoned(Exception):
    """Raised inside the model's thread when the player's side stops the game."""


_ABANDON = object()
SNAPSHOT_EVERY = 4
SNAPSHOTS_KEPT = 3


def with_seat(scenario: Scenario, seat: str | None, strategy: str) -> tuple[str, Scenario]:
    """The scenario with one firm's strategy replaced (default parameters).

    Args:
        scenario: the resolved scenario.
        seat: a firm's name (None: the first firm).
        strategy: the strategy put in the seat (registered name or dotted path).

    Returns:
        The seat's name and the new scenario.
    """
    seat = seat_names(scenario)[0] if seat is None else seat
    return seat, assign_seats(scenario, {seat: (strategy, {})})


def seat_rules(scenario: Scenario, seat: str | None) -> SeatRules:
    """The optional decisions a seat has in a scenario (the mechanics switched on).

    Args:
        scenario: the resolved scenario.
        seat: the seat's name (None: any seat, i.e. defences if any firm may use them).
    """
    specs = [f for f in scenario.firms if seat is None or f.name == seat]
    return SeatRules(
        research=scenario.research.enabled,
        defences=scenario.defences.enabled and any(f.defences for f in specs),
        acquisition=scenario.acquisition.enabled,
        trust=scenario.trust.enabled,
        rivals=tuple(name for name in seat_names(scenario) if name != seat),
        entrants=scenario.entry.rate_per_year > 0,
    )


class Game:
    """A game: a scenario with one seat played from outside, and its decision log.

    Args:
        scenario: a Scenario, a path or a name.
        seat: the firm the player runs (default: the first).
        seed: the seed (the scenario's own if None).
        steps: weeks to play (the scenario's own if None).
        overrides: ``--set`` style overrides of the scenario.

    Call :meth:`begin` to start playing.
    """

    def __init__(
        self,
        scenario: Scenario | str | os.PathLike,
        seat: str | None = None,
        seed: int | None = None,
        steps: int | None = None,
        overrides: list[str] | dict | None = None,
    ):
        base = load_scenario(scenario, overrides)
        extra = {
            key: value for key, value in (("seed", seed), ("steps", steps)) if value is not None
        }
        if extra:
            base = load_scenario(base, extra)
        self.seat, self.scenario = with_seat(base, seat, SEAT_STRATEGY)
        self.base = base
        spec = next(f for f in self.scenario.firms if f.name == self.seat)
        self.channel_names: tuple[str, ...] | None = None
        if self.scenario.platforms and spec.channels is None:
            self.channel_names = ("direct", *(p.name for p in self.scenario.platforms))
        self.start = SeatDecision(
            price=spec.price,
            marketing=spec.marketing_spend,
            innovation=spec.innovation_budget,
            channels=("direct",) if self.channel_names else None,
        )
        self.rules = seat_rules(self.scenario, self.seat)
        self.quarters = -(-self.scenario.steps // WEEKS_PER_QUARTER)
        self.interactive = True
        self.seat_strategy = PlayerSeat(self._decide, plan=self.start)
        self.briefing: Briefing | None = None
        self.result: RunResult | None = None
        self.thinking_seconds = 0.0
        self._thread: threading.Thread | None = None
        self._snapshots: dict[int, tuple[MarketModel, PlayerSeat]] = {}
        self._snapshots_work = True
        self.undo_from: int | None = None  # the quarter the last undo replayed from

    def begin(
        self, script: list[dict[str, Any]] | tuple = (), interactive: bool = True
    ) -> Briefing | None:
        """Start the game; return the first briefing that needs an answer (None: finished).

        Args:
            script: decision entries to play before asking anyone (a decision file's
                quarters); a name missing from an entry keeps its previous value.
            interactive: ask for decisions once the script runs out (else keep the last).
        """
        self.abandon()
        self.interactive = interactive
        self._snapshots = {}
        self._launch(list(script))
        return self.briefing

    # ---------------------------------------------------------------- the model's side

    @property
    def log(self) -> list[SeatDecision]:
        """The decisions played so far, one per quarter (the seat's record)."""
        return self.seat_strategy.decisions

    def _launch(self, script: list[dict[str, Any]], snapshot: int | None = None) -> None:
        """Run the model on its thread: from the start, or from the snapshot of a quarter.

        A snapshot's copy of the seat holds the decisions played up to it.
        """
        self._script = script
        resume = None
        if snapshot is None:
            self.seat_strategy = PlayerSeat(self._decide, plan=self.start)
        else:
            resume, self.seat_strategy = copy.deepcopy(self._snapshots[snapshot], {id(self): self})
        self.result = None
        self.briefing = None
        self._to_player: queue.Queue = queue.Queue()
        self._to_model: queue.Queue = queue.Queue()
        self._thread = threading.Thread(
            target=self._play, args=(resume,), daemon=True, name="flywheel-game"
        )
        self._thread.start()
        self._receive()

    def _play(self, resume: MarketModel | None = None) -> None:
        try:
            started = time.perf_counter()
            game = self

            class SeatedModel(MarketModel):
                def __init__(self, scenario, seats):
                    game._model = self
                    super().__init__(scenario, seed="scenario", seats=seats)

            if resume is None:
                model = SeatedModel(self.scenario, {self.seat: self.seat_strategy})
            else:
                model = self._model = resume
            while model.week < self.scenario.steps:  # as model.run(), with snapshots
                self._keep_snapshot(model)
                model.step()
            self._to_player.put(("done", result_of(model, time.perf_counter() - started)))
        except GameAbandoned:
            return
        except BaseException as exc:  # handed to the player's side, which re-raises
            self._to_player.put(("error", exc))

    def _keep_snapshot(self, model: MarketModel) -> None:
        """Copy the model before the week that asks for decision ``k`` (every few quarters).

        Only in an interactive game, with the seat still deciding, and never for the
        last boundary; a model that cannot be copied switches snapshots off (undo then
        replays from the start, as before).
        """
        k, weeks = divmod(model.week + 1, WEEKS_PER_QUARTER)
        if weeks or k % SNAPSHOT_EVERY or model.week + 1 >= self.scenario.steps:
            return
        if not (self.interactive and self._snapshots_work) or k in self._snapshots:
            return
        if len(self.log) != k:
            return  # the seat has left the market: there is nothing left to undo to
        try:
            self._snapshots[k] = copy.deepcopy((model, self.seat_strategy), {id(self): self})
        except (TypeError, AttributeError, copy.Error):
            self._snapshots_work = False
            return
        while len(self._snapshots) > SNAPSHOTS_KEPT:
            del self._snapshots[min(self._snapshots)]

    def _decide(self, firm, view, options, current) -> SeatDecision | None:
        """The seat's decision source: the script, then the player (or the plan in force)."""
        if firm.week >= self.scenario.steps:
            return None  # the last boundary: nothing left to decide for
        index, plan = len(self.log), self.seat_strategy.plan or self.start
        if index < len(self._script):
            return plan.with_entries(self._script[index] or {})
        if not self.interactive:
            return plan
        briefing = build_briefing(
            self._model,
            firm,
            view,
            plan,
            options is not None,
            self.channel_names,
            self.quarters,
            self.rules,
            last_payout=self.log[-1].payout if self.log else 0.0,
        )
        self._to_player.put(("ask", briefing))
        answer = self._to_model.get()
        if answer is _ABANDON:
            raise GameAbandoned
        return answer

    # ---------------------------------------------------------------- the player's side

    def _receive(self) -> None:
        kind, payload = self._to_player.get()
        if kind == "ask":
            self.briefing = payload
        elif kind == "done":
            self.briefing, self.result = None, payload
            self._thread.join()
        else:
            self._thread.join()
            raise payload

    @property
    def over(self) -> bool:
        """Whether the game has reached its last week."""
        return self.result is not None

    def submit(self, decision: SeatDecision) -> Briefing | None:
        """Play the quarter with this decision; return the next briefing (None at the end).

        Args:
            decision: the player's decision (see :mod:`sim.play.decisions` for the rules).
        """
        if self.briefing is None:
            raise ValueError("the game is over: there is nothing left to decide")
        self._to_model.put(decision)
        self._receive()
        return self.briefing

    def undo(self) -> Briefing:
        """Take back the last quarter's decision and ask for it again.

        Raises:
            ValueError: before the first decision.
        """
        if not self.log:
            raise ValueError("nothing to undo: no quarter has been played yet")
        keep = [decision.values() for decision in self.log[:-1]]
        self.abandon()
        self.interactive = True
        for k in [k for k in self._snapshots if k > len(keep)]:
            del self._snapshots[k]  # they hold the decision being taken back
        snapshot = max(self._snapshots, default=None)
        self.undo_from = snapshot or 0
        self._launch(keep, snapshot)
        return self.briefing

    def abandon(self) -> None:
        """Stop the model's thread (the game cannot go on afterwards)."""
        if self._thread is not None and self._thread.is_alive():
            self._to_model.put(_ABANDON)
            self._thread.join()

    def keep_playing_to_the_end(self) -> RunResult:
        """Answer every remaining quarter with the decisions in force; return the result."""
        while self.briefing is not None:
            self.submit(self.briefing.defaults)
        return self.result

    # ---------------------------------------------------------------- records

    @property
    def game_record(self) -> dict[str, Any]:
        """Scenario, seed, seat and steps of the game (the ``game:`` of its log)."""
        return {
            "scenario": self.base.name,
            "seed": self.scenario.seed,
            "seat": self.seat,
            "steps": self.scenario.steps,
        }

    def decision_log(self) -> str:
        """The decisions so far as a decision file (YAML)."""
        return dump_decision_file(self.log, self.game_record, self.rules)

    def ghost_scenario(self, strategy: str) -> Scenario:
        """The game's scenario with a strategy in the player's seat (default parameters)."""
        return with_seat(self.base, self.seat, strategy)[1]

    def ghosts(self, strategies: list[str] | None = None) -> dict[str, RunResult]:
        """Plain runs of the same seed with each strategy in the seat (all built-ins)."""
        return {name: run(self.ghost_scenario(name)) for name in (strategies or list(STRATEGIES))}
