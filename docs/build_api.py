"""Build the API reference (HTML, from the docstrings) with pdoc.

Usage: ``.venv/bin/python docs/build_api.py [OUT]`` (default ``docs/api/``); open
``OUT/index.html``. Every module of the ``sim`` package gets a page. A warning pdoc raises
about this package (a docstring or annotation it cannot read) fails the build with exit 1;
warnings about other libraries' own annotations (Mesa's generic agent sets) are listed but
do not fail it.
"""

from __future__ import annotations

import pkgutil
import sys
import warnings
from pathlib import Path

import pdoc
import pdoc.render

import sim

PACKAGE = "sim"


def modules() -> list[str]:
    """Every public module of the package, sorted (private ones start with ``_``)."""
    names = [PACKAGE]
    for info in pkgutil.walk_packages(sim.__path__, prefix=f"{PACKAGE}."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


MESA_GENERICS = ("Import of A failed", "Import of S failed")  # Mesa's Model[A, S] type names
NAMED_TUPLE = "ForwardRef("  # typing.NamedTuple's generated __init__, outside any module


def ours(message: str) -> bool:
    """Whether a pdoc warning is about this package's own docstrings or annotations.

    Not ours: Mesa's generic type names on the attributes a model inherits from
    ``mesa.Model``, and the constructor ``typing.NamedTuple`` generates (its annotations
    live in no module pdoc can read).
    """
    subject = message.split(" for ", 1)[-1].split(".", 1)[0]
    inherited = any(marker in message for marker in (*MESA_GENERICS, NAMED_TUPLE))
    return subject == PACKAGE and not inherited


def build(out: Path) -> list[str]:
    """Write the reference into ``out``; return the warnings about this package."""
    pdoc.render.configure(docformat="google", show_source=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*modules(), output_directory=out)
    messages = [str(w.message) for w in caught]
    problems = [m for m in messages if ours(m)]
    for message in messages:
        print(f"{'error' if message in problems else 'note'}: {message}", file=sys.stderr)
    return problems


def main(argv: list[str]) -> int:
    """Build into ``argv[0]`` (or ``docs/api``); exit 1 on a warning about this package."""
    out = Path(argv[0]) if argv else Path(__file__).parent / "api"
    problems = build(out)
    print(f"API reference: {out / 'index.html'} ({len(modules())} modules)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
