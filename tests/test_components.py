"""Every component the model owns meets the common protocol, and the firm table is theirs.

The protocol (``sim.components.protocol``) asks for a name, the firm-table columns a
component adds, and its values of those columns per firm. These tests check, on shipped
scenarios that switch different components on, that each component's row has exactly
its declared columns, and that the firm table is the base columns followed by the
components' columns in the model's order.
"""

import pytest

import sim
from sim.components.protocol import COMPONENT_NAMES, Component
from sim.model.firm_table import BASE_FIRM_COLUMNS, FIRM_COLUMNS

SCENARIOS = ["baseline", "casper_imitators", "amazon_flywheel"]
"""The plain market with shocks and capacity, trust on, and platforms with moves."""


@pytest.fixture(scope="module", params=SCENARIOS)
def model(request):
    market = sim.MarketModel(request.param, seed="scenario", **{"consumers.count": 400})
    market.run(14)  # past a quarter's end, so quarterly columns are filled
    return market


def test_every_component_meets_the_protocol_under_its_own_name(model):
    names = [component.name for component in model.components]
    assert sorted(names) == sorted(COMPONENT_NAMES)
    for component in model.components:
        assert isinstance(component, Component)


def test_a_components_row_has_exactly_its_declared_columns(model):
    for component in model.components:
        for firm in model.firms:
            row = component.firm_row(model, firm)
            assert sorted(row) == sorted(component.firm_columns), component.name


def test_the_firm_table_is_the_base_then_each_components_columns(model):
    table = model.datacollector.get_table_dataframe("firms")
    expected = list(BASE_FIRM_COLUMNS)
    for component in model.components:
        expected += component.firm_columns
    assert list(table.columns) == expected
    assert list(table.columns[: len(FIRM_COLUMNS)]) == FIRM_COLUMNS


def test_switched_on_components_add_columns_and_switched_off_ones_add_none():
    trust_on = sim.MarketModel("casper_imitators", seed="scenario", **{"consumers.count": 300})
    plain = sim.MarketModel("dtc_disruption", seed="scenario", **{"consumers.count": 300})
    assert trust_on.trust.on and trust_on.trust.firm_columns
    assert not plain.trust.on and plain.trust.firm_columns == []
    assert plain.trust.firm_row(plain, plain.firms[0]) == {}
