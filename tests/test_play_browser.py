"""The Play page in headless Chromium: a student fills the form and plays quarters.

Uses the system Chromium (``/usr/bin/chromium``) through Playwright; skipped only where
that browser is absent.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from sim.play.decisions import parse_decision_text

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")


@pytest.fixture()
def browser(tmp_path):
    from playwright.sync_api import sync_playwright

    from sim.dashboard.server import start_in_thread

    server = start_in_thread(scenario="baseline", play_out=tmp_path / "games")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield server, chromium
        chromium.close()
    server.shutdown()
    server.server_close()


def open_page(server, chromium):
    """A new tab on the dashboard, recording page errors and requests to other hosts."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    problems: list[str] = []
    host = urlparse(server.url).netloc

    def only_local(route):
        if urlparse(route.request.url).netloc != host:
            problems.append(f"outside: {route.request.url}")
            route.abort()
        else:
            route.continue_()

    page.route("**/*", only_local)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "409" not in message.text
            else None
        ),
    )
    return page, problems


def start_game(page):
    page.wait_for_selector("body[data-ready=yes]")
    page.select_option("#length", "52")
    page.select_option("#consumers", "1000")
    page.click("#start")
    page.wait_for_selector("#field-price")


def wait_for_quarter(page, quarter: int) -> None:
    page.wait_for_function(
        f"document.getElementById('statusline').textContent.startsWith('Quarter {quarter} of')",
        timeout=60_000,
    )


@pytest.mark.slow
def test_a_student_plays_two_quarters_by_filling_the_form(browser, tmp_path):
    server, chromium = browser
    page, problems = open_page(server, chromium)
    page.goto(server.url)
    page.click("nav.tabs a[href='/play']")
    start_game(page)
    assert page.inner_text("#title").startswith("Obsessed 1 in baseline (seed 42, 1,000")
    assert "No quarter played yet" in page.inner_text("#briefing")
    assert page.input_value("#field-price") == "40.00"

    # An invalid entry is explained next to its field and nothing can be played.
    page.fill("#field-price", "cheap")
    page.fill("#field-experience", "-20")
    page.wait_for_selector("#message-price.problem")
    page.wait_for_selector("#message-experience.problem")
    assert (
        page.inner_text("#message-price")
        == "price must be a number ($ per unit): 'cheap' is not a plain number; "
        "type e.g. 34.5 or 1250"
    )
    # A comma is an error that names the field, never a silent 345.
    page.fill("#field-price", "34,5")
    page.wait_for_function("document.getElementById('message-price').textContent.includes('comma')")
    assert page.inner_text("#message-price").startswith("price must be a number")
    assert "cannot be negative" in page.inner_text("#message-experience")
    assert page.is_disabled("#submit")

    page.fill("#field-price", "36")
    page.fill("#field-experience", "1500")
    page.wait_for_function("!document.getElementById('submit').disabled")
    page.click("#submit")
    wait_for_quarter(page, 2)
    assert "Last quarter: profit and loss" in page.inner_text("#briefing")
    assert page.input_value("#field-price") == "36.00"
    page.fill("#field-marketing", "400")
    page.fill("#field-payout", "250")
    page.wait_for_timeout(400)
    page.click("#submit")
    wait_for_quarter(page, 3)
    assert page.locator("#history-rows tr").count() == 2
    assert page.input_value("#field-payout") in ("0", "0.00")  # a payout is paid once

    session = page.evaluate("sessionStorage.getItem('flywheel-play-session')")
    log = server.play.get(session).game.log
    assert [(d.price, d.experience, d.marketing, d.payout) for d in log] == [
        (36.0, 1500.0, 0.0, 0.0),
        (36.0, 1500.0, 400.0, 250.0),
    ]

    with page.expect_download() as download:
        page.click("#save")
    saved = parse_decision_text(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [q["marketing"] for q in saved.quarters] == [0.0, 400.0]

    page.click("#undo")
    wait_for_quarter(page, 2)
    assert len(server.play.get(session).game.log) == 1
    assert page.input_value("#field-marketing") == "0"  # the values in force before it

    page.click("#rest")
    page.wait_for_selector("#scorecard tbody tr", timeout=120_000)
    page.wait_for_function(
        "(() => { const img = document.getElementById('ghost-figure');"
        " return img.complete && img.naturalWidth > 0; })()",
        timeout=60_000,
    )
    headers = page.eval_on_selector_all(
        "#scorecard thead th", "cells => cells.map(c => c.innerText)"
    )
    assert headers == ["metric", "you", "customer_obsessed", "shareholder_focused"]
    assert page.inner_text("#statusline").startswith("Game over")
    assert len(list((tmp_path / "games").glob("play-baseline-Obsessed_1-seed42-*/summary.md"))) == 1
    page.screenshot(path=str(tmp_path / "end.png"), full_page=True)
    assert problems == []


def test_two_tabs_play_two_games_and_a_reload_keeps_the_tabs_game(browser):
    server, chromium = browser
    first, problems_first = open_page(server, chromium)
    second, problems_second = open_page(server, chromium)
    for page in (first, second):
        page.goto(server.url + "play")
    start_game(first)
    second.wait_for_selector("body[data-ready=yes]")
    second.select_option("#seat", "Shareholder 3")
    start_game(second)
    first.fill("#field-price", "30")
    first.wait_for_timeout(400)
    first.click("#submit")
    wait_for_quarter(first, 2)
    first.reload()
    wait_for_quarter(first, 2)
    assert first.input_value("#field-price") == "30.00"
    assert second.inner_text("#statusline").startswith("Quarter 1 of")
    assert second.inner_text("#title").startswith("Shareholder 3 in baseline")
    assert len(server.play) == 2
    assert problems_first == [] and problems_second == []


def test_the_form_offers_a_scenarios_optional_decisions_and_checks_them(browser):
    server, chromium = browser
    page, problems = open_page(server, chromium)
    page.goto(server.url + "play")
    page.wait_for_selector("body[data-ready=yes]")
    page.select_option("#scenario", "bonobos_acquired")
    page.wait_for_function("document.getElementById('seat').value === 'Mass retailer'")
    start_game(page)
    assert page.input_value("#field-acquire") == "none"
    assert page.locator("#field-spend_research").count() == 0
    assert "asking price" in page.inner_text("#briefing")
    page.fill("#field-acquire", "Nobody")
    page.wait_for_selector("#message-acquire.problem")
    assert "no live rival named 'Nobody'" in page.inner_text("#message-acquire")
    assert page.is_disabled("#submit")
    assert problems == []
