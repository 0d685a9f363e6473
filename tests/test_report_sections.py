"""The registry of report sections: one order for the summary and the figures.

That imports run one way (no circle) is checked for all of sim in ``test_architecture.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import pytest

import sim
from sim.outputs import sections
from sim.outputs.figures import MARKET_FIGURES, save_figures
from sim.outputs.folders import KEY_FIGURES
from sim.outputs.sections import COMPONENTS, SECTIONS, Section, section
from sim.outputs.summary import summary


def test_every_section_names_a_component_and_a_unique_name_and_figures():
    assert {s.component for s in SECTIONS} <= set(COMPONENTS)
    names = [s.name for s in SECTIONS]
    assert len(names) == len(set(names))
    figures = [name for name, _ in MARKET_FIGURES] + [f.name for s in SECTIONS for f in s.figures]
    assert len(figures) == len(set(figures))
    assert tuple(name for name, _ in MARKET_FIGURES) == KEY_FIGURES


def test_a_section_on_an_unknown_component_is_refused():
    with pytest.raises(ValueError, match="component 'pricing' is not one of finance"):
        Section("prices", "pricing", bool, list)
    with pytest.raises(KeyError, match="no section 'prices'"):
        section("prices")


def test_a_section_that_does_not_apply_is_never_written(monkeypatch):
    def never(result):
        raise AssertionError("written although it does not apply")

    on = Section("on", "finance", lambda result: True, lambda result: ["", "## On"])
    off = Section("off", "capacity", lambda result: False, never)
    monkeypatch.setattr(sections, "SECTIONS", (off, on, off))
    assert sections.section_lines(None) == ["", "## On"]


def test_a_part_closes_with_one_note_naming_its_figures_and_tables(monkeypatch):
    class Run:
        pass

    drawn = sections.Figure("a_figure", lambda result: None)
    skipped = sections.Figure("skipped", lambda result: None, lambda result: False)
    first = Section(
        "first", "channels", bool, lambda r: ["x"], (drawn, skipped), ("`t.parquet`",), "p"
    )
    second = Section("second", "flywheel", bool, lambda r: ["y"], part="p")
    alone = Section("alone", "trust", bool, lambda r: ["z"])
    monkeypatch.setattr(sections, "SECTIONS", (first, second, alone))
    assert sections.section_lines(Run()) == [
        "x",
        "y",
        "",
        "Figures: `figures/a_figure.png`. Tables: `t.parquet`.",
        "z",
    ]


@pytest.fixture(scope="module")
def flywheel_run():
    return sim.run("amazon_flywheel", steps=60, overrides={"consumers.count": 600})


def test_the_summary_names_the_figures_the_run_folder_gets(flywheel_run, tmp_path):
    written = {path.stem for path in save_figures(flywheel_run, tmp_path)}
    assert written == {path.stem for path in tmp_path.glob("*.png")}
    note = next(line for line in summary(flywheel_run).splitlines() if "platform_take_rate" in line)
    drawn_in_part = [
        figure.name
        for s in sections.applicable(flywheel_run)
        if s.part == sections.PLATFORMS
        for figure in s.figures_for(flywheel_run)
    ]
    assert re.findall(r"figures/(\w+)\.png", note) == drawn_in_part
    assert {"flywheel_loop_gain", "disintermediation"} <= set(drawn_in_part) <= written


def test_a_plain_run_has_no_subsystem_headings():
    result = sim.run("baseline", steps=13, overrides={"consumers.count": 300})
    on = {s.name for s in sections.applicable(result)}
    assert not on & {"trust", "research", "platforms", "connected", "platform_moves"}
    text = summary(result)
    for heading in ("## Trust before buying", "## Platforms", "## Market research", "### The"):
        assert heading not in text


def test_a_section_module_imports_before_the_summary_and_the_figures():
    code = "import sim.outputs.sections.trust, sim.outputs.summary, sim.outputs.figures; print(1)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "1", done.stderr
