"""Hostile requests against both servers: no file is read, nothing leaks, nothing hangs.

A corpus of hostile requests (paths in every field and route, a secret-holding YAML file
named by path, oversized, truncated and slow bodies, bad Content-Length, malformed and
non-object JSON, infinite and huge numbers, wrong shapes, unknown fields) goes to the
dashboard (with its Play page) and to a class game, each served on 127.0.0.1 on a free
port. Every answer must have the expected status and hold no filesystem path, no line
of a named file and no traceback. Below the corpus, one regression test per item 1-6
of issue 16.
"""

from __future__ import annotations

import io
import json
import re
import socket
import sys
import time
from pathlib import Path

import pytest

import sim
from sim.classroom.game import ClassGame, parse_decision
from sim.classroom.log import replay, resume
from sim.classroom.server import FailureLimit
from sim.classroom.server import start_in_thread as start_class
from sim.dashboard.http import QuietHandler
from sim.dashboard.server import start_in_thread as start_dashboard
from sim.scenario import list_scenarios

SECRET = "FLYWHEEL-TEST-SECRET-5b8e1d"
CODES = ["AAAAAA", "BBBBBB"]
SESSION = "tab-hostile"
REPO = Path(sim.__file__).resolve().parents[1]
SLOW_SECONDS = 1.0
# An absolute path of two or more parts (``/etc/passwd``, ``/tmp/x/y``, ``C:\\x\\y``).
ABSOLUTE_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?[/\\](?:[\w.@~+-]+[/\\])+[\w.@~+-]*")


