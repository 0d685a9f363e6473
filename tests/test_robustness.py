"""``flywheel robustness``: which parameters are constants, bounds, flips, the command."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from builders import tiny_scenario
from robustness_strategies import Misdeclared, Toy

from sim.cli.main import main
from sim.experiments.robustness import run_robustness
from sim.experiments.scaled_constants import (
    REFERENCE,
    Variant,
    implementation_constants,
    plan_variants,
    scale_number,
    verdicts,
)
from sim.scenario import load_scenario
from sim.strategies.customer_obsessed import CustomerObsessed
from sim.strategies.shareholder_focused import ShareholderFocused

T_975_2 = 4.302652729911275  # Student t, 97.5% quantile, 2 degrees of freedom


# ---------------------------------------------------------------- which are constants


def test_numbers_that_are_not_mindset_are_constants():
    # patience is declared mindset; flag and label are not numbers
    assert implementation_constants(Toy) == [
        "markup",
        "cap",
        "share",
        "rounds",
        "grid",
        "limit",
        "spare",
    ]


def test_a_misdeclared_mindset_parameter_is_an_error():
    with pytest.raises(ValueError, match="horizon"):
        implementation_constants(Misdeclared)


@pytest.mark.parametrize("cls", [CustomerObsessed, ShareholderFocused])
def test_built_in_strategies_leave_their_mindset_alone(cls):
    constants = implementation_constants(cls)
    assert constants
    assert not set(constants) & cls.mindset_parameters
    assert "horizon_years" in cls.mindset_parameters


def test_baseline_scales_every_constant_of_both_mindsets_and_no_mindset_parameter():
    variants, skipped, _ = plan_variants(load_scenario("baseline"))
    for cls in (CustomerObsessed, ShareholderFocused):
        scaled = {v.parameter for v in variants if v.strategy == cls.name}
        scaled |= {s.parameter for s in skipped if s.strategy == cls.name}
        assert scaled == set(implementation_constants(cls))
        assert not scaled & cls.mindset_parameters
    assert {v.factor for v in variants} == {0.5, 2.0}


# ---------------------------------------------------------------- bounds


def test_scaling_within_bounds_by_hand():
    assert scale_number(8.0, 0.5, {"ge": 1, "le": 10}, False) == (4.0, "")
    value, note = scale_number(8.0, 2.0, {"ge": 1, "le": 10}, False)
    assert value == 10 and "16 clipped to the bound <= 10" in note
    value, note = scale_number(1.5, 0.5, {"ge": 1}, False)
    assert value == 1 and "0.75 clipped to the bound >= 1" in note
    value, note = scale_number(0.6, 2.0, {"gt": 0, "lt": 1}, False)
    assert value is None and "breaks the bound < 1" in note
    assert scale_number(0.6, 0.5, {"gt": 0, "lt": 1}, False) == (0.3, "")
    assert scale_number(3, 0.5, {}, True) == (2, "")  # 1.5 rounds half up
    assert scale_number(5, 0.5, {}, True) == (3, "")


def toy_market(**params) -> dict:
    firms = [
        {"name": "A", "strategy": "robustness_strategies:Toy", "strategy_params": params},
        {"name": "B", "strategy": "user_strategy:FixedMarkup"},
    ]
    return tiny_scenario(firms=firms)


def test_plan_scales_each_constant_within_its_bounds():
    variants, skipped, mindset = plan_variants(load_scenario(toy_market()))
    by_label = {v.label: v for v in variants}
    assert by_label["toy.cap_x0.5"].overrides == {"firms.0.strategy_params.cap": 4.0}
    assert by_label["toy.cap_x2"].overrides == {"firms.0.strategy_params.cap": 10.0}
    assert "clipped to the bound <= 10" in by_label["toy.cap_x2"].note
    assert by_label["toy.rounds_x0.5"].overrides == {"firms.0.strategy_params.rounds": 2}
    assert by_label["toy.grid_x2"].overrides == {"firms.0.strategy_params.grid": [2.0, 4.0]}
    assert by_label["fixed_markup.markup_x2"].overrides == {
        "firms.1.strategy_params.markup": pytest.approx(0.4)
    }
    assert not any(v.parameter == "patience" for v in variants)  # mindset, left alone
    reasons = {(s.parameter, s.factor): s.note for s in skipped}
    assert "breaks the bound < 1" in reasons[("share", 2.0)]
    assert reasons[("spare", 0.5)] == reasons[("spare", 2.0)] == "it is 0, and 0 scaled stays 0"
    assert "unset" in reasons[("limit", 0.5)]
    assert ("share", 0.5) not in reasons
    assert mindset == {"toy": ["patience"], "fixed_markup": []}


def test_a_constant_at_its_bound_and_the_scenario_value_are_used():
    variants, skipped, _ = plan_variants(load_scenario(toy_market(cap=10.0, spare=3.0)))
    labels = {v.label for v in variants}
    assert "toy.cap_x2" not in labels  # 20 clipped back to 10: no change
    note = next(s.note for s in skipped if (s.parameter, s.factor) == ("cap", 2))
    assert note == "10 is at its bound and stays there"
    assert {"toy.spare_x0.5", "toy.spare_x2"} <= labels


def test_only_restricts_and_checks_names():
    scenario = load_scenario(toy_market())
    variants, _, _ = plan_variants(scenario, only=["toy.cap", "markup"])
    assert {v.parameter for v in variants} == {"cap", "markup"}
    with pytest.raises(ValueError, match="no implementation constant named patience"):
        plan_variants(scenario, only=["patience"])


def test_a_strategy_run_by_two_groups_is_scaled_in_both():
    firms = [
        {"name": "A", "strategy": "robustness_strategies:Toy", "strategy_params": {"cap": 2}},
        {"name": "B", "strategy": "robustness_strategies:Toy"},
        {"name": "C", "strategy": "user_strategy:FixedMarkup"},
    ]
    variants, _, _ = plan_variants(load_scenario(tiny_scenario(firms=firms)), only=["cap"])
    half = next(v for v in variants if v.factor == 0.5)
    assert half.overrides == {
        "firms.0.strategy_params.cap": 1.0,
        "firms.1.strategy_params.cap": 4.0,
    }
    assert half.value == "1; 4"


def test_platform_strategies_and_entrants_are_scaled_too():
    market = toy_market()
    market["platforms"] = [{"name": "Mall", "kind": "marketplace", "strategy": "customer_obsessed"}]
    template = {"name": "New", "strategy": "robustness_strategies:Toy"}
    market["entry"] = {"rate_per_year": 1.0, "templates": [template]}
    variants, _, mindset = plan_variants(load_scenario(market), only=["cap", "take_cap"])
    by_label = {v.label: v.overrides for v in variants}
    assert by_label["toy.cap_x0.5"] == {
        "firms.0.strategy_params.cap": 4.0,
        "entry.templates.0.strategy_params.cap": 4.0,
    }
    assert by_label["platform:customer_obsessed.take_cap_x2"] == {
        "platforms.0.strategy_params.take_cap": 0.6
    }
    assert mindset["platform:customer_obsessed"] == ["reinvest_quarters"]


# ---------------------------------------------------------------- flips by hand


def hand_runs() -> pd.DataFrame:
    """Three seeds; a leads the reference, v_flip gives the lead to b, v_tie makes a tie."""
    a = {REFERENCE: [0.7, 0.8, 0.6], "v_flip": [0.3, 0.3, 0.3], "v_keep": [0.6, 0.7, 0.55]}
    b = {REFERENCE: [0.3, 0.2, 0.4], "v_flip": [0.7, 0.7, 0.7], "v_keep": [0.4, 0.3, 0.45]}
    a["v_tie"], b["v_tie"] = [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]
    rows = []
    for label in a:
        for rep in range(3):
            rows.append(
                {
                    "variant": label,
                    "replication": rep,
                    "seed": 10 + rep,
                    "share_y10__a": a[label][rep],
                    "share_y10__b": b[label][rep],
                }
            )
    return pd.DataFrame(rows)


def hand_variant(label: str) -> Variant:
    return Variant(label, "a", label, 2.0, "1", {})


def test_flip_detection_on_a_hand_made_table():
    variants = [hand_variant(name) for name in ("v_flip", "v_keep", "v_tie")]
    table, by_strategy = verdicts(hand_runs(), variants, ["a", "b"], {"share": "share_y10"})
    reference = by_strategy[by_strategy["variant"] == REFERENCE]
    assert set(reference["winner"]) == {"a"}
    assert list(reference["mean"]) == [pytest.approx(0.7), pytest.approx(0.3)]
    tied = by_strategy[by_strategy["variant"] == "v_tie"]
    assert list(tied["mean"]) == [0.5, 0.5] and set(tied["winner"]) == {"tie"}
    # reference leads 0.4, 0.6, 0.2: mean 0.4, all three seeds led
    assert reference["lead"].iloc[0] == pytest.approx(0.4)
    assert reference["seeds_led"].iloc[0] == 3
    rows = table.set_index("parameter")
    flip = rows.loc["v_flip"]
    assert (flip["winner"], bool(flip["flips"]), bool(flip["clear"])) == ("b", True, True)
    # leads -0.4 at every seed (an interval of no width, clear of 0); changes -0.8, -1.0,
    # -0.6: mean -0.8, sd 0.2
    assert flip["mean"] == pytest.approx(-0.4)
    assert (flip["low"], flip["high"]) == (pytest.approx(-0.4), pytest.approx(-0.4))
    half = T_975_2 * 0.2 / math.sqrt(3)
    assert flip["change"] == pytest.approx(-0.8)
    assert (flip["change_low"], flip["change_high"]) == (
        pytest.approx(-0.8 - half),
        pytest.approx(-0.8 + half),
    )
    assert flip["seeds_led"] == 0 and flip["reference"] == pytest.approx(0.4)
    keep = rows.loc["v_keep"]
    assert (keep["winner"], bool(keep["flips"])) == ("a", False)
    # leads 0.2, 0.4, 0.1: mean 7/30, sd sqrt(21)/30
    half = T_975_2 * math.sqrt(21) / 30 / math.sqrt(3)
    assert (keep["low"], keep["high"]) == (
        pytest.approx(7 / 30 - half),
        pytest.approx(7 / 30 + half),
    )
    # changes -0.2, -0.2, -0.1: mean -1/6, sd sqrt(1/300)
    half = T_975_2 * math.sqrt(1 / 300) / math.sqrt(3)
    assert keep["change"] == pytest.approx(-1 / 6)
    assert (keep["change_low"], keep["change_high"]) == (
        pytest.approx(-1 / 6 - half),
        pytest.approx(-1 / 6 + half),
    )
    tie = rows.loc["v_tie"]
    assert (tie["winner"], bool(tie["flips"]), bool(tie["clear"])) == ("tie", True, False)


def test_flip_detection_refuses_unpaired_seeds():
    runs = hand_runs()
    runs.loc[(runs["variant"] == "v_keep") & (runs["replication"] == 1), "seed"] = 99
    with pytest.raises(ValueError, match="do not share seeds"):
        verdicts(runs, [hand_variant("v_keep")], ["a", "b"], {"share": "share_y10"})


# ---------------------------------------------------------------- the command


SMALL = ["consumers.count=500"]


@pytest.mark.slow
def test_end_to_end_writes_the_three_files(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["robustness", "baseline", "--steps", "26", "--seeds", "2", "--out", str(out)]
    args += [
        "--only",
        "shareholder_focused.spend_share,customer_obsessed.thin_margin,customer_obsessed.margin_multiples",
    ]
    assert main([*args, "--set", SMALL[0], "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "is the verdict robust?" in printed and "runs last 26 weeks" in printed
    for name in ("robustness.md", "robustness.csv", "robustness.png"):
        assert (out / name).is_file()
    table = pd.read_csv(out / "robustness.csv")
    assert list(table.columns[:10]) == [
        "strategy",
        "parameter",
        "factor",
        "value",
        "outcome",
        "mean",
        "low",
        "high",
        "reference",
        "flips",
    ]
    assert set(table["outcome"]) == {"year10_unit_share", "year10_shareholder_value"}
    assert set(table["strategy"]) == {"customer_obsessed", "shareholder_focused"}
    assert set(table["parameter"]) == {"spend_share", "thin_margin", "margin_multiples"}
    assert len(table) == 3 * 2 * 2  # constants, factors, verdicts
    assert (table["n_seeds"] == 2).all()


@pytest.mark.slow
def test_same_bytes_twice(tmp_path):
    outputs = []
    for k in range(2):
        out = tmp_path / f"run{k}"
        run_robustness(
            "baseline",
            overrides=SMALL,
            seeds=2,
            steps=13,
            out=out,
            only=["shareholder_focused.spend_share", "customer_obsessed.thin_margin"],
            executor="inline",
        )
        outputs.append(out)
    for name in ("robustness.csv", "robustness.md", "robustness.png"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes()


def test_bad_input_writes_nothing(tmp_path, capsys):
    out = tmp_path / "never"
    base = ["robustness", "baseline", "--out", str(out), "--set", SMALL[0]]
    assert main([*base, "--seeds", "1"]) == 2
    assert "at least 2 seeds" in capsys.readouterr().err
    assert main([*base, "--only", "horizon_years"]) == 2
    assert "no implementation constant named horizon_years" in capsys.readouterr().err
    assert main([*base, "--set", "consumers.count=-1"]) == 2
    one_side = ["--set", "firms.1.strategy=customer_obsessed"]
    assert main([*base, *one_side, "--only", "thin_margin"]) == 2
    assert "at least two strategies" in capsys.readouterr().err
    assert not out.exists()
