"""The flywheel meter in the model: quarterly series per firm and platform, measured links.

Each quarter the meter records, for every live firm and platform, the nodes of the loop
(traffic, sellers, selection, cost, price) and measures every link by an experiment on
the agent whose behaviour the link is (``sim.mechanics.flywheel_meter``), so a link is
defined whenever the agent sells:

- price -> traffic and selection -> traffic: consumers' response, by a demand experiment
  on a fixed panel of consumers (every ``N / sample_size``-th consumer), shocking the
  agent's price (a platform: every listing's price) or selection (a platform: every
  listing's items) by ``exp(+-h)``;
- traffic -> sellers (platforms with third-party sellers): the sellers' entry response,
  sellers at rest for the pool's sales scaled by ``exp(+-h)``;
- sellers -> selection: the listing rule, the platform's items with its sellers scaled;
- volume -> cost: the agent's cost curve at its volume, scaled by ``exp(+-h)``
  (firms: Wright's learning slope of the unit cost; platforms: cost per order, Wright's
  fulfilment cost plus fixed cost spread over volume);
- cost -> price: the strategy's response, by re-deciding on a copy of the strategy and
  its view with the cost it prices on moved, at the decision in force during the
  quarter: a firm's copy decides with its unit cost moved by ``exp(h)``, read against
  the decision's own price (one experiment: a firm's decision is the costliest step of
  the model); a platform's two copies with the cost per order moved by ``exp(+-h)``. A
  platform's price (GMV per unit) moves with its take rate through the third-party
  sellers' price.

The experiments work on copies and draw no random numbers, so the meter changes nothing
in the run. Beside them, the ``observed_*`` columns keep the rolling-window estimate:
the slope of ``ln y`` on ``ln x`` over the last ``window_quarters`` quarters (NaN until
a full window exists, or when ``ln x`` hardly moved), on average cost (variable plus
fixed per unit) as the cost node.

Signs are set so that each link is positive when it turns the flywheel: more traffic,
more sellers, more selection, more traffic; more volume, *lower* cost, lower price,
more traffic. The gain of a loop is the product of its links; the flywheel's gain is
the sum of the gains of the loops the agent has (they meet at traffic).
"""

from __future__ import annotations

import copy
import dataclasses
from collections import defaultdict
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.mechanics.flywheel_meter import (
    cost_at_scale,
    experiment_elasticity,
    flywheel_gain,
    log_log_slope,
    loop_gain,
    one_sided_elasticity,
    price_index,
    seller_steady_state,
)
from sim.mechanics.platforms import (
    FirmWhatIf,
    channel_demand,
    channel_utilities,
    third_party_price,
)
from sim.scenario.schema_base import WEEKS_PER_QUARTER
from sim.scenario.schema_channels import FlywheelMeterSpec

if TYPE_CHECKING:
    from sim.agents.firm import Firm
    from sim.model.market import MarketModel

LINKS = [
    "traffic_to_sellers",
    "sellers_to_selection",
    "selection_to_traffic",
    "volume_to_cost",
    "cost_to_price",
    "price_to_traffic",
]

FLYWHEEL_COLUMNS = [
    "step",
    "quarter",
    "agent",
    "agent_id",
    "name",
    "strategy",
    "traffic",
    "sellers",
    "selection",
    "average_cost",
    "unit_cost",
    "price",
    *[f"e_{link}" for link in LINKS],
    "gain_selection_loop",
    "gain_scale_loop",
    "loop_gain",
    *[f"observed_{link}" for link in LINKS],
    "observed_loop_gain",
]

# Strategies with a person behind them: re-deciding would ask the person, so their
# price response is not measured (NaN); the observed columns remain.
PERSON_SEATS = ("sim.play", "sim.classroom")


def panel_rows(population: int, size: int) -> np.ndarray:
    """A systematic sample of consumer rows (rows are i.i.d. draws, so it is random)."""
    if size >= population:
        return np.arange(population)
    return np.linspace(0, population - 1, size).round().astype(np.int64)


