"""One dashboard run: a model, its firm groups, and the weekly rows the page draws.

A :class:`DashboardSession` owns one :class:`~sim.model.market.MarketModel` and turns each week
into one small row of plain numbers (market series and one value per firm group), so the
page receives only what is new and draws it itself. The numbers are read from the model's
own state and its ``DataCollector`` reporters (:mod:`sim.model.metrics`); nothing here
recomputes the economics. The run never steps past the scenario's horizon.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from sim.dashboard.guides import display_group, panel_guides, scenario_guide
from sim.dashboard.http import RequestError, real_number, refuse_unknown, whole_number
from sim.dashboard.scenarios import ScenarioChoice, choose_scenario
from sim.model import metrics
from sim.model.market import MarketModel
from sim.outputs.firm_groups import group_colours
from sim.scenario import WEEKS_PER_QUARTER, ConnectedKind, load_scenario

WEEKS_PER_YEAR = 52
DEFAULT_SCENARIO = "baseline"
CONSUMER_CHOICES = (1_000, 2_000, 5_000, 10_000, 20_000)
BUILT_IN_STRATEGIES = ("customer_obsessed", "shareholder_focused")
STAGES = ("day1", "stasis", "irrelevant", "decline", "gone")
# Life-cycle events (``model.events``) the charts mark, by the marker's kind.
MARKED_EVENTS = {
    "entry": "entry",
    "death": "exit",
    "acquired": "acquisition",
    "imitation": "copying",
}
MAX_SEED = 2**63 - 1
RESET_FIELDS = (
    "session",
    "scenario",
    "scenario_text",
    "seed",
    "consumers",
    "obsessed_firms",
    "shareholder_firms",
    "progress_ratio",
    "thin_margin",
)


def parse_seed(text: str | int | None) -> int | None:
    """Seed typed in the page: blank means the scenario's own seed.

    Raises:
        ValueError: when the text is not a whole number from 0 to 2**63 - 1.
    """
    if text is None or (isinstance(text, str) and text.strip() == ""):
        return None
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(f"seed must be a whole number >= 0 or blank, got a {type(text).__name__}")
    stripped = str(text).strip()
    if not re.fullmatch(r"[0-9]{1,19}", stripped) or int(stripped) > MAX_SEED:
        shown = stripped if len(stripped) <= 40 else stripped[:40] + "..."
        raise ValueError(
            f"seed must be a whole number from 0 to {MAX_SEED:,} or blank, got {shown!r}"
        )
    return int(stripped)


def firm_mix_groups(data: dict) -> dict[str, int] | None:
    """Index of the one firm group per built-in strategy, if the scenario has that shape.

    The firm-mix setting applies only to scenarios like ``baseline``: exactly one group of
    customer-obsessed firms and one of shareholder-focused firms, neither owning a
    platform (renumbering a platform owner would break the scenario).

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


@dataclass(frozen=True)
class Settings:
    """What the page's controls set; ``None`` keeps the scenario's own value."""

    scenario: str = DEFAULT_SCENARIO
    seed: int | None = None
    consumers: int | None = None
    obsessed_firms: int | None = None
    shareholder_firms: int | None = None
    progress_ratio: float | None = None
    thin_margin: float | None = None

    scenario_text: str | None = None

    @classmethod
    def from_request(cls, data: dict) -> Settings:
        """Settings from the page's JSON, with a clear error for a bad value.

        ``scenario`` must be a name the server lists, or ``scenario_text`` a scenario
        file's text (:mod:`sim.dashboard.scenarios`); a path is never opened.

        Raises:
            RequestError: (a ValueError) naming the field and the value.
        """
        refuse_unknown(data, RESET_FIELDS)
        choice = choose_scenario(data, default=DEFAULT_SCENARIO)
        try:
            seed = parse_seed(data.get("seed"))
        except ValueError as exc:
            raise RequestError(str(exc)) from None
        return cls(
            scenario=choice.name,
            scenario_text=choice.text,
            seed=seed,
            consumers=whole_number(data, "consumers", 100, 200_000),
            obsessed_firms=whole_number(data, "obsessed_firms", 0, 20),
            shareholder_firms=whole_number(data, "shareholder_firms", 0, 20),
            progress_ratio=real_number(data, "progress_ratio", 0.5, 1.0),
            thin_margin=real_number(data, "thin_margin", 0.0, 1.0),
        )


