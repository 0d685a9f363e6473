"""The dashboard's Play page: one game of :mod:`sim.play` per browser tab.

Every tab makes up a session id and gets its own :class:`~sim.play.engine.Game`: the
same engine, briefing, decision checks, scorecard and ghost replay as ``flywheel play``
in the terminal. A finished game is written as a run folder, as ``flywheel play``
writes it; a saved game (the decision log so far) is written beside the run folders and
sent to the browser as a download. Games idle for longer than ``idle_seconds`` are
stopped and forgotten, and beyond ``max_games`` the least recently used one goes.

API (POST, JSON bodies with ``session``; answers are JSON):

- ``/api/play/options`` ``{scenario}`` (or ``{scenario_text}``): seats, seed, weeks and
  market size of a scenario.
- ``/api/play/start`` ``{session, scenario, seat, seed, steps, consumers, decisions}``:
  a new game (``decisions``: a saved decision file's text, replayed first); its state.
  ``scenario`` is a name the server lists; ``scenario_text`` (instead) is a scenario
  file's text, validated (:mod:`sim.dashboard.scenarios`). A path is never opened.
- ``/api/play/state`` ``{session}``: the tab's game as it stands (a reloaded tab).
- ``/api/play/check`` ``{session, decision}``: messages for invalid entries, notes.
- ``/api/play/decide`` ``{session, decision, rest}``: plays the quarter (``rest``: and
  every remaining one with the same decisions) unless an entry is invalid (then
  ``problems`` by name and nothing is played).
- ``/api/play/undo`` ``{session}``: takes back the last quarter.
- ``/api/play/save`` ``{session}``: writes the decision log so far; returns its text and
  its file's name in the server's play folder.
- ``/api/play/finish`` ``{session}``: at the end, the ghost replay, the run folder (its
  name in the server's play folder) and the scorecard. ``GET
  /api/play/figure?session=...`` is its figure (PNG).

Every field is checked (:mod:`sim.dashboard.http`): an unknown field, a value of the
wrong kind or out of bounds is refused with a message naming it (HTTP 400).
"""

from __future__ import annotations

import dataclasses
import math
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from sim.dashboard.http import (
    MAX_BODY_BYTES,
    RequestError,
    flag_field,
    mapping_field,
    refuse_unknown,
    text_field,
    whole_number,
)
from sim.dashboard.scenarios import ScenarioChoice, choose_scenario
from sim.dashboard.session import parse_seed
from sim.play.briefing import LINK_LABELS, WEEKS_PER_QUARTER, Briefing, render_briefing
from sim.play.decisions import (
    FIELDS,
    OPTIONAL_FIELDS,
    check_entries,
    parse_decision_text,
    price_note,
)
from sim.play.engine import Game, seat_rules
from sim.play.scorecard import ghost_table, save_game, scorecard_rows
from sim.play.seating import seat_names, seat_problems
from sim.play.terminal import default_text

IDLE_SECONDS = 2 * 60 * 60
MAX_GAMES = 24
MIN_STEPS, MAX_STEPS = WEEKS_PER_QUARTER, 2_080
MIN_CONSUMERS, MAX_CONSUMERS = 100, 200_000
ACTIONS = ("options", "start", "state", "check", "decide", "undo", "save", "finish")
SESSION_PATTERN = re.compile(r"[A-Za-z0-9_-]{6,64}")
MAX_DECISION_ENTRIES = 40
FIELDS_OF = {
    "options": ("session", "scenario", "scenario_text"),
    "start": (
        "session",
        "scenario",
        "scenario_text",
        "seat",
        "seed",
        "steps",
        "consumers",
        "decisions",
    ),
    "check": ("session", "decision"),
    "decide": ("session", "decision", "rest"),
}


class GameExpired(Exception):
    """The tab's game is gone (never started, stopped after idling, or dropped)."""


class UnknownAction(Exception):
    """A path under ``/api/play/`` that names no action."""


