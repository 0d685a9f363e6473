"""``flywheel claims``: the registry of mechanics, the paired effects and the command."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml
from builders import tiny_scenario

from sim.cli.main import main
from sim.experiments.claims import effects, run_claims
from sim.experiments.named_mechanics import CLAIMS, used_claims
from sim.scenario import load_scenario


def everything_on() -> dict:
    """A scenario that uses every mechanic of the registry."""
    firm = {
        "name": "Firm",
        "strategy": "customer_obsessed",
        "count": 2,
        "innovation_budget": 50.0,
        "progress_ratio": 0.85,
        "proxy_drift_per_doubling": 0.1,
    }
    return tiny_scenario(
        firms=[firm],
        consumers={
            "habit_strength": 0.5,
            "selection_taste": 0.3,
            "expectation_adaptation": 0.1,
            "segments": [{"name": "Keen", "weight": 1.0, "experience_taste": 2.0}],
        },
        finance={"investor_patience_quarters": 4},
        network={"kind": "watts_strogatz", "mean_degree": 4},
        word_of_mouth={"referral_rate": 0.3},
        vitality={"success_effect": 0.5},
        trends={"every_weeks": 52},
        platforms=[
            {
                "name": "Mall",
                "kind": "marketplace",
                "strategy": "customer_obsessed",
                "moves": {
                    "own_label": {"enabled": True},
                    "steering": 0.3,
                    "holdup_fee": True,
                    "return_share": 0.2,
                },
            }
        ],
        owned_customers={"starting_strength": [{"firm": "Firm", "loyal_share": 0.2}]},
        relationships={"awareness_fade": 0.2},
        learning={"fit_value": 0.5},
        research={"enabled": True},
        entry={
            "rate_per_year": 1.0,
            "templates": [{"name": "New", "strategy": "customer_obsessed", "progress_ratio": 0.9}],
        },
    )


def test_every_mechanic_is_used_by_the_full_scenario():
    scenario = load_scenario(everything_on())
    assert [claim.name for claim in used_claims(scenario)] == list(CLAIMS)


@pytest.mark.parametrize("name", list(CLAIMS))
def test_switching_off_removes_that_mechanic_only(name):
    scenario = load_scenario(everything_on())
    off = load_scenario(scenario, CLAIMS[name].switch_off(scenario))
    still_used = {claim.name for claim in used_claims(off)}
    assert still_used == set(CLAIMS) - {name}


def test_learning_curve_is_switched_off_for_entrants_and_platforms_too():
    scenario = load_scenario(everything_on())
    off = load_scenario(scenario, CLAIMS["learning_curve"].switch_off(scenario))
    assert off.entry.templates[0].progress_ratio == 1.0
    assert off.platforms[0].progress_ratio == 1.0
    assert all(firm.progress_ratio == 1.0 for firm in off.firms)


def test_a_plain_market_uses_only_the_learning_curve_and_financing():
    # identical consumers: no habit, no taste for selection, no ratchet; no network;
    # money has its default price and capacity its default share; a strategy that
    # declares no proxy focus manages half to proxies (the firm's default), so its
    # reports drift at the default rate
    used = [c.name for c in used_claims(load_scenario(tiny_scenario()))]
    assert used == ["learning_curve", "proxies", "interest", "right_sizing"]
    customer_obsessed = [{"name": "Firm", "strategy": "customer_obsessed"}]
    used = [c.name for c in used_claims(load_scenario(tiny_scenario(customer_obsessed)))]
    assert used == ["learning_curve", "interest", "right_sizing"]
    with pytest.raises(ValueError, match="unknown mechanic"):
        used_claims(load_scenario(tiny_scenario()), ["learning_curv"])


def test_proxies_are_used_by_a_firm_that_manages_to_them_or_drifts_there():
    def used(firm: dict, **sections) -> bool:
        scenario = load_scenario(tiny_scenario([{"name": "F", **firm}], **sections))
        return CLAIMS["proxies"].is_used(scenario)

    assert used({"strategy": "shareholder_focused"})  # its trait: proxy focus 1
    assert not used({"strategy": "customer_obsessed"})  # its trait: proxy focus 0
    assert used({"strategy": "customer_obsessed", "proxy_drift_per_doubling": 0.2})
    assert used({"strategy": "customer_obsessed", "proxy_focus": 0.3})
    assert not used({"strategy": "shareholder_focused", "proxy_focus": 0.0})
    assert not used({"strategy": "shareholder_focused"}, vitality={"proxy_drift": 0.0})


def test_the_flagship_has_a_switch_for_each_day1_part():
    scenario = load_scenario("baseline")
    names = {claim.name for claim in used_claims(scenario)}
    assert {"vitality", "experiments", "external_trends", "proxies"} <= names
    for name in ("vitality", "experiments", "external_trends", "proxies"):
        off = load_scenario(scenario, CLAIMS[name].switch_off(scenario))
        assert {claim.name for claim in used_claims(off)} == names - {name}


def test_effects_by_hand():
    runs = pd.DataFrame(
        {
            "mechanic": ["all_on"] * 3 + ["habit_off"] * 3,
            "replication": [0, 1, 2] * 2,
            "seed": [7, 8, 9] * 2,
            "y": [1.0, 2.0, 3.0, 0.0, 0.0, 1.0],
        }
    )
    row = effects(runs, [CLAIMS["habit"]], ["y"]).iloc[0]
    # differences 1, 2, 2: mean 5/3, sd sqrt(1/3), half-width t(0.975, 2) sd / sqrt(3)
    half = 4.302652729911275 * math.sqrt(1 / 3) / math.sqrt(3)
    assert row["effect"] == pytest.approx(5 / 3)
    assert (row["ci_low"], row["ci_high"]) == (
        pytest.approx(5 / 3 - half),
        pytest.approx(5 / 3 + half),
    )
    assert (row["mean_on"], row["mean_off"], row["n_pairs"]) == (2.0, pytest.approx(1 / 3), 3)
    assert bool(row["clear"]) is True
    runs.loc[3, "seed"] = 99
    with pytest.raises(ValueError, match="do not share seeds"):
        effects(runs, [CLAIMS["habit"]], ["y"])


def learning_market(tmp_path) -> str:
    """Two customer-obsessed firms early on a steep learning curve."""
    firms = [
        {
            "name": "Maker",
            "strategy": "customer_obsessed",
            "count": 2,
            "reference_units": 500.0,
            "fixed_cost": 20.0,
        }
    ]
    path = tmp_path / "learning.yaml"
    path.write_text(yaml.safe_dump(tiny_scenario(firms=firms, steps=26)), encoding="utf-8")
    return str(path)


def test_switching_the_learning_curve_off_raises_unit_cost(tmp_path):
    table, text, out = run_claims(
        learning_market(tmp_path),
        reps=3,
        out=tmp_path / "claims",
        executor="inline",
        only=["learning_curve"],
    )
    cost = table.set_index("outcome").loc["final_unit_cost__customer_obsessed"]
    assert cost["mechanic"] == "learning_curve"
    assert cost["effect"] < 0 and cost["ci_high"] < 0  # with learning, unit cost is lower
    assert cost["mean_off"] > cost["mean_on"]
    assert "learning curve" in text
    for name in ("claims.csv", "claims.md", "claims.png"):
        assert (out / name).is_file()


def test_command_line_on_worker_processes(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["claims", learning_market(tmp_path), "--reps", "2", "--steps", "8"]
    args += ["--only", "learning_curve"]
    assert main([*args, "--out", str(out), "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "which mechanic produces the verdict?" in printed
    table = pd.read_csv(out / "claims.csv")
    assert set(table["mechanic"]) == {"learning_curve"}
    assert (table["n_pairs"] == 2).all()


def test_bad_input_writes_nothing(tmp_path, capsys):
    path = learning_market(tmp_path)
    out = tmp_path / "never"
    assert main(["claims", path, "--only", "word_of_mouth", "--out", str(out)]) == 2
    assert "uses none of the mechanics" in capsys.readouterr().err
    assert main(["claims", path, "--only", "nonsense", "--out", str(out)]) == 2
    assert "unknown mechanic" in capsys.readouterr().err
    assert main(["claims", path, "--reps", "1", "--out", str(out)]) == 2
    assert main(["claims", path, "--set", "consumers.count=-1", "--out", str(out)]) == 2
    assert not out.exists()
