"""Two students in two browsers and the instructor, in headless Chromium.

Skipped only where ``/usr/bin/chromium`` is absent (``.ci/run`` installs it).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from sim.classroom.game import ClassGame
from sim.scenario import WEEKS_PER_QUARTER

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")


def watch(page, host, problems, reloading=None):
    """Record page errors, failed and outside requests (not those a reload cancels)."""

    def only_local(route):
        if urlparse(route.request.url).netloc != host:
            problems.append(f"outside request: {route.request.url}")
            route.abort()
        else:
            route.continue_()

    page.route("**/*", only_local)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def failed(request):
        if reloading and reloading[0] and request.failure == "net::ERR_ABORTED":
            return
        problems.append(f"failed: {request.url} ({request.failure})")

    page.on("requestfailed", failed)
    page.on(
        "console",
        lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
    )


def test_two_students_submit_and_the_instructor_advances():
    from playwright.sync_api import sync_playwright

    from sim.classroom.server import start_in_thread

    game = ClassGame("baseline", 3, consumers=300, codes=["ANNANN", "BOBBOB", "CARCAR"])
    server = start_in_thread(game)
    host = urlparse(server.url).netloc
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            students = []
            reloading = [False]
            for code, name in (("annann", "Ann"), ("BOBBOB", "Bob <i>x</i>")):
                context = browser.new_context(viewport={"width": 1280, "height": 720})
                page = context.new_page()
                watch(page, host, problems, reloading)
                page.goto(server.url)
                page.fill("#code", code)
                page.fill("#name", name)
                page.click("#join")
                page.wait_for_selector("#seatbox:not([hidden])")
                students.append(page)
            ann, bob = students
            assert "Obsessed 1" in ann.inner_text("#firm")
            assert "Shareholder 1" in bob.inner_text("#firm")
            # Each sees only their own books: Ann's page never shows Bob's cash table.
            assert "Shareholder 1" not in ann.inner_text("#private")

            console = browser.new_page()
            watch(console, host, problems)
            console.goto(f"{server.url}instructor?key={server.key}")
            console.wait_for_selector("#seats tr:nth-child(3)")
            assert "waiting" in console.inner_text("#seats")
            # A name is shown as text, never as markup.
            assert "Bob <i>x</i>" in console.inner_text("#seats")
            assert console.locator("#seats i, #standings i").count() == 0

            ann.fill("#price", "31.5")
            ann.click("#submit")
            ann.wait_for_selector("#done:has-text('Submitted')")
            console.wait_for_function(
                "document.getElementById('seats').textContent.includes('submitted')"
            )
            assert game.model.week == 0  # Bob has not submitted yet

            # A dropped browser rejoins its seat: reload Bob's page.
            reloading[0] = True  # a poll in flight is cancelled by the reload
            bob.reload()
            bob.wait_for_selector("#seatbox:not([hidden])")
            reloading[0] = False
            assert "Bob" in bob.inner_text("#firm")

            console.click("#pause")
            console.wait_for_selector("#pause:has-text('Resume')")
            console.click("#pause")
            console.wait_for_selector("#pause:has-text('Pause')")
            console.click("#advance")
            advanced = "document.getElementById('status').textContent.includes('Quarter 2 of')"
            console.wait_for_function(advanced)
            assert game.model.week == WEEKS_PER_QUARTER
            ann.wait_for_function(advanced)
            assert game.model.firms[0].price == 31.5
            assert list(game.log[0]["decisions"]) == ["0"]  # Ann's seat only
            assert game.log[0]["decisions"]["0"]["price"] == 31.5

            projector = browser.new_page()
            watch(projector, host, problems)
            projector.goto(server.url + "projector")
            projector.wait_for_selector("#markets tr:nth-child(11)")
            assert "Ann" in projector.inner_text("#markets")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert problems == []