def session_key(data: dict) -> str:
    """The tab's session id from a request, checked.

    Raises:
        ValueError: when it is missing or not 6-64 letters, digits, ``-`` or ``_``.
    """
    key = data.get("session")
    if not isinstance(key, str) or not SESSION_PATTERN.fullmatch(key):
        raise RequestError("missing or malformed session id (6-64 letters, digits, - or _)")
    return key


def _plain(value: Any) -> Any:
    """JSON-ready copy: tuples as lists, NaN and infinities as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def briefing_record(b: Briefing) -> dict:
    """The briefing as JSON for the page (and its terminal text, for the record)."""
    data = dataclasses.asdict(b)
    data["research"]["units_at_price"] = [
        [price, units] for price, units in b.research.units_at_price.items()
    ]
    data["defaults"] = b.defaults.as_entries()
    data["last"]["profit"] = b.last.operating_profit - b.last.investment
    data["flywheel"] = [
        {"key": key, "label": label, "value": b.flywheel[key]}
        for key, label in LINK_LABELS.items()
        if key in b.flywheel
    ]
    data["year"], data["week_in_year"] = divmod(b.week, 52)
    data["text"] = render_briefing(b)
    return _plain(data)


def form_fields(b: Briefing, channel_names: tuple[str, ...] | None) -> list[dict]:
    """The decision form: each decision the terminal asks for now, with its value in force.

    The optional decisions (research, defences, acquisitions) appear only where the
    scenario has them.
    """
    fields = []
    shown = FIELDS + tuple(f for f in OPTIONAL_FIELDS if f.name in b.rules.names)
    for field in shown:
        if field.name == "channels" and (channel_names is None or not b.channels_open):
            continue
        value = getattr(b.defaults, field.name)
        if field.name == "channels":
            value = value if value is not None else b.current_channels
        fields.append(
            {
                "name": field.name,
                "unit": field.unit,
                "meaning": field.meaning,
                "value": default_text(field.name, value),
            }
        )
    return fields


def scenario_options(choice: ScenarioChoice | str) -> dict:
    """What the start form offers for a scenario: seats, seed, weeks, market size."""
    choice = ScenarioChoice(choice) if isinstance(choice, str) else choice
    scenario = choice.load()
    names = seat_names(scenario)
    free = [seat for seat in names if not seat_problems(scenario, [seat], "seat", "")]
    optional = seat_rules(scenario, None).names
    return {
        "scenario": choice.name,
        "description": scenario.description,
        "seats": free,
        "seed": scenario.seed,
        "steps": scenario.steps,
        "consumers": scenario.consumers.count,
        "fields": [
            dataclasses.asdict(field)
            for field in FIELDS + OPTIONAL_FIELDS
            if field in FIELDS or field.name in optional
        ],
    }


class WebGame:
    """One tab's game, its lock, its run folder and (at the end) its scorecard."""

    def __init__(self, key: str, data: dict, out_root: Path):
        refuse_unknown(data, FIELDS_OF["start"])
        choice = choose_scenario(data)
        consumers = whole_number(data, "consumers", MIN_CONSUMERS, MAX_CONSUMERS)
        seat = text_field(data, "seat").strip() or None
        seed = parse_seed(data.get("seed"))
        steps = whole_number(data, "steps", MIN_STEPS, MAX_STEPS)
        text = data.get("decisions")
        if text is not None and not isinstance(text, str):
            raise RequestError("decisions must be a decision file's text (YAML)")
        if text is not None and len(text) > MAX_BODY_BYTES:
            raise RequestError(f"decisions: at most {MAX_BODY_BYTES:,} characters")
        base = choice.load({"consumers.count": consumers} if consumers is not None else None)
        self.game = Game(base, seat=seat, seed=seed, steps=steps)
        script: tuple = ()
        if text:
            parsed = parse_decision_text(
                text,
                "the decision file",
                self.game.channel_names,
                self.game.quarters,
                self.game.rules,
            )
            recorded = parsed.game.get("scenario")
            if recorded not in (None, self.game.base.name):
                raise ValueError(
                    f"the decision file was played on scenario {recorded!r}, "
                    f"not {self.game.base.name!r}"
                )
            script = parsed.quarters
        self.lock = threading.Lock()
        self.used = time.monotonic()
        record = self.game.game_record
        name = f"play-{record['scenario']}-{record['seat']}-seed{record['seed']}-{key[:8]}"
        self.name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:160]
        self.out_root = Path(out_root)
        self.folder = self.out_root / self.name
        self.card: dict | None = None
        self.seconds_per_quarter: list[float] = []
        self._history: dict[int, dict] = {}
        self.game.begin(script, interactive=True)

    # ------------------------------------------------------------------ views

    def history(self) -> list[dict]:
        """One row per quarter played (from each briefing's last quarter), oldest first."""
        briefing = self.game.briefing
        if briefing is not None and briefing.week > 0:
            last = briefing.last
            self._history[len(self.game.log)] = {
                "quarter": len(self.game.log),
                "price": self.game.log[-1].price,
                "revenue": last.revenue,
                "profit": last.operating_profit - last.investment,
                "cash": briefing.cash,
                "customers": last.customers,
                "share": briefing.share,
                "repeat_rate": last.repeat_rate,
                "satisfaction": last.satisfaction,
                "stage": briefing.stage,
            }
        played = len(self.game.log)
        return [row for quarter, row in sorted(self._history.items()) if quarter <= played]

    def state(self) -> dict:
        """Where the game is: its settings, the briefing and form, or the end."""
        game = self.game
        briefing = game.briefing
        return _plain(
            {
                "game": {
                    **game.game_record,
                    "quarters": game.quarters,
                    "consumers": game.scenario.consumers.count,
                    "channel_names": game.channel_names,
                },
                "played": len(game.log),
                "over": game.over,
                "can_undo": bool(game.log) and self.card is None,
                "briefing": briefing_record(briefing) if briefing is not None else None,
                "form": form_fields(briefing, game.channel_names) if briefing else [],
                "scorecard": self.card,
                "history": self.history(),
            }
        )

    def check(self, raw: dict) -> tuple[dict, dict[str, str], dict[str, str]]:
        """Valid entries, a message per invalid one, and notes (price below unit cost)."""
        if not isinstance(raw, dict):
            raise RequestError("decision must be a mapping (a JSON object of names to values)")
        if len(raw) > MAX_DECISION_ENTRIES:
            raise RequestError(f"decision: at most {MAX_DECISION_ENTRIES} entries")
        briefing = self.game.briefing
        open_now = briefing.channels_open if briefing is not None else False
        rules = briefing.rules if briefing is not None else self.game.rules
        defaults = briefing.defaults if briefing is not None else None
        entries, problems = check_entries(raw, self.game.channel_names, open_now, rules, defaults)
        notes = {}
        for name in ("price", "platform_price"):
            if briefing is not None and entries.get(name) is not None:
                note = price_note(entries[name], briefing.unit_cost)
                if note:
                    notes[name] = note
        return entries, problems, notes

    # ------------------------------------------------------------------ actions

    def decide(self, raw: dict, rest: bool = False) -> dict:
        """Play the quarter with the form's entries, or return the problems (nothing played)."""
        if self.game.briefing is None:
            raise ValueError("the game is over: there is nothing left to decide")
        entries, problems, notes = self.check(raw)
        if problems:
            return {"problems": problems, "notes": notes, **self.state()}
        started = time.perf_counter()
        self.game.submit(self.game.briefing.defaults.with_entries(entries))
        self.seconds_per_quarter.append(time.perf_counter() - started)
        if rest:
            self.game.keep_playing_to_the_end()
        return {"problems": {}, "notes": notes, **self.state()}

    def undo(self) -> dict:
        """Take back the last quarter."""
        if self.card is not None:
            raise ValueError("the game is finished and written; start a new game")
        self.game.undo()
        return self.state()

    def save(self) -> dict:
        """Write the decision log so far beside the run folders; return it for download.

        The answer names the file only (in the server's play folder), not where that is.
        """
        text = self.game.decision_log()
        self.out_root.mkdir(parents=True, exist_ok=True)
        path = self.out_root / f"{self.name}-saved.yaml"
        path.write_text(text, encoding="utf-8")
        return {"filename": path.name, "text": text}

    def finish(self) -> dict:
        """The ghost replay and the run folder (once), then the scorecard.

        The scorecard names the run folder by its name in the server's play folder.
        """
        if not self.game.over:
            raise ValueError(
                f"the game is not over: {self.game.quarters - len(self.game.log)} "
                "quarters left to decide"
            )
        if self.card is None:
            ghosts = self.game.ghosts()
            folder = save_game(self.game, self.folder, runs=ghosts)
            table = ghost_table(self.game.result, ghosts, self.game.seat)
            self.card = {
                "columns": list(table.columns),
                "rows": scorecard_rows(table),
                "folder": folder.name,
                "seed": self.game.scenario.seed,
                "seat": self.game.seat,
            }
        return self.state()

    def figure(self) -> bytes:
        """The ghost replay figure (PNG) of a finished game."""
        if self.card is None:
            raise ValueError("no ghost replay yet: finish the game first")
        return (self.folder / "figures" / "ghost_replay.png").read_bytes()

    def stop(self) -> None:
        """Stop the model's thread (the game cannot go on)."""
        self.game.abandon()