def is_person_seat(strategy) -> bool:
    """Whether deciding would ask a person (a play or class seat), not a strategy."""
    return type(strategy).__module__.startswith(PERSON_SEATS)


def redecided(strategy, decide_with, shock: float) -> tuple[float, float]:
    """What a copy of the strategy decides with its cost moved down and up by ``exp(h)``.

    Args:
        strategy: the strategy object (left untouched: each run is on a deep copy).
        decide_with: ``f(copy, factor) -> number``, the decision of the copy when the
            cost it prices on is multiplied by ``factor``.
        shock: ``h`` > 0.

    Returns:
        ``(down, up)``; NaN for both when the strategy is a person's seat or a copy
        cannot decide.
    """
    if is_person_seat(strategy):
        return float("nan"), float("nan")
    try:
        down = float(decide_with(copy.deepcopy(strategy), np.exp(-shock)))
        up = float(decide_with(copy.deepcopy(strategy), np.exp(shock)))
    except Exception:  # a copy that cannot decide leaves the link unmeasured
        return float("nan"), float("nan")
    return down, up


def strategy_price_response(
    strategy, firm_view, market_view, shock: float, price_now: float | None = None
) -> float:
    """Elasticity of the price a strategy decides with respect to its unit cost.

    A copy of the strategy re-decides on its view with ``unit_cost`` multiplied by
    ``exp(h)``: ``(ln p(c e^h) - ln p(c)) / h``, where ``p(c)`` is the price the strategy
    decides on the view as it is (``price_now``, the decision itself; decided by another
    copy when not given).

    Args:
        strategy: a firm's strategy (``decide(firm_view, market_view) -> Decision``), in
            the state it decides from (left untouched: each decision is on a deep copy).
        firm_view: the ``FirmView`` it decides on now.
        market_view: the ``MarketView`` it decides on now (shared, read only).
        shock: ``h`` > 0.
        price_now: the price it decided on ``firm_view``, when known.

    Returns:
        The elasticity (1: price moves one for one with cost; 0: it does not move);
        NaN when not measurable (a person's seat, a copy that cannot decide).
    """
    if is_person_seat(strategy):
        return float("nan")

    def price(factor: float) -> float:
        moved = dataclasses.replace(firm_view, unit_cost=firm_view.unit_cost * factor)
        return float(copy.deepcopy(strategy).decide(moved, market_view).price)

    try:
        now = price(1.0) if price_now is None else float(price_now)
        up = price(np.exp(shock))
    except Exception:  # a copy that cannot decide leaves the link unmeasured
        return float("nan")
    return one_sided_elasticity(now, up, shock)


def platform_take_response(strategy, view, shock: float) -> tuple[float, float]:
    """Take rates a platform strategy decides with its cost per order moved by ``exp(+-h)``.

    Args:
        strategy: a platform strategy (``decide(view) -> PlatformDecision``).
        view: the ``PlatformView`` it decides on now.
        shock: ``h`` > 0.

    Returns:
        ``(take_down, take_up)``; NaN when not measurable.
    """

    def take(copy_of, factor):
        moved = dataclasses.replace(
            view,
            cost_per_order=view.cost_per_order * factor,
            fulfilment_cost=view.fulfilment_cost * factor,
        )
        return copy_of.decide(moved).take_rate

    return redecided(strategy, take, shock)


