"""The flywheel meter in the model: quarterly series per firm and platform, measured links.

Each quarter the meter records, for every live firm and platform, the nodes of the loop
(traffic, sellers, selection, average cost, price) and measures each link's elasticity
with ``sim.mechanics.flywheel_meter``:

- consumer links, by demand experiment on a fixed panel of consumers (every
  ``N / sample_size``-th consumer, so the meter draws no random numbers and changes
  nothing in the run): price -> traffic and selection -> traffic, shocking the agent's
  price (a platform: every listing's price) or selection (a platform: every listing's
  items) by ``exp(+-h)`` and measuring expected units through the agent;
- supply links, by the slope of ``ln y`` on ``ln x`` over the last ``window_quarters``
  quarters (NaN until a full window exists, or when ``ln x`` hardly moved): traffic ->
  sellers, sellers -> selection (platforms with sellers), volume -> average cost,
  average cost -> price.

Signs are set so that each link is positive when it turns the flywheel: more traffic,
more sellers, more selection, more traffic; more volume, *lower* cost, lower price,
more traffic. The loop gains are the products of their links; the flywheel's gain is
their sum.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.mechanics.flywheel_meter import (
    experiment_elasticity,
    flywheel_gain,
    log_log_slope,
    loop_gain,
)
from sim.mechanics.platforms import FirmWhatIf, channel_demand, channel_utilities
from sim.scenario import WEEKS_PER_QUARTER, FlywheelMeterSpec

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
    "price",
    "e_traffic_to_sellers",
    "e_sellers_to_selection",
    "e_selection_to_traffic",
    "e_volume_to_cost",
    "e_cost_to_price",
    "e_price_to_traffic",
    "gain_selection_loop",
    "gain_scale_loop",
    "loop_gain",
]


def panel_rows(population: int, size: int) -> np.ndarray:
    """A systematic sample of consumer rows (rows are i.i.d. draws, so it is random)."""
    if size >= population:
        return np.arange(population)
    return np.linspace(0, population - 1, size).round().astype(np.int64)


class FlywheelMeter:
    """Keeps each agent's quarterly series and measures the loop every quarter.

    Args:
        spec: the scenario's ``flywheel_meter`` section.
    """

    def __init__(self, spec: FlywheelMeterSpec):
        self.spec = spec
        self.series: dict[tuple[str, int], dict[str, list[float]]] = defaultdict(
            lambda: defaultdict(list)
        )

    def window(self, key: tuple[str, int], name: str) -> np.ndarray:
        """The last ``window_quarters`` values of a series."""
        return np.asarray(self.series[key][name][-self.spec.window_quarters :], dtype=float)

    def slope(self, key: tuple[str, int], x: str, y: str) -> float:
        """Elasticity of series y with respect to series x over a full window (else NaN)."""
        xs, ys = self.window(key, x), self.window(key, y)
        if len(xs) < self.spec.window_quarters:
            return float("nan")
        return log_log_slope(xs, ys, self.spec.min_log_spread)

    def measure(self, model) -> list[dict]:
        """Record this quarter's nodes and measure every link, for every live agent.

        Args:
            model: the ``MarketModel`` at the close of a quarter.

        Returns:
            One row per live firm and platform (columns ``FLYWHEEL_COLUMNS``).
        """
        rows = panel_rows(len(model.population), self.spec.sample_size)
        cols = model.population.columns
        shoppers = model.shoppers(rows)
        weights = cols.need_rate[rows] * (len(model.population) / len(rows))
        offer = model.channel_offer()
        outside = model.spec.market.outside_utility
        h = self.spec.perturbation
        up, down = np.exp(h), np.exp(-h)

        def platform_units(o, k):
            _, listings = channel_demand(o, shoppers, outside, weights)
            return float(listings[k].sum())

        out = []
        quarter = model.week // WEEKS_PER_QUARTER
        base_utilities = channel_utilities(offer, shoppers)
        for firm in model.firms:
            if not firm.alive:
                continue
            last = firm.last_quarter
            units = last.units
            key = ("firm", firm.slot)
            self.record(
                key,
                traffic=units,
                sellers=np.nan,
                selection=firm.selection,
                average_cost=(last.variable_cost + last.fixed_cost) / units if units else np.nan,
                price=last.revenue / units if units else firm.price,
            )
            what_if = FirmWhatIf(offer, shoppers, outside, weights, firm.slot, base_utilities)

            def units(**change):
                direct, platforms = what_if.units(**change)  # noqa: B023
                return direct + float(platforms.sum())

            price_link = -experiment_elasticity(
                units(price=firm.price * down), units(price=firm.price * up), h
            )
            selection_link = experiment_elasticity(
                units(selection=firm.selection * down), units(selection=firm.selection * up), h
            )
            out.append(
                self.row(model, quarter, "firm", firm, key, price_link, selection_link, False)
            )
        for platform in model.platforms:
            if not platform.alive:
                continue
            last = platform.last_quarter
            units = last.units
            k = platform.slot
            key = ("platform", k)
            self.record(
                key,
                traffic=units,
                sellers=float(platform.sellers) if platform.pool is not None else np.nan,
                selection=float(offer.listing_items(k).sum()),
                average_cost=last.operating_cost / units if units else np.nan,
                price=last.gmv / units if units else np.nan,
            )
            price_link = -experiment_elasticity(
                platform_units(offer.scale_platform(k, price_factor=down), k),
                platform_units(offer.scale_platform(k, price_factor=up), k),
                h,
            )
            selection_link = experiment_elasticity(
                platform_units(offer.scale_platform(k, items_factor=down), k),
                platform_units(offer.scale_platform(k, items_factor=up), k),
                h,
            )
            out.append(
                self.row(
                    model,
                    quarter,
                    "platform",
                    platform,
                    key,
                    price_link,
                    selection_link,
                    platform.pool is not None,
                )
            )
        return out

    def record(self, key: tuple[str, int], **values: float) -> None:
        """Append one quarter's node values to an agent's series."""
        for name, value in values.items():
            self.series[key][name].append(float(value))

    def row(self, model, quarter, agent, owner, key, price_link, selection_link, has_sellers):
        """Measure the supply links over the window and assemble the table row."""
        latest = {name: values[-1] for name, values in self.series[key].items()}
        volume_link = -self.slope(key, "traffic", "average_cost")
        cost_link = self.slope(key, "average_cost", "price")
        gain_scale = loop_gain(volume_link, cost_link, price_link)
        if has_sellers:
            sellers_link = self.slope(key, "traffic", "sellers")
            selection_supply_link = self.slope(key, "sellers", "selection")
            gain_selection = loop_gain(sellers_link, selection_supply_link, selection_link)
        else:
            sellers_link = selection_supply_link = gain_selection = float("nan")
        return {
            "step": model.week,
            "quarter": quarter,
            "agent": agent,
            "agent_id": owner.unique_id,
            "name": owner.name,
            "strategy": owner.strategy_name,
            "traffic": latest["traffic"],
            "sellers": latest["sellers"],
            "selection": latest["selection"],
            "average_cost": latest["average_cost"],
            "price": latest["price"],
            "e_traffic_to_sellers": sellers_link,
            "e_sellers_to_selection": selection_supply_link,
            "e_selection_to_traffic": selection_link,
            "e_volume_to_cost": volume_link,
            "e_cost_to_price": cost_link,
            "e_price_to_traffic": price_link,
            "gain_selection_loop": gain_selection,
            "gain_scale_loop": gain_scale,
            "loop_gain": flywheel_gain(gain_selection, gain_scale),
        }
