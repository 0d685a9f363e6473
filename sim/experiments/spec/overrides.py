"""Dotted paths in sweep documents and scenarios: ``--set`` overrides and ``*`` expansion.

A sweep document's overrides (``design.samples=4``, ``fixed.consumers.count=500``), the
design settings dropped when an override changes the design kind, and the expansion of
``*`` in a scenario path (``firms.*.fixed_cost``) against a resolved scenario.
"""

from __future__ import annotations

import json
from typing import Any

from sim.scenario import InputError, Problem, parse_override

_DOTTED_KEY_CONTAINERS = (
    ("fixed",),
    ("parameters", "*", "set"),
    ("parameters", "*", "levels", "*"),
    ("variants", "*"),
)


def _holds_dotted_keys(trail: tuple[str, ...]) -> bool:
    for pattern in _DOTTED_KEY_CONTAINERS:
        if len(pattern) == len(trail) and all(
            p in ("*", t) for p, t in zip(pattern, trail, strict=True)
        ):
            return True
    return False


def apply_sweep_overrides(data: dict, overrides: list[str] | dict[str, Any], file: str) -> dict:
    """Set values at dotted paths of a sweep document.

    Keys that are themselves dotted paths (under ``fixed``, a parameter's ``set``, a
    labelled level or a variant) are matched whole: ``fixed.consumers.count=500`` sets
    the key ``consumers.count`` of ``fixed``.

    Args:
        data: the raw sweep mapping (not modified).
        overrides: ``["design.samples=4", ...]`` or ``{"design.samples": 4}``.
        file: name used in error messages.

    Returns:
        A new mapping.

    Raises:
        InputError: listing every override that does not fit the document's shape.
    """
    result = json.loads(json.dumps(data, default=str))
    problems = []
    if isinstance(overrides, dict):
        pairs = list(overrides.items())
    else:
        pairs = []
        for text in overrides:
            try:
                pairs.append(parse_override(text))
            except ValueError as exc:
                problems.append(Problem(file, "--set", text, str(exc)))
    for key, value in pairs:
        parts = key.split(".")
        node: Any = result
        trail: tuple[str, ...] = ()
        while parts:
            if isinstance(node, dict):
                if _holds_dotted_keys(trail):
                    head, parts = ".".join(parts), []
                else:
                    for cut in range(len(parts), 0, -1):
                        if ".".join(parts[:cut]) in node:
                            break
                    else:
                        cut = 1
                    head, parts = ".".join(parts[:cut]), parts[cut:]
                if not parts:
                    node[head] = value
                else:
                    child = node.get(head)
                    if child is None:
                        child = node[head] = {}
                    node = child
                trail = (*trail, head)
            elif isinstance(node, list):
                head = parts.pop(0)
                if not head.isdigit() or int(head) >= len(node):
                    where = ".".join((*trail, head))
                    problems.append(
                        Problem(file, where, head, f"--set: index must be below {len(node)}")
                    )
                    break
                if not parts:
                    node[int(head)] = value
                else:
                    node = node[int(head)]
                trail = (*trail, head)
            else:
                where = ".".join(trail)
                problems.append(Problem(file, where, node, "--set: cannot descend into a value"))
                break
    if problems:
        raise InputError(problems)
    return result


DESIGN_KEYS_OF_KIND = {"levels": ("morris",), "second_order": ("sobol",)}


def switch_design_kind(before: dict, after: dict, overrides: list[str] | dict) -> dict:
    """Drop the file's design settings that no longer apply when an override changes the kind.

    ``--set design.kind=sobol`` on a Morris file leaves its ``levels`` behind; they are
    dropped (as is ``samples`` for a grid) unless the same overrides set them again, in
    which case validation reports them.

    Args:
        before: the sweep mapping before the overrides.
        after: the mapping with the overrides applied (modified and returned).
        overrides: the overrides (``["design.kind=sobol", ...]`` or a mapping).

    Returns:
        ``after``.
    """
    old, new = before.get("design"), after.get("design")
    if not isinstance(old, dict) or not isinstance(new, dict):
        return after
    if old.get("kind", "grid") == new.get("kind", "grid"):
        return after
    keys = overrides if isinstance(overrides, dict) else [o.split("=", 1)[0] for o in overrides]
    restated = {str(key).strip().removeprefix("design.") for key in keys}
    kind = str(new.get("kind"))
    for key, kinds in {**DESIGN_KEYS_OF_KIND, "samples": ("lhs", "morris", "sobol")}.items():
        if key in old and key not in restated and kind not in kinds:
            new.pop(key, None)
    return after


# ---------------------------------------------------------------------------
# Scenario paths


def expand_path(data: Any, path: str) -> list[str]:
    """Expand ``*`` in a dotted path against a document's lists and mappings.

    Args:
        data: the document (resolved scenario mapping).
        path: e.g. ``firms.*.fixed_cost``.

    Returns:
        Concrete paths (the path itself when it has no ``*``).
    """
    parts = path.split(".")
    if "*" not in parts:
        return [path]
    results: list[str] = []

    def walk(node: Any, done: list[str], rest: list[str]) -> None:
        if not rest:
            results.append(".".join(done))
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            if isinstance(node, list):
                keys = [str(i) for i in range(len(node))]
                children = list(node)
            elif isinstance(node, dict):
                keys, children = list(node), list(node.values())
            else:
                return
            for key, child in zip(keys, children, strict=True):
                walk(child, [*done, key], tail)
        else:
            if isinstance(node, list):
                child = node[int(head)] if head.isdigit() and int(head) < len(node) else None
            elif isinstance(node, dict):
                child = node.get(head)
            else:
                child = None
            walk(child, [*done, head], tail)

    walk(data, [], parts)
    return results