def build_scenario(settings: Settings):
    """The validated scenario behind a run, and notes on settings that could not apply.

    Returns:
        ``(scenario, notes)``.
    """
    overrides = {}
    if settings.consumers is not None:
        overrides["consumers.count"] = settings.consumers
    choice = ScenarioChoice(settings.scenario, settings.scenario_text)
    base = choice.load(overrides or None)
    notes: list[str] = []
    if settings.consumers is not None:
        own = choice.load().consumers.count
        if own != settings.consumers:
            notes.append(
                f"Market size changed from the scenario's {own:,} to {settings.consumers:,} "
                "consumers: the scenario's money is sized for its own market, so the outcome "
                "can differ, not only the speed."
            )
    data = base.model_dump(mode="json")
    changed = False
    templates = data.get("entry", {}).get("templates", [])
    if settings.progress_ratio is not None:
        for firm in [*data["firms"], *templates]:
            firm["progress_ratio"] = settings.progress_ratio
        changed = True
    if settings.thin_margin is not None:
        for firm in [*data["firms"], *templates]:
            if firm["strategy"] == "customer_obsessed":
                firm["strategy_params"] = {
                    **firm["strategy_params"],
                    "thin_margin": settings.thin_margin,
                }
        changed = True
    counts = {
        "customer_obsessed": settings.obsessed_firms,
        "shareholder_focused": settings.shareholder_firms,
    }
    if any(value is not None for value in counts.values()):
        groups = firm_mix_groups(data)
        if groups is None:
            notes.append(
                "The firm-count setting applies only to scenarios with one group of each "
                "strategy (like baseline); this scenario keeps its own firms."
            )
        else:
            for strategy, index in groups.items():
                if counts[strategy] is not None:
                    data["firms"][index]["count"] = counts[strategy]
            if sum(firm["count"] for firm in data["firms"]) == 0:
                notes.append("At least one firm is needed; the scenario keeps its own firms.")
                data = base.model_dump(mode="json")
            else:
                data["firms"] = [firm for firm in data["firms"] if firm["count"] > 0]
                changed = True
    return (load_scenario(data) if changed else base), notes


@dataclass
class Group:
    """Firms the page draws as one line: a firm group of the scenario or an entry template."""

    name: str
    strategy: str
    colour: str
    slots: list[int] = field(default_factory=list)


def _finite(value: float) -> float | None:
    """JSON-safe number: ``None`` for NaN or infinity."""
    value = float(value)
    return value if math.isfinite(value) else None


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