class PlayGames:
    """The games of every open tab, by session id."""

    def __init__(
        self, out_root: str | Path, idle_seconds: float = IDLE_SECONDS, max_games: int = MAX_GAMES
    ):
        self.out_root = Path(out_root)
        self.idle_seconds = idle_seconds
        self.max_games = max_games
        self._games: OrderedDict[str, WebGame] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._games)

    def start(self, key: str, data: dict) -> WebGame:
        """A new game for the tab (its old one stopped); the oldest beyond the limit go."""
        game = WebGame(key, data, self.out_root)
        with self._lock:
            old = self._games.pop(key, None)
            self._games[key] = game
            dropped = []
            while len(self._games) > self.max_games:
                dropped.append(self._games.popitem(last=False)[1])
        for stale in [old, *dropped]:
            if stale is not None:
                with stale.lock:
                    stale.stop()
        return game

    def get(self, key: str) -> WebGame:
        """The tab's game.

        Raises:
            GameExpired: if the tab has none (any more).
        """
        with self._lock:
            game = self._games.get(key)
            if game is None:
                raise GameExpired(key)
            self._games.move_to_end(key)
            game.used = time.monotonic()
            return game

    def sweep(self) -> int:
        """Stop and forget games idle for longer than ``idle_seconds``; return how many."""
        now = time.monotonic()
        with self._lock:
            idle = [
                key
                for key, game in self._games.items()
                if now - game.used > self.idle_seconds and not game.lock.locked()
            ]
            stale = [self._games.pop(key) for key in idle]
        for game in stale:
            with game.lock:
                game.stop()
        return len(stale)

    def stop_all(self) -> None:
        """Stop every game (the server is shutting down)."""
        with self._lock:
            games = list(self._games.values())
            self._games.clear()
        for game in games:
            game.stop()

    def handle(self, path: str, data: dict) -> dict:
        """Answer one POST of the Play API (see the module docstring).

        Raises:
            ValueError, InputError: a bad request (HTTP 400).
            GameExpired: the tab's game is gone (HTTP 409).
            UnknownAction: no such action (HTTP 404).
        """
        self.sweep()
        action = path.removeprefix("/api/play/")
        if action not in ACTIONS:
            raise UnknownAction(path)
        refuse_unknown(data, FIELDS_OF.get(action, ("session",)))
        if action == "options":
            return scenario_options(choose_scenario(data))
        key = session_key(data)
        if action == "start":
            game = self.start(key, data)
            with game.lock:
                return game.state()
        game = self.get(key)
        with game.lock:
            if action == "state":
                return game.state()
            if action == "check":
                _, problems, notes = game.check(mapping_field(data, "decision"))
                return {"problems": problems, "notes": notes}
            if action == "decide":
                decision = mapping_field(data, "decision")
                return game.decide(decision, rest=flag_field(data, "rest"))
            if action == "undo":
                return game.undo()
            if action == "save":
                return game.save()
            if action == "finish":
                return game.finish()
        raise UnknownAction(path)


__all__ = ["GameExpired", "PlayGames", "UnknownAction", "WebGame"]
