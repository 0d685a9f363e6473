"""The dashboard's web server: the page, its script, and a small JSON API.

Standard library only (``http.server``): the page, its script and its style ship inside
the package (``sim/dashboard/static``) and the page loads nothing else, so the dashboard
works on a machine with no internet. Each browser tab has its own run, keyed by a session
id the page makes up; the model runs here, the page draws.

API (JSON bodies):

- ``GET /api/scenarios``: ``[{"name", "description"}]``.
- ``POST /api/reset`` ``{"session", "scenario", "seed", "consumers", ...}``: builds a run;
  returns its layout (``meta``) and week 0.
- ``POST /api/step`` ``{"session", "weeks", "after"}``: runs up to ``weeks`` weeks (never
  past the horizon) and returns the rows after week ``after``.
- ``/play`` and ``/api/play/...``: the Play page, one game per tab (:mod:`sim.dashboard.play`).
"""

from __future__ import annotations

import json
import sys
import threading
from collections import OrderedDict
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sim.dashboard.http import QuietHandler
from sim.dashboard.play import GameExpired, PlayGames, UnknownAction, session_key
from sim.dashboard.session import DashboardSession, Settings
from sim.headless import use_agg
from sim.scenario import InputError, list_scenarios, load_scenario

STATIC = Path(__file__).parent / "static"
FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/static/dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
    "/static/dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
    "/play": ("play.html", "text/html; charset=utf-8"),
    "/static/play.js": ("play.js", "text/javascript; charset=utf-8"),
    "/static/play.css": ("play.css", "text/css; charset=utf-8"),
}
MAX_SESSIONS = 64
MAX_BODY_BYTES = 1_000_000
DEFAULT_PLAY_OUT = Path("runs") / "play-web"
MAX_WEEKS_PER_REQUEST = 1_040


class Sessions:
    """Runs by session id, the oldest dropped beyond ``MAX_SESSIONS``; one lock each."""

    def __init__(self, default_scenario: str):
        self.default_scenario = default_scenario
        self._runs: OrderedDict[str, tuple[DashboardSession, threading.Lock]] = OrderedDict()
        self._lock = threading.Lock()

    def reset(self, key: str, settings: Settings) -> DashboardSession:
        """Build a new run for ``key`` (replacing its old one)."""
        run = DashboardSession(settings)
        with self._lock:
            self._runs[key] = (run, threading.Lock())
            self._runs.move_to_end(key)
            while len(self._runs) > MAX_SESSIONS:
                self._runs.popitem(last=False)
        return run

    def get(self, key: str) -> tuple[DashboardSession, threading.Lock] | None:
        """The run of ``key``, if it still exists."""
        with self._lock:
            found = self._runs.get(key)
            if found is not None:
                self._runs.move_to_end(key)
            return found


def scenario_list() -> list[dict]:
    """Every scenario the dashboard offers, with its one-line description."""
    out = []
    for name, path in list_scenarios():
        try:
            description = load_scenario(path).description
        except InputError:
            continue
        out.append({"name": name, "description": description})
    return out


class Handler(QuietHandler):
    """Serves the page and the API; quiet unless something goes wrong."""

    server: DashboardServer

    def do_GET(self):
        """The page, its two static files and the scenario list."""
        path = self.path.split("?", 1)[0]
        if path in FILES:
            name, content_type = FILES[path]
            body = (STATIC / name).read_bytes()
            if name in ("index.html", "play.html"):
                body = body.replace(
                    b"__DEFAULT_SCENARIO__", self.server.sessions.default_scenario.encode()
                )
            self._send(HTTPStatus.OK, body, content_type)
        elif path == "/api/scenarios":
            self._json(self.server.scenarios)
        elif path == "/api/play/figure":
            self._play_figure()
        else:
            self._json({"error": f"not found: {path}"}, HTTPStatus.NOT_FOUND)

    def _play_figure(self):
        """The ghost replay figure of a tab's finished game."""
        query = parse_qs(urlsplit(self.path).query)
        try:
            key = session_key({"session": (query.get("session") or [""])[0]})
            game = self.server.play.get(key)
            with game.lock:
                body = game.figure()
        except GameExpired:
            self._json({"error": "this game has expired", "expired": True}, HTTPStatus.CONFLICT)
            return
        except (ValueError, OSError) as exc:
            self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
            return
        self._send(HTTPStatus.OK, body, "image/png")

    def _request_data(self) -> dict:
        length = int(self.headers.get("Content-Length", 0) or 0)
        if length > MAX_BODY_BYTES:
            raise ValueError(f"request too large ({length:,} bytes; at most {MAX_BODY_BYTES:,})")
        data = json.loads(self.rfile.read(length) or b"{}")
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data

    def _play_post(self):
        """One request of the Play page: a JSON answer, or a JSON error."""
        try:
            self._json(self.server.play.handle(self.path, self._request_data()))
        except GameExpired:
            error = {"error": "this game has expired; start a new one", "expired": True}
            self._json(error, HTTPStatus.CONFLICT)
        except UnknownAction:
            self._json({"error": f"not found: {self.path}"}, HTTPStatus.NOT_FOUND)
        except (ValueError, TypeError) as exc:  # InputError is a ValueError
            self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
        except Exception as exc:  # a bug: one line on the console, a JSON error to the page
            print(f"play: {self.path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            error = {"error": f"internal error ({type(exc).__name__}): {exc}"}
            self._json(error, HTTPStatus.INTERNAL_SERVER_ERROR)

    def do_POST(self):
        """Reset or step a run; the Play page's requests."""
        if self.path.startswith("/api/play/"):
            self._play_post()
            return
        try:
            data = self._request_data()
            key = str(data.get("session", ""))
            if not key:
                raise ValueError("missing session id")
            if self.path == "/api/reset":
                run = self.server.sessions.reset(key, Settings.from_request(data))
                self._json({"meta": run.meta(), **run.since(-1)})
            elif self.path == "/api/step":
                found = self.server.sessions.get(key)
                if found is None:
                    self._json({"error": "expired", "expired": True}, HTTPStatus.CONFLICT)
                    return
                run, lock = found
                weeks = min(int(data.get("weeks", 1)), MAX_WEEKS_PER_REQUEST)
                with lock:
                    run.step(weeks)
                    self._json(run.since(int(data.get("after", -1))))
            else:
                self._json({"error": f"not found: {self.path}"}, HTTPStatus.NOT_FOUND)
        except InputError as exc:
            self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)


class DashboardServer(ThreadingHTTPServer):
    """A threaded HTTP server holding the runs of every open tab."""

    daemon_threads = True

    def __init__(
        self, host: str, port: int, scenario: str, play_out: str | Path = DEFAULT_PLAY_OUT
    ):
        use_agg()  # figures are drawn off-screen, from handler threads
        self.sessions = Sessions(scenario)
        self.play = PlayGames(play_out)
        self.scenarios = scenario_list()
        super().__init__((host, port), Handler)

    def server_close(self):
        """Stop every game's thread, then close the socket."""
        self.play.stop_all()
        super().server_close()

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host, port = self.server_address[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{shown}:{port}/"


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    scenario: str = "baseline",
    play_out: str | Path = DEFAULT_PLAY_OUT,
):
    """Start a server on a background thread (tests, benchmarks); ``port=0`` picks one.

    Args:
        host: address to listen on.
        port: port (0: any free one).
        scenario: the scenario shown first.
        play_out: folder for the Play page's run folders and saved games.

    Returns:
        The running :class:`DashboardServer`; call ``shutdown()`` to stop it.
    """
    server = DashboardServer(host, port, scenario, play_out)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
