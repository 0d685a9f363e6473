"""Worker processes that end when their driver dies, whatever kills it.

A pool's workers normally learn that the driver is gone only when they next talk to it;
a worker started from a fork server, busy with a run or waiting for work, may never
learn it, and lives on with the fork server's resource tracker. :func:`watch_driver`
runs in each worker (as the pool's initializer) and starts a daemon thread that waits
for the driver process to exit and then ends the worker at once. On Linux it waits on a
pidfd (no polling, immune to reuse of the process id); elsewhere it checks the driver's
id twice a second. Once the workers are gone, the fork server and the resource tracker,
which wait for their clients, exit too.
"""

from __future__ import annotations

import os
import select
import threading
import time

from sim.strategies.user_code import exit_at_once

POLL_SECONDS = 0.5
EXIT_STATUS = 70


def _driver_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_pidfd(pid: int) -> bool:
    """Block until ``pid`` exits; False when pidfds are unavailable."""
    try:
        descriptor = os.pidfd_open(pid)
    except (AttributeError, OSError):
        return False
    try:
        poller = select.poll()
        poller.register(descriptor, select.POLLIN)
        while not poller.poll(None):
            pass
    finally:
        os.close(descriptor)
    return True


def _watch(pid: int) -> None:
    if not _wait_pidfd(pid):
        while _driver_alive(pid):
            time.sleep(POLL_SECONDS)
    exit_at_once(EXIT_STATUS)


def watch_driver(pid: int) -> None:
    """End this process as soon as process ``pid`` (the driver) has exited.

    Args:
        pid: the driver's process id, taken in the driver.
    """
    if not _driver_alive(pid):
        exit_at_once(EXIT_STATUS)
    threading.Thread(target=_watch, args=(pid,), name="driver-watch", daemon=True).start()
