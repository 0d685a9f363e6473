"""Accounting identities on the baseline scenario, checked every step for every firm."""

import numpy as np
import pytest

import sim

STEPS = 120
CASES = {
    # small market: firms run out of cash and exit, so exits are covered too
    "baseline-small": {"consumers.count": 2000},
    # low fixed costs: firms survive, pay out and invest throughout
    "baseline-low-fixed-cost": {
        "consumers.count": 2000,
        "firms.0.fixed_cost": 50.0,
        "firms.1.fixed_cost": 50.0,
    },
    # financing at work: deposits earn interest, debt costs it, investors fund losses
    "baseline-financed": {
        "consumers.count": 2000,
        "finance.deposit_rate": 0.03,
        "finance.investor_patience_quarters": 8,
        "finance.investor_min_repeat_rate": 0.0,
        "finance.investor_min_customer_growth": -1.0,
    },
    # research with noise: research spend decided by the strategies, booked as investment
    "baseline-research": {"consumers.count": 2000, "research.enabled": True},
    # capacity binds: shoppers turned away, capacity ordered ahead and paid for
    "baseline-capacity": {
        "consumers.count": 2000,
        "finance.capacity_binds": True,
        "finance.capacity_capital_cost": 20.0,
    },
    # trust on: refunds, collections, try-on kits, reviews and referral rewards are costs
    "baseline-trust": {
        "consumers.count": 2000,
        "trust.enabled": True,
        "trust.unfamiliar_firms": ["Obsessed"],
        "network.kind": "watts_strogatz",
        "word_of_mouth.referral_rate": 0.4,
    },
}


def trust_cost(rows):
    """The firm table's trust cost, 0 when trust is off (the column is then absent)."""
    return rows["trust_cost"] if "trust_cost" in rows else 0.0


CASES_BY_SCENARIO: dict[int, dict] = {}


@pytest.fixture(scope="module", params=list(CASES))
def result(request):
    run = sim.run("baseline", steps=STEPS, overrides=CASES[request.param])
    CASES_BY_SCENARIO[id(run)] = CASES[request.param]
    return run


@pytest.fixture(scope="module")
def firms(result):
    return result.firms.sort_values(["firm_id", "step"]).reset_index(drop=True)


def relative_close(a, b, rel=1e-6, scale=1.0):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) <= rel * np.maximum(np.maximum(np.abs(a), np.abs(b)), scale)


def test_tables_have_one_row_per_step_and_firm(result):
    n_firms = sum(firm.count for firm in result.scenario.firms)
    assert list(result.model["step"]) == list(range(STEPS + 1))
    assert len(result.firms) == (STEPS + 1) * n_firms
    assert result.firms.groupby("step")["firm_id"].nunique().eq(n_firms).all()


def test_firm_units_add_up_to_purchases(result):
    units = result.firms.groupby("step")["units"].sum()
    purchases = result.model.set_index("step")["purchases"]
    np.testing.assert_array_equal(units.loc[purchases.index].to_numpy(), purchases.to_numpy())
    assert (result.model["purchases"] <= result.model["needs"]).all()
    assert result.model["purchases"].iloc[1:].sum() > 0


def test_consumer_spending_equals_firm_revenue(result):
    revenue = result.firms.groupby("step")["revenue"].sum()
    spending = result.model.set_index("step")["spending"]
    assert relative_close(revenue.loc[spending.index], spending, rel=1e-9).all()


def test_revenue_is_price_times_units(firms):
    assert relative_close(firms["revenue"], firms["price"] * firms["units"], rel=1e-12).all()
    assert relative_close(
        firms["variable_cost"], firms["unit_cost"] * firms["units"], rel=1e-12
    ).all()


def test_units_are_non_negative_integers(firms):
    units = firms["units"].to_numpy()
    assert np.all(units >= 0)
    np.testing.assert_array_equal(units, np.round(units))


