"""The request handling both local servers share: one guarded body parser, JSON errors.

Every POST body goes through :meth:`QuietHandler.read_json`: ``Content-Length`` must be
a whole number (no header: 411; not a number or negative: 400; above
:data:`MAX_BODY_BYTES`: 413, refused before any of the body is read), the body must
arrive within :data:`BODY_SECONDS` (408), be UTF-8 JSON holding one object, with finite
numbers (``NaN``, ``Infinity`` and ``1e400``, which Python reads as infinity, are
refused, naming the field), integers of at most :data:`MAX_INT_DIGITS` digits and at
most :data:`MAX_DEPTH` levels of nesting. The field readers
(:func:`whole_number`, :func:`real_number`, :func:`text_field`, :func:`mapping_field`,
:func:`refuse_unknown`) check each field's shape and bounds and name the field.

Answers are JSON; an error is ``{"error": "..."}`` with a 4xx status, or a 500 with a
generic message when something unexpected happens (its traceback goes to the server's
console, never to the client). No answer carries a filesystem path:
:func:`scrub_paths` replaces any that slips into an error message.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any

MAX_BODY_BYTES = 1_000_000
BODY_SECONDS = 10.0
SOCKET_SECONDS = 10.0
MAX_INT_DIGITS = 30
MAX_DEPTH = 32
MAX_ERROR_CHARACTERS = 2_000
INTERNAL_ERROR = "internal error: the server could not answer this request (see its console)"
_ABSOLUTE_PATH = re.compile(
    r"(?<![\w:/.~-])(?:~|[A-Za-z]:|\.{1,2})?[/\\](?:[^\s/\\'\"<>`]+[/\\])+[^\s'\"<>`,;)]*"
)


class RequestError(ValueError):
    """A request the server refuses: an HTTP status and a message for the client.

    Args:
        message: what is wrong, naming the field and the value's problem.
        status: the HTTP status (400 unless given).
        extra: more keys for the JSON answer (e.g. ``{"expired": True}``).
    """

    def __init__(self, message: str, status: int = HTTPStatus.BAD_REQUEST, **extra: Any):
        super().__init__(message)
        self.message = message
        self.status = int(status)
        self.extra = extra


def scrub_paths(message: str) -> str:
    """The message with every absolute filesystem path replaced by ``<path>``, cut short."""
    text = _ABSOLUTE_PATH.sub("<path>", str(message))
    if len(text) > MAX_ERROR_CHARACTERS:
        text = text[:MAX_ERROR_CHARACTERS] + "..."
    return text


# ---------------------------------------------------------------------- JSON body


class _Refused:
    """A number the parser will not hand on (its text kept for the message)."""

    def __init__(self, text: str, rule: str):
        self.text = text if len(text) <= 40 else f"{text[:20]}... ({len(text):,} characters)"
        self.rule = rule


def _float(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused(text, "numbers must be finite")


def _int(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return _Refused(text, f"whole numbers have at most {MAX_INT_DIGITS} digits")
    return int(text)


def _constant(name: str) -> _Refused:
    return _Refused(name, "numbers must be finite")


def _refused_number(value: Any, path: str, level: int = 0) -> tuple[str, _Refused] | None:
    """The first refused number in a parsed body, with its field's dotted path."""
    if isinstance(value, _Refused):
        return path or "(top level)", value
    if level > MAX_DEPTH:
        raise RequestError(f"the request body is nested more than {MAX_DEPTH} levels deep")
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, inner in items:
        found = _refused_number(inner, f"{path}.{key}" if path else str(key), level + 1)
        if found is not None:
            return found
    return None


