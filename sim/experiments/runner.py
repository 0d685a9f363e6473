"""Run a sweep: every design point times every replication, into a results store.

:func:`run_sweep` validates the sweep (nothing starts on an invalid file), opens or
creates the store, skips the runs already finished there, and keeps a bounded number of
runs in flight on any ``concurrent.futures`` executor. Each result is written as soon as
it arrives, so memory is bounded by the runs in flight, not by the sweep's size. A run
that raises is recorded (``failures.jsonl`` and the manifest) and the sweep goes on;
running the same sweep again retries it.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import logging
import os
import platform
import socket
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.experiments.executors import ExecutorHandle, default_workers, open_executor
from sim.experiments.spec import RunKey, Sweep, load_sweep
from sim.experiments.store import FORMAT, SweepStore
from sim.experiments.worker import RunOutput, RunTask, execute
from sim.model.seeds import seed_plan
from sim.outputs.folders import writable_problem
from sim.runs.memory import check_parallel_memory
from sim.scenario import InputError, Problem, Scenario

log = logging.getLogger("sim.experiments")
RESULTS_ROOT = Path("results") / "sweeps"
MANIFEST_INTERVAL_SECONDS = 5.0
MAX_RESTARTS = 3
EXTRA_PACKAGES = ("SALib", "scipy", "tqdm", "dask", "distributed", "duckdb")


@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did.

    Attributes:
        store: the store folder.
        name: the sweep's name.
        digest: the sweep's SHA-256.
        total: runs in the sweep.
        done: finished runs in the store now.
        failed: runs whose last attempt failed.
        skipped: runs already finished before this call.
        ran: runs attempted in this call.
        wall_seconds: wall time of this call's run loop.
        executor: where the runs executed.
    """

    store: Path
    name: str
    digest: str
    total: int
    done: int
    failed: int
    skipped: int
    ran: int
    wall_seconds: float
    executor: str

    @property
    def pending(self) -> int:
        """Runs neither finished nor failed."""
        return self.total - self.done - self.failed

    @property
    def runs_per_hour(self) -> float:
        """Throughput of this call (runs attempted per hour of wall time)."""
        return 3600.0 * self.ran / self.wall_seconds if self.wall_seconds > 0 else 0.0


def default_out(sweep: Sweep) -> Path:
    """``results/sweeps/<name>[-<variant>]-<hash8>``: the same sweep lands in the same folder."""
    variant = f"-{sweep.spec.variant}" if sweep.spec.variant else ""
    return RESULTS_ROOT / f"{sweep.name}{variant}-{sweep.digest[:8]}"


def versions() -> dict[str, str]:
    """Versions of Python, the simulation, its dependencies and the sweep machinery's."""
    from sim.runs.runner import package_versions

    found = package_versions()
    for name in EXTRA_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_manifest(sweep: Sweep) -> dict[str, Any]:
    """The manifest of a fresh store (every run pending)."""
    spec = sweep.spec
    design = spec.design
    base_digest = Scenario.model_validate(sweep.base).digest()
    return {
        "format": FORMAT,
        "name": sweep.name,
        "description": spec.description,
        "variant": spec.variant,
        "sweep_sha256": sweep.digest,
        "sweep_file": sweep.file,
        "base_scenario": {
            "name": sweep.base.get("name"),
            "file": sweep.base_file,
            "sha256": base_digest,
        },
        "design": {
            "kind": design.kind.value,
            "points": sweep.n_points,
            "parameters": sweep.parameter_names,
            "samples": design.samples,
            "levels": design.levels,
            "second_order": design.second_order,
            "seed": spec.seed if design.seed is None else design.seed,
        },
        "replications": spec.replications,
        "steps": sweep.base.get("steps"),
        "strategies": list(sweep.strategies),
        "outputs": {
            "metrics": list(sweep.metric_columns),
            "window_weeks": spec.outputs.window_weeks,
            "series": spec.outputs.series_columns(),
            "firm_series": spec.outputs.firm_series_columns(),
            "series_every": spec.outputs.series_every,
        },
        "seed_plan": seed_plan(spec.seed, spec.replications),
        "versions": versions(),
        "platform": platform.platform(),
        "created": _now(),
        "updated": _now(),
        "sessions": [],
        "runs": {"total": sweep.n_runs, "done": 0, "failed": 0, "pending": sweep.n_runs},
        "sweep": spec.model_dump(mode="json"),
        "status": {key.run_id: "pending" for key in sweep.run_keys()},
    }


