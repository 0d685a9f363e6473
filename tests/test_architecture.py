"""The layout keeps its shape: layers import one way, no circles, no module past 600 lines.

Imports are read from the source (``ast``): every ``import`` a module runs, at its top or
inside a function, except those under ``if TYPE_CHECKING:``. The layers, lowest first, and
what each may import from ``sim`` are written in ``docs/ARCHITECTURE.md``.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"
MAX_LINES = 600

# Layer of each top-level package or module of sim, lowest first. A module may import
# from its own layer and the layers below it, never from a layer above. The front ends
# share one layer: among them only circles are ruled out.
LAYERS: dict[str, int] = {
    "lazy": 0,
    "mechanics": 1,
    "strategies": 2,
    "scenario": 3,
    "examples": 3,
    "agents": 4,
    "components": 5,
    "model": 6,
    "outputs": 7,
    "runs": 8,
    "reports": 9,
    "experiments": 9,
    "play": 9,
    "tournament": 9,
    "classroom": 9,
    "dashboard": 9,
    "cli": 9,
    "__init__": 10,
    "__main__": 10,
    "data": 10,
}


def module_name(path: Path) -> str:
    """``sim/outputs/summary.py`` -> ``sim.outputs.summary``; a package is its folder."""
    parts = list(path.relative_to(SIM.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(path): path for path in sorted(SIM.rglob("*.py"))}


def runtime_imports(name: str) -> set[str]:
    """The sim modules that ``name`` runs when it runs (TYPE_CHECKING blocks skipped).

    Those it imports and the packages they sit in, except its own packages.
    """
    path = modules()[name]
    found: set[str] = set()

    class Imports(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if "TYPE_CHECKING" in ast.unparse(node.test):
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(alias.name for alias in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            assert node.level == 0, f"{path}: relative import"
            base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)

    Imports().visit(ast.parse(path.read_text(), filename=str(path)))
    # importing a.b.c runs the packages a and a.b first; a module's own packages are
    # already running when it is imported
    runs = {".".join(dep.split(".")[:k]) for dep in found for k in range(1, dep.count(".") + 2)}
    own = {package for package in runs if name.startswith(package + ".")}
    return {dep for dep in runs - own if dep in modules() and dep != name}


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module -> the sim modules it imports at run time."""
    return {name: frozenset(runtime_imports(name)) for name in modules()}


def circles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def layer(name: str) -> int:
    """The layer of a module: that of its top-level package or module under sim."""
    top = name.split(".")[1] if "." in name else "__init__"
    return LAYERS[top]


def test_the_circle_finder_finds_a_circle():
    edges = {
        "a": frozenset({"b"}),
        "b": frozenset({"c"}),
        "c": frozenset({"a"}),
        "d": frozenset({"a"}),
    }
    assert circles(edges) == [["a", "b", "c"]]
    assert circles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_every_top_level_part_of_sim_has_a_layer():
    tops = {name.split(".")[1] for name in modules() if "." in name}
    assert tops <= set(LAYERS), sorted(tops - set(LAYERS))


def test_no_import_circle():
    assert circles(graph()) == []


def test_imports_run_down_the_layers():
    upward = sorted(
        f"{name} ({layer(name)}) imports {dep} ({layer(dep)})"
        for name, deps in graph().items()
        for dep in deps
        if dep != "sim" and layer(dep) > layer(name)  # the root names the API, imports none
    )
    assert upward == []


def test_mechanics_are_pure_and_import_no_mesa():
    for name, path in modules().items():
        if name.startswith("sim.mechanics"):
            tree = ast.parse(path.read_text())
            imported = {
                alias.name
                for node in ast.walk(tree)
                if isinstance(node, ast.Import)
                for alias in node.names
            } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
            assert not {m for m in imported if m.split(".")[0] == "mesa"}, name
            assert all(
                not m.startswith("sim.") or m.startswith("sim.mechanics") for m in imported
            ), name


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_longer_than_600_lines(name):
    lines = modules()[name].read_text().count("\n")
    assert lines <= MAX_LINES, f"{modules()[name]}: {lines} lines"