def parse_json_object(raw: bytes) -> dict:
    """The JSON object in a request body (an empty body is ``{}``).

    Raises:
        RequestError: for text that is not UTF-8 JSON, a value that is not an object,
            non-finite numbers, over-long integers or nesting too deep to read.
    """
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestError(f"the request body is not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text, parse_float=_float, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise RequestError(f"the request body is not valid JSON ({exc.msg} at {exc.pos})") from None
    except RecursionError:
        raise RequestError("the request body is nested too deeply") from None
    if not isinstance(data, dict):
        raise RequestError(f"the request body must be a JSON object, got a JSON {_kind(data)}")
    refused = _refused_number(data, "")
    if refused is not None:
        field, number = refused
        raise RequestError(f"{field}: {number.text} is not accepted ({number.rule})")
    return data


# ---------------------------------------------------------------------- fields


def refuse_unknown(data: dict, known: tuple[str, ...] | set[str], what: str = "request") -> None:
    """Refuse keys that are not among ``known``, with a "did you mean" for a misspelling.

    Raises:
        RequestError: naming every unknown key.
    """
    unknown = [key for key in data if key not in known]
    if not unknown:
        return
    parts = []
    for key in unknown[:10]:
        hint = difflib.get_close_matches(str(key), list(known), n=1)
        shown = str(key)[:60]
        parts.append(f"{shown!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    raise RequestError(
        f"unknown field{'s' if len(unknown) > 1 else ''} in the {what}: {', '.join(parts)}; "
        f"known: {', '.join(sorted(known))}"
    )


def text_field(data: dict, key: str, default: str = "", max_characters: int = 200) -> str:
    """A text field (a number is taken as its text); ``default`` when absent or null.

    Raises:
        RequestError: for an object, array or boolean, or text longer than the limit.
    """
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RequestError(f"{key} must be text, got a JSON {_kind(value)}")
    value = str(value)
    if len(value) > max_characters:
        raise RequestError(
            f"{key} is too long ({len(value):,} characters; at most {max_characters:,})"
        )
    return value


def whole_number(
    data: dict, key: str, low: int, high: int, default: int | None = None
) -> int | None:
    """A whole number from ``low`` to ``high`` (a JSON number or its text); blank: ``default``.

    Raises:
        RequestError: naming the field, the bounds and the value.
    """
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    rule = f"{key} must be a whole number from {low:,} to {high:,}"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RequestError(f"{rule}, got a JSON {_kind(value)}")
    if isinstance(value, float):
        if not value.is_integer():
            raise RequestError(f"{rule}, got {value!r}")
        value = int(value)
    elif isinstance(value, str):
        stripped = value.strip()
        if not re.fullmatch(r"-?[0-9]{1,30}", stripped):
            raise RequestError(f"{rule}, got {value[:40]!r}")
        value = int(stripped)
    if not low <= value <= high:
        raise RequestError(f"{rule}, got {_short(value)}")
    return value


def real_number(
    data: dict, key: str, low: float, high: float, default: float | None = None
) -> float | None:
    """A finite number from ``low`` to ``high`` (a JSON number or its text); blank: ``default``.

    Raises:
        RequestError: naming the field, the bounds and the value.
    """
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    rule = f"{key} must be a number from {low:g} to {high:g}"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RequestError(f"{rule}, got a JSON {_kind(value)}")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise RequestError(f"{rule}, got {str(value)[:40]!r}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise RequestError(f"{rule}, got {_short(value)}")
    return number


def mapping_field(data: dict, key: str) -> dict:
    """An object field (absent or null: ``{}``).

    Raises:
        RequestError: for any other JSON value.
    """
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RequestError(
            f"{key} must be a mapping (a JSON object of names to values), got a JSON {_kind(value)}"
        )
    return value


def flag_field(data: dict, key: str) -> bool:
    """A true/false field (absent or null: false).

    Raises:
        RequestError: for anything but a JSON boolean.
    """
    value = data.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RequestError(f"{key} must be true or false, got a JSON {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "number"


def _short(value: Any) -> str:
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return text if len(text) <= 40 else text[:40] + "..."


# ---------------------------------------------------------------------- the handler


class QuietHandler(BaseHTTPRequestHandler):
    """Reads bodies within limits; answers uncached JSON; writes no access log.

    A subclass answers in :meth:`do_GET` / :meth:`do_POST` through :meth:`answer`, which
    turns :class:`RequestError` into its status and anything unexpected into a 500.
    """

    timeout = SOCKET_SECONDS
    max_body_bytes = MAX_BODY_BYTES
    body_seconds = BODY_SECONDS

    def log_message(self, format, *args):
        """No access log (a play loop makes many requests)."""

    def log_error(self, format, *args):
        """No log of protocol errors either (their answer says it)."""

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data, status: int = HTTPStatus.OK, headers: dict | None = None) -> None:
        try:
            body = json.dumps(data, separators=(",", ":"), default=float, allow_nan=False).encode()
        except (TypeError, ValueError, OverflowError) as exc:
            self._console(f"cannot encode the answer: {type(exc).__name__}: {exc}")
            status, body = (
                HTTPStatus.INTERNAL_SERVER_ERROR,
                json.dumps({"error": INTERNAL_ERROR}).encode(),
            )
        self._send(status, body, "application/json", headers)

    def error(self, message: str, status: int = HTTPStatus.BAD_REQUEST, **extra) -> None:
        """Answer ``{"error": message, **extra}`` (paths scrubbed) with ``status``."""
        headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
        self._json({"error": scrub_paths(message), **extra}, status, headers)

    def send_error(self, code, message=None, explain=None):
        """Protocol errors (bad request line, unsupported method) as JSON, connection closed."""
        self.close_connection = True
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        self.error(phrase.lower(), code)

    def _console(self, line: str) -> None:
        print(
            f"{type(self.server).__name__}: {self.command} {self.path[:200]}: {line}",
            file=sys.stderr,
        )

    def answer(self, respond) -> None:
        """Run ``respond()``; send a JSON error for a refused or failed request.

        :meth:`translate` maps a subclass's own exceptions to a :class:`RequestError`.
        """
        try:
            self._answer(respond)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client has gone: nobody to answer

    def _answer(self, respond) -> None:
        try:
            respond()
        except RequestError as exc:
            self.error(exc.message, exc.status, **exc.extra)
        except (BrokenPipeError, ConnectionResetError):
            raise
        except Exception as exc:  # every failure gets an answer
            refused = self.translate(exc)
            if refused is not None:
                self.error(refused.message, refused.status, **refused.extra)
                return
            self._console("".join(traceback.format_exception(exc)).rstrip())
            self.close_connection = True
            self.error(INTERNAL_ERROR, HTTPStatus.INTERNAL_SERVER_ERROR)

    def translate(self, exc: Exception) -> RequestError | None:
        """The refusal an expected exception stands for (None: a failure, HTTP 500)."""
        return None

    def read_json(self) -> dict:
        """The request's JSON object, read within the size and time limits.

        Raises:
            RequestError: 411, 400, 413 or 408 for the length and timing; 400 for the JSON.
        """
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise RequestError(
                "send the body with a Content-Length, not chunked", HTTPStatus.LENGTH_REQUIRED
            )
        headers = self.headers.get_all("Content-Length") or []
        if not headers:
            self.close_connection = True
            raise RequestError("a POST needs a Content-Length header", HTTPStatus.LENGTH_REQUIRED)
        header = headers[0]
        if len(headers) > 1:
            self.close_connection = True
            raise RequestError("give one Content-Length header, not several")
        if re.fullmatch(r"\s*[0-9]{19,}\s*", header):
            self.close_connection = True
            raise RequestError(
                f"request body too large (at most {self.max_body_bytes:,} bytes)",
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
        if not re.fullmatch(r"\s*[0-9]{1,18}\s*", header):
            self.close_connection = True
            raise RequestError(
                f"Content-Length must be a whole number of bytes >= 0, got {header[:40]!r}"
            )
        length = int(header)
        if length > self.max_body_bytes:
            self.close_connection = True
            raise RequestError(
                f"request body too large ({length:,} bytes; at most {self.max_body_bytes:,})",
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )
        return parse_json_object(self._read_body(length))

    def _read_body(self, length: int) -> bytes:
        deadline = time.monotonic() + self.body_seconds
        chunks, got = [], 0
        while got < length:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close_connection = True
                raise RequestError("the request body came too slowly", HTTPStatus.REQUEST_TIMEOUT)
            self.connection.settimeout(min(left, self.timeout))
            try:
                chunk = self.rfile.read1(min(65_536, length - got))
            except TimeoutError:  # the stream cannot be read after a timeout
                self.close_connection = True
                raise RequestError(
                    "the request body came too slowly", HTTPStatus.REQUEST_TIMEOUT
                ) from None
            if not chunk:
                self.close_connection = True
                raise RequestError(f"the request body ended after {got:,} of {length:,} bytes")
            chunks.append(chunk)
            got += len(chunk)
        self.connection.settimeout(self.timeout)
        return b"".join(chunks)