def check_store(sweep: Sweep, out: Path, resume: bool) -> SweepStore | None:
    """The existing store for this sweep at ``out``, or None when one must be created.

    Raises:
        InputError: when ``out`` holds another sweep or other files, or when ``resume``
            is asked for and there is no store.
    """
    if SweepStore.is_store(out):
        store = SweepStore.open(out)
        found = store.manifest().get("sweep_sha256")
        if found != sweep.digest:
            rule = (
                f"this folder holds a different sweep (sha256 {str(found)[:12]}...; this "
                f"sweep is {sweep.digest[:12]}...); choose another --out"
            )
            raise InputError([Problem(sweep.file, "--out", str(out), rule)])
        unwritable = writable_problem(out, "--out")
        if unwritable is not None:
            raise InputError([unwritable])
        return store
    if resume:
        rule = "--resume: no sweep store here to resume (no manifest.json)"
        raise InputError([Problem(sweep.file, "--out", str(out), rule)])
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        rule = "exists and is not a sweep store; choose an empty or new folder"
        raise InputError([Problem(sweep.file, "--out", str(out), rule)])
    unwritable = writable_problem(out, "--out")
    if unwritable is not None:
        raise InputError([unwritable])
    return None


def sample_scenarios(sweep: Sweep, most: int = 50) -> list[Scenario]:
    """The scenarios of up to ``most`` design points, spread over the design."""
    count = min(sweep.n_points, most)
    points = sorted({round(i * (sweep.n_points - 1) / max(count - 1, 1)) for i in range(count)})
    return [Scenario.model_validate(sweep.scenario_for(point)) for point in points]


def set_aside_damaged(store: SweepStore) -> dict[str, str]:
    """Move damaged run files aside (to ``damaged/``) so that their runs are redone.

    Returns:
        ``{run_id: reason}`` of the runs set aside (each also logged).
    """
    with store.lock():
        damaged = store.damaged()
        if damaged:
            store.set_aside(list(damaged))
    for run_id, reason in damaged.items():
        log.warning("run %s is damaged and will be redone: %s", run_id, reason)
    return damaged


def make_task(sweep: Sweep, key: RunKey, scenario: dict) -> RunTask:
    """The picklable task of one run."""
    outputs = sweep.spec.outputs
    return RunTask(
        run_id=key.run_id,
        point=key.point,
        replication=key.replication,
        seed=key.seed,
        sweep=sweep.digest[:12],
        scenario=scenario,
        params=sweep.point_values(key.point),
        metrics=sweep.metric_columns,
        window=outputs.window_weeks,
        series=tuple(outputs.series_columns()),
        firm_series=tuple(outputs.firm_series_columns()),
        series_every=outputs.series_every,
    )


