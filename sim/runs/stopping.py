"""Stopping a run from outside: Ctrl-C and SIGTERM end it cleanly, naming any strategy.

The first Ctrl-C (or SIGTERM) raises :class:`KeyboardInterrupt` in the main thread, so
every ``finally`` runs and nothing half-written is left. A strategy that catches
everything (``except BaseException`` in a loop) swallows that; the second signal then
ends the process at once, after one line saying which strategy held it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

from sim.strategies import user_code

EXIT_INTERRUPTED = 130


def interrupted_message() -> str:
    """``interrupted`` and, when a strategy was running, which one."""
    call = user_code.current_call()
    return "interrupted" + (f" while {call} ran" if call else "")


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise KeyboardInterrupt; a second one exits.

    Outside the main thread this does nothing (signals are delivered there only).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = {"count": 0}

    def on_signal(signum, frame):
        received["count"] += 1
        if received["count"] == 1:
            raise KeyboardInterrupt
        print(f"{interrupted_message()}; stopped at once", file=sys.stderr, flush=True)
        user_code.real_exit(EXIT_INTERRUPTED)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
