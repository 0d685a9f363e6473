"""The class debrief opened offline in headless Chromium (file://, nothing else reachable).

Skipped only where ``/usr/bin/chromium`` is absent (``.ci/run`` installs it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli.main import main
from tests.test_debrief import play_short_game

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")


@pytest.mark.slow
def test_the_debrief_opens_offline_with_standings_and_figures(tmp_path):
    from playwright.sync_api import sync_playwright

    log = tmp_path / "period.json"
    play_short_game(log, quarters=2)
    out = tmp_path / "debrief.html"
    assert main(["report", str(log), "--out", str(out)]) == 0
    requested: list[str] = []
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(offline=True)
        page = context.new_page()

        def only_the_file(route):
            url = route.request.url
            if url.startswith(("file://", "data:")):
                route.continue_()
            else:
                requested.append(url)
                route.abort()

        page.route("**/*", only_the_file)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(out.as_uri())
        rows = page.locator("#standings tr")
        assert rows.count() == 1 + 20  # a header and the ten firms of each market
        assert "Ann" in page.locator("#standings").inner_text()
        shown = page.evaluate(
            "Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length"
        )
        assert shown >= 3
        page.locator("figure img").first.scroll_into_view_if_needed()
        assert page.locator("figure img").first.is_visible()
        browser.close()
    assert requested == [] and problems == []


@pytest.mark.slow
def test_the_instructors_button_downloads_the_debrief_at_the_end(tmp_path):
    from playwright.sync_api import sync_playwright

    from sim.classroom.server import start_in_thread

    log = tmp_path / "lesson.json"
    game = play_short_game(log, quarters=2)
    server = start_in_thread(game)
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(accept_downloads=True)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{server.url}instructor?key={server.key}")
            page.wait_for_selector("#debrief", state="visible")
            with page.expect_download(timeout=300_000) as download:
                page.click("#debrief")
            saved = tmp_path / "downloaded.html"
            download.value.save_as(saved)
            page.wait_for_function(
                "document.getElementById('debriefnote').textContent.includes('lesson-debrief')"
            )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    text = saved.read_text(encoding="utf-8")
    assert 'id="standings"' in text and "Bob" in text
    assert text == (tmp_path / "lesson-debrief.html").read_text(encoding="utf-8")
    assert problems == []
