"""A class period in headless Chromium: set up, three students in two markets, End.

The instructor sets 6 quarters and a scoring rule; three students in two markets play 3
quarters; a second browser cannot take a seat; an error stays on the page; the
instructor ends the game and the projector shows the final standings by the rule.
Skipped only where ``/usr/bin/chromium`` is absent (``.ci/run`` installs it).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from sim.classroom.game import ClassGame
from tests.test_classroom_browser import watch

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")
CODES = ["ANNANN", "BOBBOB", "CYCYCY"]


def status_has(text: str) -> str:
    return f"document.getElementById('status').textContent.includes({text!r})"


def test_a_class_period_from_set_up_to_final_standings():
    from playwright.sync_api import sync_playwright

    from sim.classroom.server import start_in_thread

    game = ClassGame("baseline", 3, consumers=300, codes=CODES, markets=2)
    server = start_in_thread(game)
    host = urlparse(server.url).netloc
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            console = browser.new_page()
            watch(console, host, problems)
            console.on("dialog", lambda dialog: dialog.accept())
            console.goto(f"{server.url}instructor?key={server.key}")
            console.wait_for_selector("#seats tr:nth-child(4)")
            console.fill("#quarters", "6")
            console.select_option("#rule", "cumulative_profit")
            console.click("#apply")
            console.wait_for_function(status_has("Quarter 1 of 6"))
            assert game.total_quarters == 6 and game.rule == "cumulative_profit"

            students = {}
            for code, name in zip(CODES, ("Ann", "Bob", "Cy"), strict=True):
                page = browser.new_context().new_page()
                watch(page, host, problems)
                page.goto(server.url)
                page.fill("#code", code)
                page.fill("#name", name)
                page.click("#join")
                page.wait_for_selector("#seatbox:not([hidden])")
                students[name] = page
            # The rule is on every student's page before the first quarter.
            assert "cumulative profit" in students["Bob"].inner_text("#rule")
            assert "market 2" in students["Bob"].inner_text("#firm")

            # A second browser with Ann's code is told to ask the instructor.
            intruder = browser.new_context().new_page()
            watch(intruder, host, problems)
            intruder.goto(server.url)
            intruder.fill("#code", CODES[0])
            intruder.fill("#name", "Eve")
            intruder.click("#join")
            intruder.wait_for_selector("#errors .error")
            assert "ask the instructor" in intruder.inner_text("#errors")
            assert intruder.is_hidden("#seatbox")
            assert "Eve" not in game.table[0].student

            # An error stays until dismissed, through polls.
            ann = students["Ann"]
            ann.fill("#price", "34,5")
            ann.click("#submit")
            ann.wait_for_selector("#errors .error")
            ann.wait_for_timeout(5000)
            assert "price: '34,5' has a comma" in ann.inner_text("#errors")
            ann.click("#errors .error button")
            assert ann.locator("#errors .error").count() == 0

            for quarter, price in ((2, "31"), (3, "32.5"), (4, "30")):
                for page in students.values():
                    page.fill("#price", price)
                    page.click("#submit")
                for page in (*students.values(), console):
                    page.wait_for_function(status_has(f"Quarter {quarter} of 6"))
            assert game.quarter == 3
            assert game.firm_of(game.table[1]).price == 30.0

            projector = browser.new_page()
            watch(projector, host, problems)
            projector.goto(server.url + "projector")
            projector.wait_for_selector("#markets h2:nth-of-type(2)")
            console.click("#end")
            projector.wait_for_function(
                "document.getElementById('title').textContent.includes('final standings')",
                timeout=60_000,
            )
            assert game.finished and game.model.week == 6 * 13
            assert "Ranked by cumulative profit" in projector.inner_text("#rule")
            header = projector.inner_text("#overall tr:first-child")
            for label in ("shareholder value", "cumulative profit", "consumer surplus"):
                assert label in header
            # The seats across markets, in the order of the rule.
            best_first = [row["player"] for row in game.standings()["overall"]]
            shown = [
                projector.inner_text(f"#overall tr:nth-child({n + 2}) td:nth-child(4)")
                for n in range(3)
            ]
            assert shown == best_first and sorted(shown) == ["Ann", "Bob", "Cy"]
            assert projector.locator("#markets table").count() == 2
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    refused = "Failed to load resource: the server responded with a status of 4"
    assert [p for p in problems if refused not in p] == []  # the 409 and 400 shown above
