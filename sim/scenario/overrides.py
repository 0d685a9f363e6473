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


def schema_default(parts: list[str]) -> Any:
    """The scenario schema's default at a dotted path, as plain data (None if it has none).

    Lets an override reach inside a section the file leaves at its default:
    ``consumers.price_sensitivity.mean=0.2`` keeps the default distribution's kind and sd.
    """
    from pydantic import BaseModel

    from sim.scenario.errors import _unwrap
    from sim.scenario.schema import Scenario

    model: Any = Scenario
    value: Any = None
    for part in parts:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        value = field.get_default(call_default_factory=True)
        model = _unwrap(field.annotation)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value if isinstance(value, dict) else None


def apply_overrides(data: dict, overrides: list[str] | dict[str, Any], file: str) -> dict:
    """Set values at dotted paths (list items by index: ``firms.0.price=40``).

    A path into a section the document leaves out starts from the schema's default there
    (see :func:`schema_default`), so a partial override keeps the rest of the default.

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
                    if part not in node:
                        prefix = parts[: depth + 1]
                        inside_list = any(step.isdigit() for step in prefix)
                        default = None if inside_list else schema_default(prefix)
                        node[part] = default if isinstance(default, dict) else {}
                    node = node[part]
            else:
                rule = "--set: cannot descend into a plain value"
                problems.append(Problem(file, where, node, rule))
                break
    if problems:
        raise InputError(problems)
    return result
