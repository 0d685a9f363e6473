"""What a worker does for one run: simulate, summarise, hand the rows back.

:func:`execute` is a module-level function over plain data, so it pickles by reference
to local worker processes and to Dask workers alike. It never writes files: the driver
writes every result, so a cluster needs no shared file system, and a worker orphaned by a
killed driver can never touch the store again.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

IDENTITY_COLUMNS = ("run_id", "point", "replication", "seed", "sweep")


@dataclass(frozen=True)
class RunTask:
    """Everything one run needs, as plain picklable data.

    Attributes:
        run_id: ``p<point>-r<replication>``.
        point: design point index.
        replication: replication index (its seed is shared by every point).
        seed: the run's seed.
        sweep: the sweep's short hash (recorded in every row).
        scenario: the design point's scenario mapping.
        params: parameter values at the point, in design order.
        metrics: summary outcome columns to compute.
        window: weeks averaged by "final" outcomes.
        series: model-table columns to keep per step.
        firm_series: firm-table columns to keep per step and firm.
        series_every: keep every n-th step (and the last).
    """

    run_id: str
    point: int
    replication: int
    seed: int
    sweep: str
    scenario: dict
    params: dict[str, Any]
    metrics: tuple[str, ...]
    window: int = 52
    series: tuple[str, ...] = ()
    firm_series: tuple[str, ...] = ()
    series_every: int = 1


@dataclass
class RunOutput:
    """What comes back from a worker: rows to store, or the error that stopped the run.

    Attributes:
        run_id: the run.
        row: the summary row (identity, parameters, outcomes), or None on error.
        series: model series rows, or None.
        firm_series: firm series rows, or None.
        error: ``"Type: message"`` when the run raised.
        traceback: the formatted traceback when the run raised.
        sim_seconds: wall time of ``sim.run`` alone.
        task_seconds: wall time of the whole task on the worker.
        started_at: when the task started on the worker (Unix time).
        host: worker host name.
        pid: worker process id.
    """

    run_id: str
    row: dict[str, Any] | None = None
    series: pd.DataFrame | None = None
    firm_series: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None
    sim_seconds: float = 0.0
    task_seconds: float = 0.0
    started_at: float = field(default_factory=time.time)
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)

    @property
    def ok(self) -> bool:
        """The run finished."""
        return self.error is None


def identity(task: RunTask) -> dict[str, Any]:
    """The columns that identify a run, then its parameter values."""
    return {
        "run_id": task.run_id,
        "point": int(task.point),
        "replication": int(task.replication),
        "seed": int(task.seed),
        "sweep": task.sweep,
        **task.params,
    }


def thin(table: pd.DataFrame, every: int) -> pd.DataFrame:
    """Rows at every n-th step, plus the last step."""
    if every <= 1:
        return table
    last = table["step"].max()
    return table[(table["step"] % every == 0) | (table["step"] == last)]


def series_rows(result, task: RunTask) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The run's kept time series, each row prefixed with the run's identity."""
    ident = identity(task)
    model = firms = None
    if task.series:
        table = thin(result.model, task.series_every)
        model = table[["step", *task.series]].reset_index(drop=True)
    if task.firm_series:
        table = thin(result.firms, task.series_every)
        columns = ["step", "firm_id", "name", "strategy", *task.firm_series]
        firms = table[columns].reset_index(drop=True)
    frames = []
    for frame in (model, firms):
        if frame is not None:
            for k, (name, value) in enumerate(ident.items()):
                frame.insert(k, name, value)
        frames.append(frame)
    return frames[0], frames[1]


def execute(task: RunTask) -> RunOutput:
    """Run one task and summarise it; an exception becomes an error in the output.

    Args:
        task: the run.

    Returns:
        Its :class:`RunOutput`.
    """
    from sim.experiments import outcomes
    from sim.runs.runner import run

    started = time.perf_counter()
    output = RunOutput(task.run_id)
    try:
        result = run(task.scenario, seed=task.seed)
        output.sim_seconds = time.perf_counter() - started
        row = identity(task)
        row.update(outcomes.compute(result, task.metrics, task.window))
        output.row = row
        output.series, output.firm_series = series_rows(result, task)
    except Exception as exc:  # a failing run is recorded and the sweep goes on
        output.error = f"{type(exc).__name__}: {exc}"
        output.traceback = traceback.format_exc()
    output.task_seconds = time.perf_counter() - started
    return output
