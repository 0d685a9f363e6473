"""Run a tournament's games on the sweep machinery's executors, into a resumable store.

The store is a sweep store (``sim.experiments.store``): ``manifest.json``,
``sweep.yaml`` (the resolved tournament file), ``design.parquet`` (one row per game:
scenario, line-up, replication, seed, seats), ``runs/<game_id>.parquet`` (one row per
seat, ``scored`` marking the rows that count for the ranking), ``failures.jsonl`` and
``timings.jsonl``. A game is finished exactly when its file exists, so a killed
tournament is resumed by running the same command again.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from sim.experiments.executors import open_executor
from sim.experiments.store import KINDS, SweepStore, atomic_write_parquet
from sim.model.seeds import seed_plan
from sim.scenario import InputError, Problem
from sim.tournament.game import GameOutput, GameTask
from sim.tournament.isolation import play_game
from sim.tournament.spec import GameKey, Tournament

log = logging.getLogger("sim.tournament")
RESULTS_ROOT = Path("results") / "tournaments"
FORMAT = "flywheel-tournament-store/1"


@dataclass
class TournamentReport:
    """What a call of :func:`run_tournament` did."""

    store: Path
    total: int
    done: int
    failed: int
    skipped: int
    ran: int
    wall_seconds: float
    executor: str


def default_out(tournament: Tournament) -> Path:
    """``results/tournaments/<name>[-<variant>]-<hash8>``."""
    return RESULTS_ROOT / f"{tournament.name}-{tournament.digest[:8]}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def design_table(tournament: Tournament) -> pd.DataFrame:
    """One row per game: id, scenario, line-up, replication, seed, seats (JSON)."""
    return pd.DataFrame(
        [
            {
                "game_id": key.game_id,
                "scenario": tournament.spec.scenarios[key.scenario].scenario,
                "scenario_index": key.scenario,
                "lineup": key.lineup,
                "replication": key.replication,
                "seed": key.seed,
                "seats": json.dumps(dict(key.seats)),
                "scored": ",".join(key.scored),
            }
            for key in tournament.games
        ]
    )


def make_task(tournament: Tournament, key: GameKey, scenario: dict) -> GameTask:
    """The picklable task of one game."""
    return GameTask(
        game_id=key.game_id,
        scenario_index=key.scenario,
        scenario_name=tournament.spec.scenarios[key.scenario].scenario,
        lineup=key.lineup,
        replication=key.replication,
        seed=key.seed,
        scenario=scenario,
        seats=key.seats,
        scored=key.scored,
        entrants={e.name: (e.strategy, dict(e.params)) for e in tournament.spec.entrants},
        scores=tuple(
            (score.column, score.measure.value, score.at_year) for score in tournament.spec.scores
        ),
        time_limit=tournament.spec.time_limit_seconds,
        tournament=tournament.digest[:12],
        import_paths=tuple(tournament.import_paths),
    )


def open_store(tournament: Tournament, out: Path) -> SweepStore:
    """The store of this tournament at ``out`` (created if new).

    Raises:
        InputError: when ``out`` holds another tournament or other files.
    """
    if SweepStore.is_store(out):
        store = SweepStore.open(out)
        found = store.manifest().get("tournament_sha256")
        if found != tournament.digest:
            rule = "this folder holds a different tournament or sweep; choose another --out"
            raise InputError([Problem(tournament.file, "--out", str(out), rule)])
        store.clean_temporary()
        return store
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        rule = "exists and is not a tournament store; choose an empty or new folder"
        raise InputError([Problem(tournament.file, "--out", str(out), rule)])
    from sim.experiments.runner import versions

    spec = tournament.spec
    manifest = {
        "format": FORMAT,
        "name": tournament.name,
        "description": spec.description,
        "tournament_sha256": tournament.digest,
        "tournament_file": tournament.file,
        "entrants": [e.model_dump(mode="json") for e in spec.entrants],
        "scenarios": [
            {"entry": entry.scenario, "name": s.name, "sha256": s.digest(), "seats": seats}
            for entry, s, seats in zip(
                spec.scenarios, tournament.scenarios, tournament.seats, strict=True
            )
        ],
        "seating": spec.seating.value,
        "scores": tournament.score_columns,
        "seed_plan": seed_plan(spec.seed, spec.replications),
        "games": len(tournament.games),
        "versions": versions(),
        "created": _now(),
        "sessions": [],
    }
    document = spec.model_dump(mode="json")
    text = yaml.safe_dump(document, sort_keys=False)
    return SweepStore.create(out, manifest, text, design_table(tournament))


def run_tournament(
    tournament: Tournament,
    out: str | Path | None = None,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    connect_timeout: float = 20.0,
) -> TournamentReport:
    """Play every game not yet in the store.

    Args:
        tournament: a validated tournament.
        out: the store folder (``results/tournaments/<name>-<hash8>`` by default).
        executor: ``local``, ``dask`` or ``inline``.
        workers: worker processes.
        scheduler: Dask scheduler address or file (implies Dask).
        progress: show a progress bar on stderr.
        connect_timeout: seconds to wait for a Dask scheduler.

    Returns:
        A :class:`TournamentReport`.
    """
    out = Path(out) if out is not None else default_out(tournament)
    store = open_store(tournament, out)
    finished = store.finished()
    keys = [key for key in tournament.games if key.game_id not in finished]
    skipped = len(tournament.games) - len(keys)
    if not keys:
        return TournamentReport(out, len(tournament.games), skipped, 0, skipped, 0, 0.0, "none")
    handle = open_executor(executor, workers, scheduler, connect_timeout)
    scenarios = [s.model_dump(mode="json") for s in tournament.scenarios]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=len(tournament.games),
            initial=skipped,
            desc=tournament.name,
            unit="game",
            file=sys.stderr,
            dynamic_ncols=True,
        )
    started = time.perf_counter()
    ran = failed = 0
    try:
        with store.lock():
            pending = iter(keys)
            in_flight: dict[cf.Future, GameKey] = {}
            limit = max(2, 2 * handle.slots())

            def fill() -> None:
                while len(in_flight) < limit:
                    key = next(pending, None)
                    if key is None:
                        return
                    task = make_task(tournament, key, scenarios[key.scenario])
                    in_flight[handle.executor.submit(play_game, task)] = key

            fill()
            while in_flight:
                done, _ = cf.wait(list(in_flight), return_when=cf.FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: in_flight[f].game_id):
                    key = in_flight.pop(future)
                    try:
                        output = future.result()
                    except Exception as exc:  # infrastructure: lost worker, pickling
                        output = GameOutput(key.game_id, error=f"{type(exc).__name__}: {exc}")
                    ran += 1
                    if output.rows is not None:
                        path = store.root / KINDS["runs"] / f"{key.game_id}.parquet"
                        atomic_write_parquet(path, output.rows)
                        store.record_timing(
                            {
                                "game_id": key.game_id,
                                "seconds": round(output.seconds, 4),
                                "host": output.host,
                                "pid": output.pid,
                                "finished": _now(),
                            }
                        )
                    else:
                        failed += 1
                        log.warning("game %s failed: %s", key.game_id, output.error)
                        store.record_failure(
                            {
                                "game_id": key.game_id,
                                "error": output.error,
                                "traceback": output.traceback,
                                "time": _now(),
                            }
                        )
                    if bar is not None:
                        bar.update(1)
                fill()
    finally:
        if bar is not None:
            bar.close()
        handle.close()
    wall = time.perf_counter() - started
    manifest = store.manifest()
    manifest["sessions"].append(
        {
            "ended": _now(),
            "ran": ran,
            "failed": failed,
            "wall_seconds": round(wall, 3),
            "executor": handle.description,
        }
    )
    store.write_manifest(manifest)
    done = len(store.finished())
    return TournamentReport(
        out, len(tournament.games), done, failed, skipped, ran, wall, handle.description
    )


def load_games(store: str | Path) -> pd.DataFrame:
    """Every finished game's rows (one per seat), sorted by game and seat."""
    folder = Path(store) / KINDS["runs"]
    files = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
    return frame.sort_values(["game_id", "seat"], kind="stable").reset_index(drop=True)
