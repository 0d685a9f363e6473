"""Load test of a class period: 60 students on one server, in 6 markets.

A class game server is started in its own process (``flywheel class``, baseline at its
default size unless ``--consumers`` says otherwise), and each student is an HTTP client
on 127.0.0.1 in a thread of this process: it joins its seat, then polls ``/api/seat``
every 2 s as the student page does, and submits a decision at a random moment within
``--spread`` seconds of the quarter's start. The quarter resolves in the request of the
last submission (every market runs its 13 weeks there). Measured per quarter: the time
from sending the last submission to its answer (which holds the new quarter), and the
poll answers' times while the game runs. The run is bounded: ``--quarters`` quarters,
and it stops itself after ``--limit`` seconds whatever happens.

Usage::

    .venv/bin/python benchmarks/bench_class_load.py                 # 60 students, 6 markets
    .venv/bin/python benchmarks/bench_class_load.py --students 12 --markets 2 --quarters 3
    .venv/bin/python benchmarks/bench_class_load.py --profile prof.out   # profile the server
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

POLL_SECONDS = 2.0


def post(url: str, path: str, body: dict) -> tuple[dict, float]:
    """The decoded answer of one POST and the seconds it took."""
    data = json.dumps(body).encode()
    tick = time.perf_counter()
    request = urllib.request.Request(url + path, data=data)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    return answer, time.perf_counter() - tick


def start_server(args) -> tuple[subprocess.Popen, str, list[str]]:
    """The game server in its own process: its address and the seats' join codes."""
    command = [
        sys.executable,
        *(["-m", "cProfile", "-o", args.profile] if args.profile else []),
        "-m",
        "sim",
        "class",
        "--seats",
        str(args.students),
        "--markets",
        str(args.markets),
        "--quarters",
        str(args.quarters),
        "--port",
        "0",
    ]
    if args.consumers:
        command += ["--consumers", str(args.consumers)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    while not any(line.startswith("Projector") for line in lines):
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(process.stderr.read())
        lines.append(line)
    text = "".join(lines)
    url = re.search(r"(http://127\.0\.0\.1:\d+/)", text).group(1)
    codes = re.findall(r"seat \d+: (\w+)", text)
    return process, url, codes


class Student(threading.Thread):
    """One simulated student: join, poll, submit once a quarter."""

    def __init__(self, url: str, code: str, number: int, run: Run):
        super().__init__(daemon=True)
        self.url, self.code, self.number, self.run_state = url, code, number, run
        self.rng = random.Random(number)
        self.token = ""

    def run(self) -> None:
        state = self.run_state
        try:
            answer, _ = post(self.url, "api/join", {"code": self.code, "name": f"S{self.number}"})
            self.token = answer["token"]
            state.joined.release()
            week = answer["status"]["week"]
            while not state.stop.is_set():
                state.go.wait()
                if answer["status"]["finished"]:
                    return
                submit_at = time.perf_counter() + self.rng.uniform(0.0, state.spread)
                next_poll = time.perf_counter() + self.rng.uniform(0.0, POLL_SECONDS)
                while time.perf_counter() < submit_at:
                    if time.perf_counter() >= next_poll:
                        answer, seconds = post(
                            self.url, "api/seat", {"code": self.code, "token": self.token}
                        )
                        state.polls.append(seconds)
                        next_poll += POLL_SECONDS
                    time.sleep(0.02)
                if not answer["private"]["alive"]:
                    state.left.add(self.number)  # its firm left the market: nothing to decide
                    time.sleep(POLL_SECONDS)
                    answer, _ = post(self.url, "api/seat", {"code": self.code, "token": self.token})
                    week = answer["status"]["week"]
                    continue
                price = round(30 + self.rng.uniform(-3, 3), 2)
                sent = time.perf_counter()
                body = {"code": self.code, "token": self.token, "decision": {"price": str(price)}}
                answer, _ = post(self.url, "api/submit", body)
                state.record(week, sent, time.perf_counter(), answer["status"]["week"])
                while answer["status"]["week"] == week and not state.stop.is_set():
                    time.sleep(POLL_SECONDS)
                    answer, seconds = post(
                        self.url, "api/seat", {"code": self.code, "token": self.token}
                    )
                    state.polls.append(seconds)
                week = answer["status"]["week"]
        except urllib.error.HTTPError as exc:
            if not state.stop.is_set():
                state.errors.append(f"student {self.number}: {exc}: {exc.read()[:200]!r}")
        except (urllib.error.URLError, http.client.HTTPException, OSError, KeyError) as exc:
            if not state.stop.is_set():  # not the server going away at the end
                state.errors.append(f"student {self.number}: {exc}")


class Run:
    """Shared state of the simulated class."""

    def __init__(self, students: int, spread: float):
        self.spread = spread
        self.joined = threading.Semaphore(0)
        self.go = threading.Event()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent: dict[int, list[float]] = {}
        self.resolved: dict[int, float] = {}
        self.polls: list[float] = []
        self.errors: list[str] = []
        self.left: set[int] = set()

    def record(self, week: int, sent: float, received: float, new_week: int) -> None:
        """A submission of quarter ``week``: when sent; when answered if it advanced."""
        with self.lock:
            self.sent.setdefault(week, []).append(sent)
            if new_week > week:
                self.resolved[week] = min(self.resolved.get(week, received), received)


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--markets", type=int, default=6)
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--consumers", type=int, default=None, help="default: the scenario's")
    parser.add_argument("--spread", type=float, default=3.0, help="seconds students take")
    parser.add_argument("--limit", type=float, default=600.0, help="stop after this many s")
    parser.add_argument("--profile", help="write the server's cProfile output here")
    args = parser.parse_args()

    started = time.perf_counter()
    process, url, codes = start_server(args)
    run = Run(args.students, args.spread)
    timer = threading.Timer(args.limit, run.stop.set)
    timer.daemon = True
    timer.start()
    try:
        students = [Student(url, code, n, run) for n, code in enumerate(codes)]
        for student in students:
            student.start()
        joined = 0
        while joined < len(students) and not run.errors and not run.stop.is_set():
            joined += run.joined.acquire(timeout=0.5)
        run.go.set()
        deadline = started + args.limit
        while time.perf_counter() < deadline and len(run.resolved) < args.quarters:
            if run.errors:
                break
            time.sleep(0.1)
        run.stop.set()
    finally:
        process.send_signal(2)  # Ctrl-C: the server stops and (if profiled) writes its profile
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    resolve = [run.resolved[w] - max(run.sent[w]) for w in sorted(run.resolved)]
    print(f"students {args.students}, markets {args.markets}, load avg {os.getloadavg()[0]:.1f}")
    if run.errors:
        print("errors:", *run.errors[:5], sep="\n  ")
    if not resolve:
        print("no quarter resolved")
        return 1
    print(f"quarters resolved: {len(resolve)} of {args.quarters}")
    if run.left:
        print(f"students whose firm left the market: {len(run.left)}")
    print("resolve after the last submission (s): " + ", ".join(f"{s:.2f}" for s in resolve))
    print(
        f"  median {statistics.median(resolve):.2f} s, p95 {percentile(resolve, 0.95):.2f} s, "
        f"max {max(resolve):.2f} s"
    )
    if run.polls:
        print(
            f"polls answered: {len(run.polls)}, median {statistics.median(run.polls) * 1000:.0f}"
            f" ms, p95 {percentile(run.polls, 0.95) * 1000:.0f} ms"
        )
    print(f"wall time {time.perf_counter() - started:.1f} s")
    return 0 if len(resolve) == args.quarters and not run.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
