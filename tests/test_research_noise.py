"""Research with noise: closed forms of its precision, strata, costs, and switched-off runs."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from platform_builders import aggregator_scenario

import sim
from sim.mechanics.research import (
    observed_tastes,
    owned_noise_sd,
    pricing_loss,
    stratified_mean_variance,
    stratum_sizes,
    survey_respondents,
)
from sim.model.market import MarketModel
from sim.outputs import summary as report
from sim.outputs.sections import figures_for
from sim.scenario import InputError, load_scenario
from sim.strategies.research_terms import ResearchTerms

# ---------------------------------------------------------------- closed forms


def test_census_of_owned_customers_without_error_has_no_error():
    assert stratified_mean_variance([1000], [1000], [0.3], [0.0]) == 0.0
    assert owned_noise_sd(0.4, 1.0) == 0.0


def test_simple_random_sample_hand_worked():
    # N = 1000, n = 100, S^2 = 0.25, sigma = 0.5: ((1 - 0.1) 0.25 + 0.25) / 100
    assert stratified_mean_variance([1000], [100], [0.25], [0.5]) == pytest.approx(0.00475)


def test_variance_falls_as_one_over_n_in_a_large_market():
    big = 10**12
    small = stratified_mean_variance([big], [50], [0.2], [0.5])
    large = stratified_mean_variance([big], [200], [0.2], [0.5])
    assert small == pytest.approx((0.2 + 0.25) / 50, rel=1e-9)
    assert large / small == pytest.approx(0.25, rel=1e-9)


def test_unmeasured_stratum_is_infinitely_uncertain():
    assert math.isinf(stratified_mean_variance([10, 90], [10, 0], [0.1, 0.1], [0.0, 0.5]))
    # an empty stratum counts for nothing
    assert stratified_mean_variance([0, 100], [0, 100], [0.1, 0.1], [0.0, 0.0]) == 0.0


def test_stratified_variance_matches_simulated_estimates():
    """Draw the stratified estimator many times; its variance is the closed form."""
    rng = np.random.default_rng(7)
    owned = rng.normal(-2.5, 0.2, 300)  # log tastes of owned customers
    rest = rng.normal(-2.4, 0.3, 1700)
    n_owned, n_rest, sd_owned, sd_rest = 150, 40, 0.1, 0.5
    weights = np.array([300, 1700]) / 2000
    estimates = []
    for _ in range(8_000):
        a = rng.choice(owned, n_owned, replace=False) + sd_owned * rng.standard_normal(n_owned)
        b = rng.choice(rest, n_rest, replace=False) + sd_rest * rng.standard_normal(n_rest)
        estimates.append(weights[0] * a.mean() + weights[1] * b.mean())
    expected = stratified_mean_variance(
        [300, 1700],
        [n_owned, n_rest],
        [owned.var(ddof=1), rest.var(ddof=1)],
        [sd_owned, sd_rest],
    )
    assert np.var(estimates) == pytest.approx(expected, rel=0.08)


def test_observed_tastes_log_normal_error():
    rng = np.random.default_rng(3)
    tastes = np.full(200_000, 0.08)
    seen = observed_tastes(tastes, 0.4, rng.standard_normal(len(tastes)))
    logs = np.log(seen / tastes)
    assert abs(logs.mean()) < 0.005
    assert logs.std() == pytest.approx(0.4, rel=0.01)
    assert observed_tastes(np.array([0.0, 1.0]), 0.4, np.array([2.0, 0.0])).tolist() == [0.0, 1.0]
    exact = observed_tastes(np.array([0.3]), 0.0, np.array([5.0]))
    assert exact[0] == 0.3


def test_respondents_and_strata():
    # $100 a week for 13 weeks at $20 each: 65 respondents on top of 50 free
    assert survey_respondents(50, 100.0, 20.0) == pytest.approx(115.0)
    assert stratum_sizes(1000, 300, 115.7, 2000) == (300, 115)
    assert stratum_sizes(1000, 300, 5000.0, 200) == (200, 200)
    assert stratum_sizes(1000, 990, 115.0, 2000) == (990, 10)
    with pytest.raises(ValueError, match="cost_per_respondent"):
        survey_respondents(50, 1.0, 0.0)


def terms(**changes) -> ResearchTerms:
    values = dict(
        cost_per_respondent=20.0,
        free_respondents=50,
        max_sample=2000,
        population=10_000,
        owned=400,
        owned_noise_sd=0.1,
        survey_noise_sd=0.5,
        taste_variance=0.06,
        owned_sample=400,
        survey_sample=50,
        error_sd=0.0,
    )
    values.update(changes)
    return ResearchTerms(**values)


def test_paying_more_buys_precision():
    t = terms()
    spends = [0.0, 50.0, 200.0, 800.0, 3000.0]
    variances = [t.error_variance(s) for s in spends]
    assert all(a > b for a, b in itertools.pairwise(variances))


def test_spend_for_error_is_the_smallest_that_reaches_the_target():
    t = terms()
    spend = t.spend_for_error(0.03)
    assert t.error_variance(spend) <= 0.03**2
    one_less = spend - t.cost_per_respondent / 13.0
    assert t.error_variance(one_less) > 0.03**2
    assert t.spend_for_error(1.0) == 0.0  # the free panel already reaches it


# ---------------------------------------------------------------- in the model


def research_scenario(**research) -> dict:
    data = aggregator_scenario()
    data["steps"] = 26
    data["firms"] = [
        {"name": "Direct", "strategy": "user_strategy:FixedMarkup", "channels": ["direct"]},
        {"name": "On platform", "strategy": "user_strategy:FixedMarkup", "channels": ["Compare"]},
        {
            "name": "Buyer",
            "strategy": "research_strategies:ResearchBuyer",
            "strategy_params": {"weekly_research": 200.0},
            "channels": ["direct"],
        },
    ]
    data["research"] = {"enabled": True, **research}
    return data


@pytest.fixture(scope="module")
def model():
    scenario = research_scenario()
    model = MarketModel(scenario, seed="scenario")
    model.run()
    return model


def test_platform_name(model):
    assert [p.name for p in model.platforms] == ["Compare"]


def test_brand_on_a_platform_sees_only_aggregates(model):
    direct, on_platform, _ = model.firms
    seen = model.market_research(on_platform).terms
    assert on_platform.week.platform_units > 0 or on_platform.last_quarter.units > 0
    assert seen.owned == 0 and seen.owned_sample == 0
    assert seen.survey_sample == model.spec.research.free_respondents
    own = model.market_research(direct).terms
    assert own.owned > 0 and own.owned_sample == min(own.owned, model.spec.research.max_sample)
    assert own.error_sd < seen.error_sd


def test_platform_learns_from_all_its_shoppers(model):
    result_row = model.research.platform_row(model, model.platforms[0])
    shoppers = int((model.channels.columns.last_channel == 1).sum())
    assert shoppers > 0
    assert result_row["research_sample"] == shoppers + model.spec.research.free_respondents


def test_research_spend_buys_respondents_and_is_booked(model):
    buyer = model.firms[2]
    seen = model.market_research(buyer).terms
    expected = model.spec.research.free_respondents + math.floor(13 * 200.0 / 20.0)
    assert seen.survey_sample == expected
    firms = model.datacollector.get_table_dataframe("firms")
    mine = firms[(firms["name"] == "Buyer") & (firms["step"] > 0)]
    assert (mine["research_spend"] == 200.0).all()
    assert (mine["investment"] >= 200.0).all()
    cash = mine["cash"].to_numpy()
    flows = (mine["profit"] - mine["payout"]).to_numpy()
    np.testing.assert_allclose(np.diff(cash), flows[1:], rtol=1e-9, atol=1e-6)


def test_research_with_noise_sees_noisy_tastes(model):
    firm = model.firms[1]
    research = model.market_research(firm)
    assert research.terms.error_sd > 0
    cols = model.population.columns
    # rows are not handed over; the observed tastes differ from any true taste almost surely
    assert not np.isin(research.price_sensitivity, cols.price_sensitivity).any()
    np.testing.assert_array_equal(research.shoppers.price_sensitivity, research.price_sensitivity)


def test_full_data_without_error_is_the_truth():
    scenario = research_scenario(
        free_respondents=1500, max_sample=1500, survey_noise=0.0, owned_noise=0.0
    )
    model = MarketModel(scenario, seed="scenario")
    model.run(13)
    research = model.market_research(model.firms[0])
    assert research.terms.error_sd == 0.0
    assert research.terms.owned > 0
    cols = model.population.columns
    for taste in ("price_sensitivity", "selection_taste", "experience_taste"):
        np.testing.assert_array_equal(
            np.sort(getattr(research, taste)), np.sort(getattr(cols, taste))
        )


def test_full_data_demand_equals_the_exact_census():
    scenario = research_scenario(
        free_respondents=1500, max_sample=1500, survey_noise=0.0, owned_noise=0.0
    )
    scenario["market"] = {"research_sample_size": 1500}
    model = MarketModel(scenario, seed="scenario")
    model.run(13)
    noisy = model.market_research(model.firms[0])
    model.research.enabled = False  # the same market, research free and exact
    exact = model.market_research(model.firms[0])
    for price in (30.0, 40.0, 55.0):
        assert noisy.demand(price=price) == pytest.approx(exact.demand(price=price), rel=1e-9)


def test_spend_is_ignored_when_research_is_off():
    scenario = research_scenario()
    scenario.pop("research")
    firms = sim.run(scenario).firms
    assert (firms["research_spend"] == 0).all()
    assert (firms["research_sample"] == 500).all()


def test_same_seed_same_tables_with_research_on():
    scenario = research_scenario()
    first, second = sim.run(scenario), sim.run(scenario)
    for name, table in first.all_tables().items():
        second_table = second.all_tables()[name]
        assert table.equals(second_table), name


def test_bad_research_section_is_refused():
    scenario = research_scenario(cost_per_respondent=0.0, survey_noise=-1.0)
    with pytest.raises(InputError) as error:
        load_scenario(scenario)
    text = str(error.value)
    assert "research.cost_per_respondent" in text and "research.survey_noise" in text


# ---------------------------------------------------------------- strategies


def view_with_terms(**changes):
    from builders import market_view

    view = market_view()
    return dataclasses.replace(
        view, research=dataclasses.replace(view.research, terms=terms(**changes))
    )


def test_pricing_loss_hand_worked():
    # contribution $1,000 a week, share 0.2, V = 0.01: 0.5 * 1000 * 0.01 / 0.8
    assert pricing_loss(1000.0, 0.2, 0.01) == pytest.approx(6.25)
    assert pricing_loss(1000.0, 0.2, 0.0) == 0.0


def test_customer_obsessed_buys_research_to_reach_its_target():
    from builders import firm_view

    from sim.strategies.customer_obsessed import CustomerObsessed

    # A market of 10,000 needs a week, where its plan invests far more than the research
    # it needs (a quarter of the plan's weekly investment at most goes to research).
    view = view_with_terms()
    view = dataclasses.replace(
        view, research=dataclasses.replace(view.research, weights=view.research.weights * 50)
    )
    target = 0.03
    strategy = CustomerObsessed(research_target_error=target)
    decision = strategy.decide(firm_view(), view)
    needed = view.research.terms.spend_for_error(target)
    assert 0 < needed <= 0.25 * strategy.plan.spends
    assert decision.spend_research == pytest.approx(needed)
    none = CustomerObsessed(research_target_error=0.0).decide(firm_view(), view)
    assert none.spend_research == 0.0
    free = CustomerObsessed().decide(firm_view(), market_view_plain())
    assert free.spend_research == 0.0


def market_view_plain():
    from builders import market_view

    return market_view()


def test_shareholder_focused_buys_research_only_when_it_pays():
    from builders import firm_view

    from sim.strategies.shareholder_focused import ShareholderFocused

    cheap = view_with_terms(cost_per_respondent=0.01, survey_noise_sd=3.0)
    dear = view_with_terms(cost_per_respondent=10_000.0)
    assert ShareholderFocused().decide(firm_view(), cheap).spend_research > 0
    assert ShareholderFocused().decide(firm_view(), dear).spend_research == 0.0
    off = ShareholderFocused(buys_research=False).decide(firm_view(), cheap)
    assert off.spend_research == 0.0


@pytest.mark.slow
def test_run_folder_shows_research(tmp_path):
    result = sim.run(research_scenario())
    folder = result.save(tmp_path / "run")
    assert (folder / "figures" / "research.png").stat().st_size > 0
    summary = (folder / "summary.md").read_text()
    assert "## Market research with noise" in summary
    assert "Platform **Compare** learns from all" in summary
    plain = research_scenario()
    plain.pop("research")
    off = sim.run(plain, steps=2)
    assert "research" not in [figure.name for figure in figures_for(off)]
    assert "research with noise" not in report.summary(off)
