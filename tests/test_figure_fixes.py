"""Figure and summary fixes, each on constructed data shaped like the run that showed it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sim.outputs import figures as plots
from sim.outputs import market_story, wording
from sim.outputs.sections import lifecycle as lifecycle_section

NAN = float("nan")


def flywheel_rows(names_strategies, quarters, gains, links=None):
    """A flywheel table: one row per firm and quarter; ``gains[name]`` per quarter."""
    rows = []
    for firm_id, (name, strategy) in enumerate(names_strategies):
        for q in range(1, quarters + 1):
            row = {
                "step": 13 * q,
                "quarter": q,
                "agent": "firm",
                "agent_id": firm_id,
                "name": name,
                "strategy": strategy,
                "sellers": NAN,
                "e_traffic_to_sellers": NAN,
                "e_sellers_to_selection": NAN,
                "e_selection_to_traffic": 0.25,
                "e_volume_to_cost": NAN,
                "e_cost_to_price": NAN,
                "e_price_to_traffic": 1.5,
                "loop_gain": gains[name][q - 1],
            }
            row.update((links or {}).get(name, {}).get(q, {}))
            rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ loop gain figure


def test_loop_gain_draws_isolated_quarters_and_counts_them():
    # baseline showed 3 isolated measured quarters of customer-obsessed firms in 200
    # firm-quarters: a line through NaN neighbours draws nothing, so no line appeared.
    quarters = 20
    isolated = [NAN] * quarters
    isolated[4], isolated[9], isolated[14] = 0.9, 0.3, 0.2
    table = flywheel_rows(
        [("Obsessed 1", "customer_obsessed"), ("Shareholder 1", "shareholder_focused")],
        quarters,
        {"Obsessed 1": isolated, "Shareholder 1": [-0.05] * quarters},
    )
    fig, ax = plt.subplots()
    plots.plot_loop_gain(table, ax)
    blue = plots.strategy_colour("customer_obsessed", ["customer_obsessed", "shareholder_focused"])
    drawn = [
        line
        for line in ax.get_lines()
        if line.get_color() == blue and np.isfinite(np.asarray(line.get_ydata(), float)).any()
    ]
    assert drawn and all(line.get_marker() == "o" for line in drawn)
    assert np.isfinite(np.asarray(drawn[0].get_ydata(), float)).sum() == 3
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "customer-obsessed firms (measured in 3 of 20 firm-quarters)" in labels
    plt.close(fig)


# ------------------------------------------------------------------ links figure


def test_links_figure_lists_every_link_of_the_loop_measured_or_not():
    # baseline's links figure showed 3 of a firm's 4 links: cost -> price was never
    # measurable and silently left out.
    quarters = 8
    links = {"Obsessed 1": {q: {"e_volume_to_cost": 0.6} for q in (3, 4)}}
    table = flywheel_rows(
        [("Obsessed 1", "customer_obsessed")], quarters, {"Obsessed 1": [NAN] * quarters}, links
    )
    fig, ax = plt.subplots()
    plots.plot_flywheel_links(table, "Obsessed 1", ax)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == [
        "selection -> traffic",
        "volume -> lower cost (2 of 8 quarters)",
        "cost -> price (not measurable in this run)",
        "lower price -> traffic",
    ]
    plt.close(fig)


def test_links_figure_shows_the_best_measured_firm_without_platforms():
    table = flywheel_rows(
        [("A", "customer_obsessed"), ("B", "shareholder_focused")],
        4,
        {"A": [NAN, NAN, NAN, 0.1], "B": [0.1, 0.2, NAN, 0.3]},
    )
    assert plots.links_agent(table) == "B"


# ------------------------------------------------------------------ vitality labels


def test_end_labels_stay_on_their_side_of_the_day2_line():
    # baseline: ten firms ending near 0.55-0.6 had labels pushed below the 0.5 line.
    values = np.array([0.52, 0.53, 0.55, 0.55, 0.56, 0.58, 0.6, 0.61, 0.62, 0.45])
    xs = np.full(len(values), 10.0)
    heights = plots.end_label_heights(xs, values, threshold=0.5)
    for value, height in zip(values, heights, strict=True):
        assert (height > 0.5) == (value >= 0.5)
    above = sorted(h for h, v in zip(heights, values, strict=True) if v >= 0.5)
    assert min(np.diff(above)) >= plots.LABEL_GAP - 1e-9


def test_end_labels_far_apart_in_time_are_not_dodged():
    heights = plots.end_label_heights(np.array([2.0, 10.0]), np.array([0.7, 0.7]), 0.5)
    assert heights == [0.7, 0.7]


# ------------------------------------------------------------------ value figure


def test_value_figure_thick_tsr_line_is_the_median_the_summary_quotes():
    # The thick line was the mean while the summary quoted the median: with one
    # outlier firm the two disagree.
    rows = []
    for firm_id, tsr in enumerate([0.1, 0.2, 3.0]):
        for step in (13, 26):
            rows.append(
                {
                    "step": step,
                    "firm_id": firm_id,
                    "name": f"F{firm_id}",
                    "strategy": "customer_obsessed",
                    "tsr": tsr,
                    "cumulative_customer_value": 1000.0 * (firm_id + 1),
                }
            )
    fig, axes = plt.subplots(1, 2)
    plots.plot_value(pd.DataFrame(rows), axes)
    thick = [line for line in axes[0].get_lines() if line.get_linewidth() > 2]
    assert np.allclose(thick[0].get_ydata(), [0.2, 0.2])
    assert "median" in thick[0].get_label()
    plt.close(fig)


# ------------------------------------------------------------------ summary wording


def test_money_puts_the_minus_before_the_dollar():
    assert wording.dollars(-58_000) == "-$58 thousand"
    assert wording.dollars(-2_500_000) == "-$2.50 million"
    assert wording.dollars(12.5) == "$12.50"


@pytest.mark.parametrize(
    ("before", "after", "text"),
    [
        (1.0, 1.0, "held at 100%"),
        (0.2, 0.45, "grew from 20% to 45%"),
        (0.5, 0.3, "fell from 50% to 30%"),
        (0.500, 0.508, "held near 51% (50% -> 51%)"),
    ],
)
def test_share_change_words(before, after, text):
    assert wording.share_change(before, after) == text


def test_counts_are_singular_for_one():
    assert wording.count(1, "consumer") == "1 consumer"
    assert wording.count(2_000, "consumer") == "2,000 consumers"


def events(rows):
    return pd.DataFrame(
        rows, columns=["step", "firm_id", "name", "strategy", "event", "detail", "value"]
    )


def test_bezos_line_does_not_claim_the_order_firms_did_not_follow():
    # baseline: firms went decline, irrelevance, death with none ever in stasis, under
    # a sentence stating Bezos' order.
    table = events(
        [
            (100, 1, "S1", "shareholder_focused", "decline", "", 0.7),
            (120, 1, "S1", "shareholder_focused", "irrelevance", "", 0.01),
            (300, 1, "S1", "shareholder_focused", "death", "cash", 0.0),
            (50, 2, "D1", "customer_obsessed", "stasis", "", 0.45),
            (80, 2, "D1", "customer_obsessed", "renewal", "", 0.65),
            (90, 2, "D1", "customer_obsessed", "stasis", "", 0.45),
            (200, 2, "D1", "customer_obsessed", "irrelevance", "", 0.01),
        ]
    )
    line = lifecycle_section.bezos_sequence_line(table)
    assert "Of the 2 firms that reached any of these stages, 1 went through them" in line
    assert "1 reached a later stage without ever being in stasis" in line


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        (["stasis", "irrelevance", "decline", "death"], True),
        (["stasis", "renewal", "stasis", "irrelevance"], True),
        (["decline", "irrelevance", "death"], False),
        (["stasis", "decline"], False),
        ([], True),
    ],
)
def test_follows_bezos(stages, expected):
    assert lifecycle_section.follows_bezos(stages) is expected


# ------------------------------------------------------------------ market share by group


def share_firms(names_strategies, weeks=26):
    rows = []
    for firm_id, (name, strategy) in enumerate(names_strategies):
        for step in range(1, weeks + 1):
            rows.append(
                {
                    "step": step,
                    "firm_id": firm_id,
                    "name": name,
                    "strategy": strategy,
                    "units": 10.0 * (firm_id + 1),
                }
            )
    return pd.DataFrame(rows)


def test_market_share_stacks_firm_groups_of_one_strategy():
    # day1_vs_day2: six customer-obsessed firms in two groups drew one flat 100% band.
    firms = share_firms([("Steady 1", "customer_obsessed"), ("Drifting 1", "customer_obsessed")])
    groups = {"Steady 1": "Steady", "Drifting 1": "Drifting"}
    fig, ax = plt.subplots()
    plots.plot_market_share(firms, ax, groups)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["Steady (customer-obsessed)", "Drifting (customer-obsessed)"]
    assert "by firm group" in ax.get_title()
    plt.close(fig)


def test_market_share_stays_by_strategy_when_groups_add_nothing():
    firms = share_firms([("A", "customer_obsessed"), ("B", "shareholder_focused")])
    fig, ax = plt.subplots()
    plots.plot_market_share(firms, ax, {"A": "A", "B": "B"})
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["customer-obsessed", "shareholder-focused"]
    plt.close(fig)


def test_summary_tells_the_story_between_groups_of_one_strategy():
    # day1_vs_day2: "customer-obsessed firms held at 100%" said nothing about the
    # drifting firms losing to the steady ones.
    from sim.scenario import load_scenario

    rows = []
    for step in range(1, 105):
        late = step > 52
        for firm_id, name in enumerate(["Steady 1", "Drifting 1"]):
            units = (90.0 if name == "Steady 1" else 10.0) if late else 50.0
            rows.append(
                {
                    "step": step,
                    "firm_id": firm_id,
                    "name": name,
                    "strategy": "customer_obsessed",
                    "units": units,
                    "alive": True,
                    "price": 10.0,
                    "unit_cost": 8.0,
                    "experience": 1.0,
                    "satisfaction": 0.0,
                }
            )
    lines = market_story.group_share_lines(pd.DataFrame(rows), load_scenario("day1_vs_day2"), 52)
    assert lines == [
        "- Group **Steady** grew from 50% to 90% of units sold.",
        "- Group **Drifting** fell from 50% to 10% of units sold.",
    ]
    assert (
        market_story.group_share_lines(
            pd.DataFrame(rows).assign(
                name=["Obsessed 1", "Shareholder 1"] * 104,
                strategy=["customer_obsessed", "shareholder_focused"] * 104,
            ),
            load_scenario("baseline"),
            52,
        )
        == []
    )


def test_firm_groups_follow_names_templates_and_declared_groupings():
    from sim.outputs.firm_groups import firm_group
    from sim.scenario import load_scenario

    baseline, short = load_scenario("baseline"), load_scenario("short_termism")
    assert firm_group("Obsessed 3", baseline) == "Obsessed"
    assert firm_group("Incumbent C", short) == "Incumbents"
    assert firm_group("Patient entrant #2", short) == "Patient entrant"
    assert firm_group("Somebody else", baseline) == "Somebody else"


def test_group_colours_are_distinct_and_avoid_near_hues():
    # logit_nash: "Premium" in orange beside "Low cost" in vermillion.
    from sim.outputs.firm_groups import group_colours

    colours = group_colours({g: "shareholder_focused" for g in ["Low", "Mid", "High", "Top"]})
    assert colours["Low"] == plots.STRATEGY_COLOURS["shareholder_focused"]
    assert len(set(colours.values())) == 4
    assert "#E69F00" not in colours.values()


def test_still_in_market_agrees_in_number():
    assert wording.still_in_market(1, 1) == "1 of 1 is still in the market"
    assert wording.still_in_market(0, 5) == "0 of 5 are still in the market"


def test_years_since_start_read_as_calendar_years_when_the_run_has_a_start():
    # amazon_flywheel: life-cycle figures ran 0-20 "years" beside platform figures in
    # calendar years 1999-2018.
    fig, ax = plt.subplots()
    ax.plot([0, 20], [0, 1])
    ax.set_xlabel("years")
    plots.calendar_years(ax, 1999)
    assert ax.get_xlabel() == plots._time_label(1999)
    assert ax.xaxis.get_major_formatter()(3.0, 0) == "2002"
    other, ax2 = plt.subplots()
    ax2.set_xlabel("years")
    plots.calendar_years(ax2, None)
    assert ax2.get_xlabel() == "years"
    plt.close(fig)
    plt.close(other)
