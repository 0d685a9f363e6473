"""Reading YAML that may be careless or hostile: bounded, without duplicates, cycle-free.

``yaml.safe_load`` builds no arbitrary objects, but it still expands anchors and aliases
without limit (nine nested aliases of nine items each make a billion values from a few
hundred bytes), lets a later key silently replace an earlier one, and builds recursive
structures from an alias to its own anchor. :func:`load_yaml` composes the document
first, which is cheap because an alias is a shared reference, then checks it before any
Python object is built:

* the expanded size (every value counted once per path that reaches it) is at most
  :data:`MAX_VALUES`, and the nesting at most :data:`MAX_DEPTH` levels;
* no alias refers to a node that contains it;
* no mapping repeats a key (merge keys ``<<`` may still be overridden, as YAML intends).

Each violation is reported with its dotted path and line, all at once.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import yaml

MAX_VALUES = 200_000
MAX_DEPTH = 64
MAX_BYTES = 10_000_000
_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlIssue(NamedTuple):
    """One thing wrong with a YAML document's structure."""

    path: str
    value: Any
    rule: str


class UnsafeYaml(ValueError):
    """The document is too large once expanded, recursive, or repeats keys."""

    def __init__(self, issues: list[YamlIssue]):
        self.issues = issues
        super().__init__("; ".join(f"{i.path or '(top level)'}: {i.rule}" for i in issues))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def expanded_size(root: yaml.Node, limit: int = MAX_VALUES) -> int:
    """Values the document holds once every alias is expanded, stopping above ``limit``.

    Each node's size is computed once (aliases share nodes), so the cost is linear in
    the composed document, not in its expansion.

    Args:
        root: the composed document.
        limit: the size past which counting stops.

    Returns:
        The expanded size, or a number above ``limit``.

    Raises:
        UnsafeYaml: when an alias refers to a node that contains it.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            sizes[key] = min(total, limit + 1)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            rule = f"an alias (line {_line(node)}) refers to a value that contains it"
            raise UnsafeYaml([YamlIssue("", "(alias)", rule)])
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                rule = (
                    f"an alias refers to the value that contains it (line {_line(node)}); "
                    "recursive structures are not allowed"
                )
                raise UnsafeYaml([YamlIssue("", "(alias)", rule)])
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _scalar_key(node: yaml.Node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def duplicate_keys(root: yaml.Node) -> list[YamlIssue]:
    """Keys repeated within one mapping, with their paths and lines.

    Call it only on a document whose expanded size is bounded (see
    :func:`expanded_size`): it walks every path.
    """
    issues = []
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = _scalar_key(key_node)
                child = f"{path}.{key}" if path else str(key)
                if key is not None and key in seen:
                    rule = (
                        f"duplicate key (lines {seen[key]} and {_line(key_node)}); a later "
                        "key would silently replace the earlier one"
                    )
                    issues.append(YamlIssue(child, key, rule))
                elif key is not None:
                    seen[key] = _line(key_node)
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, f"{path}.{index}" if path else str(index)))
    return sorted(issues, key=lambda issue: issue.path)


def depth(root: yaml.Node) -> int:
    """Nesting depth of a composed document (a scalar has depth 1)."""
    deepest = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    seen: set[tuple[int, int]] = set()
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH or (id(node), level) in seen:
            continue
        seen.add((id(node), level))
        stack.extend((child, level + 1) for child in _children(node))
    return deepest


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely (see the module docstring).

    Args:
        text: the document.

    Returns:
        The plain Python value (None for an empty document).

    Raises:
        UnsafeYaml: when the document is too large, too deep, recursive or repeats keys.
        yaml.YAMLError: on a syntax error.
    """
    if len(text) > MAX_BYTES:
        rule = f"the document is {len(text):,} characters; at most {MAX_BYTES:,} are read"
        raise UnsafeYaml([YamlIssue("", "(document)", rule)])
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            return None
        size = expanded_size(node)
        if depth(node) > MAX_DEPTH:
            rule = f"nested more than {MAX_DEPTH} levels deep"
            raise UnsafeYaml([YamlIssue("", "(document)", rule)])
        if size > MAX_VALUES:
            rule = (
                f"expands to more than {MAX_VALUES:,} values through anchors (&) and "
                "aliases (*); a scenario or sweep needs far fewer"
            )
            raise UnsafeYaml([YamlIssue("", "(document)", rule)])
        issues = duplicate_keys(node)
        if issues:
            raise UnsafeYaml(issues)
        loader = yaml.SafeLoader("")
        try:
            return loader.construct_document(node)
        except yaml.YAMLError:
            raise
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # PyYAML's constructors fail this way on some tagged values ("!!float ")
            rule = f"a value cannot be read ({type(exc).__name__}: {exc})"
            raise UnsafeYaml([YamlIssue("", "(YAML)", rule)]) from None
        finally:
            loader.dispose()
    except RecursionError:
        rule = "nested too deeply to read"
        raise UnsafeYaml([YamlIssue("", "(document)", rule)]) from None
