"""The classroom game's web server: student seats, the instructor console, a projector view.

Standard library only, pages shipped in ``sim/classroom/static`` (nothing from outside,
so it works offline). Students open ``/`` and join with their seat's code; the code is
their key: every student request carries it, and a code opens one seat only, so a
student cannot act for another seat, and a reloaded or dropped browser rejoins its seat.
The instructor console (``/instructor?key=...``) needs the key printed at start.

API (POST, JSON): ``/api/join {code, name}``, ``/api/seat {code}``, ``/api/submit {code,
decision}``, ``/api/instructor {key, action[, seconds]}`` with actions ``state``,
``advance``, ``pause``, ``resume``, ``timer``, ``log``; ``GET /api/public`` for the
projector.
"""

from __future__ import annotations

import json
import secrets
import threading
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path

from sim.classroom.game import ClassGame
from sim.dashboard.http import QuietHandler
from sim.headless import use_agg

STATIC = Path(__file__).parent / "static"
PAGES = {
    "/": "student.html",
    "/instructor": "instructor.html",
    "/projector": "projector.html",
}


class ClassHandler(QuietHandler):
    """Pages and API of one game."""

    server: ClassServer

    def do_GET(self):
        """The three pages and the public view."""
        path = self.path.split("?", 1)[0]
        if path in PAGES:
            body = (STATIC / PAGES[path]).read_bytes()
            self._send(HTTPStatus.OK, body, "text/html; charset=utf-8")
        elif path == "/api/public":
            game = self.server.game
            with game.lock:
                game.maybe_advance()
                self._json({"status": game.status(), "leaderboard": game.leaderboard()})
        else:
            self._json({"error": f"not found: {path}"}, HTTPStatus.NOT_FOUND)

    def do_POST(self):
        """Join, look, submit; the instructor's actions."""
        game = self.server.game
        try:
            length = int(self.headers.get("Content-Length", 0))
            data = json.loads(self.rfile.read(length) or b"{}")
            with game.lock:
                game.maybe_advance()
                if self.path == "/api/join":
                    seat = game.join(data.get("code", ""), data.get("name", ""))
                    self._json(self._seat_view(seat))
                elif self.path == "/api/seat":
                    seat = game.seat_of(data.get("code", ""))
                    if not seat.joined:
                        raise PermissionError("join the seat first")
                    self._json(self._seat_view(seat))
                elif self.path == "/api/submit":
                    game.submit(data.get("code", ""), data.get("decision") or {})
                    self._json(self._seat_view(game.seat_of(data["code"])))
                elif self.path == "/api/instructor":
                    self._instructor(data)
                else:
                    self._json({"error": f"not found: {self.path}"}, HTTPStatus.NOT_FOUND)
        except KeyError as exc:
            self._json({"error": str(exc).strip("'\"")}, HTTPStatus.FORBIDDEN)
        except PermissionError as exc:
            self._json({"error": str(exc)}, HTTPStatus.FORBIDDEN)
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)

    def _seat_view(self, seat) -> dict:
        game = self.server.game
        return {
            "seat": seat.index + 1,
            "student": seat.student,
            "private": game.private_view(seat),
            "status": game.status(),
            "leaderboard": game.leaderboard(),
        }

    def _instructor(self, data: dict) -> None:
        game = self.server.game
        if not secrets.compare_digest(str(data.get("key", "")), self.server.key):
            raise PermissionError("wrong instructor key")
        action = data.get("action", "state")
        if action == "advance":
            game.advance()
        elif action == "pause":
            game.paused = True
        elif action == "resume":
            game.paused = False
            if game.timer_seconds:
                game.start_timer(game.timer_seconds)
        elif action == "timer":
            game.start_timer(float(data.get("seconds", 0)))
        elif action == "log":
            self._json({"log": game.log_json()})
            return
        elif action != "state":
            raise ValueError(f"unknown action {action!r}")
        self._json(
            {
                "status": game.status(),
                "leaderboard": game.leaderboard(),
                "codes": [seat.code for seat in game.table],
            }
        )


class ClassServer(ThreadingHTTPServer):
    """A threaded server for one classroom game."""

    daemon_threads = True

    def __init__(self, host: str, port: int, game: ClassGame):
        use_agg()  # figures are drawn off-screen, from handler threads
        self.game = game
        self.key = secrets.token_urlsafe(9)
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
