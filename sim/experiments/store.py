"""The results store of a sweep: one Parquet file per finished run, a manifest, logs.

Layout of a store folder::

    manifest.json        the resolved sweep, its hash, versions, seed plan, run status
    sweep.yaml           the resolved sweep file (loads back; defaults left out)
    design.parquet       one row per design point (parameter values, unit coordinates)
    runs/<run_id>.parquet          one summary row per finished run
    series/<run_id>.parquet        model time series of the run (if kept)
    firm_series/<run_id>.parquet   firm time series of the run (if kept)
    failures.jsonl       append-only: one line per run that raised (error, traceback)
    timings.jsonl        append-only: wall times, worker and SHA-256 of each run's files
    damaged/<kind>/      run files found damaged, moved aside (the runs are redone)

A run is finished exactly when ``runs/<run_id>.parquet`` exists: every file is written
to a temporary name in the same folder and renamed into place, and the summary row is
written last. Killing a sweep at any moment therefore leaves only whole files, and a
resumed sweep redoes precisely the runs that have no summary file. A file damaged later
(a disk error, a truncated copy) is caught by :meth:`SweepStore.damaged`: every run file
must end in a whole Parquet footer and match the SHA-256 recorded when it was written.
Resuming moves damaged runs aside and redoes them; ``results`` and ``analyze`` leave them
out and say so. Run files hold only
results (timings live in ``timings.jsonl``), so a run's file is the same bytes however
often, wherever and in whatever order it was computed.

Query the store with DuckDB::

    SELECT obsessed_share, avg(final_customer_obsessed_share)
    FROM read_parquet('DIR/runs/*.parquet') GROUP BY 1 ORDER BY 1;

or load it as one tidy DataFrame with :func:`load_results`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from sim.scenario.errors import InputError, Problem

FORMAT = "flywheel-sweep-store/1"
STORE_KEYS = ("sweep_sha256", "tournament_sha256")  # a run folder's manifest has neither
MANIFEST = "manifest.json"
SWEEP_FILE = "sweep.yaml"
DESIGN_FILE = "design.parquet"
FAILURES = "failures.jsonl"
TIMINGS = "timings.jsonl"
LOCK = ".lock"
KINDS = {"runs": "runs", "series": "series", "firm_series": "firm_series"}
SORT_KEYS = {
    "runs": ["run_id"],
    "series": ["run_id", "step"],
    "firm_series": ["run_id", "step", "firm_id"],
}
TEMP_SUFFIX = ".tmp"
DAMAGED = "damaged"


class StoreLocked(RuntimeError):
    """Another process is writing to the store."""


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    Args:
        path: destination.
        data: contents.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        _fsync_write(temporary, data)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Atomically write UTF-8 text (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def parquet_bytes(data: pd.DataFrame | list[dict[str, Any]]) -> bytes:
    """A DataFrame (index dropped) or a list of row mappings as Parquet bytes.

    The file carries no pandas metadata and no column statistics, which keeps a
    one-row run file at a few kilobytes; the bytes depend on the data alone.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if isinstance(data, pd.DataFrame):
        table = pa.Table.from_pandas(data, preserve_index=False)
    else:
        table = pa.Table.from_pylist(data)
    table = table.replace_schema_metadata(None)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, write_statistics=False, store_schema=False)
    return buffer.getvalue()


def atomic_write_parquet(
    path: str | os.PathLike, data: pd.DataFrame | list[dict[str, Any]]
) -> None:
    """Atomically write a DataFrame or rows as Parquet."""
    atomic_write_bytes(path, parquet_bytes(data))


def append_line(path: str | os.PathLike, record: dict[str, Any]) -> None:
    """Append one JSON line; repairs a final line cut short by a killed writer first.

    Lines are flushed but not fsync'ed: they survive the writer being killed, which is
    what resuming needs; the run files themselves are fsync'ed.

    Args:
        path: the ``.jsonl`` file.
        record: the record (JSON-serialisable; others shown with ``str``).
    """
    path = Path(path)
    line = json.dumps(record, sort_keys=True, default=str) + "\n"
    with open(path, "a+b") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() > 0:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                handle.write(b"\n")
        handle.write(line.encode("utf-8"))


