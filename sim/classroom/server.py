"""The classroom game's web server: student seats, the instructor console, a projector view.

Standard library only, pages shipped in ``sim/classroom/static`` (nothing from outside,
so it works offline). Students open ``/`` and join with their seat's code; the code is
their key: every student request carries it, and a code opens one seat only, so a
student cannot act for another seat, and a reloaded or dropped browser rejoins its seat.
The instructor console (``/instructor?key=...``) needs the key printed at start.

API (POST, JSON): ``/api/join {code, name[, token]}`` (answers the browser's token:
a code claims its seat for one browser, or a team seat for a few; another browser gets
409 and is told to ask the instructor), ``/api/seat {code, token}``, ``/api/submit
{code, token, decision}``, ``/api/instructor {key, action, ...}`` with the actions in
:data:`ACTIONS` (``debrief`` answers the game's debrief page, built from its log by
:mod:`sim.reports.debrief_html`, and writes it beside the game log when there is one);
``GET /api/public`` for the projector (each firm's price, unit share,
player and scores by every rule; no firm's books).

Bodies go through the dashboard's request parser (:mod:`sim.dashboard.http`: size,
time, JSON shape, finite numbers, known fields only). Wrong join codes and instructor
keys are counted per client address: beyond :data:`MAX_FAILURES` within
:data:`FAILURE_WINDOW_SECONDS`, that address is answered 429 until the window has
passed, so codes cannot be guessed at speed.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path

from sim.classroom.game import MAX_TIMER_SECONDS, ClassGame, UnknownCode
from sim.classroom.log import checked_log
from sim.classroom.seats import SeatTaken
from sim.dashboard.http import (
    QuietHandler,
    RequestError,
    mapping_field,
    real_number,
    refuse_unknown,
    text_field,
)
from sim.outputs.headless import use_agg

STATIC = Path(__file__).parent / "static"
PAGES = {
    "/": "student.html",
    "/instructor": "instructor.html",
    "/projector": "projector.html",
}


FIELDS = {
    "/api/join": ("code", "name", "token"),
    "/api/seat": ("code", "token"),
    "/api/submit": ("code", "decision", "token"),
    "/api/instructor": (
        "key",
        "action",
        "seconds",
        "quarters",
        "rule",
        "weights",
        "seat",
        "target",
        "message",
    ),
}
SEAT_ACTIONS = (
    "release",
    "free",
    "lock",
    "unlock",
    "new_code",
    "move",
    "analyst",
    "team",
    "single",
)
ACTIONS = (
    "state",
    "advance",
    "pause",
    "resume",
    "timer",
    "log",
    "setup",
    "end",
    "message",
    "debrief",
    *SEAT_ACTIONS,
)
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 10.0
MAX_ADDRESSES = 10_000


class FailureLimit:
    """Wrong codes or keys per client address in a sliding window; too many: refused.

    Args:
        max_failures: failures allowed within the window.
        window_seconds: the window's length.
    """

    def __init__(
        self, max_failures: int = MAX_FAILURES, window_seconds: float = FAILURE_WINDOW_SECONDS
    ):
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures.get(address)
        if times is None:
            return deque()
        while times and now - times[0] >= self.window_seconds:
            times.popleft()
        if not times:
            del self._failures[address]
        return times

    def check(self, address: str, now: float | None = None) -> None:
        """Refuse an address that has failed too often lately.

        Raises:
            RequestError: HTTP 429, with the seconds to wait.
        """
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(address, now)
            if len(times) >= self.max_failures:
                wait = max(1, math.ceil(self.window_seconds - (now - times[0])))
                raise RequestError(
                    f"too many wrong codes from this address; try again in {wait} s",
                    HTTPStatus.TOO_MANY_REQUESTS,
                    retry_after=wait,
                )

    def fail(self, address: str, now: float | None = None) -> None:
        """Count a failure of ``address``."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(address, now)
            self._failures.setdefault(address, deque()).append(now)
            self._failures.move_to_end(address)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)


