"""Small scenarios with platforms, for fast model-level tests."""

from __future__ import annotations

import copy
from typing import Any


def marketplace_scenario(**changes: Any) -> dict:
    """A retailer, a marketplace with its own retail arm, sellers and a membership.

    ``changes`` are dotted-path overrides applied to the mapping.
    """
    data = {
        "name": "test_marketplace",
        "seed": 11,
        "steps": 60,
        "consumers": {"count": 1500},
        "firms": [
            {"name": "Shop", "strategy": "shareholder_focused", "channels": ["direct"]},
            {
                "name": "Retail arm",
                "strategy": "customer_obsessed",
                "channels": ["Market"],
                "fixed_cost": 0.0,
            },
            {"name": "Brand", "strategy": "shareholder_focused"},
        ],
        "platforms": [
            {
                "name": "Market",
                "kind": "marketplace",
                "strategy": "customer_obsessed",
                "owner": "Retail arm",
                "initial_awareness": 0.6,
                "awareness_innovation": 0.01,
                "awareness_imitation": 0.1,
                "membership": {"fee": 1.0, "launch_step": 20},
                "third_party": {
                    "potential_sellers": 300,
                    "initial_sellers": 20,
                    "items_per_seller": 2.0,
                    "join_rate": 0.02,
                    "leave_rate": 0.02,
                },
            }
        ],
        "relationships": {"awareness_fade": 0.2},
        "learning": {"fit_value": 0.5},
    }
    return apply(data, changes)


def aggregator_scenario(**changes: Any) -> dict:
    """Three brands free to choose channels, one fixed direct, and an aggregator."""
    data = {
        "name": "test_aggregator",
        "seed": 5,
        "steps": 52,
        "consumers": {"count": 1500, "initial_awareness": 0.6},
        "firms": [
            {"name": "Free", "strategy": "shareholder_focused", "count": 3},
            {"name": "Loyal", "strategy": "shareholder_focused", "channels": ["direct"]},
        ],
        "platforms": [
            {
                "name": "Compare",
                "kind": "aggregator",
                "strategy": "shareholder_focused",
                "take_rate": 0.05,
                "experience": 0.0,
                "fixed_cost": 50.0,
                "initial_awareness": 0.5,
            }
        ],
    }
    return apply(data, changes)


def apply(data: dict, changes: dict[str, Any]) -> dict:
    """Set dotted paths (``platforms.0.take_rate``) in a copy of ``data``."""
    data = copy.deepcopy(data)
    for path, value in changes.items():
        node = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data