class DashboardSession:
    """A model and the rows the page has been sent.

    Args:
        settings: the page's controls.
    """

    def __init__(self, settings: Settings):
        scenario, notes = build_scenario(settings)
        self.settings = settings
        self.notes = notes
        self.model = MarketModel(
            scenario, seed="scenario" if settings.seed is None else settings.seed
        )
        self.horizon = scenario.steps
        self.has_pool = any(p.pool is not None for p in self.model.platforms)
        self.groups = self._groups()
        self.flywheel_agents: list[str] = [p.name for p in self.model.platforms]
        self._flywheel_read = 0
        self._events_read = 0
        self.number = 0
        self.rows: list[dict] = []
        self.quarters: list[dict] = []
        self.rows.append(self._row())

    # ------------------------------------------------------------------ groups

    def _groups(self) -> list[Group]:
        spec = self.model.spec
        names: dict[str, Group] = {}
        order: list[Group] = []

        def group(spec_name: str, strategy: str) -> Group:
            name = display_group(spec.name, spec_name)
            if name not in names:
                names[name] = Group(name, strategy, "")
                order.append(names[name])
            return names[name]

        slot = 0
        for firm_spec in spec.firms:
            target = group(firm_spec.name, firm_spec.strategy)
            for _ in range(firm_spec.count):
                target.slots.append(slot)
                slot += 1
        self._template_groups = {
            template.name: group(template.name, template.strategy)
            for template in (spec.entry.templates if spec.entry else [])
        }
        colours = group_colours({g.name: g.strategy for g in order})
        for g in order:
            g.colour = colours[g.name]
        return order

    def _assign_entrants(self) -> None:
        known = sum(len(g.slots) for g in self.groups)
        for firm in self.model.firms[known:]:
            template = firm.name.rsplit(" #", 1)[0]
            self._template_groups[template].slots.append(firm.slot)

    # ------------------------------------------------------------------ stepping

    @property
    def finished(self) -> bool:
        """True at the scenario's horizon."""
        return self.model.week >= self.horizon

    def step(self, weeks: int) -> int:
        """Run up to ``weeks`` weeks, never past the horizon.

        Returns:
            The weeks actually run.
        """
        done = 0
        for _ in range(max(0, int(weeks))):
            if self.finished:
                break
            self.model.step()
            self.rows.append(self._row())
            done += 1
        self.model.running = not self.finished
        return done

    def _row(self) -> dict:
        """This week's market numbers and one number per group."""
        model = self._sync()
        alive = [firm.alive for firm in model.firms]
        units = np.array([firm.week.units if firm.alive else 0.0 for firm in model.firms])
        pool = float(getattr(model.stats, "pool_units", 0) or 0) if self.has_pool else 0.0
        total = units.sum() + pool
        sold = model.week > 0 and total > 0
        price = metrics.mean_price(model) if any(alive) and model.week > 0 else None
        row = {
            "week": model.week,
            "price": _round(price, 3),
            "surplus": _round(metrics.consumer_surplus(model), 3) if model.week else None,
            "hhi": _round(metrics.hhi(model)) if sold else None,
            "alive": int(sum(alive)),
            "outside": _round(metrics.outside_share(model)) if model.week else None,
            "through_platforms": _round(metrics.disintermediation_index(model)) if sold else None,
            "third_party": _round(metrics.third_party_share(model)) if sold else None,
            "share": [],
            "pool_share": _round(pool / total) if sold and self.has_pool else None,
            "group_price": [],
            "vitality": [],
            "platform_share": [],
            "owned": [],
            "fit": [],
            "stages": self._stages(),
        }
        for group in self.groups:
            live = [model.firms[s] for s in group.slots if model.firms[s].alive]
            group_units = sum(firm.week.units for firm in live)
            row["share"].append(_round(group_units / total) if sold else None)
            row["group_price"].append(
                _round(float(np.mean([f.price for f in live])), 3) if live else None
            )
            row["vitality"].append(
                _round(float(np.mean([f.vitality for f in live]))) if live else None
            )
            through = sum(firm.week.platform_units for firm in live)
            row["platform_share"].append(_round(through / group_units) if group_units else None)
            row["owned"].append(sum(firm.owned_customers for firm in live) if live else None)
            row["fit"].append(_round(float(np.mean([f.mean_fit for f in live]))) if live else None)
        self._read_flywheel()
        row["events"] = self._new_events()
        return row

    def _new_events(self) -> list[dict]:
        """This week's entries, exits, acquisitions and copies, for the charts' markers."""
        found = []
        for event in self.model.events[self._events_read :]:
            kind = MARKED_EVENTS.get(event["event"])
            if kind is not None:
                found.append({"kind": kind, "firm": event["name"]})
        self._events_read = len(self.model.events)
        return found

    def _sync(self) -> MarketModel:
        self._assign_entrants()
        return self.model

    def _stages(self) -> dict[str, int]:
        counts = dict.fromkeys(STAGES, 0)
        for firm in self.model.firms:
            if not firm.alive:
                counts["gone"] += 1
            elif firm.declining:
                counts["decline"] += 1
            elif firm.irrelevant:
                counts["irrelevant"] += 1
            elif firm.in_stasis:
                counts["stasis"] += 1
            else:
                counts["day1"] += 1
        return counts

    def _read_flywheel(self) -> None:
        """New quarterly flywheel-meter rows: median loop gain per group and per platform."""
        table = self.model.datacollector.tables.get("flywheel")
        if not table or len(table["step"]) <= self._flywheel_read:
            return
        start, end = self._flywheel_read, len(table["step"])
        self._flywheel_read = end
        slot_group = {s: i for i, g in enumerate(self.groups) for s in g.slots}
        id_slot = {firm.unique_id: firm.slot for firm in self.model.firms}
        by_group: list[list[float]] = [[] for _ in self.groups]
        measured_firms = [0] * len(self.groups)
        live_firms = [0] * len(self.groups)
        platform_gain: list[float | None] = [None] * len(self.flywheel_agents)
        for i in range(start, end):
            gain = table["loop_gain"][i]
            if table["agent"][i] == "platform":
                if table["name"][i] in self.flywheel_agents:
                    platform_gain[self.flywheel_agents.index(table["name"][i])] = _finite(gain)
                continue
            index = slot_group[id_slot[table["agent_id"][i]]]
            live_firms[index] += 1
            if math.isfinite(gain):
                by_group[index].append(gain)
                measured_firms[index] += 1
        self.quarters.append(
            {
                "week": int(table["step"][end - 1]),
                "gain": [_round(float(np.median(g))) if g else None for g in by_group],
                "measured": measured_firms,
                "live": live_firms,
                "platform_gain": [_round(g) for g in platform_gain],
            }
        )

    # ------------------------------------------------------------------ what the page gets

    def leader(self) -> dict | None:
        """This week's best-selling live firm: name, group and unit share; ``None`` if none sold."""
        model = self.model
        units = [firm.week.units if firm.alive else 0.0 for firm in model.firms]
        pool = float(getattr(model.stats, "pool_units", 0) or 0) if self.has_pool else 0.0
        total = sum(units) + pool
        if model.week == 0 or sum(units) <= 0:
            return None
        slot = int(np.argmax(units))
        firm = model.firms[slot]
        group = next(g.name for g in self.groups if slot in g.slots)
        return {"name": firm.name, "group": group, "share": units[slot] / total}

    def status(self) -> dict:
        """Week, horizon, firms alive, the leader and a plain sentence about the state."""
        model = self.model
        alive = sum(firm.alive for firm in model.firms)
        leader = self.leader()
        if model.week == 0:
            state = "Ready: press Step or Play."
        elif alive == 0:
            state = "The market is empty: every firm has left. Press Reset to start again."
        elif leader is None:
            state = "No firm sold anything this week."
        else:
            state = ""
        if self.finished and alive:
            state += " The run has reached its horizon. Press Reset to start again."
        return {
            "week": model.week,
            "horizon": self.horizon,
            "quarter": model.week // WEEKS_PER_QUARTER,
            "year": model.week / WEEKS_PER_YEAR,
            "alive": alive,
            "firms": len(model.firms),
            "leader": leader,
            "state": state.strip(),
            "finished": self.finished,
        }

    def panels(self) -> list[str]:
        """The panels this scenario has, in page order."""
        spec = self.model.spec
        found = ["share", "price", "surplus", "concentration", "vitality"]
        if spec.flywheel_meter.enabled:
            found.append("flywheel")
        if self.model.platforms:
            found.append("channels")
        kinds = [f.connected for f in spec.firms] + [
            t.connected for t in (spec.entry.templates if spec.entry else [])
        ]
        if any(kind != ConnectedKind.none for kind in kinds):
            found.append("connected")
        return found

    def meta(self) -> dict:
        """Everything the page needs to lay out a run: groups, panels, texts, horizon."""
        spec = self.model.spec
        return {
            "scenario": self.settings.scenario,
            "run": self.number,
            "title": spec.name,
            "description": spec.description,
            "guide": scenario_guide(self.settings.scenario, spec.description),
            "seed": self.model.seed,
            "consumers": len(self.model.population),
            "horizon": self.horizon,
            "start_year": spec.start_year,
            "stasis_threshold": spec.vitality.stasis_threshold,
            "groups": [
                {"name": g.name, "strategy": g.strategy, "colour": g.colour} for g in self.groups
            ],
            "platforms": self.flywheel_agents,
            "owned_platform": any(p.owner_slots for p in self.model.platforms),
            "third_party_sellers": self.has_pool,
            "panels": self.panels(),
            "panel_guides": panel_guides(),
            "notes": self.notes,
        }

    def since(self, week: int) -> dict:
        """Rows after ``week``, the quarterly flywheel rows after it, and the status."""
        return {
            "rows": self.rows[max(0, week + 1) :],
            "quarters": [q for q in self.quarters if q["week"] > week],
            "status": self.status(),
        }
