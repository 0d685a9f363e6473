"""The classroom dashboard (sim/dashboard.py), tested without a browser.

Solara is an optional extra (``viz``, also in ``dev``); these tests are skipped where it
is not installed. ``tests/browser_check_dashboard.py`` drives the real page in Chromium.
"""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

solara = pytest.importorskip("solara")
ipywidgets = pytest.importorskip("ipywidgets")

from mesa.visualization.utils import force_update  # noqa: E402

from sim import dashboard  # noqa: E402
from sim.model import MarketModel  # noqa: E402
from sim.scenario import list_scenarios  # noqa: E402

STEPS = 3


def texts(widget) -> list[str]:
    """Every string a rendered widget tree shows (values, templates, descriptions)."""
    found = []
    for attribute in ("value", "template", "description", "label"):
        value = getattr(widget, attribute, None)
        if isinstance(value, str) and value:
            found.append(value)
    for child in getattr(widget, "children", None) or []:
        if isinstance(child, ipywidgets.Widget):
            found += texts(child)
        elif isinstance(child, str):
            found.append(child)
    return found


def widgets_of(widget, type_name: str) -> list:
    """Widgets in a rendered tree whose class is called ``type_name``."""
    found = [widget] if type(widget).__name__ == type_name else []
    for child in getattr(widget, "children", None) or []:
        if isinstance(child, ipywidgets.Widget):
            found += widgets_of(child, type_name)
    return found


@pytest.fixture(scope="module")
def default_model():
    model = dashboard.DashboardModel(**dashboard.default_params())
    for _ in range(STEPS):
        model.step()
    return model


def test_import_sim_does_not_import_solara():
    code = "import sim, sys; print('solara' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_default_parameters_build_a_market_model_that_steps(default_model):
    assert isinstance(default_model, MarketModel)
    assert default_model.spec.name == dashboard.DEFAULT_SCENARIO
    assert len(default_model.population) == dashboard.DEFAULT_CONSUMERS
    assert default_model.week == STEPS
    table = default_model.datacollector.get_model_vars_dataframe()
    assert list(table["step"]) == list(range(STEPS + 1))
    assert table["purchases"].iloc[1:].gt(0).all()


def test_model_params_are_exactly_keyword_arguments_of_the_model():
    signature = inspect.signature(dashboard.DashboardModel.__init__).parameters
    names = [name for name in signature if name != "self"]
    assert sorted(dashboard.model_params) == sorted(names)
    # Mesa's Reset passes its own `scenario` object to models that take `scenario`.
    assert "scenario" not in signature
    for name, spec in dashboard.model_params.items():
        assert spec["value"] == signature[name].default, name


def test_reset_rebuilds_the_model_the_way_solaraviz_does(default_model):
    # Mirrors ModelController.do_reset in mesa/visualization/solara_viz.py (Mesa 3.5).
    build_kwargs = pytest.importorskip("mesa.visualization.solara_viz")._build_model_init_kwargs
    params = {**dashboard.default_params(), "scenario_name": "dtc_disruption", "seed": "7"}
    kwargs = build_kwargs(
        default_model, params, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    model = type(default_model)(**kwargs)
    assert model.spec.name == "dtc_disruption"
    assert model.seed == 7


@pytest.mark.parametrize("name", [name for name, _ in list_scenarios()])
@pytest.mark.parametrize("adjust_firms", [False, True])
def test_every_scenario_choice_builds_and_steps(name, adjust_firms):
    assert name in dashboard.model_params["scenario_name"]["values"]
    params = {
        **dashboard.default_params(),
        "scenario_name": name,
        "consumers": 1_000,
        "adjust_firms": adjust_firms,
    }
    model = dashboard.DashboardModel(**params)
    model.step()
    assert model.week == 1
    assert len(model.population) == 1_000
    text = dashboard.status_markdown(model)
    assert "Week** 1 of" in text


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        ("consumers", "min"),
        ("consumers", "max"),
        ("progress_ratio", "min"),
        ("progress_ratio", "max"),
        ("thin_margin", "min"),
        ("thin_margin", "max"),
    ],
)
def test_slider_extremes_build(spec, value):
    params = {**dashboard.default_params(), "adjust_firms": True, "consumers": 1_000}
    params[spec] = dashboard.model_params[spec][value]
    model = dashboard.DashboardModel(**params)
    model.step()
    assert model.week == 1


