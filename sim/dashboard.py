"""Interactive classroom dashboard (Mesa SolaraViz) for the Flywheel market.

Run it with::

    solara run sim/dashboard.py

then pick a scenario in the sidebar, press *Reset* to build it, and *Step* or the play
button to run it week by week. This is the only module in ``sim`` that imports Solara;
``import sim`` does not import it (install the ``viz`` extra: ``pip install -e .[viz]``).

The parameters are plain keyword arguments of :class:`DashboardModel`, which builds its
scenario with :func:`sim.load_scenario` and then behaves exactly like
:class:`~sim.model.MarketModel`. The plots read the model's own ``DataCollector``
(reporters from :mod:`sim.metrics`); nothing here recomputes the economics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.model import MarketModel
from sim.plots import STRATEGY_COLOURS, strategy_colour
from sim.scenario import WEEKS_PER_QUARTER, list_scenarios, load_scenario

WEEKS_PER_YEAR = 52
NEUTRAL = "#000000"  # market-wide lines (Okabe-Ito black)
ACCENT = "#009E73"  # a second market-wide series (Okabe-Ito bluish green)
FIGSIZE = (6.0, 3.4)

DEFAULT_SCENARIO = "baseline"
DEFAULT_CONSUMERS = 5_000
BUILT_IN_STRATEGIES = ("customer_obsessed", "shareholder_focused")


def scenario_names() -> list[str]:
    """Names of the scenarios an instructor can choose, as ``sim.load_scenario`` takes them."""
    return [name for name, _ in list_scenarios()]


def parse_seed(text: str | int | None) -> int | None:
    """Seed typed in the sidebar: blank means the scenario's own seed.

    Args:
        text: what was typed (or an int).

    Returns:
        The seed, or ``None`` for the scenario's seed.

    Raises:
        ValueError: when the text is not a whole number >= 0.
    """
    if text is None:
        return None
    if isinstance(text, int):
        value = text
    else:
        stripped = str(text).strip()
        if stripped == "":
            return None
        if not stripped.isdigit():
            raise ValueError(f"seed must be a whole number >= 0 or blank, got {text!r}")
        value = int(stripped)
    if value < 0:
        raise ValueError(f"seed must be >= 0, got {value}")
    return value


def firm_mix_groups(data: dict) -> dict[str, int] | None:
    """Index of the one firm group per built-in strategy, if the scenario has that shape.

    The firm mix sliders apply only to scenarios like ``baseline``: exactly one group of
    customer-obsessed firms and one of shareholder-focused firms, neither owning a
    platform (renumbering a platform owner would break the scenario).

    Args:
        data: the scenario as a plain mapping.

    Returns:
        ``{strategy: index in data["firms"]}``, or ``None`` when the mix cannot be set.
    """
    owners = {p.get("owner") for p in data.get("platforms", []) if p.get("owner")}
    groups: dict[str, list[int]] = {strategy: [] for strategy in BUILT_IN_STRATEGIES}
    for index, firm in enumerate(data.get("firms", [])):
        if firm.get("strategy") in groups:
            groups[firm["strategy"]].append(index)
    if any(len(indices) != 1 for indices in groups.values()):
        return None
    chosen = {strategy: indices[0] for strategy, indices in groups.items()}
    if any(data["firms"][i]["name"] in owners for i in chosen.values()):
        return None
    return chosen


def build_scenario(
    scenario_name: str = DEFAULT_SCENARIO,
    consumers: int = DEFAULT_CONSUMERS,
    adjust_firms: bool = False,
    obsessed_firms: int = 5,
    shareholder_firms: int = 5,
    progress_ratio: float = 0.8,
    thin_margin: float = 0.15,
):
    """Build the scenario behind a dashboard run.

    Args:
        scenario_name: a name from :func:`scenario_names`.
        consumers: number of consumers (small keeps each week fast).
        adjust_firms: apply the four firm settings below; off keeps the scenario's firms.
        obsessed_firms: customer-obsessed firms (baseline-shaped scenarios only).
        shareholder_firms: shareholder-focused firms (baseline-shaped scenarios only).
        progress_ratio: unit-cost multiplier per doubling of volume, for every firm.
        thin_margin: markup over unit cost of customer-obsessed firms.

    Returns:
        ``(scenario, notes)``: the validated scenario and notes for the instructor about
        settings that could not be applied.
    """
    base = load_scenario(scenario_name, overrides={"consumers.count": int(consumers)})
    notes: list[str] = []
    if not adjust_firms:
        return base, notes
    data = base.model_dump(mode="json")
    templates = data.get("entry", {}).get("templates", [])
    for firm in [*data["firms"], *templates]:
        firm["progress_ratio"] = float(progress_ratio)
        if firm["strategy"] == "customer_obsessed":
            firm["strategy_params"] = {**firm["strategy_params"], "thin_margin": thin_margin}
    groups = firm_mix_groups(data)
    counts = {
        "customer_obsessed": int(obsessed_firms),
        "shareholder_focused": int(shareholder_firms),
    }
    if groups is None:
        notes.append(
            "The firm-count sliders apply only to scenarios with one group of each "
            "strategy (like baseline); this scenario keeps its own firms."
        )
    elif sum(counts.values()) == 0:
        notes.append("At least one firm is needed; the scenario keeps its own firm counts.")
    else:
        for strategy, index in groups.items():
            data["firms"][index]["count"] = counts[strategy]
        data["firms"] = [firm for firm in data["firms"] if firm["count"] > 0]
    return load_scenario(data), notes


class DashboardModel(MarketModel):
    """A :class:`~sim.model.MarketModel` built from simple keyword parameters.

    SolaraViz re-creates the model with keyword arguments when *Reset* is pressed, so
    every argument here is a plain value a sidebar widget can hold. (The scenario is
    chosen by ``scenario_name``: Mesa's reset passes its own ``scenario`` object to
    models whose ``__init__`` takes a ``scenario`` argument.) The run stops
    (``running = False``) after the scenario's ``steps`` weeks.

    Args:
        scenario_name: a name from :func:`scenario_names`.
        seed: blank or ``None`` for the scenario's seed, else a whole number.
        consumers: number of consumers.
        adjust_firms: apply the firm settings; off keeps the scenario's firms.
        obsessed_firms: customer-obsessed firms (baseline-shaped scenarios).
        shareholder_firms: shareholder-focused firms (baseline-shaped scenarios).
        progress_ratio: unit-cost multiplier per doubling of volume.
        thin_margin: markup over unit cost of customer-obsessed firms.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        seed: str | int | None = "",
        consumers: int = DEFAULT_CONSUMERS,
        adjust_firms: bool = False,
        obsessed_firms: int = 5,
        shareholder_firms: int = 5,
        progress_ratio: float = 0.8,
        thin_margin: float = 0.15,
    ):
        scenario, notes = build_scenario(
            scenario_name,
            consumers=consumers,
            adjust_firms=adjust_firms,
            obsessed_firms=obsessed_firms,
            shareholder_firms=shareholder_firms,
            progress_ratio=progress_ratio,
            thin_margin=thin_margin,
        )
        super().__init__(scenario, seed=parse_seed(seed))
        self.scenario_name = scenario_name
        self.dashboard_notes = notes
        self.dashboard_settings = (
            f"progress ratio {progress_ratio:.2f}, thin margin {thin_margin:.2f}"
            if adjust_firms
            else ""
        )
        self.running = self.week < self.spec.steps

    def step(self) -> None:
        """One week; stops the run at the scenario's horizon."""
        super().step()
        if self.week >= self.spec.steps:
            self.running = False


