"""Drive the dashboard in a headless Chromium and save screenshots (not a pytest test).

Start the server first, then run this script::

    solara run sim/dashboard.py --port 8765 --host 127.0.0.1 --no-open --production &
    python tests/browser_check_dashboard.py --url http://127.0.0.1:8765 --out /tmp

It needs ``pip install playwright`` and a system Chromium (``/usr/bin/chromium``); it
does not use ``playwright install``. Screenshots: ``dashboard_1_initial.png`` (week 0),
``dashboard_2_steps.png`` (after a few Step clicks), ``dashboard_3_play.png`` (after
playing for a few seconds), ``dashboard_4_quarters.png`` (Render Interval set to 13,
then eight quarter-long steps), ``dashboard_5_amazon.png`` (amazon_flywheel after Reset
and three quarter-long steps). The script exits non-zero if a step does not advance
the week or the page shows a Python error.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def week_shown(page: Page) -> int:
    """The week number in the status panel."""
    text = page.get_by_text(re.compile(r"Week\s*\d+ of")).first.inner_text()
    return int(re.search(r"Week\s*(\d+)", text).group(1))


def wait_for_week(page: Page, at_least: int, timeout: float = 30.0, exact: bool = False) -> int:
    """Wait until the status panel shows at least (or exactly) this week; return it."""
    deadline = time.time() + timeout
    week = -1
    while time.time() < deadline:
        try:
            week = week_shown(page)
        except Exception:  # panel re-rendering
            week = -1
        if week == at_least or (week > at_least and not exact):
            return week
        time.sleep(0.3)
    raise AssertionError(f"status panel stuck at week {week}, expected >= {at_least}")


def check_no_error(page: Page) -> None:
    """Fail if Solara shows a traceback or Mesa shows an error banner."""
    body = page.inner_text("body")
    for marker in ("Traceback", "error in step", "Error:"):
        if marker in body:
            raise AssertionError(f"page shows {marker!r}:\n{body[:2000]}")


def click_button(page: Page, label: str) -> None:
    """Click the (first) button with this exact label."""
    page.get_by_role("button", name=label, exact=True).first.click()


def main() -> int:
    """Open the dashboard, step, play, switch scenario, and screenshot each stage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--out", default="/tmp", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1300})
        page.goto(args.url, wait_until="networkidle", timeout=60_000)
        page.get_by_text("Firms alive", exact=False).first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        wait_for_week(page, 0)
        page.screenshot(path=str(out / "dashboard_1_initial.png"), full_page=True)
        check_no_error(page)

        for clicks in range(1, 6):
            click_button(page, "Step")
            wait_for_week(page, clicks, exact=True)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(out / "dashboard_2_steps.png"), full_page=True)
        check_no_error(page)
        print("after 5 steps: week", week_shown(page))

        click_button(page, "▶")
        page.wait_for_timeout(6000)
        click_button(page, "❚❚")
        page.wait_for_timeout(1500)
        played_to = wait_for_week(page, 6)
        page.screenshot(path=str(out / "dashboard_3_play.png"), full_page=True)
        check_no_error(page)
        print("after playing: week", played_to)

        # Render Interval slider (the second slider) to 13: Step then advances a quarter.
        thumb = page.locator(".v-slider-thumb").nth(1)
        thumb.focus()
        for _ in range(6):  # 1 + 6 * 2
            thumb.press("ArrowRight")
        page.wait_for_timeout(500)
        for _ in range(8):
            before = week_shown(page)
            click_button(page, "Step")
            wait_for_week(page, before + 13, exact=True)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(out / "dashboard_4_quarters.png"), full_page=True)
        check_no_error(page)
        print("after 8 quarter steps: week", week_shown(page))

        # Choose another scenario and rebuild the model.
        page.locator(".v-select").first.click()
        page.get_by_role("option", name="amazon_flywheel", exact=True).click()
        page.wait_for_timeout(500)
        click_button(page, "Reset")
        page.get_by_text("A customer-obsessed marketplace", exact=False).first.wait_for(
            timeout=30_000
        )
        wait_for_week(page, 0, exact=True)
        for clicks in range(1, 4):
            click_button(page, "Step")
            wait_for_week(page, clicks * 13, exact=True)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(out / "dashboard_5_amazon.png"), full_page=True)
        check_no_error(page)
        browser.close()
    print("screenshots in", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