# ---------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory):
    """A folder with a scenario file and a plain YAML file that hold a secret."""
    folder = tmp_path_factory.mktemp("secrets")
    baseline = Path(dict(list_scenarios())["baseline"]).read_text(encoding="utf-8")
    scenario = baseline.replace("description:", f"# {SECRET}\ndescription: {SECRET}", 1)
    if SECRET not in scenario:
        scenario = f"# {SECRET}\n" + baseline
    (folder / "secret.yaml").write_text(scenario, encoding="utf-8")
    (folder / "credentials.yaml").write_text(f"password: {SECRET}\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """The dashboard and a class game, short read limits so slow bodies time out fast."""
    saved = (QuietHandler.body_seconds, QuietHandler.timeout)
    QuietHandler.body_seconds = QuietHandler.timeout = SLOW_SECONDS
    play_out = tmp_path_factory.mktemp("play")
    dashboard = start_dashboard(play_out=play_out)
    game = ClassGame("baseline", 2, consumers=300, codes=CODES)
    classroom = start_class(game)
    start = {"session": SESSION, "scenario": "baseline", "steps": 13, "consumers": 100}
    assert post(dashboard, "/api/play/start", start)[0] == 200
    yield {"dash": dashboard, "class": classroom}
    for server in (dashboard, classroom):
        server.shutdown()
        server.server_close()
    QuietHandler.body_seconds, QuietHandler.timeout = saved


def exchange(server, request: bytes, pause_after: int | None = None, drip: float = 0.0):
    """Send raw bytes, return ``(status, headers text, body bytes, seconds)``.

    Args:
        server: a running server.
        request: the bytes of the request.
        pause_after: send this many bytes, then stop sending (keep the socket open).
        drip: seconds between single bytes of the body (a slow client).
    """
    host, port = server.server_address[:2]
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=120) as sock:
        try:
            if drip:
                head, _, body = request.partition(b"\r\n\r\n")
                sock.sendall(head + b"\r\n\r\n")
                for byte in body:
                    sock.sendall(bytes([byte]))
                    time.sleep(drip)
            else:
                sock.sendall(request if pause_after is None else request[:pause_after])
        except OSError:
            pass  # the server answered and closed before the client finished sending
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    seconds = time.monotonic() - started
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    status = int(status_line.split()[1]) if status_line.startswith("HTTP/") else 0
    return status, head.decode("latin-1"), body, seconds


def http_request(
    method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> bytes:
    """The bytes of a request (``Content-Length`` from the body unless given)."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    headers = dict(headers or {})
    if body is not None and "Content-Length" not in headers and "omit-length" not in headers:
        headers["Content-Length"] = str(len(body))
    headers.pop("omit-length", None)
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def post(server, path: str, data) -> tuple[int, dict]:
    """POST JSON; the status and the decoded answer."""
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    status, _, answer, _ = exchange(server, http_request("POST", path, body))
    return status, json.loads(answer)


def file_lines(path: str) -> list[str]:
    """Lines of a file worth looking for in an answer (empty if unreadable)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= 12]


def assert_no_leak(body: bytes, json_body: bool, secrets_folder: Path) -> None:
    """No secret, no line of a named file, no traceback, no path of this machine."""
    text = body.decode("utf-8", errors="replace")
    assert SECRET not in text
    assert "Traceback" not in text and 'File "' not in text
    for line in file_lines("/etc/passwd") + file_lines("/etc/shadow") + file_lines("/etc/hosts"):
        assert line not in text, line
    for root in {str(secrets_folder), str(REPO), str(Path.home()), sys.prefix, "/etc/", "/tmp/"}:
        if len(root) > 1:
            assert root not in text, root
    if json_body:
        answer = json.loads(text)
        if isinstance(answer, dict) and "error" in answer:
            assert not ABSOLUTE_PATH.search(answer["error"]), answer["error"]


# ---------------------------------------------------------------------- the corpus


def path_values(folder: Path) -> list[str]:
    """Paths an attacker might give where a scenario name (or any text) is expected."""
    secret, plain = folder / "secret.yaml", folder / "credentials.yaml"
    up = "../" * 12
    return [
        "/etc/passwd",
        "/etc/shadow",
        "/etc/hosts",
        str(secret),
        str(secret.with_suffix("")),
        str(plain),
        up + str(secret).lstrip("/"),
        up + str(secret.with_suffix("")).lstrip("/"),
        up + "etc/passwd",
        "..\\..\\..\\..\\etc\\passwd",
        "file:///etc/passwd",
        "~/.ssh/id_rsa",
        "/proc/self/environ",
        "/dev/zero",
        "/etc",
        "scenarios/baseline.yaml",
        "./scenarios/baseline",
        str(REPO / "scenarios" / "baseline.yaml"),
        "baseline\x00/etc/passwd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    ]


def corpus(folder: Path, key: str) -> list[tuple[str, str, bytes, set[int], dict]]:
    """``(server, method and path, raw request, allowed statuses, options)`` per case."""
    cases: list[tuple[str, str, bytes, set[int], dict]] = []

    def add(target, method, path, body=None, statuses=(400,), headers=None, **options):
        raw_body = None
        if body is not None:
            raw_body = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = http_request(method, path, raw_body, headers)
        cases.append((target, f"{method} {path}", request, set(statuses), options))

    start = {"session": SESSION, "scenario": "baseline", "steps": 13, "consumers": 100}
    for value in path_values(folder):
        add("dash", "POST", "/api/reset", {"session": "t1", "scenario": value})
        add("dash", "POST", "/api/play/options", {"scenario": value})
        add("dash", "POST", "/api/play/start", {**start, "scenario": value})
    for value in path_values(folder)[:8]:
        add("dash", "POST", "/api/reset", {"session": value})
        add("dash", "POST", "/api/reset", {"session": "t1", "seed": value})
        add("dash", "POST", "/api/reset", {"session": "t1", "consumers": value})
        add("dash", "POST", "/api/reset", {"session": "t1", "scenario_text": value})
        add("dash", "POST", "/api/play/start", {**start, "seat": value})
        add("dash", "POST", "/api/play/start", {**start, "steps": value})
        add("dash", "POST", "/api/play/start", {**start, "decisions": value})
        add("dash", "POST", "/api/play/state", {"session": value})
        add("dash", "GET", f"/api/play/figure?session={value}")
        add("class", "POST", "/api/join", {"code": value, "name": "x"}, (400, 403))
        add("class", "POST", "/api/join", {"code": CODES[0], "name": {"path": value}})
        add("class", "POST", "/api/submit", {"code": CODES[1], "decision": {"price": value}})
        add("class", "POST", "/api/instructor", {"key": value}, (403,))
    for route in (
        "/../../../../etc/passwd",
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/static/dashboard.js/../../../etc/shadow",
        "/" + str(folder / "secret.yaml").lstrip("/"),
        "/api/../../../etc/passwd",
    ):
        add("dash", "GET", route, statuses=(404,))
        add("class", "GET", route, statuses=(404,))
        add("dash", "POST", route.replace("/static", "/api/play"), {}, (404,))
        add("class", "POST", route, {}, (404,))
    bad_bodies = [
        b"{not json",
        b"[1, 2, 3]",
        b'"a string"',
        b"123",
        b"null",
        b"\xff\xfe\x00",
        b'{"session": "t1", "seed": NaN}',
        b'{"session": "t1", "seed": Infinity}',
        b'{"session": "t1", "seed": -Infinity}',
        b'{"session": "t1", "consumers": 1e400}',
        b'{"session": "t1", "consumers": ' + b"9" * 5000 + b"}",
        b"[" * 50_000 + b"]" * 50_000,
    ]
    for body in bad_bodies:
        add("dash", "POST", "/api/reset", body)
        add("dash", "POST", "/api/play/start", body)
        add("class", "POST", "/api/join", body)
    numbers = [1e308, -1e308, 1e400, "1e400", "inf", "nan", 10**40, -(10**40), 2.5, True, []]
    for value in numbers:
        raw = f'{{"session": "t1", "weeks": {json.dumps(value) if value != 1e400 else "1e400"}}}'
        add("dash", "POST", "/api/step", raw.encode())
        add("dash", "POST", "/api/step", {"session": "t1", "after": value})
        add("dash", "POST", "/api/reset", {"session": "t1", "consumers": value})
        timer = {"key": key, "action": "timer", "seconds": value}
        if value != 2.5:  # 2.5 s is a fine timer
            add("class", "POST", "/api/instructor", timer)
    shapes = [
        ("class", "/api/join", [1, 2, 3]),
        ("class", "/api/join", {"code": ["AAAAAA"], "name": "x"}),
        ("class", "/api/join", {"code": CODES[0], "name": ["x"]}),
        ("class", "/api/submit", {"code": CODES[1], "decision": [1, 2, 3]}),
        ("class", "/api/submit", {"code": CODES[1], "decision": "price=3"}),
        ("class", "/api/submit", {"code": CODES[1], "decision": {"price": 30, "experience": 100}}),
        ("class", "/api/submit", {"code": CODES[1], "decision": {"price": {"a": 1}}}),
        ("class", "/api/instructor", {"key": key, "action": ["advance"]}),
        ("class", "/api/instructor", {"key": key, "action": "shutdown"}),
        ("class", "/api/seat", {"code": CODES[1], "extra": 1}),
        ("dash", "/api/reset", {"session": "t1", "scenario": ["baseline"]}),
        ("dash", "/api/reset", {"session": "t1", "scenario": {"name": "baseline"}}),
        ("dash", "/api/reset", {"session": "t1", "progress_ratio": [0.9]}),
        ("dash", "/api/reset", {"session": "t1", "path": "/etc/passwd"}),
        ("dash", "/api/step", {"session": ["t1"]}),
        ("dash", "/api/play/options", {"scenario": "baseline", "file": "/etc/passwd"}),
        ("dash", "/api/play/start", {**start, "decisions": ["price: 3"]}),
        ("dash", "/api/play/start", {**start, "seed": {"a": 1}}),
        ("dash", "/api/play/check", {"session": SESSION, "decision": [1, 2]}),
        ("dash", "/api/play/decide", {"session": SESSION, "decision": {}, "rest": "yes"}),
    ]
    for target, path, body in shapes:
        add(target, "POST", path, body)
    for target, path in (("dash", "/api/reset"), ("class", "/api/join")):
        add(target, "POST", path, b"{}", (411,), {"omit-length": "1"})
        add(target, "POST", path, b"{}", (400,), {"Content-Length": "-1"}, fast=True)
        add(target, "POST", path, b"{}", (400,), {"Content-Length": "abc"}, fast=True)
        add(target, "POST", path, b"{}", (400,), {"Content-Length": "1e3"}, fast=True)
        add(target, "POST", path, b"", (413,), {"Content-Length": "50000000"}, fast=True)
        add(target, "POST", path, b"", (413,), {"Content-Length": "9" * 40}, fast=True)
        add(target, "POST", path, b"{}", (411,), {"Transfer-Encoding": "chunked"}, fast=True)
        big = b'{"session": "' + b"a" * 2_000_000 + b'"}'
        add(target, "POST", path, big, (413,), pause_after=600, fast=True)
        add(target, "POST", path, b'{"session": "t1"}', (408,), {"Content-Length": "100"})
        add(target, "POST", path, b'{"session": "t1", "padding": "xxxx"}', (408,), drip=0.1)
        add(target, "PUT", path, b"{}", (501,))
        add(target, "DELETE", path, None, (501,))
    return cases


def test_the_corpus_is_large_and_covers_both_servers(secrets_dir):
    cases = corpus(secrets_dir, "instructor-key")
    assert len(cases) >= 100
    assert sum(target == "dash" for target, *_ in cases) >= 50
    assert sum(target == "class" for target, *_ in cases) >= 50


def test_hostile_requests_are_refused_without_leaking(servers, secrets_dir, capfd):
    key = servers["class"].key
    failures = []
    for target, name, request, statuses, options in corpus(secrets_dir, key):
        server = servers[target]
        if target == "class":
            server.failures = FailureLimit()  # each guess judged alone; the limit has its test
        status, head, body, seconds = exchange(
            server,
            request,
            pause_after=options.get("pause_after"),
            drip=options.get("drip", 0.0),
        )
        if status not in statuses:
            failures.append(f"{target} {name} {request[-120:]!r}: {status} {body[:200]!r}")
            continue
        if options.get("fast"):
            assert seconds < SLOW_SECONDS, f"{name}: {seconds:.2f} s"
        is_json = "application/json" in head
        assert is_json or status < 400, f"{name}: an error that is not JSON"
        assert_no_leak(body, is_json, secrets_dir)
    assert not failures, "\n".join(failures[:20]) + f"\n({len(failures)} in all)"
    console = capfd.readouterr().err
    assert "Traceback" not in console, console[-2000:]
    # both servers still answer
    assert exchange(servers["dash"], http_request("GET", "/api/scenarios"))[0] == 200
    assert exchange(servers["class"], http_request("GET", "/api/public"))[0] == 200


# ---------------------------------------------------------------------- item 1: no path opened


def test_scenario_paths_are_refused_alike_whether_the_file_exists_or_not(servers, secrets_dir):
    dash = servers["dash"]
    answers = {}
    for value in ("/etc/passwd", "/etc/no-such-file-here", str(secrets_dir / "secret.yaml")):
        for route, body in (
            ("/api/reset", {"session": "t1", "scenario": value}),
            ("/api/play/options", {"scenario": value}),
            ("/api/play/start", {"session": SESSION + "x", "scenario": value}),
        ):
            status, answer = post(dash, route, body)
            assert status == 400 and "not a path" in answer["error"]
            answers.setdefault(route, set()).add(answer["error"])
    # a file that exists (even a valid scenario) gets the very answer a missing one gets
    assert all(len(errors) == 1 for errors in answers.values()), answers
    status, options = post(dash, "/api/play/options", {"scenario": "validation/logit_nash"})
    assert status == 200 and options["scenario"] == "validation/logit_nash"
    status, answer = post(dash, "/api/play/options", {"scenario": "baselin"})
    assert status == 400 and "did you mean 'baseline'" in answer["error"]


def test_uploaded_scenario_text_is_validated_never_imports_code(servers):
    dash = servers["dash"]
    text = Path(dict(list_scenarios())["baseline"]).read_text(encoding="utf-8")
    body = {"session": "up1", "scenario_text": text, "consumers": 500}
    status, answer = post(dash, "/api/reset", body)
    assert status == 200 and answer["meta"]["scenario"] == "uploaded scenario"
    status, options = post(dash, "/api/play/options", {"scenario_text": text})
    assert status == 200 and options["seats"][0] == "Obsessed 1"
    dotted = text.replace("strategy: customer_obsessed", "strategy: os:system", 1)
    assert dotted != text
    status, answer = post(dash, "/api/reset", {"session": "up1", "scenario_text": dotted})
    assert (
        status == 400
        and "dotted path" in answer["error"]
        and "uploaded scenario" in answer["error"]
    )
    for bad, words in (
        (text.replace("count: 20000", "count: 50000000", 1), "consumers.count"),
        ("- just a list\n", "mapping"),
        ("a: !!python/object/apply:os.system ['true']\n", "uploaded scenario"),
        ("name: [unclosed\n", "YAML"),
    ):
        status, answer = post(dash, "/api/reset", {"session": "up1", "scenario_text": bad})
        assert status == 400 and words in answer["error"], answer


# ---------------------------------------------------------------------- item 2: no server path


@pytest.mark.slow
def test_save_and_finish_name_files_relative_to_the_play_folder(servers):
    dash = servers["dash"]
    session = "tab-relative"
    start = {"session": session, "scenario": "baseline", "steps": 13, "consumers": 100}
    assert post(dash, "/api/play/start", start)[0] == 200
    status, saved = post(dash, "/api/play/save", {"session": session})
    assert status == 200 and set(saved) == {"filename", "text"}
    assert "/" not in saved["filename"] and saved["filename"].endswith("-saved.yaml")
    assert post(dash, "/api/play/decide", {"session": session, "decision": {}})[0] == 200
    status, finished = post(dash, "/api/play/finish", {"session": session})
    assert status == 200
    folder = finished["scorecard"]["folder"]
    assert folder == "play-baseline-Obsessed_1-seed42-tab-rela" and "/" not in folder
    assert (dash.play.out_root / folder / "summary.md").is_file()
    whole = json.dumps(finished) + json.dumps(saved)
    assert str(dash.play.out_root) not in whole and not ABSOLUTE_PATH.search(whole)


# ---------------------------------------------------------------------- item 3: numbers, 500s


def test_infinite_numbers_get_400_and_the_server_stays_up(servers, capfd):
    dash = servers["dash"]
    assert post(dash, "/api/reset", {"session": "num1", "consumers": 500})[0] == 200
    for raw in (
        b'{"session": "num1", "weeks": 1e400}',
        b'{"session": "num1", "after": 1e400}',
        b'{"session": "num1", "consumers": 1e400}',
        b'{"session": "num1", "weeks": 1e300}',
        b'{"session": "num1", "weeks": 100000000000000000000000000000000000}',
    ):
        route = "/api/reset" if b"consumers" in raw else "/api/step"
        status, answer = post(dash, route, raw)
        assert status == 400 and answer["error"], raw
    status, stepped = post(dash, "/api/step", {"session": "num1", "weeks": 1, "after": 0})
    assert status == 200 and [row["week"] for row in stepped["rows"]] == [1]
    assert "Traceback" not in capfd.readouterr().err


def test_an_unexpected_failure_is_a_generic_500_with_the_traceback_on_the_console(
    servers, monkeypatch, capfd
):
    from sim.dashboard.session import DashboardSession

    def broken(self, week):
        raise RuntimeError(f"boom in {REPO}/sim/secret_place.py")

    monkeypatch.setattr(DashboardSession, "since", broken)
    status, answer = post(servers["dash"], "/api/reset", {"session": "err1", "consumers": 500})
    assert status == 500
    assert "internal error" in answer["error"] and "boom" not in answer["error"]
    console = capfd.readouterr().err
    assert "Traceback" in console and "boom in" in console


# ---------------------------------------------------------------------- item 4: shapes, sizes


def test_class_server_refuses_wrong_shapes_with_400(servers):
    classroom = servers["class"]
    classroom.failures = FailureLimit()
    for route, body, words in (
        ("/api/join", [1, 2, 3], "JSON object"),
        ("/api/join", {"code": CODES[0], "name": {"first": "Ann"}}, "name must be text"),
        ("/api/submit", {"code": CODES[0], "decision": [30, 0]}, "mapping"),
        ("/api/join", {"code": CODES[0], "nickname": "Ann"}, "did you mean 'name'"),
    ):
        status, answer = post(classroom, route, body)
        assert status == 400 and words in answer["error"], answer


@pytest.mark.parametrize("target", ["dash", "class"])
def test_bodies_over_the_cap_are_refused_before_they_are_read(servers, target):
    path = "/api/reset" if target == "dash" else "/api/join"
    request = http_request("POST", path, b"", {"Content-Length": str(50 * 1024 * 1024)})
    status, _, body, seconds = exchange(servers[target], request)
    assert status == 413 and b"too large" in body and seconds < SLOW_SECONDS


@pytest.mark.parametrize("target", ["dash", "class"])
def test_negative_or_missing_length_never_holds_a_thread(servers, target):
    path = "/api/reset" if target == "dash" else "/api/join"
    for headers, expected in (({"Content-Length": "-1"}, 400), ({"omit-length": "1"}, 411)):
        request = http_request("POST", path, b"", headers)
        status, _, _, seconds = exchange(servers[target], request)
        assert status == expected and seconds < SLOW_SECONDS
    request = http_request("POST", path, b"{}", {"Content-Length": "1000"})
    status, _, _, seconds = exchange(servers[target], request)
    assert status == 408 and seconds < 4 * SLOW_SECONDS


def test_join_code_guesses_are_limited_per_address(servers):
    classroom = servers["class"]
    classroom.failures = FailureLimit(max_failures=5, window_seconds=1.5)
    for guess in ("QQQQQ1", "QQQQQ2", "QQQQQ3", "QQQQQ4", "QQQQQ5"):
        assert post(classroom, "/api/join", {"code": guess})[0] == 403
    status, head, body, _ = exchange(
        classroom, http_request("POST", "/api/join", json.dumps({"code": CODES[0]}).encode())
    )
    assert status == 429 and "Retry-After:" in head and b"too many" in body
    time.sleep(1.6)
    assert post(classroom, "/api/join", {"code": CODES[0], "name": "Ann"})[0] == 200
    classroom.failures = FailureLimit()


def test_failure_limit_counts_each_address_in_its_window():
    limit = FailureLimit(max_failures=2, window_seconds=10)
    limit.fail("10.0.0.1", now=0.0)
    limit.fail("10.0.0.1", now=1.0)
    with pytest.raises(Exception) as refused:
        limit.check("10.0.0.1", now=2.0)
    assert refused.value.status == 429 and refused.value.extra["retry_after"] == 8
    limit.check("10.0.0.2", now=2.0)  # another address is not affected
    limit.check("10.0.0.1", now=10.5)  # the first failure has left the window


# ---------------------------------------------------------------- item 5: timer, fields, public


def test_timer_must_be_finite_and_bounded_and_public_stays_up(servers):
    classroom = servers["class"]
    key = classroom.key
    for raw in (b"1e400", b"-5", b"86401", b'"abc"', b"[1]", b"true"):
        body = b'{"key": "' + key.encode() + b'", "action": "timer", "seconds": ' + raw + b"}"
        status, answer = post(classroom, "/api/instructor", body)
        assert status == 400 and "seconds" in answer["error"], raw
    status, public = post(classroom, "/api/instructor", {"key": key, "action": "state"})
    assert status == 200 and public["status"]["seconds_left"] is None
    status, _, body, _ = exchange(classroom, http_request("GET", "/api/public"))
    assert status == 200 and json.loads(body)["status"]["seconds_left"] is None
    with pytest.raises(ValueError, match="seconds"):
        classroom.game.start_timer(float("inf"))


def test_unknown_decision_fields_are_refused_not_ignored():
    with pytest.raises(ValueError) as refused:
        parse_decision({"price": 30, "experience": 100}, cash=1000.0)
    assert "'experience': not a decision; did you mean 'spend_experience'?" in str(refused.value)
    with pytest.raises(ValueError, match="from 0 to 1,000,000"):
        parse_decision({"price": 1e300}, cash=1000.0)
    with pytest.raises(ValueError, match="not a number"):
        parse_decision({"price": True}, cash=1000.0)


def test_public_views_hold_no_firm_revenue_and_the_instructor_sees_it(servers):
    classroom = servers["class"]
    classroom.failures = FailureLimit()
    _, _, body, _ = exchange(classroom, http_request("GET", "/api/public"))
    public = json.loads(body)
    assert public["leaderboard"] and all("revenue" not in row for row in public["leaderboard"])
    assert set(public["leaderboard"][0]) == {"firm", "player", "alive", "price", "share"}
    status, seat = post(classroom, "/api/join", {"code": CODES[1], "name": "Bob"})
    assert status == 200 and all("revenue" not in row for row in seat["leaderboard"])
    assert "revenue" in seat["private"]["last_quarter"]  # the student's own books
    status, board = post(classroom, "/api/instructor", {"key": classroom.key, "action": "state"})
    assert status == 200 and all("revenue" in row for row in board["leaderboard"])


# ---------------------------------------------------------------------- item 6: resume


def table_bytes(game: ClassGame) -> bytes:
    buffer = io.BytesIO()
    game.model.datacollector.get_table_dataframe("firms").to_parquet(buffer, index=False)
    return buffer.getvalue()


def play_two_quarters(game: ClassGame) -> None:
    game.join(CODES[0], "Ann")
    game.submit(CODES[0], {"price": 31, "spend_selection": 50})
    game.join(CODES[1], "Bob")
    game.submit(CODES[0], {"price": 29})
    game.submit(CODES[1], {"price": 45, "payout": 100})


def test_a_game_resumes_from_its_log_with_the_same_codes_and_goes_on_alike(tmp_path):
    path = tmp_path / "game.json"
    first = ClassGame("baseline", 2, consumers=300, codes=CODES, log_path=path)
    play_two_quarters(first)
    logged = json.loads(path.read_text(encoding="utf-8"))
    assert logged["codes"] == CODES and logged["students"] == ["Ann", "Bob"]
    again = resume(path)
    assert [seat.code for seat in again.table] == CODES
    assert [seat.student for seat in again.table] == ["Ann", "Bob"]
    assert again.model.week == first.model.week == 26
    assert table_bytes(again) == table_bytes(first)
    for game in (first, again):
        game.submit(CODES[0], {"price": 33})
        game.submit(CODES[1], {"price": 40})
    assert table_bytes(again) == table_bytes(first)
    quarters = json.loads(path.read_text(encoding="utf-8"))["quarters"]
    assert len(quarters) == 3 and quarters[:2] == logged["quarters"]
    assert replay(path.read_text(encoding="utf-8")).model.week == 39


def test_a_log_is_never_overwritten_and_a_bad_log_is_named(tmp_path, capsys):
    from sim.cli.main import main

    path = tmp_path / "game.json"
    path.write_text('{"kept": true}', encoding="utf-8")
    args = ["dashboard", "--class", "--consumers", "200", "--port", "0", "--log", str(path)]
    assert main(args) == 2
    assert "--resume" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == '{"kept": true}'
    assert main(["dashboard", "--class", "--resume", str(path), "--seats", "3"]) == 2
    assert "from its log" in capsys.readouterr().err
    assert main(["dashboard", "--class", "--resume", str(path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "kept: not a game log entry" in err
    assert main(["dashboard", "--class", "--resume", str(tmp_path / "none.json")]) == 2
    assert "no such game log" in capsys.readouterr().err
    for timer in ("-5", "inf", "1e400"):
        args = ["dashboard", "--class", "--consumers", "200", "--port", "0", "--timer", timer]
        with pytest.raises(SystemExit) as stopped:  # refused by the option's type
            main(args)
        assert stopped.value.code == 2
        assert "argument --timer: expected a number of seconds >= 0" in capsys.readouterr().err


@pytest.mark.slow
def test_a_restarted_server_resumes_the_game_and_appends_to_its_log(tmp_path):
    import subprocess

    path = tmp_path / "game.json"
    first = ClassGame("baseline", 2, consumers=300, codes=CODES, log_path=path)
    play_two_quarters(first)
    command = [sys.executable, "-m", "sim", "dashboard", "--class", "--resume", str(path)]
    process = subprocess.Popen(
        [*command, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        lines = []
        while not any(line.startswith("Projector") for line in lines):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line)
        text = "".join(lines)
        assert "Resumed from" in text and "quarter 2" in text
        assert f"seat 1: {CODES[0]}" in text and f"seat 2: {CODES[1]}" in text
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", text)
        port = int(url.group(1))

        class Address:
            server_address = ("127.0.0.1", port)

        status, seat = post(Address, "/api/join", {"code": CODES[0]})
        assert status == 200 and seat["student"] == "Ann" and seat["status"]["week"] == 26
        key = re.search(r"key=([\w-]+)", text).group(1)
        status, _ = post(Address, "/api/instructor", {"key": key, "action": "advance"})
        assert status == 200
        quarters = json.loads(path.read_text(encoding="utf-8"))["quarters"]
        assert len(quarters) == 3 and quarters[:2] == first.log
    finally:
        process.terminate()
        process.wait(timeout=30)
