"""Off-screen drawing for the command line, the servers and their workers.

The library never chooses a matplotlib backend when imported, so a notebook keeps its
inline figures. The ``flywheel`` command and the HTTP servers call :func:`use_agg`
before they draw: figures go to files, never to windows, from any thread.
"""

from __future__ import annotations

import os
import sys


def use_agg() -> None:
    """Draw with matplotlib's Agg backend in this process and the processes it starts."""
    os.environ["MPLBACKEND"] = "Agg"
    if "matplotlib" in sys.modules:
        import matplotlib

        matplotlib.use("Agg")
