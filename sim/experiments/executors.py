"""Where runs execute, behind the :mod:`concurrent.futures` interface.

* ``local`` (default): a :class:`~concurrent.futures.ProcessPoolExecutor` of worker
  processes started from a fork server that has already imported the simulation, so a
  new worker costs milliseconds, not an import of Mesa and pandas.
* ``dask``: Dask distributed's ``Client.get_executor()``, on a ``LocalCluster`` of
  worker processes (``workers`` of them) or on an existing scheduler
  (``tcp://host:8786``, or a scheduler file written by ``dask-jobqueue``/``dask-mpi``).
  The same code runs on a laptop and on a cluster. Dask is imported only here, and only
  when asked for.
* ``inline``: runs each task in the calling process when it is submitted (for
  debugging with ``pdb``, and for tiny sweeps).

Any other :class:`concurrent.futures.Executor` (for instance
``client.get_executor()`` of a ``dask_jobqueue.SLURMCluster``) can be handed to
:func:`sim.experiments.runner.run_sweep` directly.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sim.experiments.lifeline import watch_driver
from sim.scenario import InputError, Problem

KINDS = ("local", "dask", "inline")
PRELOAD = [
    "sim.experiments.worker",
    "sim.experiments.lifeline",
    "sim.runs.runner",
    "sim.experiments.outcomes",
]
DASK_HINT = "Dask is an optional extra: pip install 'flywheel-sim[dask]'"


class InlineExecutor(cf.Executor):
    """Runs each submitted call at once in the calling process."""

    def __init__(self):
        self._shutdown = False

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        """Run ``fn(*args, **kwargs)`` now; return a finished future."""
        if self._shutdown:
            raise RuntimeError("cannot submit after shutdown")
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the future carries it, as a pool's would
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse further submissions."""
        self._shutdown = True


@dataclass
class ExecutorHandle:
    """An executor with what the sweep runner needs to know about it.

    Attributes:
        executor: the ``concurrent.futures`` executor.
        description: e.g. ``local processes x2`` (recorded in the manifest).
        slots: returns how many runs can execute at once (Dask clusters may scale).
        restart: builds a fresh executor after a worker process died, or None.
        close: releases the executor and anything it started.
    """

    executor: cf.Executor
    description: str
    slots: Callable[[], int]
    restart: Callable[[], cf.Executor] | None = None
    close: Callable[[], None] = field(default=lambda: None)


def default_workers() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def process_context() -> multiprocessing.context.BaseContext:
    """A fork-server context preloaded with the simulation (spawn where unavailable)."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def local_executor(workers: int | None = None) -> ExecutorHandle:
    """A pool of local worker processes.

    Args:
        workers: number of processes (the CPUs available by default).

    Returns:
        The handle; ``restart`` builds a new pool if a worker dies. Each worker ends
        when this process dies, however it dies (see :mod:`sim.experiments.lifeline`).
    """
    n = default_workers() if workers is None else int(workers)
    if n < 1:
        raise ValueError(f"workers must be >= 1, got {n}")
    context = process_context()

    def new_pool() -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=n, mp_context=context, initializer=watch_driver, initargs=(os.getpid(),)
        )

    state = {"pool": new_pool()}

    def restart() -> cf.Executor:
        state["pool"].shutdown(wait=False, cancel_futures=True)
        state["pool"] = new_pool()
        return state["pool"]

    def close() -> None:
        state["pool"].shutdown(wait=True, cancel_futures=True)

    return ExecutorHandle(
        state["pool"], f"local processes x{n}", lambda: n, restart=restart, close=close
    )


def inline_executor() -> ExecutorHandle:
    """Runs in the calling process, one run at a time."""
    return ExecutorHandle(InlineExecutor(), "inline", lambda: 1)


def import_distributed():
    """Import ``distributed`` or explain how to install it.

    Raises:
        InputError: when Dask distributed is not installed.
    """
    try:
        import distributed
    except ImportError:
        raise InputError([Problem("--executor", "executor", "dask", DASK_HINT)]) from None
    return distributed


def dask_executor(
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: str = "20s",
) -> ExecutorHandle:
    """Dask distributed behind the ``concurrent.futures`` interface.

    Args:
        workers: with no scheduler, the worker processes of a new ``LocalCluster``
            (one thread each); ignored when connecting to a scheduler.
        scheduler: ``tcp://host:8786`` or the path of a scheduler file; None starts a
            ``LocalCluster`` on this machine.
        connect_timeout: how long to wait for the scheduler.

    Returns:
        The handle; ``close`` shuts the client (and a cluster started here) down.

    Raises:
        InputError: when Dask is missing or the scheduler cannot be reached.
    """
    distributed = import_distributed()
    cluster = None
    try:
        if scheduler is None:
            n = default_workers() if workers is None else int(workers)
            cluster = distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
                # no dashboard; the scheduler's HTTP routes on a free port, not 8787
                scheduler_kwargs={"dashboard_address": ":0"},
            )
            client = distributed.Client(cluster)
            where = f"dask LocalCluster x{n}"
        elif Path(scheduler).is_file():
            client = distributed.Client(scheduler_file=scheduler, timeout=connect_timeout)
            where = f"dask scheduler file {scheduler}"
        else:
            client = distributed.Client(scheduler, timeout=connect_timeout)
            where = f"dask scheduler {scheduler}"
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        rule = f"cannot reach the Dask scheduler: {exc}"
        raise InputError([Problem("--scheduler", "scheduler", scheduler, rule)]) from None

    def slots() -> int:
        return max(1, sum(client.nthreads().values()))

    def close() -> None:
        client.close()
        if cluster is not None:
            cluster.close()

    executor = client.get_executor(pure=False)
    return ExecutorHandle(executor, where, slots, restart=None, close=close)


def open_executor(
    kind: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    connect_timeout: float = 20.0,
) -> ExecutorHandle:
    """An executor by name; a scheduler address implies Dask.

    Args:
        kind: ``local``, ``dask`` or ``inline``.
        workers: worker processes (local pool or Dask LocalCluster).
        scheduler: Dask scheduler address or file.
        connect_timeout: seconds to wait for a Dask scheduler.

    Returns:
        The handle.

    Raises:
        InputError: on an unknown kind, a scheduler with a non-Dask kind, or a missing
            Dask installation.
    """
    if scheduler is not None and kind not in ("local", "dask"):
        rule = "--scheduler runs on Dask; it cannot be combined with --executor " + kind
        raise InputError([Problem("--executor", "executor", kind, rule)])
    if scheduler is not None or kind == "dask":
        return dask_executor(workers, scheduler, f"{connect_timeout}s")
    if kind == "local":
        return local_executor(workers)
    if kind == "inline":
        return inline_executor()
    rule = f"unknown executor; expected one of {', '.join(KINDS)}"
    raise InputError([Problem("--executor", "executor", kind, rule)])