def read_lines(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Records of a ``.jsonl`` file, skipping a line cut short by a killed writer."""
    path = Path(path)
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


class SweepStore:
    """A store folder (see the module docstring for its layout).

    Use :meth:`create` for a new store and :meth:`open` for an existing one.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    # ------------------------------------------------------------------ creation

    @staticmethod
    def is_store(root: str | os.PathLike) -> bool:
        """The folder holds a store (it has a manifest)."""
        return (Path(root) / MANIFEST).is_file()

    @classmethod
    def create(
        cls,
        root: str | os.PathLike,
        manifest: dict[str, Any],
        sweep_yaml: str,
        design: pd.DataFrame,
    ) -> SweepStore:
        """Create a store, all at once: it is built in a staging folder and renamed.

        Args:
            root: the store folder; must not exist or be empty.
            manifest: the initial manifest.
            sweep_yaml: the resolved sweep file.
            design: the design table.

        Returns:
            The store.

        Raises:
            FileExistsError: when ``root`` exists and is not empty.
        """
        root = Path(root)
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise FileExistsError(f"{root} exists and is not an empty folder")
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.creating-", dir=root.parent))
        try:
            for folder in KINDS.values():
                (staging / folder).mkdir()
            (staging / SWEEP_FILE).write_text(sweep_yaml, encoding="utf-8")
            atomic_write_parquet(staging / DESIGN_FILE, design)
            atomic_write_text(staging / MANIFEST, _manifest_text(manifest))
            if root.exists():
                root.rmdir()
            os.rename(staging, root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return cls(root)

    @classmethod
    def open(cls, root: str | os.PathLike) -> SweepStore:
        """Open an existing store.

        Raises:
            FileNotFoundError: when the folder has no manifest.
            InputError: when the manifest is damaged or not a store's.
        """
        root = Path(root)
        if not cls.is_store(root):
            raise FileNotFoundError(f"{root} is not a sweep store (no {MANIFEST})")
        store = cls(root)
        manifest = store.manifest()
        if not any(key in manifest for key in STORE_KEYS):
            rule = (
                "this folder is not a sweep or tournament store (a run folder of "
                "`flywheel run`? see `flywheel report`)"
            )
            raise InputError(
                [Problem(str(root / MANIFEST), "format", manifest.get("format"), rule)]
            )
        return store

    # ------------------------------------------------------------------ reading

    def manifest(self) -> dict[str, Any]:
        """The manifest.

        Raises:
            InputError: naming the file, when it is not a JSON object.
        """
        path = self.root / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            rule = f"damaged: not valid JSON ({exc})"
            raise InputError([Problem(str(path), "", "(the file)", rule)]) from None
        if not isinstance(manifest, dict):
            rule = "damaged: expected a JSON object"
            raise InputError([Problem(str(path), "", type(manifest).__name__, rule)])
        return manifest

    def design(self) -> pd.DataFrame:
        """The design table."""
        return pd.read_parquet(self.root / DESIGN_FILE)

    def finished(self) -> set[str]:
        """Ids of the finished runs (those with a summary file)."""
        folder = self.root / KINDS["runs"]
        return {path.stem for path in folder.glob("*.parquet") if not path.name.startswith(".")}

    def failures(self) -> list[dict[str, Any]]:
        """Every failure recorded, oldest first (a run may appear more than once)."""
        return read_lines(self.root / FAILURES)

    def timings(self) -> list[dict[str, Any]]:
        """Timing records of finished runs, oldest first."""
        return read_lines(self.root / TIMINGS)

    # ------------------------------------------------------------------ writing

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        atomic_write_text(self.root / MANIFEST, _manifest_text(manifest))

    def write_run(
        self,
        run_id: str,
        row: dict[str, Any],
        series: pd.DataFrame | None = None,
        firm_series: pd.DataFrame | None = None,
    ) -> dict[str, str]:
        """Store a finished run; the summary file goes last and marks it finished.

        Returns:
            The SHA-256 of each file written, by kind (record them with the timing).
        """
        checksums = {}
        for kind, data in (("series", series), ("firm_series", firm_series), ("runs", [row])):
            if data is None:
                continue
            payload = parquet_bytes(data)
            atomic_write_bytes(self.root / KINDS[kind] / f"{run_id}.parquet", payload)
            checksums[kind] = hashlib.sha256(payload).hexdigest()
        return checksums

    # ------------------------------------------------------------------ integrity

    def recorded_checksums(self) -> dict[str, dict[str, str]]:
        """The SHA-256 of each run's files as last recorded in ``timings.jsonl``."""
        found: dict[str, dict[str, str]] = {}
        for record in self.timings():
            if isinstance(record.get("sha256"), dict) and "run_id" in record:
                found[str(record["run_id"])] = record["sha256"]
        return found

    def expected_kinds(self) -> list[str]:
        """The kinds of file every finished run has (``runs`` and any kept series)."""
        outputs = self.manifest().get("outputs", {})
        kinds = ["runs"]
        if outputs.get("series"):
            kinds.append("series")
        if outputs.get("firm_series"):
            kinds.append("firm_series")
        return kinds

    def damaged(self, kinds: list[str] | None = None) -> dict[str, str]:
        """Finished runs with a damaged or missing file, and what is wrong.

        Each file must hold a whole Parquet footer and, when its SHA-256 was recorded,
        match it.

        Args:
            kinds: the kinds of file to check (every kind the store keeps by default).

        Returns:
            ``{run_id: reason}``, sorted by run.
        """
        kinds = self.expected_kinds() if kinds is None else kinds
        checksums = self.recorded_checksums()
        problems: dict[str, str] = {}
        for run_id in sorted(self.finished()):
            for kind in kinds:
                path = self.root / KINDS[kind] / f"{run_id}.parquet"
                reason = file_problem(path, checksums.get(run_id, {}).get(kind))
                if reason is not None:
                    problems[run_id] = f"{KINDS[kind]}/{path.name}: {reason}"
                    break
        return problems

    def set_aside(self, run_ids: list[str]) -> None:
        """Move the files of ``run_ids`` to ``damaged/``, so that the runs are redone."""
        for run_id in run_ids:
            for folder in KINDS.values():  # the summary file first: unfinished at once
                path = self.root / folder / f"{run_id}.parquet"
                if path.exists():
                    target = self.root / DAMAGED / folder
                    target.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target / path.name)

    def record_failure(self, record: dict[str, Any]) -> None:
        """Append a failure to ``failures.jsonl``."""
        append_line(self.root / FAILURES, record)

    def record_timing(self, record: dict[str, Any]) -> None:
        """Append a timing record to ``timings.jsonl``."""
        append_line(self.root / TIMINGS, record)

    def clean_temporary(self) -> int:
        """Remove temporary files left by a killed writer; returns how many."""
        removed = 0
        for folder in (self.root, *(self.root / kind for kind in KINDS.values())):
            for path in folder.glob(f".*{TEMP_SUFFIX}"):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock on the store while writing.

        The lock is an advisory ``flock`` on ``.lock``; the operating system releases it
        when the holder dies, so a killed sweep never leaves a stale lock.

        Raises:
            StoreLocked: when another process holds it.
        """
        try:
            import fcntl
        except ImportError:  # no flock on this platform: run unlocked
            yield
            return
        handle = open(self.root / LOCK, "a+")
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise StoreLocked(f"another sweep is writing to {self.root}") from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            handle.close()


def file_problem(path: Path, sha256: str | None = None) -> str | None:
    """What is wrong with a run file (missing, truncated, altered), or None.

    Args:
        path: the Parquet file.
        sha256: its recorded SHA-256, if any.
    """
    import pyarrow.parquet as pq

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    try:
        pq.read_metadata(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several types for broken files
        return f"not a whole Parquet file ({type(exc).__name__}: {exc})"
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        return "its contents differ from the SHA-256 recorded when it was written"
    return None


def _manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=1, sort_keys=False, default=str) + "\n"


def read_manifest(root: str | os.PathLike) -> dict[str, Any]:
    """The manifest of a store folder."""
    return SweepStore.open(root).manifest()


def load_design(root: str | os.PathLike) -> pd.DataFrame:
    """The design table of a store folder: one row per design point."""
    return SweepStore.open(root).design()


def load_results(
    root: str | os.PathLike, kind: str = "runs", columns: list[str] | None = None
) -> pd.DataFrame:
    """Load a store's results as one tidy DataFrame.

    Args:
        root: the store folder.
        kind: ``runs`` (one row per finished run: run_id, point, replication, seed,
            sweep, the parameters, the outcomes), ``series`` (one row per run and kept
            step) or ``firm_series`` (one row per run, kept step and firm).
        columns: only these columns (all by default).

    Returns:
        The rows of every finished run, sorted by run (and step, firm); empty with no
        columns when nothing has finished. Runs with a damaged file are left out and
        listed in ``attrs["damaged"]`` (``{run_id: reason}``).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    import pyarrow.dataset as ds

    store = SweepStore.open(root)
    folder = store.root / KINDS[kind]
    damaged = store.damaged()
    files = sorted(
        p for p in folder.glob("*.parquet") if not p.name.startswith(".") and p.stem not in damaged
    )
    if not files:
        empty = pd.DataFrame()
        empty.attrs["damaged"] = damaged
        return empty
    table = ds.dataset([str(p) for p in files], format="parquet").to_table(columns=columns)
    frame = table.to_pandas()
    keys = [key for key in SORT_KEYS[kind] if key in frame.columns]
    if keys:
        frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    manifest = store.manifest()
    frame.attrs["sweep"] = manifest.get("name")
    frame.attrs["parameters"] = list(manifest.get("design", {}).get("parameters", []))
    frame.attrs["outcomes"] = list(manifest.get("outputs", {}).get("metrics", []))
    frame.attrs["damaged"] = damaged
    return frame