model_params: dict[str, Any] = {
    "scenario_name": {
        "type": "Select",
        "value": DEFAULT_SCENARIO,
        "values": scenario_names(),
        "label": "Scenario",
    },
    "seed": {"type": "InputText", "value": "", "label": "Seed (blank = scenario's seed)"},
    "consumers": {
        "type": "SliderInt",
        "value": DEFAULT_CONSUMERS,
        "min": 1_000,
        "max": 20_000,
        "step": 1_000,
        "label": "Consumers",
    },
    "adjust_firms": {
        "type": "Checkbox",
        "value": False,
        "label": "Use the firm settings below",
    },
    "obsessed_firms": {
        "type": "SliderInt",
        "value": 5,
        "min": 0,
        "max": 10,
        "step": 1,
        "label": "Customer-obsessed firms",
    },
    "shareholder_firms": {
        "type": "SliderInt",
        "value": 5,
        "min": 0,
        "max": 10,
        "step": 1,
        "label": "Shareholder-focused firms",
    },
    "progress_ratio": {
        "type": "SliderFloat",
        "value": 0.8,
        "min": 0.6,
        "max": 1.0,
        "step": 0.05,
        "label": "Progress ratio (cost per doubling)",
    },
    "thin_margin": {
        "type": "SliderFloat",
        "value": 0.15,
        "min": 0.0,
        "max": 0.6,
        "step": 0.05,
        "label": "Thin margin (obsessed markup)",
    },
}


def default_params() -> dict[str, Any]:
    """The dashboard's starting parameter values, as keyword arguments."""
    return {name: spec["value"] for name, spec in model_params.items()}


# ----------------------------------------------------------------- data for plots


def model_table(model: MarketModel) -> pd.DataFrame:
    """The model reporters of weeks 1, 2, ... so far, with a ``time`` column in years.

    Week 0 (collected when the model is built, before any shopping) is left out: its
    flow metrics (surplus, HHI, shares) are zero by construction.
    """
    table = model.datacollector.get_model_vars_dataframe()
    table = table[table["step"] > 0].copy()
    start = model.spec.start_year
    table["time"] = table["step"] / WEEKS_PER_YEAR + (start if start is not None else 0)
    return table