def test_firm_mix_sets_counts_in_baseline():
    params = {
        **dashboard.default_params(),
        "consumers": 1_000,
        "adjust_firms": True,
        "obsessed_firms": 3,
        "shareholder_firms": 0,
        "progress_ratio": 0.9,
        "thin_margin": 0.3,
    }
    model = dashboard.DashboardModel(**params)
    assert [firm.strategy_name for firm in model.firms] == ["customer_obsessed"] * 3
    assert all(firm.progress_ratio == 0.9 for firm in model.firms)
    assert all(firm.strategy.params.thin_margin == 0.3 for firm in model.firms)
    assert model.dashboard_notes == []


def test_firm_mix_is_ignored_with_a_note_where_it_does_not_fit():
    params = {**dashboard.default_params(), "consumers": 1_000, "adjust_firms": True}
    amazon = dashboard.DashboardModel(**{**params, "scenario_name": "amazon_flywheel"})
    assert len(amazon.firms) == 5  # Amazon retail owns the marketplace: not renumbered
    assert amazon.dashboard_notes
    nobody = dashboard.DashboardModel(**{**params, "obsessed_firms": 0, "shareholder_firms": 0})
    assert len(nobody.firms) == 10
    assert nobody.dashboard_notes


def test_firm_settings_off_keeps_the_scenario():
    model = dashboard.DashboardModel(**{**dashboard.default_params(), "obsessed_firms": 1})
    assert len(model.firms) == 10
    assert model.dashboard_settings == ""


@pytest.mark.parametrize(("text", "seed"), [("", None), ("  ", None), ("7", 7), (0, 0)])
def test_parse_seed(text, seed):
    assert dashboard.parse_seed(text) == seed


@pytest.mark.parametrize("text", ["x", "-1", "1.5", -3])
def test_parse_seed_rejects_non_whole_numbers(text):
    with pytest.raises(ValueError, match="seed"):
        dashboard.parse_seed(text)


def test_seed_blank_uses_the_scenario_seed_and_a_typed_seed_overrides_it():
    base = dashboard.default_params()
    assert dashboard.DashboardModel(**base).seed == 42
    assert dashboard.DashboardModel(**{**base, "seed": "5"}).seed == 5


def test_run_stops_at_the_scenario_horizon():
    model = dashboard.DashboardModel(scenario_name="validation/logit_nash", consumers=1_000)
    while model.running:
        model.step()
    assert model.week == model.spec.steps
    assert "horizon" in dashboard.status_markdown(model)


def test_status_names_week_firms_and_leader(default_model):
    text = dashboard.status_markdown(default_model)
    assert f"**Week** {STEPS} of 520" in text
    assert "**Firms alive** 10 of 10" in text
    name, strategy, share = dashboard.leading_firm(default_model)
    assert name in text
    assert strategy in {"customer_obsessed", "shareholder_focused"}
    assert 0 < share <= 1


def test_strategy_shares_sum_to_one(default_model):
    shares = dashboard.strategy_shares(default_model)
    assert list(shares.index) == list(range(1, STEPS + 1))
    assert shares.sum(axis=1).round(12).eq(1).all()


def test_page_renders_status_and_plots():
    box, rc = solara.render(dashboard.Page(), handle_error=False)
    try:
        shown = "\n".join(texts(box))
        assert "<strong>Week</strong> 0 of 520" in shown
        assert "baseline" in shown
        assert len(widgets_of(box, "Image")) == 4  # share, price, surplus, concentration
        assert "no platforms" in shown
    finally:
        rc.close()


def test_panels_redraw_after_a_step_and_show_platforms():
    model = dashboard.DashboardModel(scenario_name="amazon_flywheel", consumers=1_000)
    box, rc = solara.render(dashboard.MarketPanels(model), handle_error=False)
    try:
        model.step()
        model.step()
        force_update()
        shown = "\n".join(texts(box))
        assert "<strong>Week</strong> 2 of 1040" in shown
        assert len(widgets_of(box, "Image")) == 5  # the platform plot is drawn too
    finally:
        rc.close()
