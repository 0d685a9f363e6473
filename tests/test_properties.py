"""Property tests: whatever the scenario parameters, the market stays well formed."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim


@st.composite
def scenarios(draw):
    n_obsessed = draw(st.integers(0, 3))
    n_shareholder = draw(st.integers(0, 3))
    n_user = draw(st.integers(0, 1))
    if n_obsessed + n_shareholder + n_user == 0:
        n_shareholder = 1

    def firm(name, strategy, count):
        return {
            "name": name,
            "strategy": strategy,
            "count": count,
            "unit_cost": draw(st.floats(1.0, 60.0)),
            "price": draw(st.floats(0.0, 120.0)),
            "quality": draw(st.floats(-2.0, 6.0)),
            "progress_ratio": draw(st.floats(0.6, 1.0)),
            "reference_units": draw(st.floats(1.0, 1e6)),
            "fixed_cost": draw(st.floats(0.0, 5000.0)),
            "cash": draw(st.floats(-10_000.0, 200_000.0)),
            "experience": draw(st.floats(0.0, 3.0)),
            "selection": draw(st.floats(1.0, 500.0)),
        }

    firms = []
    if n_obsessed:
        firms.append(firm("Obsessed", "customer_obsessed", n_obsessed))
    if n_shareholder:
        firms.append(firm("Shareholder", "shareholder_focused", n_shareholder))
    if n_user:
        firms.append(firm("User", "user_strategy:FixedMarkup", n_user))
    need = draw(
        st.one_of(
            st.floats(0.0, 1.0),
            st.builds(
                lambda mean, sd_share: {
                    "kind": "beta",
                    "mean": mean,
                    "sd": sd_share * np.sqrt(mean * (1 - mean)),
                },
                st.floats(0.02, 0.98),
                # include an sd whose square underflows to 0 (acts as a constant)
                st.one_of(st.just(0.0), st.just(1e-200), st.floats(1e-3, 0.95)),
            ),
        )
    )
    return {
        "name": "property",
        "seed": draw(st.integers(0, 2**32 - 1)),
        "steps": draw(st.integers(1, 40)),
        "market": {
            "outside_utility": draw(st.floats(-3.0, 3.0)),
            "research_sample_size": draw(st.integers(1, 300)),
            "insolvency_quarters": draw(st.integers(1, 4)),
        },
        "consumers": {
            "count": draw(st.integers(50, 500)),
            "price_sensitivity": {
                "kind": "lognormal",
                "mean": draw(st.floats(0.005, 0.5)),
                "sd": draw(st.floats(0.0, 0.1)),
            },
            "selection_taste": draw(st.floats(0.0, 1.0)),
            "experience_taste": draw(st.floats(0.0, 2.0)),
            "need_rate": need,
            "habit_strength": draw(st.floats(0.0, 2.0)),
            "initial_expectation": draw(st.floats(0.0, 2.0)),
            "expectation_adaptation": draw(st.floats(0.0, 1.0)),
            "experience_noise_sd": draw(st.floats(0.0, 1.0)),
            "initial_awareness": draw(st.floats(0.0, 1.0)),
        },
        "firms": firms,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios())
def test_market_stays_well_formed(data):
    result = sim.run(data)
    model, firms = result.model, result.firms
    n_firms = sum(spec["count"] for spec in data["firms"])

    assert len(model) == data["steps"] + 1
    assert len(firms) == (data["steps"] + 1) * n_firms

    # TSR is undefined (NaN) only for a firm born with no positive value to return on.
    for table in (model, firms.drop(columns=["tsr"])):
        numeric = table.select_dtypes(include="number")
        finite = np.isfinite(numeric.to_numpy(dtype=float)).all(axis=0)
        assert finite.all(), list(numeric.columns[~finite])
    funded = [spec["name"] for spec in data["firms"] if spec["cash"] > 0]
    from_funded = firms["name"].map(
        lambda name: any(name == n or name.startswith(f"{n} ") for n in funded)
    )
    assert np.isfinite(firms.loc[from_funded, "tsr"]).all()

    assert (firms["price"] >= 0).all()
    assert (firms["unit_cost"] > 0).all()
    assert (firms["units"] >= 0).all()
    assert ((model["outside_share"] >= 0) & (model["outside_share"] <= 1)).all()
    assert ((model["hhi"] >= 0) & (model["hhi"] <= 1 + 1e-12)).all()
    assert (model["purchases"] <= model["needs"]).all()
    assert (model["needs"] <= data["consumers"]["count"]).all()
    assert (model["consumer_surplus"] >= 0).all()

    share_sum = firms.groupby("step")["share"].sum()
    purchases = model.set_index("step")["purchases"]
    selling = purchases[purchases > 0].index
    np.testing.assert_allclose(share_sum.loc[selling], 1.0, rtol=1e-9)
    units = firms.groupby("step")["units"].sum()
    np.testing.assert_array_equal(units.loc[purchases.index], purchases)

    # HHI is at least 1 / (number of selling firms) when anything sells
    sellers = firms[firms["units"] > 0].groupby("step")["firm_id"].nunique()
    hhi = model.set_index("step")["hhi"]
    assert (hhi.loc[sellers.index] >= 1.0 / sellers - 1e-12).all()
