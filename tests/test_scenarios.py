"""Every shipped scenario runs; bad scenario files are reported completely and clearly."""

from pathlib import Path

import pytest
import yaml
from builders import tiny_scenario

import sim
from sim.scenario import list_scenarios

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIO_FILES = sorted(SCENARIO_DIR.rglob("*.yaml"))


def test_scenarios_are_found():
    assert SCENARIO_DIR / "baseline.yaml" in SCENARIO_FILES
    assert SCENARIO_DIR / "validation" / "logit_nash.yaml" in SCENARIO_FILES


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: str(p.relative_to(SCENARIO_DIR)))
def test_scenario_validates_and_runs(path):
    scenario = sim.load_scenario(path)
    assert scenario.name
    result = sim.run(path, steps=5, overrides={"consumers.count": 300})
    n_firms = sum(firm.count for firm in scenario.firms)
    assert len(result.model) == 6
    assert len(result.firms) == 6 * n_firms
    assert result.scenario.consumers.count == 300


def test_list_scenarios_names_every_file():
    names = {name for name, _ in list_scenarios()}
    assert {"baseline", "validation/logit_nash"} <= names


def test_resolved_scenario_round_trips():
    scenario = sim.load_scenario("baseline")
    again = sim.load_scenario(yaml.safe_load(scenario.to_yaml()))
    assert again == scenario
    assert again.digest() == scenario.digest()


# ---------------------------------------------------------------------------
# Bad files

BAD_FILE = """\
name: bad
consumer:
  count: 5
consumers:
  count: -3
firms:
  - name: A
    strategy: customer_obsesed
    prise: 30
  - name: B
    strategy: shareholder_focused
    unit_cost: cheap
  - strategy: shareholder_focused
"""


@pytest.fixture
def bad_problems(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_FILE, encoding="utf-8")
    with pytest.raises(sim.InputError) as caught:
        sim.load_scenario(path)
    return str(path), caught.value


def test_bad_file_lists_every_problem(bad_problems):
    file, error = bad_problems
    by_path = {problem.path: problem for problem in error.problems}
    assert set(by_path) == {
        "consumer",
        "consumers.count",
        "firms.0.strategy",
        "firms.0.prise",
        "firms.1.unit_cost",
        "firms.2.name",
    }
    assert all(problem.file == file for problem in error.problems)
    assert f"{len(error.problems)} problems" in str(error)
    for problem in error.problems:
        assert problem.path in str(error)
        assert problem.rule


def test_bad_file_values_and_rules(bad_problems):
    _, error = bad_problems
    by_path = {problem.path: problem for problem in error.problems}

    assert by_path["consumer"].value == {"count": 5}
    assert "did you mean 'consumers'" in by_path["consumer"].rule

    assert by_path["firms.0.prise"].value == 30
    assert "did you mean 'price'" in by_path["firms.0.prise"].rule

    assert by_path["consumers.count"].value == -3
    assert "greater than or equal to 1" in by_path["consumers.count"].rule

    assert by_path["firms.0.strategy"].value == "customer_obsesed"
    assert "'customer_obsessed'" in by_path["firms.0.strategy"].rule

    assert by_path["firms.1.unit_cost"].value == "cheap"
    assert "number" in by_path["firms.1.unit_cost"].rule

    assert "missing" in by_path["firms.2.name"].rule


def test_bad_file_message_names_file_path_value_rule(bad_problems):
    file, error = bad_problems
    line = next(text for text in str(error).splitlines() if "firms.0.strategy" in text)
    assert file in line
    assert '"customer_obsesed"' in line
    assert "did you mean 'customer_obsessed'" in line


