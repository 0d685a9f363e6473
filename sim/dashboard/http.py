"""The request handler both local servers build on: quiet, uncached, JSON without NaN."""

from __future__ import annotations

import json
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler


class QuietHandler(BaseHTTPRequestHandler):
    """Sends bodies uncached and JSON compactly; writes no access log."""

    def log_message(self, format, *args):
        """No access log (a play loop makes many requests)."""

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data, status: int = HTTPStatus.OK) -> None:
        body = json.dumps(data, separators=(",", ":"), default=float, allow_nan=False).encode()
        self._send(status, body, "application/json")
