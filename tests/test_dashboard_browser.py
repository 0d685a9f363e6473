"""The dashboard in headless Chromium: renders, loads nothing from outside, every scenario runs.

Uses the system Chromium (``/usr/bin/chromium``, installed by ``.ci/run``) through
Playwright; skipped only where that browser is absent.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")


@pytest.fixture(scope="module")
def browser_page():
    from playwright.sync_api import sync_playwright

    from sim.dashboard.server import start_in_thread

    server = start_in_thread(scenario="baseline")
    problems: list[str] = []
    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        host = urlparse(server.url).netloc

        def only_local(route):
            if urlparse(route.request.url).netloc != host:
                outside.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        page.route("**/*", only_local)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        page.goto(server.url)
        page.wait_for_selector("#panels .panel canvas")
        yield page, problems, outside
        browser.close()
    server.shutdown()
    server.server_close()


def wait_for_week(page, week: int) -> None:
    page.wait_for_function(
        f"document.getElementById('statusline').textContent.startsWith('Week {week} of')",
        timeout=30_000,
    )


def test_page_renders_with_every_panel_and_nothing_from_outside(browser_page):
    page, problems, outside = browser_page
    assert page.inner_text("#title") == "baseline"
    panels = page.eval_on_selector_all(".panel", "nodes => nodes.map(n => n.dataset.panel)")
    assert panels[:5] == ["share", "price", "surplus", "concentration", "vitality"]
    assert problems == [] and outside == []


def test_text_is_at_least_14_px_and_control_values_show(browser_page):
    page, _, _ = browser_page
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('body *')]
            .filter(e => e.offsetParent !== null && e.childNodes.length
                    && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= 14
    page.click("#whatif summary")
    assert page.inner_text("#progress_ratio_out") == "0.80"
    page.fill("#progress_ratio", "0.9")
    page.dispatch_event("#progress_ratio", "input")
    assert page.inner_text("#progress_ratio_out") == "0.90"
    page.click("#whatif summary")


@pytest.mark.slow
def test_every_scenario_resets_and_steps(browser_page):
    page, problems, outside = browser_page
    page.select_option("#consumers", "1000")
    names = page.eval_on_selector_all(
        "#scenario option:not(#uploaded_option)", "nodes => nodes.map(n => n.value)"
    )
    assert len(names) >= 8
    for name in names:
        page.select_option("#scenario", name)
        page.wait_for_function(
            f"document.getElementById('title').textContent === {name!r}", timeout=30_000
        )
        wait_for_week(page, 0)
        page.click("#step")
        wait_for_week(page, 1)
        page.click("#quarter")
        wait_for_week(page, 14)
    assert problems == [] and outside == []


def test_play_and_pause(browser_page):
    page, problems, _ = browser_page
    page.select_option("#consumers", "1000")
    page.click("#reset")
    page.wait_for_function(  # the new run is in place (not the page's first one at week 0)
        "document.getElementById('statusline').textContent.startsWith('Week 0 of')"
        " && document.getElementById('statusline').textContent.includes('1,000 consumers')",
        timeout=30_000,
    )
    page.select_option("#speed", "max")
    page.click("#play")
    page.wait_for_function(
        "window.flywheelStats.frames > 0 && parseInt("
        "document.getElementById('statusline').textContent.slice(5)) >= 5"
    )
    page.click("#play")
    assert page.inner_text("#play").endswith("Play")
    assert problems == []


def test_an_opened_scenario_file_is_sent_as_text_and_checked(browser_page, tmp_path):
    from sim.scenario import list_scenarios

    page, problems, outside = browser_page
    page.select_option("#consumers", "1000")
    text = Path(dict(list_scenarios())["validation/logit_nash"]).read_text(encoding="utf-8")
    mine = tmp_path / "mine.yaml"
    mine.write_text(text.replace("name: ", "name: my copy of ", 1), encoding="utf-8")
    page.set_input_files("#scenario_file", str(mine))
    page.wait_for_function(
        "document.getElementById('title').textContent.startsWith('my copy of')", timeout=30_000
    )
    assert page.input_value("#scenario") == "uploaded scenario"
    assert "mine.yaml" in page.inner_text("#uploaded_option")
    page.click("#step")
    wait_for_week(page, 1)
    assert problems == [] and outside == []
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("strategy: shareholder_focused", "strategy: os:system", 1))
    page.set_input_files("#scenario_file", str(bad))
    page.wait_for_function(
        "document.getElementById('state').textContent.includes('dotted path')", timeout=30_000
    )
    assert all("400" in problem for problem in problems)  # the refused upload, and only it
    problems.clear()
