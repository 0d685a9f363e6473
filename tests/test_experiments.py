"""Experiments, the pure parts: expressions, seeds, designs, sweep files, outcomes, analysis.

Known answers: closed forms of the unit mappings, Latin-hypercube stratification, the
Ishigami function's Sobol' indices, Morris effects of a linear function, a textbook
t interval; invariants of the seed plan and of validation (every problem at once).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest
from experiments_helpers import TINY, tiny

matplotlib.use("Agg")

from sim.experiments import analysis, design, outcomes, plots
from sim.experiments.expressions import Expression, ExpressionError
from sim.experiments.spec import (
    Parameter,
    apply_sweep_overrides,
    expand_path,
    load_sweep,
    validate_sweep,
)
from sim.model import seeds
from sim.scenario import InputError

# ---------------------------------------------------------------- expressions


class TestExpressions:
    def test_arithmetic_functions_and_conditionals(self):
        env = {"share": 0.3, "n": 10}
        assert Expression("round(n * share)").evaluate(env) == 3
        assert Expression("n - round(n * share)").evaluate(env) == 7
        assert Expression("max(1, floor(share * 2))").evaluate(env) == 1
        assert Expression("'a' if share > 0.5 else 'b'").evaluate(env) == "b"
        assert Expression("2 ** 3 // 3 % 2").evaluate({}) == 0
        assert Expression("not share < 0 and n >= 10").evaluate(env) is True
        assert Expression("1 < n <= 10").evaluate(env) is True

    def test_names_are_reported(self):
        assert Expression("a * b + min(a, 3)").names == {"a", "b"}

    @pytest.mark.parametrize(
        "text",
        [
            "__import__('os').system('true')",
            "share.real",
            "[1, 2][0]",
            "(lambda: 1)()",
            "open('x')",
            "round(x, ndigits=2)",
            "x @ y",
        ],
    )
    def test_anything_beyond_arithmetic_is_refused(self, text):
        with pytest.raises(ExpressionError):
            Expression(text)

    def test_unknown_name_and_huge_power_fail_cleanly(self):
        with pytest.raises(ExpressionError, match="unknown name 'y'"):
            Expression("y + 1").evaluate({})
        with pytest.raises(ExpressionError, match="exponent"):
            Expression("10 ** 1000").evaluate({})
        with pytest.raises(ExpressionError, match="failed"):
            Expression("1 / x").evaluate({"x": 0})


# ---------------------------------------------------------------- seeds


class TestSeeds:
    def test_one_spawned_child_per_replication(self):
        expected = [
            int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
            for child in np.random.SeedSequence(5).spawn(4)
        ]
        assert seeds.replication_seeds(5, 4) == expected

    def test_prefix_stable_distinct_and_63_bit(self):
        many = seeds.replication_seeds(123, 50)
        assert seeds.replication_seeds(123, 10) == many[:10]
        assert len(set(many)) == 50
        assert all(0 <= s < 2**63 for s in many)
        assert seeds.replication_seeds(124, 10) != many[:10]

    def test_plan_records_method_and_seeds(self):
        plan = seeds.seed_plan(9, 3)
        assert plan["root_seed"] == 9
        assert plan["replication_seeds"] == seeds.replication_seeds(9, 3)
        assert plan["common_random_numbers"] is True

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="replications"):
            seeds.replication_seeds(1, 0)
        with pytest.raises(ValueError, match="root seed"):
            seeds.replication_seeds(-1, 2)


# ---------------------------------------------------------------- designs


def param(**fields) -> Parameter:
    return Parameter.model_validate(fields)


class TestDesigns:
    def test_unit_mapping_closed_forms(self):
        linear = param(low=2.0, high=6.0)
        assert design.unit_to_value(linear, 0.0) == 2.0
        assert design.unit_to_value(linear, 0.25) == 3.0
        assert design.unit_to_value(linear, 1.0) == 6.0
        log = param(low=10.0, high=1000.0, scale="log")
        assert design.unit_to_value(log, 0.5) == pytest.approx(100.0)
        assert design.unit_to_value(log, 1.0) == pytest.approx(1000.0)

    def test_integer_range_takes_each_integer_equally_often(self):
        p = param(low=1, high=4, integer=True)
        u = (np.arange(4000) + 0.5) / 4000
        values = [design.unit_to_value(p, x) for x in u]
        counts = pd.Series(values).value_counts().sort_index()
        assert list(counts.index) == [1, 2, 3, 4]
        assert set(counts) == {1000}
        assert design.unit_to_value(p, 1.0) == 4

    def test_grid_is_the_full_factorial_first_parameter_slowest(self):
        table = design.grid_design(
            {"a": param(levels=[1, 2]), "b": param(low=0.0, high=1.0, num=3)}
        )
        assert table.values.to_dict("list") == {
            "a": [1, 1, 1, 2, 2, 2],
            "b": [0.0, 0.5, 1.0, 0.0, 0.5, 1.0],
        }
        assert table.unit is None
        assert table.values["a"].dtype == np.int64

    def test_latin_hypercube_is_stratified(self):
        unit = design.sample_unit("lhs", ["x", "y", "z"], 20, seed=3)
        for column in unit.T:
            assert sorted(np.floor(column * 20).astype(int)) == list(range(20))

    def test_sampled_sizes_and_determinism(self):
        names = ["a", "b", "c"]
        assert design.sample_unit("morris", names, 5, seed=1).shape == (5 * 4, 3)
        assert design.sample_unit("sobol", names, 8, seed=1).shape == (8 * 5, 3)
        second = design.sample_unit("sobol", names, 8, seed=1, second_order=True)
        assert second.shape == (8 * 8, 3)
        np.testing.assert_array_equal(
            design.sample_unit("lhs", names, 7, seed=2), design.sample_unit("lhs", names, 7, seed=2)
        )

    def test_design_does_not_depend_on_replications(self):
        base = tiny(
            parameters={
                "a": {"low": 0.7, "high": 0.9, "path": "firms.0.progress_ratio"},
                "b": {"low": 0.7, "high": 0.9, "path": "firms.1.progress_ratio"},
            },
            design={"kind": "lhs", "samples": 5},
        )
        one = validate_sweep({**base, "replications": 1})
        three = validate_sweep({**base, "replications": 3})
        pd.testing.assert_frame_equal(one.design.values, three.design.values)
        assert three.seeds[:1] == one.seeds


# ---------------------------------------------------------------- sweep files


def problems_of(data: dict) -> list:
    with pytest.raises(InputError) as caught:
        validate_sweep(data, "sweep.yaml")
    return caught.value.problems


class TestSweepFiles:
    def test_tiny_sweep_resolves(self):
        sweep = validate_sweep(tiny())
        assert sweep.n_points == 3 and sweep.n_runs == 6
        assert sweep.strategies == ("customer_obsessed", "shareholder_focused")
        assert "final_share__customer_obsessed" in sweep.metric_columns
        firms = [sweep.scenario_for(p)["firms"] for p in range(3)]
        assert [[(g["strategy"], g["count"]) for g in f] for f in firms] == [
            [("shareholder_focused", 10)],
            [("customer_obsessed", 5), ("shareholder_focused", 5)],
            [("customer_obsessed", 10)],
        ]
        assert all(g["fixed_cost"] == 25 for f in firms for g in f)
        keys = sweep.run_keys()
        assert [k.run_id for k in keys[:3]] == ["p00000-r000", "p00000-r001", "p00001-r000"]
        assert {k.seed for k in keys if k.replication == 0} == {sweep.seeds[0]}

    def test_every_structural_problem_at_once(self):
        bad = tiny(
            name="has space",
            replicatons=3,
            seed=-1,
            parameters={
                "share": {"levels": [0, 0.5, "x"], "set": {"firms.0.count": "round(10 * s"}},
                "ratio": {"low": 0.9, "high": 0.7},
            },
            design={"kind": "sobol", "samples": 100},
            outputs={"metrics": ["final_hh"], "series": ["nope"]},
            scenario="baselin",
        )
        found = {(p.path, p.rule.split(";")[0].split(":")[0]) for p in problems_of(bad)}
        paths = {path for path, _ in found}
        assert {
            "name",
            "replicatons",
            "seed",
            "parameters.share",
            "parameters.ratio",
            "design",
            "outputs.metrics",
            "outputs.series",
            "scenario",
        } <= paths
        rules = " ".join(p.rule for p in problems_of(bad))
        assert "did you mean 'replications'?" in rules
        assert "did you mean 'final_hhi'?" in rules
        assert "did you mean 'baseline'?" in rules
        assert "power of two" in rules

    def test_meaning_problems_at_once(self):
        bad = tiny(
            constants={"n": 10},
            parameters={
                "share": {"levels": [0.5], "set": {"firms.0.count": "round(nn * share)"}},
                "ratio": {"low": 0.7, "high": 0.9},
                "seed": {"levels": [1]},
            },
        )
        problems = problems_of(bad)
        rules = {p.path: p.rule for p in problems}
        assert "did you mean 'n'?" in rules["parameters.share.set.firms.0.count"]
        assert "low, high and num" in rules["parameters.ratio"]
        assert "clashes" in rules["parameters.seed"]

    def test_sampled_design_refuses_levels(self):
        bad = tiny(design={"kind": "morris", "samples": 4})
        assert any("instead of levels" in p.rule for p in problems_of(bad))

    def test_design_points_are_validated_before_anything_runs(self):
        bad = tiny(
            empty_firm_groups="error",
            parameters={
                "obsessed_share": {
                    **TINY["parameters"]["obsessed_share"],
                    "levels": [0.0, 0.02, 0.5],
                }
            },
        )
        (problem,) = problems_of(bad)
        assert problem.path == "scenario firms.0.count"
        assert problem.value == 0
        assert "design point 0" in problem.rule and "obsessed_share=0.0" in problem.rule
        assert "set by parameters.obsessed_share" in problem.rule
        assert "1 other design point too" in problem.rule

    def test_misspelt_scenario_key_in_a_parameter_path(self):
        bad = tiny(parameters={"p": {"levels": [1, 2], "path": "firms.0.prcie"}})
        (problem,) = problems_of(bad)
        assert "did you mean 'price'?" in problem.rule

    def test_two_parameters_may_not_set_one_path(self):
        bad = tiny(
            parameters={
                "a": {"levels": [0.8], "set": {"firms.*.progress_ratio": "a"}},
                "b": {"levels": [0.9], "path": "firms.1.progress_ratio"},
            }
        )
        assert any("also set by parameter 'a'" in p.rule for p in problems_of(bad))

    def test_fixed_overrides_with_wildcards_and_errors(self):
        sweep = validate_sweep(tiny())
        assert [g["cash"] for g in sweep.base["firms"]] == [1250, 1250]
        bad = tiny(fixed={"consumers.cont": 3})
        (problem,) = problems_of(bad)
        assert problem.path == "fixed: consumers.cont" and "did you mean 'count'?" in problem.rule

    def test_labelled_levels(self):
        sweep = validate_sweep(
            tiny(
                parameters={
                    "market": {
                        "levels": {
                            "duopoly": {"firms.0.count": 1, "firms.1.count": 1},
                            "crowded": {"firms.0.count": 6, "firms.1.count": 6},
                        }
                    }
                }
            )
        )
        assert list(sweep.design.values["market"]) == ["duopoly", "crowded"]
        assert sweep.scenario_for(1)["firms"][0]["count"] == 6

    def test_sweep_overrides_treat_dotted_keys_whole(self):
        data = apply_sweep_overrides(
            TINY,
            [
                "fixed.consumers.count=900",
                "parameters.obsessed_share.set.firms.0.count=3",
                "design.kind=lhs",
                "replications=4",
            ],
            "x",
        )
        assert data["fixed"]["consumers.count"] == 900
        assert data["parameters"]["obsessed_share"]["set"]["firms.0.count"] == 3
        assert data["design"] == {"kind": "lhs"}
        assert data["replications"] == 4
        assert TINY["replications"] == 2  # the input is not modified

    def test_expand_path(self):
        doc = {"firms": [{"a": 1}, {"a": 2}], "m": {"x": 1}}
        assert expand_path(doc, "firms.*.a") == ["firms.0.a", "firms.1.a"]
        assert expand_path(doc, "m.x") == ["m.x"]
        assert expand_path(doc, "nothing.*.a") == []

    def test_shipped_sweeps_are_valid_with_their_variants(self):
        for name, variants in {
            "orientation_mix": [None, "quick"],
            "learning_and_scale": [None, "quick"],
            "screening": [None, "quick", "sobol"],
        }.items():
            for variant in variants:
                sweep = load_sweep(name, variant=variant)
                assert sweep.n_runs >= 1
                assert sweep.spec.variant == variant
        mix = load_sweep("orientation_mix")
        assert mix.n_points == 11 and mix.spec.replications >= 10
        assert next(iter(mix.design.values["obsessed_share"])) == 0.0
        screening = load_sweep("screening")
        assert screening.spec.design.kind in ("morris", "sobol")
        assert len(screening.spec.parameters) >= 6

    def test_unknown_variant(self):
        with pytest.raises(InputError, match="did you mean 'quick'"):
            load_sweep("orientation_mix", variant="quik")

    def test_hash_follows_content(self):
        a = validate_sweep(tiny())
        assert validate_sweep(tiny()).digest == a.digest
        assert validate_sweep(tiny(replications=3)).digest != a.digest
        assert validate_sweep(tiny(variants={"x": {"seed": 2}})).digest == a.digest


# ---------------------------------------------------------------- outcomes


def fake_result() -> SimpleNamespace:
    """Four weeks, two firms of two strategies; firm 2 dies at week 3."""
    model = pd.DataFrame(
        {
            "step": [0, 1, 2, 3, 4],
            "customer_obsessed_share": [0.0, 0.5, 0.6, 0.8, 1.0],
            "consumer_surplus": [0.0, 10.0, 12.0, 14.0, 16.0],
            "consumer_surplus_total": [0.0, 100.0, 120.0, 140.0, 160.0],
            "n_firms_alive": [2, 2, 2, 1, 1],
        }
    )
    rows = []
    for step in range(5):
        rows.append(
            {
                "step": step,
                "firm_id": 1,
                "strategy": "customer_obsessed",
                "share": [0, 0.5, 0.6, 0.8, 1.0][step],
                "alive": True,
                "cumulative_payout": 0.0,
                "price": 30.0,
            }
        )
        rows.append(
            {
                "step": step,
                "firm_id": 2,
                "strategy": "shareholder_focused",
                "share": [0, 0.5, 0.4, 0.2, 0.0][step],
                "alive": step < 3,
                "cumulative_payout": 10.0 * step,
                "price": 40.0,
            }
        )
    return SimpleNamespace(model=model, firms=pd.DataFrame(rows))


class TestOutcomes:
    def test_final_window_excludes_step_zero(self):
        result = fake_result()
        assert outcomes.final_customer_obsessed_share(result, 2) == pytest.approx(0.9)
        assert outcomes.final_customer_obsessed_share(result, 100) == pytest.approx(0.725)
        assert outcomes.final_n_firms_alive(result, 2) == 1
        assert outcomes.cumulative_consumer_surplus(result, 2) == pytest.approx(520.0)

    def test_strategy_outcomes(self):
        result = fake_result()
        assert outcomes.final_share(result, 2, "customer_obsessed") == pytest.approx(0.9)
        assert outcomes.final_share(result, 2, "shareholder_focused") == pytest.approx(0.1)
        assert outcomes.survival(result, 2, "shareholder_focused") == 0.0
        assert outcomes.payout_per_firm(result, 2, "shareholder_focused") == 40.0
        assert outcomes.final_price(result, 2, "shareholder_focused") != outcomes.final_price(
            result, 2, "customer_obsessed"
        )
        assert math.isnan(outcomes.final_price(result, 1, "shareholder_focused"))
        assert math.isnan(outcomes.final_share(result, 2, "absent"))

    def test_expand_and_compute(self):
        columns = outcomes.expand(["final_hhi", "survival"], ["a", "b"])
        assert columns == ["final_hhi", "survival__a", "survival__b"]
        with pytest.raises(ValueError):
            outcomes.expand(["nope"], ["a"])
        values = outcomes.compute(fake_result(), ["final_share__customer_obsessed"], 2)
        assert values == {"final_share__customer_obsessed": pytest.approx(0.9)}


# ---------------------------------------------------------------- analysis


class TestIntervals:
    def test_textbook_t_interval(self):
        # 1..5: mean 3, sd sqrt(2.5), t(0.975, 4) = 2.776445
        mean, low, high, sd, n = analysis.t_interval([1, 2, 3, 4, 5])
        half = 2.776445 * math.sqrt(2.5) / math.sqrt(5)
        assert (mean, n) == (3.0, 5)
        assert sd == pytest.approx(math.sqrt(2.5))
        assert (low, high) == pytest.approx((3 - half, 3 + half), rel=1e-6)
        assert math.isnan(analysis.t_interval([4.0])[1])

    def test_pairing_removes_shared_noise(self):
        rng = np.random.default_rng(0)
        shared = rng.normal(0, 10, 30)  # the replication's luck, common to both sides
        a = 5.0 + shared + rng.normal(0, 0.5, 30)
        b = shared + rng.normal(0, 0.5, 30)
        result = analysis.paired_ci(a, b)
        assert result["ci_low"] < 5.0 < result["ci_high"]
        paired = result["ci_high"] - result["ci_low"]
        unpaired = result["unpaired_ci_high"] - result["unpaired_ci_low"]
        assert paired < unpaired / 5
        assert result["correlation"] > 0.9
        assert result["p_value"] < 1e-10

    def test_identical_sides_have_zero_difference(self):
        result = analysis.paired_ci([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
        assert (result["mean_diff"], result["ci_low"], result["ci_high"]) == (0.0, 0.0, 0.0)
        assert result["p_value"] == 1.0


def runs_table() -> pd.DataFrame:
    """Two points x three replications: point 1 is point 0 plus 2, same seeds."""
    rows = []
    for point, offset in ((0, 0.0), (1, 2.0)):
        for rep, luck in enumerate((1.0, 5.0, 9.0)):
            rows.append(
                {
                    "run_id": f"p{point}-r{rep}",
                    "point": point,
                    "replication": rep,
                    "seed": 100 + rep,
                    "sweep": "x",
                    "level": point * 0.5,
                    "final_hhi": luck + offset + 0.01 * rep * point,
                }
            )
    frame = pd.DataFrame(rows)
    frame.attrs["parameters"] = ["level"]
    return frame


class TestComparisons:
    def test_compare_points_by_index_and_by_values(self):
        df = runs_table()
        by_index = analysis.compare_points(df, "final_hhi", 1, 0)
        by_value = analysis.compare_points(df, "final_hhi", "level=0.5", {"level": 0.0})
        assert by_index.mean_diff == pytest.approx(2.01)
        assert by_index.as_dict() == by_value.as_dict()
        assert by_index.ci_high - by_index.ci_low < 0.2
        assert by_index.unpaired_ci_high - by_index.unpaired_ci_low > 10

    def test_compare_levels_skips_the_reference(self):
        table = analysis.compare_levels(runs_table(), "final_hhi", "level")
        assert list(table["level"]) == [0.5]
        assert table["mean_diff"].iloc[0] == pytest.approx(2.01)

    def test_seeds_must_match(self):
        df = runs_table()
        df.loc[df["point"] == 1, "seed"] += 1
        with pytest.raises(ValueError, match="common random numbers"):
            analysis.compare_points(df, "final_hhi", 1, 0)

    def test_bad_selectors(self):
        with pytest.raises(ValueError, match="no design point"):
            analysis.select(runs_table(), "level=7")
        with pytest.raises(ValueError, match="unknown parameter"):
            analysis.select(runs_table(), "lvl=0")


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


class TestSensitivity:
    def test_sobol_indices_of_ishigami(self):
        names = ["x1", "x2", "x3"]
        unit = design.sample_unit("sobol", names, 1024, seed=1)
        y = ishigami(-np.pi + 2 * np.pi * unit)
        table = analysis.sensitivity_indices("sobol", names, unit, y, num_resamples=200)
        s1 = table[table["index"] == "S1"]["value"].to_numpy()
        st = table[table["index"] == "ST"]["value"].to_numpy()
        np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=0.05)
        np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=0.05)
        assert (table["ci_low"] <= table["value"]).all()
        assert set(table.columns) >= {"outcome", "method", "parameter", "index", "conf"}

    def test_morris_effects_of_a_linear_function(self):
        names = ["a", "b", "c"]
        unit = design.sample_unit("morris", names, 10, seed=4, levels=4)
        y = 1.0 * unit[:, 0] + 5.0 * unit[:, 1] + 0.0 * unit[:, 2]
        table = analysis.sensitivity_indices("morris", names, unit, y, levels=4)
        mu_star = table[table["index"] == "mu_star"].set_index("parameter")["value"]
        sigma = table[table["index"] == "sigma"].set_index("parameter")["value"]
        np.testing.assert_allclose(mu_star[names], [1.0, 5.0, 0.0], atol=1e-9)
        np.testing.assert_allclose(sigma[names], 0.0, atol=1e-9)

    def test_rbd_fast_on_a_latin_hypercube_of_ishigami(self):
        names = ["x1", "x2", "x3"]
        unit = design.sample_unit("lhs", names, 1000, seed=2)
        y = ishigami(-np.pi + 2 * np.pi * unit)
        table = analysis.sensitivity_indices("lhs", names, unit, y, num_resamples=100)
        assert set(table["method"]) == {"rbd_fast"}
        s1 = table[table["index"] == "S1"]["value"].to_numpy()
        np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=0.1)

    def test_refuses_nan_and_grids(self):
        unit = design.sample_unit("lhs", ["a", "b"], 5, seed=0)
        with pytest.raises(ValueError, match="not finite"):
            analysis.sensitivity_indices("lhs", ["a", "b"], unit, np.full(5, np.nan))
        with pytest.raises(ValueError, match="sampled design"):
            analysis.sensitivity_indices("grid", ["a", "b"], unit, np.zeros(5))


# ---------------------------------------------------------------- plots


class TestPlots:
    def test_plot_functions_draw_on_given_axes_and_return_them(self):
        from matplotlib.figure import Figure

        df = runs_table()
        figure = Figure()
        axes = figure.subplots(2, 2).ravel()
        assert plots.outcome_vs_parameter(df, "final_hhi", "level", ax=axes[0]) is axes[0]
        assert "HHI" in axes[0].get_ylabel()
        table = analysis.compare_levels(df, "final_hhi", "level")
        assert plots.paired_differences(table, ax=axes[1], label_column="level") is axes[1]
        names = ["a", "b", "c"]
        unit = design.sample_unit("morris", names, 6, seed=0)
        indices = analysis.sensitivity_indices("morris", names, unit, unit @ [1.0, 2.0, 0.5])
        assert plots.sensitivity_bars(indices, ax=axes[2]) is axes[2]
        assert plots.morris_scatter(indices, ax=axes[3]) is axes[3]
        grid = pd.DataFrame(
            {
                "point": range(4),
                "x": [0, 0, 1, 1],
                "y": [0, 1, 0, 1],
                "final_hhi": [0.1, 0.2, 0.3, 0.4],
            }
        )
        figure2 = Figure()
        ax = figure2.subplots()
        assert plots.outcome_heatmap(grid, "final_hhi", "x", "y", ax=ax) is ax

    def test_palette_is_okabe_ito(self):
        assert plots.colour(0) == "#0072B2" and len(set(plots.OKABE_ITO)) == 8
