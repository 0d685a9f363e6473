"""Small scenarios for the Day 1 / Day 2 tests (word of mouth, innovation, vitality...)."""

from __future__ import annotations

import copy


def identical_consumers(count: int = 500, **changes) -> dict:
    """Consumers with one taste each: price only, a need every week, no habit."""
    consumers = {
        "count": count,
        "price_sensitivity": 0.1,
        "selection_taste": 0.0,
        "experience_taste": 0.0,
        "need_rate": 1.0,
        "habit_strength": 0.0,
        "initial_expectation": 0.0,
        "expectation_adaptation": 0.0,
        "experience_noise_sd": 0.0,
        "initial_awareness": 1.0,
    }
    consumers.update(changes)
    return consumers


def firm(name: str = "Firm", strategy: str = "customer_obsessed", **changes) -> dict:
    """A firm spec with no fixed cost and plenty of cash (so it never exits by accident)."""
    spec = {"name": name, "strategy": strategy, "fixed_cost": 0.0, "cash": 1e6}
    spec.update(changes)
    return spec


def scenario(firms: list[dict] | None = None, steps: int = 26, **sections) -> dict:
    """A scenario mapping: identical consumers, the given firms, sections merged in."""
    data = {
        "name": "lifecycle-test",
        "seed": 5,
        "steps": steps,
        "market": {"outside_utility": 0.0, "research_sample_size": 100},
        "consumers": identical_consumers(),
        "firms": firms if firms is not None else [firm()],
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            merged = copy.deepcopy(data[key])
            merged.update(value)
            data[key] = merged
        else:
            data[key] = value
    return data


FROZEN_VITALITY = {
    "erosion_age": 0.0,
    "erosion_size": 0.0,
    "renewal_obsession": 0.0,
    "renewal_skepticism": 0.0,
    "renewal_trends": 0.0,
    "renewal_velocity": 0.0,
}
"""Vitality section under which every firm keeps its starting vitality."""


from pydantic import Field  # noqa: E402

from sim.strategies.base import Decision, Strategy, StrategyParams  # noqa: E402


class FixedPriceParams(StrategyParams):
    """Parameters of :class:`FixedPrice`."""

    price: float = Field(40.0, ge=0)
    innovation: bool = True


class FixedPrice(Strategy):
    """Keeps its price, invests nothing, pays nothing out; spends its innovation budget."""

    name = "fixed_price"
    traits = {"proxy_focus": 0.0, "decision_velocity": 1.0}
    Params = FixedPriceParams

    def decide(self, firm, view):
        """Same price every quarter."""
        budget = firm.innovation_budget if self.params.innovation else 0.0
        return Decision(price=self.params.price, spend_innovation=budget)


FIXED = "lifecycle_builders:FixedPrice"


class QuarterPrice(Strategy):
    """Sets a new price every quarter: 30 plus the quarter number (to see when it acts)."""

    name = "quarter_price"
    traits = {"proxy_focus": 0.0, "decision_velocity": 1.0}

    def decide(self, firm, view):
        """Price 30 + quarter."""
        return Decision(price=30.0 + view.quarter)


QUARTER_PRICE = "lifecycle_builders:QuarterPrice"