def time_label(model: MarketModel) -> str:
    """X-axis label: calendar year when the scenario has one, else years since start."""
    return "Year" if model.spec.start_year is not None else "Years since start"


def strategy_shares(model: MarketModel) -> pd.DataFrame:
    """Unit share of each strategy per week, from the firm table (rows: weeks >= 1)."""
    firms = model.datacollector.get_table_dataframe("firms")
    firms = firms[firms["step"] > 0]
    if firms.empty:
        return pd.DataFrame()
    units = firms.pivot_table(index="step", columns="strategy", values="units", aggfunc="sum")
    totals = units.sum(axis=1).replace(0, np.nan)
    return units.div(totals, axis=0).fillna(0.0)


def strategy_prices(model: MarketModel) -> pd.DataFrame:
    """Mean posted price of each strategy's live firms per week."""
    firms = model.datacollector.get_table_dataframe("firms")
    firms = firms[(firms["step"] > 0) & firms["alive"].astype(bool)]
    if firms.empty:
        return pd.DataFrame()
    return firms.pivot_table(index="step", columns="strategy", values="price", aggfunc="mean")


def leading_firm(model: MarketModel) -> tuple[str, str, float] | None:
    """``(name, strategy, unit share)`` of this week's best-selling firm, if anything sold."""
    units = model.stats.units_by_slot
    if units is None or units.sum() == 0:
        return None
    slot = int(np.argmax(units))
    firm = model.firms[slot]
    return firm.name, firm.strategy_name, float(units[slot] / units.sum())


def status_markdown(model: MarketModel) -> str:
    """The status panel's text: scenario, week, firms alive, leader and notes."""
    spec = model.spec
    week = model.week
    alive = sum(firm.alive for firm in model.firms)
    lines = [
        f"### {spec.name}",
        f"*{spec.description}*" if spec.description else "",
        "",
        f"- **Week** {week} of {spec.steps} (year {week / WEEKS_PER_YEAR:.1f}, "
        f"quarter {week // WEEKS_PER_QUARTER})",
        f"- **Firms alive** {alive} of {len(model.firms)}",
        f"- **Seed** {model.seed}, **consumers** {len(model.population):,}",
    ]
    settings = getattr(model, "dashboard_settings", "")
    if settings:
        lines.append(f"- **Firm settings** {settings}")
    leader = leading_firm(model)
    if leader is None:
        lines.append("- **Leading firm**: none yet (press Step)")
    else:
        name, strategy, share = leader
        lines.append(
            f"- **Leading firm** {name} ({strategy.replace('_', '-')}), "
            f"{share:.0%} of this week's units"
        )
    if not model.running:
        lines.append("\n**The run has reached its horizon.** Press Reset to start again.")
    lines += [f"\n> {note}" for note in getattr(model, "dashboard_notes", [])]
    return "\n".join(lines)


# ------------------------------------------------------------------- components


def _figure():
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    return fig, fig.subplots()


def _show(fig: Figure, model: MarketModel) -> None:
    solara.FigureMatplotlib(
        fig, format="png", dependencies=[update_counter.value, id(model), model.week]
    )


def _finish(ax, model: MarketModel, ylabel: str, title: str) -> None:
    """Labels, and an x axis spanning the whole run so curves grow across it."""
    start = model.spec.start_year if model.spec.start_year is not None else 0
    ax.set_xlim(start, start + model.spec.steps / WEEKS_PER_YEAR)
    ax.set_xlabel(time_label(model))
    ax.ticklabel_format(axis="x", useOffset=False, style="plain")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if model.week == 0:
        ax.set_ylim(0, 1)
        ax.text(
            0.5,
            0.5,
            "Press Step to run the first week",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="0.4",
        )
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10, loc="left")
    ax.grid(alpha=0.3)


def _to_time(model: MarketModel, steps) -> np.ndarray:
    start = model.spec.start_year
    return np.asarray(steps, dtype=float) / WEEKS_PER_YEAR + (start if start is not None else 0)


@solara.component
def StatusPanel(model: MarketModel):
    """Week, firms alive, the leading firm and notes, as Markdown."""
    update_counter.get()
    solara.Markdown(status_markdown(model))


@solara.component
def MarketSharePlot(model: MarketModel):
    """Unit share of each strategy by week (13-week rolling mean over the weekly line)."""
    update_counter.get()
    fig, ax = _figure()
    shares = strategy_shares(model)
    known = list(shares.columns)
    for strategy in shares.columns:
        colour = strategy_colour(strategy, known)
        x = _to_time(model, shares.index)
        ax.plot(x, shares[strategy], color=colour, linewidth=0.6, alpha=0.35)
        smooth = shares[strategy].rolling(WEEKS_PER_QUARTER, min_periods=1).mean()
        ax.plot(x, smooth, color=colour, linewidth=2, label=strategy.replace("_", "-"))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    if known:
        ax.legend(loc="best", fontsize=8)
    _finish(ax, model, "Share of units sold", "Market share by strategy")
    _show(fig, model)