def test_cash_flow_identity(firms):
    """cash_t - cash_{t-1} = revenue - variable, fixed and restructuring cost - investment
    - interest - payout + equity raised."""
    checked = 0
    for _, rows in firms.groupby("firm_id"):
        rows = rows.sort_values("step")
        change = rows["cash"].diff().iloc[1:].to_numpy()
        flows = (
            rows["revenue"]
            - rows["variable_cost"]
            - rows["fixed_cost"]
            - rows["restructuring"]
            - trust_cost(rows)
            - rows["investment"]
            - rows["interest"]
            - rows["payout"]
            + rows["equity_raised"]
        ).iloc[1:]
        scale = rows["cash"].abs().max()
        assert relative_close(change, flows.to_numpy(), rel=1e-6, scale=scale).all()
        checked += len(change)
    assert checked == len(firms) - firms["firm_id"].nunique()


def test_initial_cash_less_initial_payout(result, firms):
    start = firms[firms["step"] == 0].set_index("name")
    for spec in result.scenario.firms:
        names = (
            [spec.name] if spec.count == 1 else [f"{spec.name} {k + 1}" for k in range(spec.count)]
        )
        for name in names:
            row = start.loc[name]
            assert row["cash"] == pytest.approx(spec.cash - row["payout"] + row["equity_raised"])


def test_financing_flows_are_exercised(result, firms):
    if "finance.investor_patience_quarters" in CASES_BY_SCENARIO[id(result)]:
        assert firms["equity_raised"].sum() > 0
        assert (firms["interest"] < 0).any()  # deposits earn
        # debt costs interest wherever a firm ends a week in debt
        assert (firms.loc[firms["cash"].shift(1) < 0, "interest"] >= 0).all()
    assert (firms["restructuring"] >= 0).all()
    assert relative_close(
        firms.groupby("firm_id")["equity_raised"].cumsum(), firms["cumulative_equity"], scale=1.0
    ).all()


def test_profit_columns_are_consistent(firms):
    operating = (
        firms["revenue"]
        - firms["variable_cost"]
        - firms["fixed_cost"]
        - firms["restructuring"]
        - trust_cost(firms)
    )
    assert relative_close(firms["operating_profit"], operating, scale=1.0).all()
    assert relative_close(firms["profit"], operating - firms["investment"], scale=1.0).all()


def test_cumulative_columns_accumulate(result, firms):
    for _, rows in firms.groupby("firm_id"):
        rows = rows.sort_values("step")
        assert relative_close(rows["cumulative_payout"], rows["payout"].cumsum(), scale=1.0).all()
        start = rows["cumulative_units"].iloc[0]
        assert relative_close(
            rows["cumulative_units"], start + rows["units"].cumsum(), rel=1e-12
        ).all()


def test_payouts_and_investments_non_negative(firms):
    for column in ("payout", "investment", "fixed_cost", "variable_cost", "price", "unit_cost"):
        assert (firms[column] >= 0).all(), column


def test_shares_sum_to_one_among_selling_firms(result):
    purchases = result.model.set_index("step")["purchases"]
    share_sum = result.firms.groupby("step")["share"].sum()
    selling = purchases[purchases > 0].index
    np.testing.assert_allclose(share_sum.loc[selling], 1.0, rtol=1e-12)
    assert (share_sum.loc[purchases[purchases == 0].index] == 0).all()
    assert ((result.firms["share"] >= 0) & (result.firms["share"] <= 1)).all()


def test_hhi_matches_shares(result):
    # HHI is the sum of squared unit shares, recomputed from the firm table
    squared = (result.firms["share"] ** 2).groupby(result.firms["step"]).sum()
    hhi = result.model.set_index("step")["hhi"]
    np.testing.assert_allclose(hhi, squared.loc[hhi.index], rtol=1e-9, atol=1e-12)


def test_exited_firms_stop_trading(firms):
    for _, rows in firms.groupby("firm_id"):
        rows = rows.sort_values("step")
        alive = rows["alive"].to_numpy()
        # once out, never back
        assert np.all(np.diff(alive.astype(int)) <= 0)
        dead = rows[~rows["alive"]]
        if len(dead) > 1:
            after = dead.iloc[1:]
            assert (after["units"] == 0).all()
            assert (after["investment"] == 0).all()
            assert (after["payout"] == 0).all()
            assert after["cash"].nunique() == 1


def test_alive_count_metric_matches_firm_table(result):
    alive = result.firms.groupby("step")["alive"].sum()
    n_alive = result.model.set_index("step")["n_firms_alive"]
    np.testing.assert_array_equal(alive.loc[n_alive.index].to_numpy(), n_alive.to_numpy())
