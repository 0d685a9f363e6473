"""Lazy package attributes: a package names what it exports and imports it on first use.

``import sim`` then costs almost nothing; ``sim.run`` imports the engine when first
touched (PEP 562 module ``__getattr__``).
"""

from __future__ import annotations

import importlib
import sys
import types


def lazy_exports(package: str, exports: dict[str, str]) -> None:
    """Make ``package`` load each exported name from its module on first use.

    An export that shares its name with a submodule (``sim.tournament.leaderboard``, the
    function in the module of that name) stays the export when the submodule is imported.

    Args:
        package: the package's ``__name__`` (already in ``sys.modules``).
        exports: exported name -> module that defines it.
    """

    class LazyPackage(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            module = exports.get(name)
            if module is None:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            value = getattr(importlib.import_module(module), name)
            super().__setattr__(name, value)
            return value

        def __setattr__(self, name: str, value: object) -> None:
            if name in exports and isinstance(value, types.ModuleType):
                return  # the import system binding the submodule: keep the export
            super().__setattr__(name, value)

        def __dir__(self) -> list[str]:
            return sorted({*vars(self), *exports})

    sys.modules[package].__class__ = LazyPackage
