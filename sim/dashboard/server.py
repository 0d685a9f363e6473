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
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path

from sim.dashboard.http import QuietHandler
from sim.dashboard.session import DashboardSession, Settings
from sim.scenario import InputError, list_scenarios, load_scenario

STATIC = Path(__file__).parent / "static"
FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/static/dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
    "/static/dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
}
MAX_SESSIONS = 64
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
            if name == "index.html":
                body = body.replace(
                    b"__DEFAULT_SCENARIO__", self.server.sessions.default_scenario.encode()
                )
            self._send(HTTPStatus.OK, body, content_type)
        elif path == "/api/scenarios":
            self._json(self.server.scenarios)
        else:
            self._json({"error": f"not found: {path}"}, HTTPStatus.NOT_FOUND)

    def do_POST(self):
        """Reset or step a run."""
        try:
            length = int(self.headers.get("Content-Length", 0))
            data = json.loads(self.rfile.read(length) or b"{}")
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

    def __init__(self, host: str, port: int, scenario: str):
        self.sessions = Sessions(scenario)
        self.scenarios = scenario_list()
        super().__init__((host, port), Handler)

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host, port = self.server_address[:2]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{shown}:{port}/"


def start_in_thread(host: str = "127.0.0.1", port: int = 0, scenario: str = "baseline"):
    """Start a server on a background thread (tests, benchmarks); ``port=0`` picks one.

    Returns:
        The running :class:`DashboardServer`; call ``shutdown()`` to stop it.
    """
    server = DashboardServer(host, port, scenario)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
