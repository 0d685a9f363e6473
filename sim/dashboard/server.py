"""The dashboard's web server: the page, its script, and a small JSON API.

Standard library only (``http.server``): the page, its script and its style ship inside
the package (``sim/dashboard/static``) and the page loads nothing else, so the dashboard
works on a machine with no internet. Each browser tab has its own run, keyed by a session
id the page makes up; the model runs here, the page draws.

API (JSON bodies):

- ``GET /api/scenarios``: ``[{"name", "description"}]``.
- ``POST /api/reset`` ``{"session", "scenario", "seed", "consumers", ...}``: builds a run;
  returns its layout (``meta``) and week 0. ``scenario`` must be a name the list gives;
  ``scenario_text`` (instead) is a scenario file's text, validated. No path is opened.
- ``POST /api/step`` ``{"session", "run", "weeks", "after"}``: runs up to ``weeks`` weeks
  (never past the horizon) and returns the rows after week ``after``. ``run`` is the run
  number ``meta.run`` of the reset the page is drawing; a step for an older run (a
  request still under way when the page switched scenario) is refused with 409 and
  ``stale``, so it never moves the new run nor mixes weeks of two runs.
- ``/play`` and ``/api/play/...``: the Play page, one game per tab (:mod:`sim.dashboard.play`).

Bodies are read and checked by :mod:`sim.dashboard.http` (size, time, JSON shape,
finite numbers within bounds, known fields only); errors are ``{"error": ...}`` with a
4xx status, and no answer carries a path, a file's content or a traceback.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sim.dashboard.http import QuietHandler, RequestError, refuse_unknown, whole_number
from sim.dashboard.play import GameExpired, PlayGames, UnknownAction, session_key
from sim.dashboard.session import DashboardSession, Settings
from sim.outputs.headless import use_agg
from sim.scenario import InputError, list_scenarios, load_scenario

STATIC = Path(__file__).parent / "static"
FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/static/dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
    "/static/chart.js": ("chart.js", "text/javascript; charset=utf-8"),
    "/static/dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
    "/play": ("play.html", "text/html; charset=utf-8"),
    "/static/play.js": ("play.js", "text/javascript; charset=utf-8"),
    "/static/play.css": ("play.css", "text/css; charset=utf-8"),
}
MAX_SESSIONS = 64
STEP_FIELDS = ("session", "run", "weeks", "after")
DASHBOARD_SESSION = re.compile(r"[A-Za-z0-9_-]{1,64}")
DEFAULT_PLAY_OUT = Path("runs") / "play-web"
MAX_WEEKS_PER_REQUEST = 1_040


class Sessions:
    """Runs by session id, the oldest dropped beyond ``MAX_SESSIONS``; one lock each."""

    def __init__(self, default_scenario: str):
        self.default_scenario = default_scenario
        self._runs: OrderedDict[str, tuple[DashboardSession, threading.Lock]] = OrderedDict()
        self._lock = threading.Lock()
        self._count = 0

    def reset(self, key: str, settings: Settings) -> DashboardSession:
        """Build a new run for ``key`` (replacing its old one)."""
        run = DashboardSession(settings)
        with self._lock:
            self._count += 1
            run.number = self._count
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

    def translate(self, exc: Exception) -> RequestError | None:
        """The Play page's exceptions and bad input as refusals (anything else: a 500)."""
        if isinstance(exc, GameExpired):
            return RequestError("this game has expired; start a new one", 409, expired=True)
        if isinstance(exc, UnknownAction):
            return RequestError("not found: no such API route", 404)
        if isinstance(exc, ValueError):  # InputError is a ValueError
            return RequestError(str(exc))
        return None

    def do_GET(self):
        """The page, its two static files and the scenario list."""
        self.answer(self._get)

    def _get(self):
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
            raise RequestError("not found: no such page or API route", HTTPStatus.NOT_FOUND)

    def _play_figure(self):
        """The ghost replay figure of a tab's finished game."""
        query = parse_qs(urlsplit(self.path).query, max_num_fields=10)
        key = session_key({"session": (query.get("session") or [""])[0]})
        game = self.server.play.get(key)
        with game.lock:
            try:
                body = game.figure()
            except OSError:
                raise RequestError("the ghost replay figure could not be read") from None
        self._send(HTTPStatus.OK, body, "image/png")

    def do_POST(self):
        """Reset or step a run; the Play page's requests."""
        self.answer(self._post)

    def _post(self):
        data = self.read_json()
        if self.path.startswith("/api/play/"):
            self._json(self.server.play.handle(self.path, data))
        elif self.path == "/api/reset":
            key = dashboard_session(data)
            run = self.server.sessions.reset(key, Settings.from_request(data))
            self._json({"meta": run.meta(), **run.since(-1)})
        elif self.path == "/api/step":
            refuse_unknown(data, STEP_FIELDS)
            key = dashboard_session(data)
            weeks = whole_number(data, "weeks", 0, MAX_WEEKS_PER_REQUEST, default=1)
            after = whole_number(data, "after", -1, 1_000_000, default=-1)
            found = self.server.sessions.get(key)
            if found is None:
                raise RequestError("expired", HTTPStatus.CONFLICT, expired=True)
            run, lock = found
            wanted = whole_number(data, "run", 0, 2**53, default=None)
            if wanted is not None and wanted != run.number:
                raise RequestError(
                    "stale: this step was for a run the page has since replaced",
                    HTTPStatus.CONFLICT,
                    stale=True,
                )
            with lock:
                run.step(weeks)
                self._json(run.since(after))
        else:
            raise RequestError("not found: no such API route", HTTPStatus.NOT_FOUND)


def dashboard_session(data: dict) -> str:
    """A dashboard tab's session id (1-64 letters, digits, ``-`` or ``_``).

    Raises:
        RequestError: when it is missing or malformed.
    """
    key = data.get("session")
    if not isinstance(key, str) or not DASHBOARD_SESSION.fullmatch(key):
        raise RequestError("missing or malformed session id (1-64 letters, digits, - or _)")
    return key


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
        host = host.decode() if isinstance(host, bytes) else host
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
