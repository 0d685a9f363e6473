"""``flywheel report``: self-contained HTML, every figure embedded, differences highlighted."""

from __future__ import annotations

import base64
import re
import struct

import pytest

import sim
from sim.cli.main import main
from sim.reports.html import (
    difference,
    markdown_to_html,
    outcomes,
    read_runs,
    share_y_ranges,
    show,
)

SMALL = {"consumers.count": 300}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    folders = []
    for seed in (1, 2):
        result = sim.run("day1_vs_day2", seed=seed, steps=30, overrides=SMALL)
        folders.append(result.save(root / f"seed{seed}"))
    return folders


def external_references(text: str) -> list[str]:
    """Addresses a browser would fetch or follow outside the file."""
    found = re.findall(r"""(?:src|href)\s*=\s*["']?(?!data:|#)([^"'\s>]+)""", text, re.I)
    found += re.findall(r"url\(\s*['\"]?(?!data:)([^)'\"]+)", text, re.I)
    found += re.findall(r"(?:https?:)?//[a-z0-9-]+\.[a-z0-9.-]+", text, re.I)
    return found


def embedded_images(text: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r"data:image/png;base64,([^\"]+)", text)]


@pytest.mark.slow
def test_single_run_report_embeds_every_figure_and_names_nothing_outside(two_runs, capsys):
    folder = two_runs[0]
    assert main(["report", str(folder)]) == 0
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert external_references(text) == []
    figures = sorted(p.read_bytes() for p in (folder / "figures").glob("*.png"))
    assert figures and sorted(embedded_images(text)) == figures
    assert "what happened" in text and "seed 1" in text
    assert "report.html" in capsys.readouterr().out


@pytest.mark.slow
def test_comparison_highlights_what_differs(two_runs, tmp_path):
    out = tmp_path / "compare.html"
    assert main(["report", *map(str, two_runs), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert external_references(text) == []
    figures = [p.read_bytes() for folder in two_runs for p in (folder / "figures").glob("*.png")]
    embedded = embedded_images(text)
    # every figure is drawn again with shared vertical ranges: as many, the same sizes
    assert len(embedded) == len(figures)
    assert sorted(png_size(image) for image in embedded) == sorted(map(png_size, figures))
    seed_row = re.search(r"<tr><th>seed</th>(.*?)</tr>", text).group(1)
    assert seed_row == '<td class="">1</td><td class="diff">2</td>'
    outcome_row = re.search(r"<tr><th>Seed</th>(.*?)</tr>", text).group(1)
    assert 'class="diff"' in outcome_row
    weeks_row = re.search(r"<tr><th>Weeks</th>(.*?)</tr>", text).group(1)
    assert "diff" not in weeks_row  # same in both runs


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def test_side_by_side_figures_share_each_panels_vertical_range():
    import matplotlib.pyplot as plt

    low, high = plt.subplots(1, 2)[0], plt.subplots(1, 2)[0]
    low.axes[0].plot([0, 1], [0, 5])
    low.axes[1].plot([0, 1], [10, 20])
    high.axes[0].plot([0, 1], [-3, 2])
    high.axes[1].plot([0, 1], [10, 40])
    before = [ax.get_ylim() for ax in low.axes + high.axes]
    share_y_ranges([low, high])
    for i in range(2):
        assert low.axes[i].get_ylim() == high.axes[i].get_ylim()
        ranges = before[i], before[i + 2]
        assert low.axes[i].get_ylim() == (min(r[0] for r in ranges), max(r[1] for r in ranges))
    assert low.axes[0].get_ylim() != low.axes[1].get_ylim()  # panels keep their own ranges
    single = plt.subplots(1, 1)[0]
    single.axes[0].plot([0, 1], [100, 200])
    share_y_ranges([low, single])  # panels do not line up: left alone
    assert single.axes[0].get_ylim()[0] > 50
    plt.close("all")


def test_a_group_that_is_one_strategy_is_one_row(tmp_path):
    result = sim.run("baseline", steps=30, overrides=SMALL)
    labels = [o.label for o in outcomes(result)]
    shares = [label for label in labels if label.startswith("Unit share")]
    assert shares == [
        "Unit share, Obsessed (customer-obsessed, last year)",
        "Unit share, Shareholder (shareholder-focused, last year)",
    ]
    assert len(labels) == len(set(labels))


def test_outcomes_group_firms_by_the_scenario_groups(two_runs):
    run = read_runs([two_runs[0]])[0]
    labels = [o.label for o in outcomes(run.result)]
    assert "Unit share, group Steady (last year)" in labels
    assert "Unit share, group Drifting (last year)" in labels


@pytest.mark.parametrize(
    ("reference", "value", "kind", "expected"),
    [
        (0.50, 0.505, "share", None),
        (0.50, 0.60, "share", "+10 pts"),
        (100.0, 101.0, "money", None),
        (100.0, 150.0, "money", "+50%"),
        (0.0, 5.0, "number", "was 0"),
        ("a", "a", "text", None),
        ("a", "b", "text", "differs"),
    ],
)
def test_difference(reference, value, kind, expected):
    assert difference(reference, value, kind) == expected


def test_show_formats_money_with_the_sign_first_and_shares_as_percent():
    assert show(-58_000.0, "money") == "-$58 thousand"
    assert show(0.25, "share") == "25%"
    assert show(1.0, "number") == "1.00"
    assert show(20_000, "number") == "20,000"
    assert show(None, "money") == "n/a"


def test_markdown_to_html_escapes_and_formats():
    text = "# T\n\n_story_\n\n- **a** <b> `c`\n  more\n\nplain"
    html = markdown_to_html(text)
    assert "<h2>T</h2>" in html and "<em>story</em>" in html
    assert "<li><strong>a</strong> &lt;b&gt; <code>c</code> more</li>" in html
    assert "<p>plain</p>" in html


def test_bad_run_folders_are_listed_together_and_nothing_is_written(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out.html"
    assert main(["report", str(tmp_path / "missing"), str(empty), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "not a run folder" in err and "empty: manifest.json" in err
    assert not out.exists()
