"""Files that ship inside the package: scenarios, sweep and tournament files.

They live in ``sim/data/`` (the repository's ``scenarios/`` and ``experiments/`` are links
to them) and are found with :mod:`importlib.resources`, so an installed wheel finds them
from any folder. A user's own folders come first: ``$FLYWHEEL_SCENARIOS``, then
``./scenarios``, then the package's (likewise ``$FLYWHEEL_EXPERIMENTS``,
``./experiments``).
"""

from __future__ import annotations

import atexit
import contextlib
from importlib import resources
from pathlib import Path

_EXTRACTED = contextlib.ExitStack()
atexit.register(_EXTRACTED.close)


def packaged_folder(name: str) -> Path:
    """The folder ``sim/data/<name>`` as a file-system path.

    Args:
        name: ``scenarios`` or ``experiments``.

    Returns:
        The folder (extracted to a temporary folder once if the package is zipped).
    """
    folder = resources.files("sim").joinpath("data", name)
    if isinstance(folder, Path):
        return folder
    return _EXTRACTED.enter_context(resources.as_file(folder))