class ClassHandler(QuietHandler):
    """Pages and API of one game."""

    server: ClassServer

    def translate(self, exc: Exception) -> RequestError | None:
        """Wrong codes and keys (403, counted), bad decisions (400); anything else a 500."""
        if isinstance(exc, SeatTaken):
            return RequestError(str(exc), HTTPStatus.CONFLICT)
        if isinstance(exc, UnknownCode | WrongKey):
            self.server.failures.fail(self.client_address[0])
            return RequestError(str(exc), HTTPStatus.FORBIDDEN)
        if isinstance(exc, PermissionError):
            return RequestError(str(exc), HTTPStatus.FORBIDDEN)
        if isinstance(exc, ValueError):
            return RequestError(str(exc))
        return None

    def do_GET(self):
        """The three pages and the public view."""
        self.answer(self._get)

    def _get(self):
        path = self.path.split("?", 1)[0]
        if path in PAGES:
            body = (STATIC / PAGES[path]).read_bytes()
            self._send(HTTPStatus.OK, body, "text/html; charset=utf-8")
        elif path == "/api/public":
            game = self.server.game
            with game.lock:
                game.maybe_advance()
                self._json(
                    {
                        "status": game.status(),
                        "leaderboard": game.leaderboard(),
                        "leaderboards": [
                            game.leaderboard(market=m) for m in range(len(game.markets))
                        ],
                        "standings": game.standings(),
                    }
                )
        else:
            raise RequestError("not found: no such page or API route", HTTPStatus.NOT_FOUND)

    def do_POST(self):
        """Join, look, submit; the instructor's actions."""
        self.answer(self._post)

    def _post(self):
        if self.path not in FIELDS:
            raise RequestError("not found: no such API route", HTTPStatus.NOT_FOUND)
        self.server.failures.check(self.client_address[0])
        data = self.read_json()
        refuse_unknown(data, FIELDS[self.path])
        game = self.server.game
        if self.path == "/api/instructor":
            key = text_field(data, "key", max_characters=100)
            if not secrets.compare_digest(key.encode(), self.server.key.encode()):
                raise WrongKey("wrong instructor key")
            if data.get("action") == "debrief":
                self._debrief()
                return
            with game.lock:
                game.maybe_advance()
                self._instructor(data)
            return
        code = text_field(data, "code", max_characters=40)
        token = text_field(data, "token", max_characters=64)
        with game.lock:
            game.maybe_advance()
            if self.path == "/api/join":
                name = text_field(data, "name", max_characters=200)
                seat = game.seat_of(code)
                if seat.locked and not seat.joined:
                    raise PermissionError("the instructor has locked this seat; ask the instructor")
                token = game.claim(seat, token)
                seat = game.join(code, name)
            elif self.path == "/api/seat":
                seat = game.seat_of(code)
                if not seat.joined:
                    raise PermissionError("join the seat first")
                game.check_claim(seat, token)
            else:
                seat = game.seat_of(code)
                if seat.joined:
                    game.check_claim(seat, token)
                game.submit(code, mapping_field(data, "decision"))
            self._json(self._seat_view(seat, token))

    def _seat_view(self, seat, token: str = "") -> dict:
        game = self.server.game
        standings = game.standings()
        standings["market"] = standings.pop("markets")[seat.market]
        del standings["overall"]  # a student's page shows the seat's own market
        return {
            "seat": seat.index + 1,
            "code": seat.code,
            "token": token if token in seat.tokens else "",
            "student": seat.student,
            "private": game.private_view(seat),
            "status": game.status(),
            "leaderboard": game.leaderboard(market=seat.market),
            "standings": standings,
        }

    def _instructor(self, data: dict) -> None:
        game = self.server.game
        action = text_field(data, "action", default="state", max_characters=20)
        if action not in ACTIONS:
            raise RequestError(f"unknown action; one of: {', '.join(ACTIONS)}")
        if action == "advance":
            game.advance()
        elif action == "pause":
            game.pause()
        elif action == "resume":
            game.resume()
        elif action == "timer":
            game.start_timer(real_number(data, "seconds", 0, MAX_TIMER_SECONDS, default=0.0))
        elif action == "setup":
            quarters = real_number(data, "quarters", 1, 10_000, default=None)
            seconds = real_number(data, "seconds", 0, MAX_TIMER_SECONDS, default=None)
            rule = text_field(data, "rule", max_characters=40) or None
            weights = mapping_field(data, "weights") or None
            game.configure(quarters, seconds, rule, weights)
        elif action == "end":
            game.end(background=True)
        elif action == "message":
            game.broadcast(text_field(data, "message", max_characters=500))
        elif action in SEAT_ACTIONS:
            self._seat_action(action, data)
        elif action == "log":
            self._json({"log": game.log_json()})
            return
        self._json(
            {
                "status": game.status(),
                "leaderboard": game.leaderboard(private=True),
                "leaderboards": [
                    game.leaderboard(private=True, market=m) for m in range(len(game.markets))
                ],
                "codes": [seat.code for seat in game.table],
                "books": [game.firm_books(seat) for seat in game.table],
                "standings": game.standings(),
            }
        )

    def _debrief(self) -> None:
        """Answer the debrief page; write it beside the game log when there is one.

        The page is replayed from the log outside the game's lock (it takes a while);
        the file is ``NAME-debrief.html`` beside the log ``NAME.json``.
        """
        from sim.reports.debrief import debrief_of
        from sim.reports.debrief_html import debrief_html, default_out
        from sim.reports.html import write_atomically

        game = self.server.game
        with game.lock:
            if not game.log:
                raise RequestError("nothing to debrief yet: play a quarter first")
            text, log_path = game.log_json(), game.log_path
        source = Path(log_path).name if log_path else "the game in progress"
        page = debrief_html(debrief_of(checked_log(text, source), source))
        written = None
        if log_path is not None:
            out = default_out(log_path)
            write_atomically(out, page)
            written = out.name
        self._json({"html": page, "written": written})

    def _seat_action(self, action: str, data: dict) -> None:
        game = self.server.game
        seat = game.seat_number(real_number(data, "seat", 1, len(game.table)))
        target_number = real_number(data, "target", 1, len(game.table), default=None)
        target = None if target_number is None else game.seat_number(target_number)
        if action == "release":
            game.release(seat)
        elif action == "free":
            game.free(seat)
        elif action in ("lock", "unlock"):
            game.set_locked(seat, action == "lock")
        elif action in ("team", "single"):
            game.set_team(seat, action == "team")
        elif action == "new_code":
            game.new_code(seat)
        elif action == "analyst":
            game.make_analyst(seat, target)
        elif target is None:
            raise RequestError("move: give the target seat (a free seat's number)")
        else:
            game.move(seat, target)


class WrongKey(PermissionError):
    """An instructor key that is not the game's."""


class ClassServer(ThreadingHTTPServer):
    """A threaded server for one classroom game.

    Its listen queue holds a whole class connecting at once (the standard library's
    default of 5 resets connections when 60 browsers join together).
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, game: ClassGame):
        use_agg()  # figures are drawn off-screen, from handler threads
        self.game = game
        self.key = secrets.token_urlsafe(9)
        self.failures = FailureLimit()
        super().__init__((host, port), ClassHandler)

    @property
    def url(self) -> str:
        """The address students open."""
        host, port = self.server_address[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{shown}:{port}/"


def start_in_thread(game: ClassGame, host: str = "127.0.0.1", port: int = 0) -> ClassServer:
    """Start a game server on a background thread (tests); ``port=0`` picks one."""
    server = ClassServer(host, port, game)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