@solara.component
def PricePlot(model: MarketModel):
    """Quantity-weighted mean price paid, and the mean posted price of each strategy."""
    update_counter.get()
    fig, ax = _figure()
    table = model_table(model)
    prices = strategy_prices(model)
    known = list(prices.columns)
    for strategy in prices.columns:
        ax.plot(
            _to_time(model, prices.index),
            prices[strategy],
            color=strategy_colour(strategy, known),
            linewidth=1.2,
            linestyle="--",
            label=f"posted, {strategy.replace('_', '-')}",
        )
    ax.plot(table["time"], table["mean_price"], color=NEUTRAL, linewidth=1.5, label="paid")
    if len(table) or known:
        ax.legend(loc="best", fontsize=8)
    _finish(ax, model, "Price ($ per unit)", "Mean price")
    _show(fig, model)


@solara.component
def SurplusPlot(model: MarketModel):
    """Consumer surplus per shopper with a need (mean logit inclusive value, $)."""
    update_counter.get()
    fig, ax = _figure()
    table = model_table(model)
    ax.plot(table["time"], table["consumer_surplus"], color=NEUTRAL, linewidth=1.5)
    _finish(ax, model, "Surplus ($ per shopper-week)", "Consumer surplus")
    _show(fig, model)


@solara.component
def ConcentrationPlot(model: MarketModel):
    """HHI of unit shares (left axis) and firms alive (right axis)."""
    update_counter.get()
    fig, ax = _figure()
    table = model_table(model)
    ax.plot(table["time"], table["hhi"], color=NEUTRAL, linewidth=1.5, label="HHI")
    ax.set_ylim(0, 1)
    _finish(ax, model, "HHI (0 = fragmented, 1 = monopoly)", "Concentration")
    right = ax.twinx()
    right.step(table["time"], table["n_firms_alive"], color=ACCENT, where="post")
    right.set_ylabel("Firms alive", color=ACCENT)
    most = int(table["n_firms_alive"].max()) if len(table) else len(model.firms)
    right.set_ylim(0, max(1, most) + 1)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.tick_params(axis="y", colors=ACCENT)
    _show(fig, model)


@solara.component
def PlatformPlot(model: MarketModel):
    """Disintermediation index and third-party share, for scenarios with platforms."""
    update_counter.get()
    if not model.platforms:
        solara.Markdown(
            "#### Platforms\nThis scenario has no platforms. Choose "
            "`amazon_flywheel` or `platform_disintermediation` and press Reset to see "
            "the disintermediation index and the third-party share."
        )
        return
    fig, ax = _figure()
    table = model_table(model)
    ax.plot(
        table["time"],
        table["disintermediation_index"],
        color=STRATEGY_COLOURS["shareholder_focused"],
        linewidth=1.5,
        label="bought through platforms",
    )
    if any(platform.owner_slots for platform in model.platforms):
        ax.plot(
            table["time"],
            table["third_party_share"],
            color=STRATEGY_COLOURS["customer_obsessed"],
            linewidth=1.5,
            label="third-party share of marketplace units",
        )
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(loc="best", fontsize=8)
    _finish(ax, model, "Share", "Platforms and disintermediation")
    _show(fig, model)


PLOTS = [MarketSharePlot, PricePlot, SurplusPlot, ConcentrationPlot, PlatformPlot]


@solara.component
def MarketPanels(model: MarketModel):
    """The status panel above a fixed two-column grid of the plots."""
    update_counter.get()
    with solara.Column(style={"padding": "12px"}):
        with solara.Card(margin=0):
            StatusPanel(model)
        with solara.GridFixed(columns=2):
            for plot in PLOTS:
                with solara.Card(margin=0):
                    plot(model)


@solara.component
def Page():
    """The dashboard: SolaraViz's controls and parameters, then the market panels.

    Each browser session gets its own model. The model is held in a reactive variable
    shared with SolaraViz, so *Reset* (which replaces it) redraws the panels. The panels
    are laid out here rather than through SolaraViz's ``components`` because its
    draggable grid does not display with the Vue 3 front end of recent Solara releases.
    """
    initial = solara.use_memo(lambda: DashboardModel(**default_params()), [])
    model = solara.use_reactive(initial)
    SolaraViz(
        model,
        components=[],
        model_params=model_params,
        name="Flywheel market dashboard",
        play_interval=150,
    )
    MarketPanels(model.value)


page = Page()