class _Progress:
    """A tqdm bar with done, failed and remaining runs (or nothing when disabled)."""

    def __init__(self, enabled: bool, total: int, done: int, failed: int, name: str):
        self.bar = None
        self.failed = failed
        self.remaining = total - done
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=total,
                initial=done,
                desc=name,
                unit="run",
                file=sys.stderr,
                dynamic_ncols=True,
                smoothing=0.05,
            )
            self._postfix()

    def _postfix(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix(failed=self.failed, remaining=self.remaining, refresh=False)

    def finished(self, ok: bool, previously_failed: bool) -> None:
        self.remaining -= 1
        self.failed += (0 if ok else 1) - (1 if previously_failed else 0)
        self._postfix()
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_sweep(
    source: str | Path | dict | Sweep,
    *,
    overrides: list[str] | dict[str, Any] | None = None,
    variant: str | None = None,
    out: str | Path | None = None,
    executor: str | cf.Executor = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    max_in_flight: int | None = None,
    connect_timeout: float = 20.0,
) -> SweepReport:
    """Run (or continue) a sweep into its results store.

    Args:
        source: a sweep file, a sweep name, a mapping or a validated :class:`Sweep`.
        overrides: ``--set`` overrides of the sweep document.
        variant: one of the file's named variants.
        out: the store folder (``results/sweeps/<name>-<hash8>`` by default).
        executor: ``local``, ``dask``, ``inline`` or any ``concurrent.futures``
            executor (e.g. ``client.get_executor()`` of a dask-jobqueue cluster).
        workers: worker processes (local pool or Dask LocalCluster).
        scheduler: a Dask scheduler address or file (implies Dask).
        resume: require an existing store at ``out`` (finished runs are skipped either
            way; this guards against resuming into the wrong folder).
        progress: show a progress bar on stderr.
        max_in_flight: most runs submitted at once (twice the executor's slots by
            default); bounds the driver's memory.
        connect_timeout: seconds to wait for a Dask scheduler.

    Returns:
        A :class:`SweepReport`.

    Raises:
        InputError: on a bad sweep or a store that does not fit; nothing is written.
        KeyboardInterrupt: after recording the state, when interrupted.
    """
    sweep = source if isinstance(source, Sweep) else load_sweep(source, overrides, variant)
    out = Path(out) if out is not None else default_out(sweep)
    store = check_store(sweep, out, resume)
    if store is not None:
        store.clean_temporary()
        set_aside_damaged(store)
        finished = store.finished()
        if len(finished) == sweep.n_runs:
            report = _report(store, sweep, 0, 0.0, "none")
            report.skipped = sweep.n_runs
            return report
    if executor in ("local", "inline") and scheduler is None:
        processes = 1 if executor == "inline" else workers or default_workers()
        check_parallel_memory(sample_scenarios(sweep), processes, sweep.file)
    if isinstance(executor, cf.Executor):
        handle = ExecutorHandle(executor, type(executor).__name__, lambda: workers or 1)
    else:
        handle = open_executor(executor, workers, scheduler, connect_timeout)
    try:
        if store is None:
            store = SweepStore.create(
                out, new_manifest(sweep), sweep.resolved_yaml(), sweep.design.to_frame()
            )
        with store.lock():
            return _run(sweep, store, handle, progress, max_in_flight)
    finally:
        handle.close()


def _status(sweep: Sweep, store: SweepStore) -> dict[str, str]:
    finished = store.finished()
    failed = {record["run_id"] for record in store.failures()}
    status = {}
    for key in sweep.run_keys():
        if key.run_id in finished:
            status[key.run_id] = "done"
        elif key.run_id in failed:
            status[key.run_id] = "failed"
        else:
            status[key.run_id] = "pending"
    return status


def _counts(status: dict[str, str]) -> dict[str, int]:
    counts = {"total": len(status), "done": 0, "failed": 0, "pending": 0}
    for state in status.values():
        counts[state] += 1
    return counts


def _report(store: SweepStore, sweep: Sweep, ran: int, wall: float, where: str) -> SweepReport:
    counts = _counts(_status(sweep, store))
    return SweepReport(
        store=store.root,
        name=sweep.name,
        digest=sweep.digest,
        total=sweep.n_runs,
        done=counts["done"],
        failed=counts["failed"],
        skipped=0,
        ran=ran,
        wall_seconds=wall,
        executor=where,
    )


def _run(
    sweep: Sweep,
    store: SweepStore,
    handle: ExecutorHandle,
    progress: bool,
    max_in_flight: int | None,
) -> SweepReport:
    manifest = store.manifest()
    previous = manifest.get("versions", {})
    current = versions()
    changed = [k for k in ("flywheel-sim", "mesa", "numpy") if previous.get(k) != current.get(k)]
    if changed and manifest.get("sessions"):
        log.warning(
            "versions changed since this store was created (%s); resumed runs may differ",
            ", ".join(f"{k} {previous.get(k)} -> {current.get(k)}" for k in changed),
        )
    status = _status(sweep, store)
    keys = [key for key in sweep.run_keys() if status[key.run_id] != "done"]
    skipped = sweep.n_runs - len(keys)
    session: dict[str, Any] = {
        "started": _now(),
        "started_at": round(time.time(), 6),
        "ended": None,
        "state": "running",
        "executor": handle.description,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "skipped": skipped,
        "ran": 0,
        "failed": 0,
        "driver_seconds": 0.0,
    }
    manifest["sessions"].append(session)
    manifest["versions_now"] = current

    def save_manifest() -> None:
        manifest["status"] = status
        manifest["runs"] = _counts(status)
        manifest["updated"] = _now()
        store.write_manifest(manifest)

    save_manifest()
    counts = _counts(status)
    bar = _Progress(progress, sweep.n_runs, counts["done"], counts["failed"], sweep.name)
    pending_keys = iter(keys)
    in_flight: dict[cf.Future, RunKey] = {}
    cached: dict[int, dict] = {}
    executor = handle.executor
    restarts = 0
    started = time.perf_counter()
    last_manifest = started
    state = "finished"

    def limit() -> int:
        return max_in_flight if max_in_flight is not None else max(2, 2 * handle.slots())

    def fill() -> None:
        while len(in_flight) < limit():
            key = next(pending_keys, None)
            if key is None:
                return
            if key.point not in cached:
                cached.clear()
                cached[key.point] = sweep.scenario_for(key.point)
            task = make_task(sweep, key, cached[key.point])
            in_flight[executor.submit(execute, task)] = key

    def record(key: RunKey, output: RunOutput | None, error: str, trace: str) -> None:
        busy = time.perf_counter()
        was_failed = status[key.run_id] == "failed"
        if output is not None and output.ok:
            checksums = store.write_run(key.run_id, output.row, output.series, output.firm_series)
            store.record_timing(
                {
                    "sha256": checksums,
                    "run_id": key.run_id,
                    "sim_seconds": round(output.sim_seconds, 6),
                    "task_seconds": round(output.task_seconds, 6),
                    "started_at": round(output.started_at, 6),
                    "host": output.host,
                    "pid": output.pid,
                    "finished": _now(),
                }
            )
            status[key.run_id] = "done"
            bar.finished(True, was_failed)
        else:
            if output is not None:
                error, trace = output.error, output.traceback
            store.record_failure(
                {
                    "run_id": key.run_id,
                    "point": key.point,
                    "replication": key.replication,
                    "seed": key.seed,
                    "params": sweep.point_values(key.point),
                    "error": error,
                    "traceback": trace,
                    "host": output.host if output is not None else None,
                    "time": _now(),
                }
            )
            log.warning("run %s failed: %s", key.run_id, error)
            status[key.run_id] = "failed"
            session["failed"] += 1
            bar.finished(False, was_failed)
        session["ran"] += 1
        session["driver_seconds"] += time.perf_counter() - busy

    try:
        fill()
        while in_flight:
            done, _ = cf.wait(
                list(in_flight), timeout=MANIFEST_INTERVAL_SECONDS, return_when=cf.FIRST_COMPLETED
            )
            broken = False
            for future in sorted(done, key=lambda f: in_flight[f].run_id):
                key = in_flight.pop(future)
                try:
                    output = future.result()
                except cf.BrokenExecutor as exc:
                    broken = True
                    record(key, None, f"worker died: {type(exc).__name__}: {exc}", "")
                except Exception as exc:  # infrastructure errors (pickling, lost worker)
                    record(key, None, f"{type(exc).__name__}: {exc}", "")
                else:
                    record(key, output, "", "")
            if broken:
                for future, key in list(in_flight.items()):
                    future.cancel()
                    record(
                        key,
                        None,
                        "worker died: the executor broke while this run was in flight",
                        "",
                    )
                in_flight.clear()
                if handle.restart is None or restarts >= MAX_RESTARTS:
                    raise RuntimeError(
                        f"the executor broke {restarts + 1} times; stopping (resume to retry)"
                    )
                restarts += 1
                executor = handle.restart()
            fill()
            if time.perf_counter() - last_manifest >= MANIFEST_INTERVAL_SECONDS:
                save_manifest()
                last_manifest = time.perf_counter()
    except BaseException as exc:
        state = "interrupted" if isinstance(exc, KeyboardInterrupt) else "error"
        for future in in_flight:
            future.cancel()
        raise
    finally:
        wall = time.perf_counter() - started
        bar.close()
        session["ended"] = _now()
        session["wall_seconds"] = round(wall, 3)
        session["driver_seconds"] = round(session["driver_seconds"], 3)
        session["state"] = state
        save_manifest()
    report = _report(store, sweep, session["ran"], wall, handle.description)
    report.skipped = skipped
    return report