class FlywheelMeter:
    """Keeps each agent's quarterly series and measures the loop every quarter.

    Args:
        spec: the scenario's ``flywheel_meter`` section.
    """

    name: ClassVar[str] = "flywheel"
    firm_columns: list[str] = []
    """The meter keeps its own table (``flywheel``), no firm columns."""

    def __init__(self, spec: FlywheelMeterSpec):
        self.spec = spec
        self.series: dict[tuple[str, int], dict[str, list[float]]] = defaultdict(
            lambda: defaultdict(list)
        )
        # cost -> price of the decision in force: firms' elasticity, platforms' take rates
        self.price_response: dict[int, float] = {}
        self.take_response: dict[int, tuple[float, float]] = {}

    # ------------------------------------------------------------------ at decisions

    def firm_decides(self, firm, firm_view, market_view):
        """The firm's strategy decides; the meter measures its price response on a copy.

        The copy is taken before the strategy decides (deciding may change its state), and
        re-decides with the unit cost moved by ``exp(h)`` against the decision's own price
        (:func:`strategy_price_response`).

        Returns:
            The strategy's decision, untouched.
        """
        strategy = firm.strategy
        measure = self.spec.enabled and not is_person_seat(strategy)
        before = copy.deepcopy(strategy) if measure else None
        decision = strategy.decide(firm_view, market_view)
        if before is not None:
            self.price_response[firm.slot] = strategy_price_response(
                before,
                firm_view,
                market_view,
                self.spec.perturbation,
                price_now=getattr(decision, "price", float("nan")),
            )
        elif self.spec.enabled:  # a person's seat: not measured
            self.price_response[firm.slot] = float("nan")
        return decision

    def before_platform_decides(self, platform, view) -> None:
        """Measure the platform strategy's take-rate response on its view."""
        if self.spec.enabled:
            self.take_response[platform.slot] = platform_take_response(
                platform.strategy, view, self.spec.perturbation
            )

    # ------------------------------------------------------------------ series

    def window(self, key: tuple[str, int], name: str) -> np.ndarray:
        """The last ``window_quarters`` values of a series."""
        return np.asarray(self.series[key][name][-self.spec.window_quarters :], dtype=float)

    def slope(self, key: tuple[str, int], x: str, y: str) -> float:
        """Elasticity of series y with respect to series x over a full window (else NaN)."""
        xs, ys = self.window(key, x), self.window(key, y)
        if len(xs) < self.spec.window_quarters:
            return float("nan")
        return log_log_slope(xs, ys, self.spec.min_log_spread)

    def record(self, key: tuple[str, int], **values: float) -> None:
        """Append one quarter's node values to an agent's series."""
        for name, value in values.items():
            self.series[key][name].append(float(value))

    # ------------------------------------------------------------------ the quarter

    def close_quarter(self, model: MarketModel) -> None:
        """The meter records this quarter's links and loop gains (when switched on)."""
        if not self.spec.enabled:
            return
        for row in self.measure(model):
            model.datacollector.add_table_row("flywheel", row)

    def firm_row(self, model: MarketModel, firm: Firm) -> dict[str, object]:
        """No firm columns: the meter's rows are in the ``flywheel`` table."""
        return {}

    def measure(self, model: MarketModel) -> list[dict]:
        """Record this quarter's nodes and measure every link, for every live agent.

        Args:
            model: the ``MarketModel`` at the close of a quarter.

        Returns:
            One row per live firm and platform (columns ``FLYWHEEL_COLUMNS``).
        """
        rows = panel_rows(len(model.population), self.spec.sample_size)
        cols = model.population.columns
        shoppers = model.channels.shoppers(rows)
        weights = cols.need_rate[rows] * (len(model.population) / len(rows))
        offer = model.channels.offer()
        outside = model.spec.market.outside_utility
        quarter = model.week // WEEKS_PER_QUARTER
        base_utilities = channel_utilities(offer, shoppers)
        out = []
        for firm in model.firms:
            if firm.alive:
                links = self.firm_links(firm, offer, shoppers, outside, weights, base_utilities)
                out.append(self.row(model, quarter, "firm", firm, links))
        for platform in model.platforms:
            if platform.alive:
                links = self.platform_links(platform, offer, shoppers, outside, weights)
                out.append(self.row(model, quarter, "platform", platform, links))
        return out

    def firm_links(self, firm, offer, shoppers, outside, weights, base_utilities) -> dict:
        """Record a firm's nodes and measure its scale loop's links."""
        h = self.spec.perturbation
        last = firm.last_quarter
        units = last.units
        key = ("firm", firm.slot)
        self.record(
            key,
            traffic=units,
            sellers=np.nan,
            selection=firm.selection,
            average_cost=(last.variable_cost + last.fixed_cost) / units if units else np.nan,
            unit_cost=firm.unit_cost,
            price=last.revenue / units if units else firm.price,
        )
        what_if = FirmWhatIf(offer, shoppers, outside, weights, firm.slot, base_utilities)

        def through_every_channel(**change):
            direct, platforms = what_if.units(**change)
            return direct + float(platforms.sum())

        def cost(scale):
            return cost_at_scale(
                firm.unit_cost,
                firm.cumulative_units,
                firm.reference_units,
                firm.progress_ratio,
                scale,
            )

        price, selection = firm.price, firm.selection
        return {
            "key": key,
            "price_to_traffic": -experiment_elasticity(
                through_every_channel(price=price * np.exp(-h)),
                through_every_channel(price=price * np.exp(h)),
                h,
            ),
            "selection_to_traffic": experiment_elasticity(
                through_every_channel(selection=selection * np.exp(-h)),
                through_every_channel(selection=selection * np.exp(h)),
                h,
            ),
            "volume_to_cost": -experiment_elasticity(cost(np.exp(-h)), cost(np.exp(h)), h),
            "cost_to_price": self.price_response.get(firm.slot, float("nan")),
            "traffic_to_sellers": float("nan"),
            "sellers_to_selection": float("nan"),
            "has_sellers": False,
        }

    def platform_links(self, platform, offer, shoppers, outside, weights) -> dict:
        """Record a platform's nodes and measure both loops' links."""
        h = self.spec.perturbation
        k = platform.slot
        last = platform.last_quarter
        units = last.units
        cost_per_order = last.operating_cost / units if units else np.nan
        key = ("platform", k)
        self.record(
            key,
            traffic=units,
            sellers=float(platform.sellers) if platform.pool is not None else np.nan,
            selection=float(offer.listing_items(k).sum()),
            average_cost=cost_per_order,
            unit_cost=cost_per_order,
            price=last.gmv / units if units else np.nan,
        )

        def listing_units(o):
            _, listings = channel_demand(o, shoppers, outside, weights)
            return listings[k]

        def units_at(**change):
            return float(listing_units(offer.scale_platform(k, **change)).sum())

        links = {
            "key": key,
            "price_to_traffic": -experiment_elasticity(
                units_at(price_factor=np.exp(-h)), units_at(price_factor=np.exp(h)), h
            ),
            "selection_to_traffic": experiment_elasticity(
                units_at(items_factor=np.exp(-h)), units_at(items_factor=np.exp(h)), h
            ),
            "volume_to_cost": self.platform_volume_link(platform, units, h),
            "cost_to_price": self.platform_price_link(platform, offer, listing_units(offer), h),
            "has_sellers": platform.pool is not None,
        }
        links.update(self.seller_links(platform, offer, h))
        return links

    @staticmethod
    def platform_volume_link(platform, units: float, h: float) -> float:
        """Volume -> cost per order: Wright's fulfilment cost and fixed cost spread."""
        if units <= 0:
            return float("nan")
        last = platform.last_quarter
        fixed = platform.fixed_cost * WEEKS_PER_QUARTER
        fulfilment = platform.fulfilment_cost
        other = max(0.0, (last.operating_cost - fixed) / units - fulfilment)

        def cost(scale):
            return cost_at_scale(
                fulfilment,
                platform.cumulative_units,
                platform.reference_units,
                platform.progress_ratio,
                scale,
                fixed_cost=fixed,
                units=units,
                other_unit_cost=other,
            )

        return -experiment_elasticity(cost(np.exp(-h)), cost(np.exp(h)), h)

    def platform_price_link(self, platform, offer, units: np.ndarray, h: float) -> float:
        """Cost per order -> price: the take rate re-decided, passed on by sellers.

        The platform's price is the units-weighted price of its listings; only the
        third-party sellers' price follows the take rate (``third_party_price``), with
        the listings' units held at the panel's.
        """
        take_down, take_up = self.take_response.get(platform.slot, (np.nan, np.nan))
        if not (np.isfinite(take_down) and np.isfinite(take_up)):
            return float("nan")
        prices = offer.listing_price(platform.slot)
        pool = platform.pool

        def index(take):
            moved = prices.copy()
            if pool is not None:
                moved[-1] = third_party_price(pool.unit_cost, pool.markup, take, pool.pass_through)
            return price_index(moved, units)

        return experiment_elasticity(index(take_down), index(take_up), h)

    @staticmethod
    def seller_links(platform, offer, h: float) -> dict:
        """Traffic -> sellers (sellers at rest) and sellers -> selection (listing rule)."""
        pool = platform.pool
        if pool is None:
            return {"traffic_to_sellers": float("nan"), "sellers_to_selection": float("nan")}
        k = platform.slot
        margin = pool.price * (1.0 - platform.take_rate) - pool.unit_cost

        def at_rest(scale):
            try:
                return seller_steady_state(
                    pool.average_units * scale,
                    margin,
                    pool.weekly_cost,
                    pool.potential,
                    pool.join_rate,
                    pool.leave_rate,
                    pool.sensitivity,
                )
            except ValueError:  # no seller can join or leave: no response to measure
                return float("nan")

        def selection(scale):
            items = offer.pool_items.copy()
            items[k] *= scale
            return float(dataclasses.replace(offer, pool_items=items).listing_items(k).sum())

        return {
            "traffic_to_sellers": experiment_elasticity(at_rest(np.exp(-h)), at_rest(np.exp(h)), h),
            "sellers_to_selection": experiment_elasticity(
                selection(np.exp(-h)), selection(np.exp(h)), h
            ),
        }

    def row(self, model: MarketModel, quarter, agent, owner, links: dict) -> dict:
        """Assemble the table row: nodes, measured links, observed links, gains."""
        key = links["key"]
        latest = {name: values[-1] for name, values in self.series[key].items()}
        observed = {
            "volume_to_cost": -self.slope(key, "traffic", "average_cost"),
            "cost_to_price": self.slope(key, "average_cost", "price"),
            "price_to_traffic": links["price_to_traffic"],
            "selection_to_traffic": links["selection_to_traffic"],
            "traffic_to_sellers": float("nan"),
            "sellers_to_selection": float("nan"),
        }
        if links["has_sellers"]:
            observed["traffic_to_sellers"] = self.slope(key, "traffic", "sellers")
            observed["sellers_to_selection"] = self.slope(key, "sellers", "selection")
        gains = loop_gains(links, links["has_sellers"])
        row = {
            "step": model.week,
            "quarter": quarter,
            "agent": agent,
            "agent_id": owner.unique_id,
            "name": owner.name,
            "strategy": owner.strategy_name,
            **{node: latest[node] for node in FLYWHEEL_COLUMNS[6:12]},
            **{f"e_{link}": float(links[link]) for link in LINKS},
            "gain_selection_loop": gains[0],
            "gain_scale_loop": gains[1],
            "loop_gain": gains[2],
            **{f"observed_{link}": float(observed[link]) for link in LINKS},
            "observed_loop_gain": loop_gains(observed, links["has_sellers"], strict=False)[2],
        }
        return row


def loop_gains(links: dict, has_sellers: bool, strict: bool = True) -> tuple[float, float, float]:
    """Selection loop's, scale loop's and the flywheel's gain from a set of links.

    The flywheel's gain is the sum of the gains of the loops the agent has (a firm
    without third-party sellers has only the scale loop). ``strict``: NaN when one of
    them is unmeasured (the measured gain); otherwise the sum over the measured loops
    (the observed gain, as the rolling window often leaves a loop unidentified).
    """
    scale = loop_gain(links["volume_to_cost"], links["cost_to_price"], links["price_to_traffic"])
    if not has_sellers:
        return float("nan"), scale, scale
    selection = loop_gain(
        links["traffic_to_sellers"], links["sellers_to_selection"], links["selection_to_traffic"]
    )
    if strict and not (np.isfinite(selection) and np.isfinite(scale)):
        return selection, scale, float("nan")
    return selection, scale, flywheel_gain(selection, scale)
