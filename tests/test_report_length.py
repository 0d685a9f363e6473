"""The summary's subtitle tells the run's real length, not the one the scenario names."""

import pytest

import sim
from sim.outputs.report_length import described_with_run_length, length_words
from sim.outputs.summary import summary


@pytest.mark.parametrize(
    ("weeks", "words"),
    [(520, "ten years"), (104, "two years"), (52, "one year"), (78, "1.5 years"), (30, "30 weeks")],
)
def test_length_in_words(weeks, words):
    assert length_words(weeks) == words


def test_descriptions_take_the_runs_length():
    text = "Five customer-obsessed firms against five shareholder-focused ones, ten years"
    assert described_with_run_length(text, 104, None).endswith("ones, two years")
    assert described_with_run_length(text, 520, None) == text
    assert described_with_run_length("Thirty years of entry", 104, 2000) == "Two years of entry"
    amazon = "A marketplace enters, 1999-2018"
    assert described_with_run_length(amazon, 104, 1999) == "A marketplace enters, 1999-2000"
    assert described_with_run_length(amazon, 1040, 1999) == amazon
    assert described_with_run_length("a ten-year plan", 78, None) == "a 1.5-year plan"
    # words that are not numbers stay
    assert described_with_run_length("more years of data", 104, None) == "more years of data"


def test_a_two_year_run_of_a_ten_year_scenario_says_two_years():
    result = sim.run("baseline", steps=104, overrides={"consumers.count": 300})
    subtitle = summary(result).splitlines()[2]
    assert "two years" in subtitle and "ten years" not in subtitle


def test_summary_says_why_a_loop_gain_is_zero():
    import pandas as pd

    from sim.outputs.sections.flywheel import gain_text, zero_links_note

    rows = pd.DataFrame(
        {
            "loop_gain": [0.0, 0.0, 0.2],
            "e_volume_to_cost": [0.0, 0.0, 0.1],
            "e_cost_to_price": [1.0, 1.0, 1.0],
            "e_traffic_to_sellers": [float("nan")] * 3,
        }
    )
    note = zero_links_note(rows)
    assert "volume does not lower its cost" in note and "price" not in note
    assert zero_links_note(rows.assign(loop_gain=[0.1, 0.2, 0.0])) == ""
    assert (
        gain_text(0.0000359) == "+0.0000359"
        and gain_text(0.5349) == "+0.535"
        and gain_text(0.0) == "0"
    )