def test_run_refuses_bad_file_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_FILE, encoding="utf-8")
    with pytest.raises(sim.InputError):
        sim.run(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_not_yaml_and_not_mapping(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(sim.InputError, match="not valid YAML"):
        sim.load_scenario(broken)
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(sim.InputError, match="mapping"):
        sim.load_scenario(listing)


def test_unknown_scenario_name_suggests_nearest():
    with pytest.raises(sim.InputError) as caught:
        sim.load_scenario("baselin")
    assert "did you mean 'baseline'" in caught.value.problems[0].rule


def test_distribution_problems_have_paths():
    data = tiny_scenario(
        consumers={
            "need_rate": {"kind": "beta", "mean": 1.5, "sd": 0.1},
            "price_sensitivity": {"kind": "uniform", "low": 0.2},
        }
    )
    with pytest.raises(sim.InputError) as caught:
        sim.load_scenario(data)
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {"consumers.need_rate", "consumers.price_sensitivity"}
    rules = " ".join(problem.rule for problem in caught.value.problems)
    assert "0 < mean < 1" in rules
    assert "high" in rules


# ---------------------------------------------------------------------------
# --set overrides


def test_overrides_set_values():
    scenario = sim.load_scenario("baseline", overrides=["consumers.count=123", "firms.0.price=33"])
    baseline = sim.load_scenario("baseline")
    assert scenario.consumers.count == 123
    assert scenario.firms[0].price == 33.0
    assert scenario.firms[1].price == baseline.firms[1].price
    assert scenario.seed == baseline.seed


def test_overrides_reach_nested_and_new_sections():
    scenario = sim.load_scenario(
        "baseline",
        overrides=[
            "market.outside_utility=-0.5",
            "consumers.need_rate=0.5",
            "firms.1.strategy_params.reserve_quarters=2",
        ],
    )
    assert scenario.market.outside_utility == -0.5
    assert scenario.consumers.need_rate.central() == 0.5
    assert scenario.firms[1].strategy_params == {"reserve_quarters": 2}


def test_overrides_are_validated():
    with pytest.raises(sim.InputError) as caught:
        sim.load_scenario("baseline", overrides=["consumers.count=-1", "firms.0.prise=3"])
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {"consumers.count", "firms.0.prise"}


def test_override_index_out_of_range():
    with pytest.raises(sim.InputError) as caught:
        sim.load_scenario("baseline", overrides=["firms.7.price=1"])
    assert caught.value.problems[0].path == "firms.7"


def test_override_needs_equals_sign():
    with pytest.raises(ValueError, match=r"dotted\.key=value"):
        sim.load_scenario("baseline", overrides=["consumers.count"])


# ---------------------------------------------------------------------------
# User strategies by dotted path


def test_user_strategy_by_dotted_path_runs():
    data = tiny_scenario(
        firms=[
            {
                "name": "Mine",
                "strategy": "user_strategy:FixedMarkup",
                "strategy_params": {"markup": 0.5},
                "unit_cost": 20.0,
                "progress_ratio": 1.0,
            },
            {"name": "Theirs", "strategy": "shareholder_focused"},
        ],
        steps=30,
    )
    result = sim.run(data)
    mine = result.firms[result.firms["name"] == "Mine"]
    assert (mine["strategy"] == "fixed_markup").all()
    assert mine["price"].to_numpy() == pytest.approx(30.0)
    assert mine["units"].sum() > 0


def test_user_strategy_params_are_validated():
    data = tiny_scenario(
        firms=[
            {
                "name": "Mine",
                "strategy": "user_strategy:FixedMarkup",
                "strategy_params": {"markup": -1},
            }
        ]
    )
    with pytest.raises(sim.InputError) as caught:
        sim.load_scenario(data)
    assert any("markup" in str(problem) for problem in caught.value.problems)


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        ("no_such_module_for_flywheel:Thing", "cannot import module 'no_such_module_for_flywheel'"),
        ("user_strategy:Missing", "has no attribute 'Missing'"),
        ("user_strategy:NotAStrategy", "not a subclass"),
    ],
)
def test_bad_dotted_path_is_a_clear_problem(strategy, message):
    data = tiny_scenario(firms=[{"name": "Broken", "strategy": strategy}])
    with pytest.raises(sim.InputError) as caught:
        sim.load_scenario(data)
    (problem,) = caught.value.problems
    assert problem.path == "firms.0.strategy"
    assert problem.value == strategy
    assert message in problem.rule


def test_misspelt_strategy_param_is_reported_at_its_path():
    data = tiny_scenario(
        firms=[
            {
                "name": "A",
                "strategy": "customer_obsessed",
                "strategy_params": {"thin_margn": 0.1},
            }
        ]
    )
    with pytest.raises(sim.InputError) as caught:
        sim.load_scenario(data)
    (problem,) = caught.value.problems
    assert problem.path == "firms.0.strategy_params.thin_margn"
    assert "did you mean 'thin_margin'" in problem.rule


def test_input_error_survives_a_process_boundary():
    # Sweep workers raise it in another process; it must arrive with its problems intact.
    import pickle

    with pytest.raises(sim.InputError) as caught:
        sim.load_scenario("baseline", {"consumers.count": -1, "steps": 0})
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.problems == caught.value.problems
    assert str(again) == str(caught.value)


def test_override_inside_a_default_section_keeps_the_rest_of_the_default():
    # The baseline file does not mention price sensitivity: the override starts from the
    # schema's default distribution (lognormal, sd 0.02) and changes only its mean.
    scenario = sim.load_scenario("baseline", {"consumers.price_sensitivity.mean": 0.2})
    trait = scenario.consumers.price_sensitivity
    assert (trait.kind.value, trait.mean, trait.sd) == ("lognormal", 0.2, 0.02)
    untouched = sim.load_scenario("baseline", {"finance.borrowing_rate": 0.1}).finance
    assert untouched.borrowing_rate == 0.1 and untouched.capacity_share == 0.5
