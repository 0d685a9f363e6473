"""Weeks per second of the dashboard while playing, measured in headless Chromium.

Starts the dashboard server, opens the page at 1280x720 in the system Chromium
(``/usr/bin/chromium``, through Playwright), sets the market size, chooses "as fast as
possible" (one week per request, every panel redrawn after every week) and plays for a
fixed time. Prints simulated weeks per second, redraws per second, and the model's own
time per week for comparison.

    .venv/bin/python benchmarks/bench_dashboard.py [--scenario baseline] [--consumers 5000]
        [--seconds 10]
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import sync_playwright

from sim.dashboard.server import start_in_thread
from sim.dashboard.session import DashboardSession, Settings


def model_ms_per_week(scenario: str, consumers: int, weeks: int) -> float:
    """Milliseconds per week of the session alone (model plus the page's rows)."""
    run = DashboardSession(Settings(scenario=scenario, consumers=consumers))
    start = time.perf_counter()
    run.step(weeks)
    return (time.perf_counter() - start) / max(1, run.model.week) * 1000


def main() -> None:
    """Play in the browser and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--consumers", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--screenshot", help="save a screenshot of the page after playing")
    args = parser.parse_args()

    server = start_in_thread(scenario=args.scenario)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(server.url)
            page.wait_for_selector("#panels .panel canvas")
            page.wait_for_function("window.flywheelStats.resets >= 1")
            page.select_option("#consumers", str(args.consumers))
            page.click("#reset")
            page.wait_for_function("window.flywheelStats.resets >= 2")
            panels = page.eval_on_selector_all(".panel", "nodes => nodes.length")
            page.select_option("#speed", "max")
            before = page.evaluate("({...window.flywheelStats})")
            page.click("#play")
            page.wait_for_function("window.flywheelStats.playing")
            deadline = time.perf_counter() + args.seconds
            while time.perf_counter() < deadline and page.evaluate("window.flywheelStats.playing"):
                page.wait_for_timeout(200)
            if page.evaluate("window.flywheelStats.playing"):
                page.click("#play")  # pause
            after = page.evaluate("({...window.flywheelStats})")
            status = page.inner_text("#statusline").split(" · ")[0]
            if args.screenshot:
                page.screenshot(path=args.screenshot)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    weeks = after["weeks"] - before["weeks"]
    frames = after["frames"] - before["frames"]
    draws = after["draws"] - before["draws"]
    print(f"scenario {args.scenario}, {args.consumers:,} consumers, {panels} panels, 1280x720")
    elapsed = (after["last"] - after["playStart"]) / 1000
    print(f"stopped at: {status}")
    print(f"played {elapsed:.1f} s: {weeks} weeks, {frames} redraws, {draws} panel drawings")
    print(f"weeks per second while playing: {weeks / elapsed:.1f}")
    print(f"every panel redrawn after every week: {draws >= frames * panels}")
    print(f"errors on the page: {after['errors'] or 'none'}")
    ms = model_ms_per_week(args.scenario, args.consumers, max(1, weeks))
    print(f"model and rows alone: {ms:.1f} ms per week ({1000 / ms:.0f} weeks per second)")


if __name__ == "__main__":
    main()
