"""``--set`` overrides: ``dotted.key=value`` applied to a raw scenario mapping."""

from __future__ import annotations

import json
from typing import Any

import yaml

from sim.scenario.errors import InputError, Problem
from sim.scenario.yaml_safe import UnsafeYaml, load_yaml


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``dotted.key=value``; the value is parsed as YAML (numbers, lists...).

    Args:
        text: the override as typed.

    Returns:
        ``(dotted_key, value)``.

    Raises:
        ValueError: when there is no ``=`` or no key.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"override {text!r} must look like dotted.key=value")
    try:
        value = load_yaml(raw) if raw.strip() else raw
    except (yaml.YAMLError, UnsafeYaml):
        value = raw
    return key.strip(), value


def apply_overrides(data: dict, overrides: list[str] | dict[str, Any], file: str) -> dict:
    """Set values at dotted paths (list items by index: ``firms.0.price=40``).

    Args:
        data: the raw scenario mapping (not modified).
        overrides: ``["a.b=1", ...]`` or ``{"a.b": 1}``.
        file: name used in error messages.

    Returns:
        A new mapping with the overrides applied.

    Raises:
        InputError: listing every override that does not fit the document's shape.
    """
    result = json.loads(json.dumps(data))
    pairs = overrides.items() if isinstance(overrides, dict) else map(parse_override, overrides)
    problems = []
    for key, value in pairs:
        parts = key.split(".")
        node: Any = result
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            where = ".".join(parts[: depth + 1])
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    rule = f"--set: index must be an integer below {len(node)}"
                    problems.append(Problem(file, where, part, rule))
                    break
                if last:
                    node[int(part)] = value
                else:
                    node = node[int(part)]
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
            else:
                rule = "--set: cannot descend into a plain value"
                problems.append(Problem(file, where, node, rule))
                break
    if problems:
        raise InputError(problems)
    return result
