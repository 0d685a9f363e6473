"""Benchmark of a played quarter through the Play page's HTTP API (what a browser waits for).

For each scenario (at its default size), a game is started on a local dashboard server and
every quarter is answered with a typed price (1% up, then down) through
``POST /api/play/decide``; the
time from sending the request to having the decoded JSON answer (13 weeks of simulation,
the next briefing, the form and the history as JSON) is measured. Also timed: the start
(first briefing), one undo late in the game, and the end (ghost replay of every built-in
strategy plus writing the run folder). "answered" counts the quarters the seat was asked
(a firm that leaves the market is asked no more, and the answer that ends its last
quarter runs the rest of the game). Target: a played quarter answers in under 1 s.

Usage::

    .venv/bin/python benchmarks/bench_play_web.py                    # baseline, all quarters
    .venv/bin/python benchmarks/bench_play_web.py --scenarios baseline amazon_flywheel
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import urllib.request

from sim.dashboard.server import start_in_thread


def post(url: str, path: str, body: dict) -> tuple[dict, float]:
    """The decoded answer of one POST and the seconds it took."""
    data = json.dumps(body).encode()
    tick = time.perf_counter()
    request = urllib.request.Request(url.rstrip("/") + path, data=data)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=600) as response:
        answer = json.loads(response.read())
    return answer, time.perf_counter() - tick


def bench(url: str, scenario: str) -> dict:
    """Time the start, each played quarter, an undo late in the game, and the end."""
    session = f"bench-{scenario}"[:40].replace("_", "-")
    state, first = post(url, "/api/play/start", {"session": session, "scenario": scenario})
    answers = []
    undo = None
    while state["briefing"] is not None:
        step = 0.99 if state["played"] % 2 else 1.01  # a price typed each quarter, +-1%
        price = round(state["briefing"]["price"] * step, 2)
        state, seconds = post(
            url, "/api/play/decide", {"session": session, "decision": {"price": str(price)}}
        )
        answers.append(seconds)
        if undo is None and state["briefing"] is not None:
            left = state["game"]["quarters"] - state["played"]
            if left == 2:
                state, undo = post(url, "/api/play/undo", {"session": session})
    _, finish = post(url, "/api/play/finish", {"session": session})
    ordered = sorted(answers)
    return {
        "scenario": scenario,
        "consumers": state["game"]["consumers"],
        "weeks": state["game"]["steps"],
        "first_s": first,
        "answered": len(answers),
        "median_s": statistics.median(answers),
        "p95_s": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max_s": ordered[-1],
        "undo_late_s": undo if undo is not None else float("nan"),
        "finish_s": finish,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=["baseline"])
    args = parser.parse_args()
    server = start_in_thread(play_out=tempfile.mkdtemp(prefix="bench-play-web-"))
    try:
        print(
            f"load average {os.getloadavg()[0]:.1f}; seconds per played quarter over HTTP "
            "(target < 1 s)"
        )
        print(
            f"{'scenario':<28}{'consumers':>10}{'weeks':>7}{'answered':>9}{'start':>8}{'median':>8}"
            f"{'p95':>8}{'max':>8}{'undo':>8}{'finish':>8}"
        )
        for scenario in args.scenarios:
            r = bench(server.url, scenario)
            print(
                f"{r['scenario']:<28}{r['consumers']:>10,}{r['weeks']:>7}{r['answered']:>9}"
                f"{r['first_s']:>8.3f}"
                f"{r['median_s']:>8.3f}{r['p95_s']:>8.3f}{r['max_s']:>8.3f}"
                f"{r['undo_late_s']:>8.3f}{r['finish_s']:>8.2f}"
            )
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
