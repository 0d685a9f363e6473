"""The dashboard in headless Chromium: a scenario switch while playing, the What-if overlay,
event markers and projector mode.

Skipped only where ``/usr/bin/chromium`` is absent (``.ci/run`` installs it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")


@pytest.fixture()
def page():
    from playwright.sync_api import sync_playwright

    from sim.dashboard.server import start_in_thread

    server = start_in_thread(scenario="baseline")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        tab = browser.new_page(viewport={"width": 1280, "height": 800})
        tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))

        def console(message):
            # a stale step is refused with 409 by design; Chromium logs every 4xx
            if message.type == "error" and "409 (Conflict)" not in message.text:
                problems.append(f"console: {message.text}")

        tab.on("console", console)
        tab.goto(server.url)
        tab.wait_for_function("window.flywheelStats.resets >= 1")
        tab.select_option("#consumers", "1000")
        tab.evaluate("reset()")
        tab.wait_for_function("window.flywheelStats.resets >= 2")
        yield tab
        browser.close()
    server.shutdown()
    server.server_close()
    assert problems == []


def debug(tab) -> dict:
    return tab.evaluate("window.flywheelDebug()")


def shown_week(tab) -> int:
    return int(tab.inner_text("#statusline").split()[1])


@pytest.mark.slow
def test_switching_scenario_while_playing_keeps_only_the_new_runs_weeks(page):
    page.select_option("#speed", "max")
    page.click("#play")
    page.wait_for_function("window.flywheelDebug().weeks.length > 40")
    page.select_option("#scenario", "casper_imitators")  # a step is under way meanwhile
    page.wait_for_function(
        "window.flywheelDebug().scenario === 'casper_imitators' && !window.flywheelStats.playing"
    )
    page.wait_for_timeout(1000)  # any answer still under way for the old run arrives
    assert debug(page)["weeks"] == [0] and shown_week(page) == 0
    step_quarter(page)
    assert debug(page)["weeks"] == list(range(14)) and shown_week(page) == 13


def test_a_step_answered_after_a_reset_is_dropped(page):
    page.evaluate("step(26); reset();")  # the step's answer is for the replaced run
    page.wait_for_function("window.flywheelStats.resets >= 3")
    page.wait_for_timeout(1500)
    assert debug(page)["weeks"] == [0] and shown_week(page) == 0
    assert page.evaluate("window.flywheelStats.stale") >= 1


@pytest.mark.slow
def test_a_run_replaced_behind_the_page_is_built_again_not_stepped(page):
    """Two resets answered out of order leave the server with another run than the one
    drawn: the next step is refused as stale and the page builds its run again."""
    step_quarter(page)
    run = debug(page)["run"]
    page.evaluate("post('/api/reset', settings())")  # the page is not told
    page.click("#quarter")
    page.wait_for_function(f"window.flywheelDebug().run > {run + 1}")
    assert debug(page)["weeks"] == [0] and page.evaluate("window.flywheelStats.stale") >= 1
    step_quarter(page)
    assert debug(page)["weeks"] == list(range(14)) and shown_week(page) == 13


def step_quarter(tab) -> None:
    rows = len(debug(tab)["weeks"])
    tab.click("#quarter")
    tab.wait_for_function(f"window.flywheelDebug().weeks.length === {rows + 13}")


def test_what_if_draws_the_new_run_over_the_previous_one_faded(page):
    for _ in range(4):
        step_quarter(page)
    page.click("#whatif summary")
    page.check("#apply_mix")
    page.fill("#obsessed_firms", "2")
    page.click("#reset")
    page.wait_for_function("window.flywheelStats.resets >= 3")
    assert debug(page)["previous"] == 53
    assert "previous run (baseline" in page.inner_text("#previous")
    before = page.evaluate("window.flywheelStats.faded")
    step_quarter(page)
    assert page.evaluate("window.flywheelStats.faded") > before
    # the faded lines are on the canvas: pale pixels where the new run has not reached
    pale = page.evaluate(
        """() => {
          const c = document.querySelector('[data-panel=share] canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) {
            const x = (i / 4) % c.width;
            if (x > c.width * 0.16 && x < c.width * 0.2 && d[i + 3] > 0 &&
                Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 20) n++;
          }
          return n;
        }"""
    )
    assert pale > 0
    page.uncheck("#overlay")
    assert page.inner_text("#previous") == ""
    drawn = page.evaluate("window.flywheelStats.faded")
    step_quarter(page)
    assert page.evaluate("window.flywheelStats.faded") == drawn
    page.select_option("#scenario", "casper_imitators")
    page.wait_for_function("window.flywheelDebug().scenario === 'casper_imitators'")
    assert debug(page)["previous"] == 0  # another scenario: no comparison


@pytest.mark.slow
def test_markers_and_projector_mode_at_1024_by_768(page):
    page.select_option("#scenario", "casper_imitators")
    page.wait_for_function("window.flywheelDebug().scenario === 'casper_imitators'")
    page.select_option("#speed", "max")
    page.click("#play")
    page.wait_for_function("window.flywheelDebug().weeks.length > 160", timeout=120_000)
    page.click("#play")
    page.wait_for_function("!window.flywheelStats.playing")
    assert page.evaluate("window.flywheelStats.markers") > 0
    assert "exit" in page.inner_text("#markers_key")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.click("#projector")
    assert not page.locator("#controls").is_visible()
    assert page.locator("#panels .panel").count() == 2
    heading = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.panel h3')).fontSize)"
    )
    assert heading >= 24
    bottom = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('.panel canvas'))"
        ".map(c => c.getBoundingClientRect().bottom))"
    )
    assert bottom <= 768
    page.select_option("#projector_b", "")
    assert page.locator("#panels .panel").count() == 1
    page.click("#projector_exit")
    assert page.locator("#controls").is_visible()
